/* reap_engine.c - `reap`'s engine, driven by cmd_reap.c's loop: the zombies being looked after
 * (found and gone as zombie_source.c reports them), the policy decided for each
 * (reap_policy.c), and escalating actions on their parents: SIGCHLD, a waitid injected into the
 * parent (inject.c), killing it. Each action is taken once per parent for all its zombies due
 * for it (one stop reaps them all). Every decision is an `action` event into the sink; one
 * that would repeat for each zombie of a parent (a refusal) is printed once per parent and
 * reason, and counted for each.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cgroup.h"
#include "log.h"
#include "procfs.h"
#include "reap_engine.h"
#include "status.h"

#define MS	       1000000ULL
#define KILL_TERM_SENT 1
#define KILL_KILL_SENT 2
#define SWEEP_NS       (5000 * MS) /* settled entries are checked for gone-ness this often */

static uint64_t pidns_inode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

enum zstate {
	Z_GONE,	   /* reaped, or the pid is another life now */
	Z_THREADS, /* the leader is dead but threads still run: not reapable yet */
	Z_ZOMBIE,
};

static enum zstate zombie_state(const struct zent *z)
{
	struct procfs_stat st;

	if (procfs_read_stat(NULL, z->pid, &st) || st.start_ticks != z->start_ticks ||
	    st.state != 'Z')
		return Z_GONE;
	return st.threads > 1 ? Z_THREADS : Z_ZOMBIE;
}

/* Is the zombie still there: same pid, same start, still a zombie? */
static bool zombie_present(const struct zent *z)
{
	return zombie_state(z) != Z_GONE;
}

/* Is the parent the same process as when decided (no pid reuse) and alive? */
static bool parent_present(const struct zent *z, struct procfs_stat *st)
{
	return procfs_read_stat(NULL, z->ppid, st) == 0 && st->start_ticks == z->pstart_ticks &&
	       st->state != 'Z' && st->state != 'X';
}

/* Sends sig to the parent through a pidfd opened after its identity was checked, so a reused
 * pid is never signalled. */
static int signal_parent(const struct zent *z, int sig)
{
	struct procfs_stat st;
	int fd, rc = 0;

	fd = (int)syscall(SYS_pidfd_open, (pid_t)z->ppid, 0);
	if (fd < 0)
		return -errno;
	if (!parent_present(z, &st))
		rc = -ESRCH;
	else if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0))
		rc = -errno;
	close(fd);
	return rc;
}

/* The textfile after a pass: a failure is worth a warning, not the end of reaping. */
void reap_engine_write_textfile(struct reaper *r)
{
	int err = metrics_write_file(r->m, r->textfile, clock_ns(CLOCK_BOOTTIME));

	if (err)
		zr_warn("--metrics-textfile %s: %s", r->textfile, strerror(-err));
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
static bool decide(struct reaper *r, struct zent *z)
{
	struct procfs_stat zst, pst;
	struct procfs_status ss;
	struct rp_parent par = { 0 };
	char cg[1024], why[256], path[64];
	struct zr_ev *ev = &z->ev;
	uint64_t id;
	int level;
	enum rp_verdict v;

	z->is_decided = true;
	if (procfs_read_stat(NULL, z->pid, &zst) || zst.start_ticks != z->start_ticks ||
	    procfs_read_stat(NULL, zst.ppid, &pst) || pst.state == 'Z' || pst.state == 'X')
		return false;
	z->ppid = zst.ppid;
	z->pstart_ticks = pst.start_ticks;

	memset(ev, 0, sizeof(*ev));
	ev->kind = ZR_EV_ACTION;
	ev->pid = ev->tid = z->pid;
	ev->ppid = z->ppid;
	ev->start_ns = procfs_ticks_to_ns(z->start_ticks);
	memcpy(ev->comm, zst.comm, sizeof(ev->comm));
	if (procfs_read_status(NULL, z->pid, &ss) == 0) {
		ev->uid = ss.uid;
		ev->gid = ss.gid;
		snprintf(path, sizeof(path), "/proc/%u/ns/pid", z->pid);
		if (ss.ns_depth > 0 && pidns_inode(path) != r->own_pidns) {
			ev->ns_pid = ss.ns_pid;
			ev->pidns = (uint32_t)pidns_inode(path);
		}
	}
	cgroup_of_pid(z->pid, cg, sizeof(cg));
	if (cg[0] && cgroup_resolve(cg, &id, &level) == 0)
		ev->cgroup_id = id;
	ev->parent.pid = z->ppid;
	ev->parent.start_ns = procfs_ticks_to_ns(pst.start_ticks);
	memcpy(ev->parent.comm, pst.comm, sizeof(ev->parent.comm));

	par.pid = z->ppid;
	par.comm = pst.comm;
	if (procfs_read_status(NULL, z->ppid, &ss) == 0)
		par.uid = ss.uid;
	else
		par.uid = (uint32_t)-1;
	cgroup_of_pid(z->ppid, cg, sizeof(cg));
	par.cgroup = cg[0] ? cg : NULL;
	par.is_host_init = z->ppid == 1;
	/* Kernel threads are kthreadd (2, parent 0) and its children. */
	par.is_kthread = z->ppid == 2 || pst.ppid == 2 || (pst.ppid == 0 && z->ppid != 1);
	v = reap_policy_select(&r->pol, &par, &z->rule, why, sizeof(why));
	if (v != RP_SELECTED) {
		emit_once(r, z, r->pol.actions[0], "refused", why);
		z->is_done = true;
		return true;
	}
	z->is_selected = true;
	z->due_ns = r->now;
	return true;
}

static struct zent *find(struct reaper *r, uint32_t pid, uint64_t start)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->z[i].pid == pid && r->z[i].start_ticks == start)
			return &r->z[i];
	return NULL;
}

/* Is a zombie of this age (or age bound) surely younger than --older-than? Then --once leaves
 * it at once: it is not old enough for this run. */
static bool is_too_young(const struct reaper *r, const struct zombie_found *f)
{
	return f->age_source != ZR_AGE_UNKNOWN && f->age_ns < r->pol.older_ns;
}

/* The source reports a zombie: a new candidate, old enough --older-than after it became one.
 * Only a bound on its age (START_BOUND), or none: --older-than after it was first seen. */
void reap_engine_found(const struct zombie_found *f, void *arg)
{
	struct reaper *r = arg;
	struct zent *z;
	char age[32];

	/* --once handles what exists now; later zombies are the next run's. */
	if (!r->is_accepting || find(r, f->pid, f->start_ticks))
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct zent *v = realloc(r->z, cap * sizeof(*v));

		if (!v) {
			zr_warn("out of memory: zombie %u is not looked after", f->pid);
			return;
		}
		r->z = v;
		r->cap = cap;
	}
	z = &r->z[r->n++];
	memset(z, 0, sizeof(*z));
	z->pid = f->pid;
	z->start_ticks = f->start_ticks;
	z->ppid = f->ppid;
	z->first_seen_ns =
	    zr_age_is_exact(f->age_source) && f->age_ns < r->now ? r->now - f->age_ns : r->now;
	z->pending = -1;
	if (r->is_once && is_too_young(r, f)) {
		sink_format_duration(age, sizeof(age), f->age_ns);
		zr_debug("zombie %u is %s%s old, younger than --older-than: left alone", f->pid,
			 f->age_source == ZR_AGE_START_BOUND ? "at most " : "", age);
		z->is_decided = z->is_done = true;
	}
}

/* The zombie was reaped: a pending nudge or kill worked (or its parent got there first). */
static void mark_gone(struct reaper *r, struct zent *z)
{
	if (z->is_gone)
		return;
	z->is_gone = true;
	if (z->pending >= 0)
		emit(r, z, (enum rp_action)z->pending, "reaped", NULL);
}

void reap_engine_gone(uint32_t pid, uint64_t start_ticks, void *arg)
{
	struct reaper *r = arg;
	struct zent *z = find(r, pid, start_ticks);

	if (z)
		mark_gone(r, z);
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
	enum inject_outcome o;
	char ebuf[16];
	int i, k = 0, rc;

	for (i = 0; i < n; i++) {
		struct zent *z = r->batch[i];

		rc = inject_ns_pid(z->pid, ppid, &r->batch_ns[k]);
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
	o = inject_waitids(ppid, r->batch_ns, r->batch_ret, k, &res);
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
		else if (!zombie_present(z))
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
		if (i < res.n_ran && !zombie_present(z))
			z->is_gone = true;
	}
}

/* One signal to the parent for the whole batch; whether it worked is judged --step later. */
static void signal_batch(struct reaper *r, enum rp_action a, int n)
{
	int sig = a == RP_NUDGE ? SIGCHLD : SIGTERM;
	int rc = signal_parent(r->batch[0], sig), i;
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
static void act_on_parent(struct reaper *r, struct zent *z)
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
		if (!zombie_present(o))
			mark_gone(r, o);
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

	if (signal_parent(z, SIGKILL))
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
static void judge(struct reaper *r, struct zent *z)
{
	struct procfs_stat st;
	enum rp_action a = (enum rp_action)z->pending;

	if (a == RP_KILL_PARENT && z->kill_state == KILL_TERM_SENT && parent_present(z, &st) &&
	    escalate_kill(r, z))
		return;
	if (a == RP_NUDGE)
		emit(r, z, a, "no_effect", "parent %u did not reap it within %.3f s of SIGCHLD",
		     z->ppid, (double)r->pol.step_ns / 1e9);
	else if (parent_present(z, &st))
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

static void plan(struct reaper *r, struct zent *z)
{
	char why[200];

	for (; z->stage < r->pol.n_actions; z->stage++) {
		enum rp_action a = r->pol.actions[z->stage];

		if (a == RP_INJECT) {
			switch (inject_check(z->ppid, why, sizeof(why))) {
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

/* Every zombie old enough is decided before anything is done, so an action on one parent
 * can account for all of that parent's zombies. */
static void decide_due(struct reaper *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct zent *z = &r->z[i];

		if (z->is_decided || z->is_done || z->is_gone ||
		    r->now - z->first_seen_ns < r->pol.older_ns)
			continue;
		switch (zombie_state(z)) {
		case Z_GONE:
			mark_gone(r, z);
			break;
		case Z_THREADS:
			/* Its age counts from when the whole process is dead. */
			z->first_seen_ns = r->now;
			break;
		case Z_ZOMBIE:
		default:
			if (!decide(r, z))
				z->is_done = true; /* parent gone or exiting: nothing to do */
			break;
		}
	}
}

/* One pass: what is gone, what is due, what to do. */
void reap_engine_step(struct reaper *r)
{
	bool is_sweep = r->now >= r->sweep_due_ns;
	size_t i;

	/* Settled entries leave when a `reap` event says so; a lost event must not keep them
	 * forever, hence the occasional look. */
	if (is_sweep)
		r->sweep_due_ns = r->now + SWEEP_NS;
	decide_due(r);
	for (i = 0; i < r->n; i++) {
		struct zent *z = &r->z[i];

		if (z->is_gone)
			continue;
		if ((!z->is_done || is_sweep) && !zombie_present(z)) {
			mark_gone(r, z);
			continue;
		}
		if (z->is_done)
			continue;
		if (z->pending >= 0) {
			if (r->now >= z->check_ns)
				judge(r, z);
			continue;
		}
		if (r->now - z->first_seen_ns < r->pol.older_ns)
			continue;
		if (!z->is_decided)
			continue;
		if (r->pol.dry_run) {
			plan(r, z);
			continue;
		}
		if (z->stage >= r->pol.n_actions) {
			z->is_done = true;
			continue;
		}
		if (r->now >= z->due_ns)
			act_on_parent(r, z);
	}
}

bool reap_engine_all_settled(const struct reaper *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!r->z[i].is_gone && !r->z[i].is_done)
			return false;
	return true;
}

int reap_engine_remaining(const struct reaper *r)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->n; i++)
		if (r->z[i].is_selected && !r->z[i].is_gone && zombie_present(&r->z[i]))
			n++;
	return n;
}

/* Forgets the zombies that are gone (daemon mode would otherwise grow without end). */
void reap_engine_compact(struct reaper *r)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++)
		if (!r->z[i].is_gone)
			r->z[k++] = r->z[i];
	r->n = k;
}

void reap_engine_init(struct reaper *r)
{
	reap_policy_rate_init(&r->rate, r->pol.max_per_min);
	r->own_pidns = pidns_inode("/proc/self/ns/pid");
}

void reap_engine_free(struct reaper *r)
{
	free(r->z);
	r->z = NULL;
	r->n = r->cap = 0;
}
