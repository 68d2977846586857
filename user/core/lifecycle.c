/* lifecycle.c - per-process state transitions from decoded events, and the reap events
 * derived from them: a wait that reaped a pid, or a release no wait accounts for (autoreap).
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle_int.h"
#include "names.h"
#include "procfs.h"

#define TRIM_MIN_ITEMS 4096

struct lifecycle *lifecycle_new(unsigned cap, uint64_t grace_ns, lifecycle_emit_fn emit, void *arg)
{
	struct lifecycle *lc = calloc(1, sizeof(*lc));

	if (!lc)
		return NULL;
	lc->tab = proctab_new(cap);
	if (!lc->tab) {
		free(lc);
		return NULL;
	}
	lc->grace_ns = grace_ns;
	lc->src = procsrc_live(NULL);
	lc->emit = emit;
	lc->arg = arg;
	return lc;
}

void lifecycle_free(struct lifecycle *lc)
{
	if (!lc)
		return;
	proctab_free(lc->tab);
	timeq_free(&lc->released);
	timeq_free(&lc->exited);
	timeq_free(&lc->orphans);
	free(lc);
}

const struct proctab *lifecycle_table(const struct lifecycle *lc)
{
	return lc->tab;
}

void lifecycle_set_zombie_after(struct lifecycle *lc, uint64_t ns)
{
	lc->zombie_after_ns = ns;
}

void lifecycle_set_procfs(struct lifecycle *lc, const char *root)
{
	lc->src = procsrc_live(root);
}

void lifecycle_set_procsrc(struct lifecycle *lc, const struct procsrc *src)
{
	lc->src = *src;
}

/* The entry for this life of ev's subject, created when first seen. */
static struct zr_proc *subject_proc(struct lifecycle *lc, const struct zr_ev *ev)
{
	struct zr_proc *p = lifecycle_find_life(lc, ev->pid, ev->start_ns);

	if (!p) {
		p = proctab_insert(lc->tab, ev->pid, ev->start_ns);
		if (!p)
			return NULL;
		p->state = ZR_PROC_RUNNING;
		p->birth_ppid = ev->kind == ZR_EV_FORK ? ev->parent.pid : ev->ppid;
		p->age_source = ZR_AGE_TRACE;
		memcpy(p->comm, ev->comm, sizeof(p->comm));
	} else if (p->is_snapshot) {
		p->start_ns = ev->start_ns; /* now known to the ns */
		p->is_snapshot = false;
	}
	p->ppid = ev->ppid;
	p->uid = ev->uid;
	p->gid = ev->gid;
	p->cgroup_id = ev->cgroup_id;
	p->ns_level = ev->ns_level;
	p->ns_pid = ev->ns_pid;
	p->pidns = ev->pidns;
	return p;
}

struct ns_query {
	uint32_t nr;
	uint32_t pidns; /* the waiter's pid namespace */
	uint8_t lvl;
	struct zr_proc *hit;
};

static void match_ns_nr(struct zr_proc *p, void *arg)
{
	struct ns_query *q = arg;

	if (!q->hit && p->state == ZR_PROC_EXITED && p->ns_level >= q->lvl &&
	    p->ns_nr[q->lvl] == q->nr && p->ns_inum[q->lvl] == q->pidns)
		q->hit = p;
}

/* The exited process that a waiter at pid-namespace level lvl, in namespace pidns, knows as
 * nr: the same number at that level and the same namespace there (siblings reuse numbers). */
static struct zr_proc *find_reaped(struct lifecycle *lc, uint32_t nr, uint8_t lvl, uint32_t pidns)
{
	struct ns_query q = { nr, pidns, lvl, NULL };

	if (lvl == 0)
		return proctab_find(lc->tab, nr);
	if (lvl >= 4)
		return NULL;
	/* Rare (a waiter inside a pid namespace): scan for the dead with that number there. */
	proctab_each(lc->tab, match_ns_nr, &q);
	return q.hit;
}

/* How the waiter came to own the dead child: it forked it, or adopted it. */
static const char *reaper_role(const struct zr_ev *w, const struct zr_proc *dead)
{
	if (w->pid == dead->birth_ppid)
		return names_role(w->tid != w->pid ? ZR_ROLE_THREAD : ZR_ROLE_PARENT);
	if (w->pid == 1 || (w->ns_level && w->ns_pid == 1))
		return names_role(ZR_ROLE_PIDNS_INIT);
	return names_role(ZR_ROLE_SUBREAPER);
}

/* A wait came back: settle what it reported against the table, then emit it and its reap. */
static int on_wait(struct lifecycle *lc, struct zr_ev *ev)
{
	struct zr_proc *dead = NULL, *w;
	struct zr_ev r;
	int err;

	w = subject_proc(lc, ev);
	if (w) {
		w->last_wait_ns = ev->ktime_ns;
		w->last_wait_target = ev->u.wait.target;
	}
	if (ev->u.wait.reaped_pid)
		dead = find_reaped(lc, ev->u.wait.reaped_pid, ev->ns_level, ev->pidns);
	if (dead)
		ev->u.wait.reaped_pid = dead->pid;
	if (ev->u.wait.result == ZR_WAIT_REAPED && !ev->u.wait.st.is_known) {
		/* wait4 without a status pointer: only a known exit makes it a reap. */
		if (dead && dead->state == ZR_PROC_EXITED)
			ev->u.wait.st = dead->st;
		else if (ev->u.wait.reports_stops)
			ev->u.wait.result = ZR_WAIT_STOPPED;
	}
	err = lc->emit(ev, lc->arg);
	if (err < 0 || ev->u.wait.result != ZR_WAIT_REAPED)
		return err;
	if (dead) {
		lifecycle_reap_event(&r, dead, ev->ktime_ns);
		r.u.reap.reaper.role = reaper_role(ev, dead);
		if (dead->state == ZR_PROC_EXITED && zr_age_is_exact(dead->age_source) &&
		    ev->ktime_ns > dead->exit_ns)
			r.u.reap.zombie_ns = ev->ktime_ns - dead->exit_ns;
		/* Its exit never reached us (the kernel's filters held it back): not a subject the
		 * filters passed. */
		r.is_unmatched = dead->state != ZR_PROC_EXITED;
		proctab_remove(lc->tab, dead);
	} else {
		/* Died before we started: all we know is the pid. */
		memset(&r, 0, sizeof(r));
		r.kind = ZR_EV_REAP;
		r.ktime_ns = ev->ktime_ns;
		r.pid = r.tid = ev->u.wait.reaped_pid;
		r.ppid = ev->pid;
		r.is_unmatched = true;
		r.u.reap.reaper.role = names_role(ZR_ROLE_PARENT);
	}
	if (ev->u.wait.st.is_known)
		r.u.reap.st = ev->u.wait.st;
	r.u.reap.how = ev->u.wait.syscall == ZR_SYS_WAITID ? ZR_HOW_WAITID : ZR_HOW_WAIT4;
	r.u.reap.reaper.pid = ev->pid;
	r.u.reap.reaper.start_ns = ev->start_ns;
	memcpy(r.u.reap.reaper.comm, ev->comm, sizeof(r.u.reap.reaper.comm));
	return lc->emit(&r, lc->arg);
}

/* The kernel freed a task. A leader no wait reaped was autoreaped (after the grace period in
 * which a late wait may still claim it); a thread reaps itself. */
static int on_release(struct lifecycle *lc, const struct zr_ev *ev)
{
	struct zr_proc *p;
	struct zr_ev r;

	if (ev->is_thread) {
		r = *ev;
		r.is_release = false;
		r.u.reap = (typeof(r.u.reap)){ 0 };
		r.u.reap.how = ZR_HOW_SELF;
		r.u.reap.reaper.pid = ev->pid;
		r.u.reap.reaper.start_ns = ev->start_ns;
		memcpy(r.u.reap.reaper.comm, ev->comm, sizeof(r.u.reap.reaper.comm));
		r.u.reap.reaper.role = names_role(ZR_ROLE_THREAD);
		return lc->emit(&r, lc->arg);
	}
	p = lifecycle_find_life(lc, ev->pid, ev->start_ns);
	if (!p || p->state != ZR_PROC_EXITED || p->release_ns)
		return 0;
	p->release_ns = ev->ktime_ns;
	return lifecycle_push(&lc->released, p, ev->ktime_ns, ev->ktime_ns + lc->grace_ns);
}

static int settle_released(struct lifecycle *lc, uint64_t now)
{
	const struct timeq_item *it;
	struct zr_proc *p;
	struct zr_ev r;
	int err = 0;

	while (!err && (it = timeq_due(&lc->released, now))) {
		p = lifecycle_find_life(lc, it->who.pid, it->who.start_ns);
		timeq_pop(&lc->released);
		if (!p || p->state != ZR_PROC_EXITED)
			continue; /* a wait reaped it meanwhile */
		lifecycle_reap_event(&r, p, p->exit_ns);
		r.u.reap.how = ZR_HOW_AUTOREAP;
		r.u.reap.reaper.role = names_role(ZR_ROLE_KERNEL);
		proctab_remove(lc->tab, p);
		err = lc->emit(&r, lc->arg);
	}
	return err;
}

/* After a crowd of processes has gone (what the table and queues hold has halved, by
 * TRIM_MIN_ITEMS at least), hands the freed heap back: free() alone keeps it, and a long-running
 * tracer's RSS would stay at its busiest moment's. */
static void give_back_memory(struct lifecycle *lc)
{
	size_t n = proctab_count(lc->tab) + lc->released.n + lc->exited.n + lc->orphans.n;

	if (n > lc->held_peak) {
		lc->held_peak = n;
	} else if (lc->held_peak - n >= TRIM_MIN_ITEMS && n < lc->held_peak / 2) {
		malloc_trim(0);
		lc->held_peak = n;
	}
}

bool lifecycle_has_due(const struct lifecycle *lc, uint64_t now)
{
	return timeq_due(&lc->released, now) || timeq_due(&lc->exited, now) ||
	       timeq_due(&lc->orphans, now);
}

int lifecycle_tick(struct lifecycle *lc, uint64_t now)
{
	int err = lifecycle_check_orphans(lc, now);

	if (!err)
		err = settle_released(lc, now);
	if (!err)
		err = lifecycle_check_zombies(lc, now);
	give_back_memory(lc);
	return err;
}

/* A group exit: the process is dead, its children about to be adopted. */
static void on_exit_group(struct lifecycle *lc, const struct zr_ev *ev)
{
	struct zr_proc *p = subject_proc(lc, ev);

	if (!p)
		return;
	memcpy(p->comm, ev->comm, sizeof(p->comm));
	p->state = ZR_PROC_EXITED;
	p->exit_ns = ev->ktime_ns;
	p->age_source = ZR_AGE_TRACE;
	p->lifetime_ns = ev->u.exit.lifetime_ns;
	p->st = ev->u.exit.st;
	memcpy(p->ns_nr, ev->u.exit.ns_nr, sizeof(p->ns_nr));
	memcpy(p->ns_inum, ev->u.exit.ns_inum, sizeof(p->ns_inum));
	if (lc->zombie_after_ns && !p->zombie_reported)
		lifecycle_push(&lc->exited, p, ev->ktime_ns, ev->ktime_ns + lc->zombie_after_ns);
	if (p->has_children)
		lifecycle_push(&lc->orphans, p, ev->ktime_ns, ev->ktime_ns + ORPHAN_CHECK_NS);
}

int lifecycle_feed(struct lifecycle *lc, struct zr_ev *ev)
{
	struct zr_proc *p;
	int err;

	if (ev->is_release)
		return on_release(lc, ev);
	err = lifecycle_check_reparent(lc, ev);
	if (err)
		return err;
	switch (ev->kind) {
	case ZR_EV_WAIT:
		return on_wait(lc, ev);
	case ZR_EV_FORK:
		if (ev->is_thread)
			break;
		p = proctab_find(lc->tab, ev->parent.pid);
		if (p)
			p->has_children = true;
		subject_proc(lc, ev);
		break;
	case ZR_EV_EXEC:
		if (ev->u.exec.error)
			break;
		p = subject_proc(lc, ev);
		if (p) {
			memcpy(p->comm, ev->comm, sizeof(p->comm));
			p->leader_exit_ns = 0; /* an exec from a thread took the leader's place */
		}
		break;
	case ZR_EV_EXIT:
		if (ev->u.exit.group_dead) {
			on_exit_group(lc, ev);
		} else if (ev->tid == ev->pid) {
			/* The leader left early: the process shows as a zombie while threads run.
			 */
			p = subject_proc(lc, ev);
			if (p && !p->leader_exit_ns) {
				p->leader_exit_ns = ev->ktime_ns;
				if (lc->zombie_after_ns)
					lifecycle_push(&lc->exited, p, ev->ktime_ns,
						       ev->ktime_ns + lc->zombie_after_ns);
			}
		}
		break;
	case ZR_EV_SUBREAPER:
		p = subject_proc(lc, ev);
		if (p && !ev->u.subreaper.error)
			p->is_subreaper = ev->u.subreaper.is_now;
		break;
	case ZR_EV_START:
	case ZR_EV_STOP:
	case ZR_EV_REAP:
	case ZR_EV_ORPHAN:
	case ZR_EV_ZOMBIE:
	case ZR_EV_SIGNAL:
	case ZR_EV_SNAPSHOT:
	case ZR_EV_LOST:
	case ZR_EV_ACTION:
	case ZR_EV_SUMMARY:
	case ZR_EV__COUNT:
		break;
	}
	return lc->emit(ev, lc->arg);
}
