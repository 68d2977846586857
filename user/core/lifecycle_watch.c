/* lifecycle_watch.c - the parts of the state machine that look at /proc: zombie reports with
 * their reason, orphan reports with the adopter the kernel chose, and the snapshot of the
 * processes that exist when tracing starts.
 */
#include <errno.h>
#include <string.h>

#include "detect.h"
#include "lifecycle_int.h"
#include "proc_seen.h"

struct held_query {
	uint32_t ppid;
	uint32_t n;
};

static void count_held(struct zr_proc *p, void *arg)
{
	struct held_query *q = arg;

	if (p->ppid == q->ppid && p->state == ZR_PROC_EXITED && !p->release_ns)
		q->n++;
}

/* The parent of p's zombie as /proc shows it at now: read once for all the zombies one parent
 * holds at one time (a storm's zombies share it), with how many it holds in the table. */
static void read_held_parent(struct lifecycle *lc, const struct zr_proc *p, uint64_t now,
			     struct proc_parent *par)
{
	struct held_query hq = { p->ppid, 0 };

	if (lc->held.ppid != p->ppid || lc->held.now != now) {
		proctab_each(lc->tab, count_held, &hq);
		lc->held.ppid = p->ppid;
		lc->held.now = now;
		lc->held.n = hq.n;
		lc->held.ref = (struct zr_ref){ 0 };
		lc->held.state = detect_parent_procfs(&lc->src, p->ppid, &lc->held.pinfo,
						      &lc->held.is_init, &lc->held.ref);
	}
	par->state = lc->held.state;
	par->is_init = lc->held.is_init;
	par->pinfo = lc->held.pinfo;
	par->pinfo.zombies_held = lc->held.n;
	par->ref = lc->held.ref;
}

/* A zombie event for p, with its parent as /proc shows it now and as the table knows it. */
static int report_zombie(struct lifecycle *lc, struct zr_proc *p, uint64_t now)
{
	struct detect_case c = { 0 };
	struct procfs_stat st = { 0 };
	struct proc_parent pp;
	struct zombie_info zi = { 0 };
	struct zr_proc *par;
	struct zr_ev z;

	/* The kernel's word on the parent: it changes when the old one dies. */
	if (procsrc_stat(&lc->src, p->pid, &st) == 0 &&
	    lifecycle_same_life_ticks(p, st.start_ticks) && st.ppid)
		p->ppid = st.ppid;
	else if (p->state == ZR_PROC_RUNNING)
		return 0; /* a leader-exit case that ended meanwhile */
	/* A leader exit only shows a zombie while the kernel says so (an exec from another
	 * thread replaces the leader and the process lives on). */
	if (p->state == ZR_PROC_RUNNING && st.state != 'Z')
		return 0;
	lifecycle_reap_event(&z, p, now);
	zi.st = p->st;
	zi.age_ns = lifecycle_dead_for(p, now, &zi.source);
	read_held_parent(lc, p, now, &pp);
	par = proctab_find(lc->tab, p->ppid);
	if (par) {
		pp.ref.start_ns = par->start_ns;
		if (!pp.ref.comm[0])
			memcpy(pp.ref.comm, par->comm, sizeof(pp.ref.comm));
		pp.pinfo.last_wait_ns = par->last_wait_ns;
		c.last_wait_target = par->last_wait_target;
		c.waited_since_exit = par->last_wait_ns > p->exit_ns;
		if (par->last_wait_ns)
			c.since_wait_ns = now - par->last_wait_ns;
	}
	/* /proc counts the dead leader among the threads. */
	c.threads_running = p->state == ZR_PROC_RUNNING ? (st.threads > 1 ? st.threads - 1 : 1) : 0;
	c.has_wait_history = par != NULL;
	proc_seen_zombie_report(&z, &zi, &pp, &c);
	p->zombie_reported = true;
	return lc->emit(&z, lc->arg);
}

int lifecycle_check_zombies(struct lifecycle *lc, uint64_t now)
{
	const struct timeq_item *it;
	struct zr_proc *p;
	int err = 0;

	if (now == UINT64_MAX)
		return 0; /* shutting down: no age has passed */
	while (!err && (it = timeq_due(&lc->exited, now))) {
		p = lifecycle_find_life(lc, it->who.pid, it->who.start_ns);
		timeq_pop(&lc->exited);
		if (!p || p->zombie_reported || p->release_ns)
			continue;
		if (p->state == ZR_PROC_EXITED ||
		    (p->state == ZR_PROC_RUNNING && p->leader_exit_ns))
			err = report_zombie(lc, p, now);
	}
	return err;
}

#define ADOPTER_FRESH_NS (100ULL * 1000 * 1000)

struct orphan_query {
	struct lifecycle *lc;
	const struct timeq_item *dead;
	int pending;	  /* children whose reparenting is not visible yet */
	uint32_t adopter; /* the new parent one child's /proc showed, 0: none yet */
	int err;
};

/* Is np the adopter /proc was last read for, still alive in the table, read lately? A storm's
 * thousand orphans then cost one read, and a renamed adopter shows within ADOPTER_FRESH_NS. */
static bool adopter_known(const struct lifecycle *lc, const struct zr_proc *np, uint64_t at)
{
	return lc->adopter.pid && lc->adopter.pid == np->pid &&
	       lc->adopter.start_ns == np->start_ns && np->state == ZR_PROC_RUNNING &&
	       at >= lc->adopter.at && at - lc->adopter.at < ADOPTER_FRESH_NS;
}

/* p was adopted by new_ppid when old died (at ktime at): the orphan event. The kernel adopts
 * into a thread of the group, a subreaper, or the namespace's init; a whole group died here,
 * so the new parent is an init or a subreaper. */
static int emit_orphan(struct lifecycle *lc, struct zr_proc *p, const struct zr_ref *old,
		       uint64_t at, uint32_t new_ppid)
{
	struct zr_proc *np = proctab_find(lc->tab, new_ppid);
	struct procfs_status ns;
	struct procfs_stat nst;
	struct zr_ev o;
	bool is_init = new_ppid == 1;

	lifecycle_reap_event(&o, p, at);
	o.kind = ZR_EV_ORPHAN;
	o.ppid = new_ppid;
	o.u.orphan = (typeof(o.u.orphan)){ 0 };
	o.u.orphan.old_parent = *old;
	o.u.orphan.old_parent.role = NULL;
	o.u.orphan.new_parent.pid = new_ppid;
	if (np) {
		o.u.orphan.new_parent.start_ns = np->start_ns;
		memcpy(o.u.orphan.new_parent.comm, np->comm, sizeof(np->comm));
		is_init |= np->ns_level && np->ns_pid == 1;
	}
	if (np && adopter_known(lc, np, at)) {
		memcpy(o.u.orphan.new_parent.comm, lc->adopter.comm, sizeof(lc->adopter.comm));
		is_init |= lc->adopter.is_init;
	} else if (procsrc_stat(&lc->src, new_ppid, &nst) == 0) {
		memcpy(o.u.orphan.new_parent.comm, nst.comm, sizeof(nst.comm));
		if (procsrc_status(&lc->src, new_ppid, &ns) == 0 && ns.ns_pid == 1)
			is_init = true;
		if (np && lifecycle_same_life_ticks(np, nst.start_ticks)) {
			lc->adopter.pid = new_ppid;
			lc->adopter.start_ns = np->start_ns;
			lc->adopter.at = at;
			memcpy(lc->adopter.comm, nst.comm, sizeof(lc->adopter.comm));
			lc->adopter.is_init = is_init;
		}
	}
	o.u.orphan.new_parent.role = is_init ? "pidns_init" : "subreaper";
	if (np) {
		np->is_subreaper |= !is_init;
		np->has_children = true;
	}
	p->ppid = new_ppid;
	return lc->emit(&o, lc->arg);
}

/* One child of a dead parent: once /proc shows its new parent, say who adopted it. The kernel
 * moves all the children of an exiting task to one new parent at once (exit_notify, under
 * tasklist_lock), so the first child whose own /proc entry shows the adopter proves it for
 * its siblings: an orphan storm costs one read, not one per orphan. */
static void check_child(struct zr_proc *p, void *arg)
{
	struct orphan_query *q = arg;
	struct procfs_stat st;

	if (q->err || p->ppid != q->dead->who.pid || p->state != ZR_PROC_RUNNING)
		return;
	if (q->adopter) {
		q->err = emit_orphan(q->lc, p, &q->dead->who, q->dead->at_ns, q->adopter);
		return;
	}
	if (procsrc_stat(&q->lc->src, p->pid, &st) || !lifecycle_same_life_ticks(p, st.start_ticks))
		return; /* gone: its own exit names its parent */
	if (st.ppid == q->dead->who.pid) {
		q->pending++;
		return;
	}
	q->adopter = st.ppid;
	q->err = emit_orphan(q->lc, p, &q->dead->who, q->dead->at_ns, st.ppid);
}

/* An event of a live process names another parent than we knew, and the old one is dead:
 * it was orphaned (and /proc was not quick enough to show it). The kernel's word. */
int lifecycle_check_reparent(struct lifecycle *lc, const struct zr_ev *ev)
{
	struct zr_proc *p, *old;
	struct zr_ref ref = { 0 };

	/* What the event alone rules out first: a fork's subject is new to the table. */
	if (!ev->ppid || ev->is_thread || ev->kind == ZR_EV_FORK)
		return 0;
	p = lifecycle_find_life(lc, ev->pid, ev->start_ns);
	if (!p || p->state != ZR_PROC_RUNNING || !p->ppid || ev->ppid == p->ppid)
		return 0;
	old = proctab_find(lc->tab, p->ppid);
	if (old && old->state == ZR_PROC_RUNNING)
		return 0; /* the old parent lives: not an orphan (ptrace, or our table was stale) */
	ref.pid = p->ppid;
	if (old) {
		ref.start_ns = old->start_ns;
		memcpy(ref.comm, old->comm, sizeof(ref.comm));
	}
	return emit_orphan(lc, p, &ref,
			   old && zr_age_is_exact(old->age_source) ? old->exit_ns : ev->ktime_ns,
			   ev->ppid);
}

int lifecycle_check_orphans(struct lifecycle *lc, uint64_t now)
{
	const struct timeq_item *it;
	struct orphan_query q;
	int err = 0;

	while (!err && (it = timeq_due(&lc->orphans, now))) {
		q = (struct orphan_query){ lc, it, 0, 0, 0 };
		proctab_each(lc->tab, check_child, &q);
		err = q.err;
		if (q.pending && it->tries < ORPHAN_CHECK_TRIES && now != UINT64_MAX) {
			/* Not adopted yet: look again later, after the others due now. */
			struct timeq_item again = *it;

			again.due_ns = now + ORPHAN_CHECK_NS;
			again.tries++;
			timeq_pop(&lc->orphans);
			timeq_push(&lc->orphans, &again);
			continue;
		}
		timeq_pop(&lc->orphans);
	}
	return err;
}

struct snap_ctx {
	struct lifecycle *lc;
	uint64_t now;
	int err;
};

static int snap_one(uint32_t pid, void *arg)
{
	struct snap_ctx *sc = arg;
	struct proc_seen ps;
	struct zr_proc *p;
	struct zr_ev ev;

	if (proc_seen_read(&sc->lc->src, pid, PROC_SEEN_STATUS | PROC_SEEN_ZOMBIE, sc->now, &ps))
		return 0; /* gone since the directory was listed */
	p = proctab_insert(sc->lc->tab, pid, procfs_ticks_to_ns(ps.st.start_ticks));
	if (!p)
		return -ENOMEM;
	p->is_snapshot = true;
	p->ppid = p->birth_ppid = ps.st.ppid;
	memcpy(p->comm, ps.st.comm, sizeof(p->comm));
	if (ps.has_status) {
		p->uid = ps.ss.uid;
		p->gid = ps.ss.gid;
	}
	if (ps.st.state != 'Z')
		return 0;
	p->state = ZR_PROC_EXITED;
	p->exit_ns = sc->now;
	/* Dead before the trace: procfs still has its status, and its age or a bound on it. */
	if (ps.has_zombie) {
		p->st = ps.zi.st;
		p->age_source = ps.zi.source;
		if (ps.zi.source == ZR_AGE_SCHED)
			p->exit_ns = sc->now > ps.zi.age_ns ? sc->now - ps.zi.age_ns : 0;
	}
	proc_seen_event(&ps, ZR_EV_SNAPSHOT, sc->now, &ev);
	ev.u.snapshot.state = ps.st.state;
	if (sc->lc->zombie_after_ns)
		lifecycle_push(&sc->lc->exited, p, sc->now, sc->now);
	sc->err = sc->lc->emit(&ev, sc->lc->arg);
	return sc->err;
}

static void mark_parent(struct zr_proc *p, void *arg)
{
	struct zr_proc *par = proctab_find(arg, p->ppid);

	if (par)
		par->has_children = true;
}

int lifecycle_snapshot(struct lifecycle *lc, uint64_t now)
{
	struct snap_ctx sc = { lc, now, 0 };
	int rc = procsrc_each_pid(&lc->src, snap_one, &sc);

	proctab_each(lc->tab, mark_parent, lc->tab);
	return rc < 0 ? rc : sc.err;
}
