/* lifecycle.c - per-process state transitions from decoded events, and the reap events
 * derived from them: a wait that reaped a pid, or a release no wait accounts for (autoreap).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "lifecycle.h"
#include "zr_event.h"

struct pending {
	uint32_t pid;
	uint64_t start_ns;
	uint64_t release_ns;
};

struct lifecycle {
	struct proctab *tab;
	uint64_t grace_ns;
	lifecycle_emit_fn emit;
	void *arg;
	struct pending *pend; /* released but not (yet) matched to a wait, oldest first */
	size_t npend, cappend;
};

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
	lc->emit = emit;
	lc->arg = arg;
	return lc;
}

void lifecycle_free(struct lifecycle *lc)
{
	if (!lc)
		return;
	proctab_free(lc->tab);
	free(lc->pend);
	free(lc);
}

const struct proctab *lifecycle_table(const struct lifecycle *lc)
{
	return lc->tab;
}

/* The entry for this life of ev's subject, created when first seen. */
static struct zr_proc *subject_proc(struct lifecycle *lc, const struct zr_ev *ev)
{
	struct zr_proc *p = proctab_find(lc->tab, ev->pid);

	if (!p || p->start_ns != ev->start_ns) {
		p = proctab_insert(lc->tab, ev->pid, ev->start_ns);
		if (!p)
			return NULL;
		p->state = ZR_PROC_RUNNING;
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

/* Fills a reap event whose subject is p. */
static void reap_event(struct zr_ev *r, const struct zr_proc *p, uint64_t ktime)
{
	memset(r, 0, sizeof(*r));
	r->kind = ZR_EV_REAP;
	r->ktime_ns = ktime;
	r->pid = p->pid;
	r->tid = p->pid;
	r->ppid = p->ppid;
	r->uid = p->uid;
	r->gid = p->gid;
	r->start_ns = p->start_ns;
	r->cgroup_id = p->cgroup_id;
	r->ns_level = p->ns_level;
	r->ns_pid = p->ns_pid;
	r->pidns = p->pidns;
	memcpy(r->comm, p->comm, sizeof(r->comm));
	r->u.reap.lifetime_ns = p->lifetime_ns;
	r->u.reap.st = p->st;
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

static void drop_pending(struct lifecycle *lc, uint32_t pid)
{
	size_t i;

	for (i = 0; i < lc->npend; i++) {
		if (lc->pend[i].pid == pid) {
			memmove(&lc->pend[i], &lc->pend[i + 1], (lc->npend - i - 1) * sizeof(*lc->pend));
			lc->npend--;
			return;
		}
	}
}

static int add_pending(struct lifecycle *lc, const struct zr_proc *p, uint64_t release_ns)
{
	if (lc->npend == lc->cappend) {
		size_t n = lc->cappend ? lc->cappend * 2 : 64;
		struct pending *np = realloc(lc->pend, n * sizeof(*np));

		if (!np)
			return -ENOMEM;
		lc->pend = np;
		lc->cappend = n;
	}
	lc->pend[lc->npend++] = (struct pending){ p->pid, p->start_ns, release_ns };
	return 0;
}

static const char *reaper_role(const struct zr_ev *w, const struct zr_proc *dead)
{
	if (w->pid == dead->ppid)
		return w->tid != w->pid ? "thread" : "parent";
	if (w->pid == 1 || (w->ns_level && w->ns_pid == 1))
		return "pidns_init";
	return "subreaper";
}

/* A wait came back: settle what it reported against the table, then emit it and its reap. */
static int on_wait(struct lifecycle *lc, struct zr_ev *ev)
{
	struct zr_proc *dead = NULL;
	struct zr_ev r;
	int err;

	if (ev->u.wait.reaped_pid)
		dead = find_reaped(lc, ev->u.wait.reaped_pid, ev->ns_level, ev->pidns);
	if (dead)
		ev->u.wait.reaped_pid = dead->pid;
	if (ev->u.wait.result == ZR_WAIT_REAPED && !ev->u.wait.st.is_known) {
		/* wait4 without a status pointer: only a known exit makes it a reap. */
		if (dead && dead->state == ZR_PROC_EXITED)
			ev->u.wait.st = dead->st;
		else if (ev->u.wait.options & 0x0a) /* WUNTRACED | WCONTINUED */
			ev->u.wait.result = ZR_WAIT_STOPPED;
	}
	err = lc->emit(ev, lc->arg);
	if (err < 0 || ev->u.wait.result != ZR_WAIT_REAPED)
		return err;
	if (dead) {
		reap_event(&r, dead, ev->ktime_ns);
		r.u.reap.reaper.role = reaper_role(ev, dead);
		if (dead->state == ZR_PROC_EXITED && ev->ktime_ns > dead->exit_ns)
			r.u.reap.zombie_ns = ev->ktime_ns - dead->exit_ns;
		drop_pending(lc, dead->pid);
		proctab_remove(lc->tab, dead);
	} else {
		/* Died before we started: all we know is the pid. */
		memset(&r, 0, sizeof(r));
		r.kind = ZR_EV_REAP;
		r.ktime_ns = ev->ktime_ns;
		r.pid = r.tid = ev->u.wait.reaped_pid;
		r.ppid = ev->pid;
		r.is_unmatched = true;
		r.u.reap.reaper.role = "parent";
	}
	if (ev->u.wait.st.is_known)
		r.u.reap.st = ev->u.wait.st;
	r.u.reap.how = ev->u.wait.syscall == ZR_WAITID ? ZR_HOW_WAITID : ZR_HOW_WAIT4;
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
		r.u.reap.reaper.role = "thread";
		return lc->emit(&r, lc->arg);
	}
	p = proctab_find(lc->tab, ev->pid);
	if (!p || p->start_ns != ev->start_ns || p->state != ZR_PROC_EXITED || p->release_ns)
		return 0;
	p->release_ns = ev->ktime_ns;
	return add_pending(lc, p, ev->ktime_ns);
}

int lifecycle_tick(struct lifecycle *lc, uint64_t now)
{
	struct zr_proc *p;
	struct zr_ev r;
	int err = 0;

	while (lc->npend && !err) {
		struct pending pd = lc->pend[0];

		if (now != UINT64_MAX && pd.release_ns + lc->grace_ns > now)
			break;
		drop_pending(lc, pd.pid);
		p = proctab_find(lc->tab, pd.pid);
		if (!p || p->start_ns != pd.start_ns || p->state != ZR_PROC_EXITED)
			continue;
		reap_event(&r, p, p->exit_ns);
		r.u.reap.how = ZR_HOW_AUTOREAP;
		r.u.reap.reaper.role = "kernel";
		proctab_remove(lc->tab, p);
		err = lc->emit(&r, lc->arg);
	}
	return err;
}

int lifecycle_feed(struct lifecycle *lc, struct zr_ev *ev)
{
	struct zr_proc *p;

	if (ev->is_release)
		return on_release(lc, ev);
	switch (ev->kind) {
	case ZR_EV_WAIT:
		return on_wait(lc, ev);
	case ZR_EV_FORK:
	case ZR_EV_EXEC:
		if (ev->is_thread || (ev->kind == ZR_EV_EXEC && ev->u.exec.error))
			break;
		p = subject_proc(lc, ev);
		if (p)
			memcpy(p->comm, ev->comm, sizeof(p->comm));
		break;
	case ZR_EV_EXIT:
		if (!ev->u.exit.group_dead)
			break;
		p = subject_proc(lc, ev);
		if (!p)
			break;
		memcpy(p->comm, ev->comm, sizeof(p->comm));
		p->state = ZR_PROC_EXITED;
		p->exit_ns = ev->ktime_ns;
		p->lifetime_ns = ev->u.exit.lifetime_ns;
		p->st = ev->u.exit.st;
		memcpy(p->ns_nr, ev->u.exit.ns_nr, sizeof(p->ns_nr));
		memcpy(p->ns_inum, ev->u.exit.ns_inum, sizeof(p->ns_inum));
		break;
	case ZR_EV_START:
	case ZR_EV_STOP:
	case ZR_EV_REAP:
	case ZR_EV_ORPHAN:
	case ZR_EV_ZOMBIE:
	case ZR_EV_SIGNAL:
	case ZR_EV_SUBREAPER:
	case ZR_EV_SNAPSHOT:
	case ZR_EV_LOST:
	case ZR_EV_ACTION:
	case ZR_EV_SUMMARY:
	case ZR_EV__COUNT:
		break;
	}
	return lc->emit(ev, lc->arg);
}
