/* reaper_act.c - what reaper.c's pass does to one zombie: decide the policy for it
 * (reap_policy.c), then escalating actions on its parent through r->ops: SIGCHLD, a waitid
 * injected into the parent (inject.c), killing it; judge whether a nudge or kill worked. Each
 * action is taken once per parent for all its zombies due for it (one stop reaps them all).
 * Every decision is an `action` event into the sink; one that would repeat for each zombie of
 * a parent (a refusal) is printed once per parent and reason, and counted for each.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup.h"
#include "clock.h"
#include "log.h"
#include "proc_seen.h"
#include "procfs.h"
#include "reaper.h"
#include "reaper_int.h"
#include "status.h"

#define KILL_TERM_SENT 1
#define KILL_KILL_SENT 2

uint64_t reaper_pidns_inode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

enum zstate reaper_zombie_state(const struct reaper *r, const struct zent *z)
{
	struct procfs_stat st;

	if (procsrc_stat(&r->proc, z->pid, &st) || st.start_ticks != z->start_ticks ||
	    st.state != 'Z')
		return Z_GONE;
	return st.threads > 1 ? Z_THREADS : Z_ZOMBIE;
}

bool reaper_zombie_present(const struct reaper *r, const struct zent *z)
{
	return reaper_zombie_state(r, z) != Z_GONE;
}

/* Is the parent the same process as when decided (no pid reuse) and alive? */
static bool parent_present(const struct reaper *r, const struct zent *z, struct procfs_stat *st)
{
	return procsrc_stat(&r->proc, z->ppid, st) == 0 && st->start_ticks == z->pstart_ticks &&
	       st->state != 'Z' && st->state != 'X';
}

/* Sends sig to the parent through a handle (a pidfd) whose process is checked to be the
 * parent after it was opened, so a reused pid is never signalled. */
static int signal_parent(struct reaper *r, const struct zent *z, int sig)
{
	struct procfs_stat st;
	int h, rc = 0;

	h = r->ops->parent_open(z->ppid);
	if (h < 0)
		return h;
	if (!parent_present(r, z, &st))
		rc = -ESRCH;
	else
		rc = r->ops->parent_signal(h, sig);
	r->ops->parent_close(h);
	return rc;
}

/* Counts the action on z (--metrics-textfile) and, unless is_quiet, prints it. */
static void emit_line(struct reaper *r, struct zent *z, enum rp_action a, const char *outcome,
		      const char *reason, bool is_quiet)
{
	struct zr_ev ev = z->ev;
	int rc;

	ev.ktime_ns = clock_ns(CLOCK_BOOTTIME);
	ev.u.action.action = reap_policy_action_name(a);
	ev.u.action.dry_run = r->pol.dry_run;
	ev.u.action.outcome = outcome;
	ev.u.action.policy = z->rule;
	snprintf(ev.u.action.reason, sizeof(ev.u.action.reason), "%s", reason ? reason : "");
	if (r->m)
		metrics_observe(r->m, &ev);
	if (r->out_err || is_quiet)
		return;
	rc = r->sink.ops->emit(&r->sink, &ev);
	if (rc)
		r->out_err = rc;
}

__attribute__((format(printf, 5, 6))) static void
emit(struct reaper *r, struct zent *z, enum rp_action a, const char *outcome, const char *fmt, ...)
{
	char reason[sizeof(z->ev.u.action.reason)];
	va_list ap;

	reason[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
	}
	emit_line(r, z, a, outcome, reason, false);
}

/* FNV-1a over outcome and reason, never 0: which lines emit_once takes for the same. */
static uint32_t line_key(const char *outcome, const char *reason)
{
	const char *parts[2] = { outcome, reason };
	uint32_t h = 2166136261U;
	const char *p;
	int i;

	for (i = 0; i < 2; i++) {
		for (p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619U;
		h = (h ^ 0xff) * 16777619U; /* a separator: ("ab", "c") is not ("a", "bc") */
	}
	return h ? h : 1;
}

/* An outcome that says the same for every zombie of a parent (a refusal, a failure of the
 * action as a whole): printed for the first, and only counted for the others as long as one
 * that was printed is still looked after, so a parent holding thousands of zombies gets one
 * line per reason, not one per zombie per pass. */
static void emit_once(struct reaper *r, struct zent *z, enum rp_action a, const char *outcome,
		      const char *reason)
{
	uint32_t key = line_key(outcome, reason);
	bool is_quiet = false;
	size_t i;

	for (i = 0; i < r->n && !is_quiet; i++)
		is_quiet = r->z[i].logged[a] == key && r->z[i].ppid == z->ppid &&
			   r->z[i].pstart_ticks == z->pstart_ticks;
	if (!is_quiet)
		z->logged[a] = key;
	emit_line(r, z, a, outcome, reason, is_quiet);
}

/* Fills the event template (the zombie as subject, its parent nested) and applies the policy.
 * Returns false when the zombie is not ours to handle (parent gone or exiting: nothing to do). */
/* The zombie's pid as seen from its own pid namespace, when that is not ours. */
static void set_ns_pid(const struct reaper *r, const struct proc_seen *zs, struct zr_ev *ev)
{
	char path[256];

	if (!zs->has_status || zs->ss.ns_depth <= 0)
		return;
	snprintf(path, sizeof(path), "%s/%u/ns/pid", r->proc.root ? r->proc.root : "/proc",
		 zs->st.pid);
	if (reaper_pidns_inode(path) != r->own_pidns) {
		ev->ns_pid = zs->ss.ns_pid;
		ev->pidns = (uint32_t)reaper_pidns_inode(path);
	}
}

/* What the policy matches on: the parent's comm, uid, cgroup and kind. */
static enum rp_verdict select_parent(struct reaper *r, struct zent *z, const struct proc_seen *ps,
				     char *why, size_t whylen)
{
	struct rp_parent par = { 0 };
	char cg[1024];

	par.pid = z->ppid;
	par.comm = ps->st.comm;
	par.uid = ps->has_status ? ps->ss.uid : (uint32_t)-1;
	cgroup_of_pid(r->proc.root, z->ppid, cg, sizeof(cg));
	par.cgroup = cg[0] ? cg : NULL;
	par.is_host_init = z->ppid == 1;
	/* Kernel threads are kthreadd (2, parent 0) and its children. */
	par.is_kthread = z->ppid == 2 || ps->st.ppid == 2 || (ps->st.ppid == 0 && z->ppid != 1);
	return reap_policy_select(&r->pol, &par, &z->rule, why, whylen);
}

/* Fills the event template (the zombie as subject, its parent nested) and applies the policy.
 * Returns false when the zombie is not ours to handle (parent gone or exiting: nothing to do). */
bool reaper_decide(struct reaper *r, struct zent *z)
{
	struct proc_seen zs, ps;
	char cg[1024], why[256];
	struct zr_ev *ev = &z->ev;
	uint64_t id = 0;
	int level;

	z->is_decided = true;
	if (proc_seen_read(&r->proc, z->pid, PROC_SEEN_STATUS, 0, &zs) ||
	    zs.st.start_ticks != z->start_ticks ||
	    proc_seen_read(&r->proc, zs.st.ppid, PROC_SEEN_STATUS, 0, &ps) || ps.st.state == 'Z' ||
	    ps.st.state == 'X')
		return false;
	z->ppid = zs.st.ppid;
	z->pstart_ticks = ps.st.start_ticks;

	proc_seen_event(&zs, ZR_EV_ACTION, 0, ev);
	set_ns_pid(r, &zs, ev);
	cgroup_of_pid(r->proc.root, z->pid, cg, sizeof(cg));
	if (cg[0] && cgroup_resolve(cg, &id, &level) == 0)
		ev->cgroup_id = id;
	proc_seen_ref(&ps, &ev->parent);

	if (select_parent(r, z, &ps, why, sizeof(why)) != RP_SELECTED) {
		emit_once(r, z, r->pol.actions[0], "refused", why);
		z->is_done = true;
		return true;
	}
	z->is_selected = true;
	z->due_ns = r->now;
	return true;
}

/* The zombie was reaped: a pending nudge or kill worked (or its parent got there first). */
void reaper_mark_gone(struct reaper *r, struct zent *z)
{
	if (z->is_gone)
		return;
	z->is_gone = true;
	if (z->pending >= 0)
		emit(r, z, (enum rp_action)z->pending, "reaped", NULL);
}

/* Done with this stage: the next action may come --step later. */
static void advance(struct reaper *r, struct zent *z)
{
	z->stage++;
	z->due_ns = r->now + r->pol.step_ns;
}

/* Each zombie of the batch reaped by its own waitid(P_PID), all in one stop of the parent. */
static void inject_batch(struct reaper *r, int n)
{
	uint32_t ppid = r->batch[0]->ppid;
	struct inject_result res;
	struct procfs_stat st;
	enum inject_outcome o;
	char ebuf[16], why[96];
	int i, k = 0, rc;

	/* As before a signal: the pid still names the parent decided on, so a process that took
	 * a dead parent's pid is never stopped. */
	if (!parent_present(r, r->batch[0], &st)) {
		snprintf(why, sizeof(why), "parent %u is gone or no longer the same process", ppid);
		for (i = 0; i < n; i++) {
			emit_once(r, r->batch[i], RP_INJECT, "failed", why);
			advance(r, r->batch[i]);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		struct zent *z = r->batch[i];

		rc = r->ops->inject_ns_pid(z->pid, ppid, &r->batch_ns[k]);
		if (rc) {
			emit(r, z, RP_INJECT, "failed",
			     "cannot find pid %u in parent %u's namespace: %s", z->pid, ppid,
			     strerror(-rc));
			advance(r, z);
			continue;
		}
		r->batch[k++] = z;
	}
	if (!k)
		return;
	o = r->ops->inject_waitids(ppid, r->batch_ns, r->batch_ret, k, &res);
	if (res.n_ran)
		zr_info("inject: parent %u (thread %u) ran %d of %d waitid(s), held %.3f ms in %d "
			"stop(s)",
			ppid, res.tid, res.n_ran, k, (double)res.stopped_ns / 1e6, res.attempts);
	for (i = 0; i < k; i++) {
		struct zent *z = r->batch[i];
		long ret = r->batch_ret[i];

		advance(r, z);
		if (i >= res.n_ran)
			emit_once(r, z, RP_INJECT, o == INJECT_REFUSED ? "refused" : "failed",
				  res.why);
		else if (!reaper_zombie_present(r, z))
			emit(r, z, RP_INJECT, "reaped", NULL);
		else if (ret < 0)
			emit(r, z, RP_INJECT, "failed", "waitid(P_PID, %u) in parent %u failed: %s",
			     r->batch_ns[i], ppid,
			     status_errno_name((int)-ret, ebuf, sizeof(ebuf)));
		else
			emit(r, z, RP_INJECT, "no_effect",
			     "waitid(P_PID, %u) in parent %u returned %ld; the zombie is still "
			     "there",
			     r->batch_ns[i], ppid, ret);
		if (i < res.n_ran && !reaper_zombie_present(r, z))
			z->is_gone = true;
	}
}

/* One signal to the parent for the whole batch; whether it worked is judged --step later. */
static void signal_batch(struct reaper *r, enum rp_action a, int n)
{
	int sig = a == RP_NUDGE ? SIGCHLD : SIGTERM;
	int rc = signal_parent(r, r->batch[0], sig), i;
	char why[128];

	if (rc)
		snprintf(why, sizeof(why), "%s to parent %u: %s",
			 sig == SIGCHLD ? "SIGCHLD" : "SIGTERM", r->batch[0]->ppid, strerror(-rc));
	for (i = 0; i < n; i++) {
		struct zent *z = r->batch[i];

		if (rc) {
			emit_once(r, z, a, "failed", why);
			advance(r, z);
			continue;
		}
		z->pending = a;
		z->check_ns = r->now + r->pol.step_ns;
		z->kill_state = a == RP_KILL_PARENT ? KILL_TERM_SENT : 0;
	}
}

/* Is o due for its next action now (the same checks step() makes one by one)? */
static bool is_due(const struct reaper *r, const struct zent *o)
{
	return o->is_selected && !o->is_done && !o->is_gone && o->pending < 0 &&
	       o->stage < r->pol.n_actions && r->now - o->first_seen_ns >= r->pol.older_ns &&
	       r->now >= o->due_ns;
}

/* z is due for an action: takes one rate slot for its parent and acts once for every zombie
 * of that parent due for the same action (those after z in the table: the ones before it were
 * looked at already in this pass). */
void reaper_act(struct reaper *r, struct zent *z)
{
	enum rp_action a = r->pol.actions[z->stage];
	size_t i;
	int n = 0;

	if (!reap_policy_rate_take(&r->rate, r->now))
		return;
	r->batch[n++] = z;
	for (i = (size_t)(z - r->z) + 1; i < r->n && n < INJECT_BATCH_MAX; i++) {
		struct zent *o = &r->z[i];

		if (o->ppid != z->ppid || o->pstart_ticks != z->pstart_ticks || !is_due(r, o) ||
		    r->pol.actions[o->stage] != a)
			continue;
		if (!reaper_zombie_present(r, o))
			reaper_mark_gone(r, o);
		else
			r->batch[n++] = o;
	}
	if (a == RP_INJECT)
		inject_batch(r, n);
	else
		signal_batch(r, a, n);
}

/* SIGTERM did not do it: one SIGKILL, for every zombie of the parent waiting on the kill. */
static bool escalate_kill(struct reaper *r, const struct zent *z)
{
	size_t i;

	if (signal_parent(r, z, SIGKILL))
		return false;
	for (i = 0; i < r->n; i++) {
		struct zent *o = &r->z[i];

		if (o->ppid == z->ppid && o->pstart_ticks == z->pstart_ticks &&
		    o->pending == RP_KILL_PARENT && o->kill_state == KILL_TERM_SENT &&
		    !o->is_gone) {
			o->kill_state = KILL_KILL_SENT;
			o->check_ns = r->now + r->pol.step_ns;
		}
	}
	return true;
}

/* A pending nudge or kill whose time is up and whose zombie is still there. */
void reaper_judge(struct reaper *r, struct zent *z)
{
	struct procfs_stat st;
	enum rp_action a = (enum rp_action)z->pending;

	if (a == RP_KILL_PARENT && z->kill_state == KILL_TERM_SENT && parent_present(r, z, &st) &&
	    escalate_kill(r, z))
		return;
	if (a == RP_NUDGE)
		emit(r, z, a, "no_effect", "parent %u did not reap it within %.3f s of SIGCHLD",
		     z->ppid, (double)r->pol.step_ns / 1e9);
	else if (parent_present(r, z, &st))
		emit(r, z, a, "no_effect", "parent %u is still alive after SIGTERM and SIGKILL",
		     z->ppid);
	else
		emit(r, z, a, "no_effect",
		     "parent %u is dead; the zombie passed to its new parent, which has not reaped "
		     "it yet",
		     z->ppid);
	z->pending = -1;
	z->stage++;
	z->due_ns = r->now; /* the step has been waited already */
}

void reaper_plan(struct reaper *r, struct zent *z)
{
	char why[200];

	for (; z->stage < r->pol.n_actions; z->stage++) {
		enum rp_action a = r->pol.actions[z->stage];

		if (a == RP_INJECT) {
			switch (r->ops->inject_check(z->ppid, why, sizeof(why))) {
			case INJECT_REFUSED:
				emit_once(r, z, a, "refused", why);
				continue;
			case INJECT_FAILED:
				emit_once(r, z, a, "failed", why);
				continue;
			case INJECT_RAN:
			default:
				break;
			}
		}
		emit(r, z, a, "planned", NULL);
	}
	z->is_done = true;
}
