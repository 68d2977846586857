/* lifecycle.c - per-process state transitions from decoded events, and the reap events
 * derived from them: a wait that reaped a pid, or a release no wait accounts for (autoreap).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "detect.h"
#include "lifecycle.h"
#include "procfs.h"
#include "timeq.h"
#include "zr_event.h"

#define ORPHAN_CHECK_NS	   (5ULL * 1000 * 1000) /* exit_notify runs just after the exit */
#define ORPHAN_CHECK_TRIES 20

struct lifecycle {
	struct proctab *tab;
	uint64_t grace_ns;
	uint64_t zombie_after_ns; /* 0: no zombie events */
	const char *procfs_root;  /* NULL: /proc */
	lifecycle_emit_fn emit;
	void *arg;
	struct timeq released; /* freed while unreaped: autoreap unless a late wait claims it */
	struct timeq exited;   /* zombie-age deadlines */
	struct timeq orphans;  /* dead parents whose children's new parent is to be verified */
	struct {
		uint32_t ppid;
		uint64_t now;
		uint32_t n;
	} held; /* zombies_held of the last parent counted: a storm has one parent, one scan */
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
	lc->procfs_root = root;
}

/* Same life? /proc gives start times in clock ticks, the kernel's records in ns. */
static bool same_life(const struct zr_proc *p, uint64_t start_ns)
{
	uint64_t tick = procfs_tick_ns();

	if (p->start_ns == start_ns)
		return true;
	return p->is_snapshot && p->start_ns / tick == start_ns / tick;
}

/* Is what /proc shows (start in clock ticks) this life? */
static bool same_life_ticks(const struct zr_proc *p, uint64_t start_ticks)
{
	return p->start_ns / procfs_tick_ns() == start_ticks;
}

static struct zr_proc *find_life(struct lifecycle *lc, uint32_t pid, uint64_t start_ns)
{
	struct zr_proc *p = proctab_find(lc->tab, pid);

	return p && same_life(p, start_ns) ? p : NULL;
}

static int push(struct timeq *q, const struct zr_proc *p, uint64_t at, uint64_t due)
{
	struct timeq_item it = {
		.who = { .pid = p->pid, .start_ns = p->start_ns },
		.at_ns = at,
		.due_ns = due,
	};

	memcpy(it.who.comm, p->comm, sizeof(it.who.comm));
	return timeq_push(q, &it);
}

/* The entry for this life of ev's subject, created when first seen. */
static struct zr_proc *subject_proc(struct lifecycle *lc, const struct zr_ev *ev)
{
	struct zr_proc *p = find_life(lc, ev->pid, ev->start_ns);

	if (!p) {
		p = proctab_insert(lc->tab, ev->pid, ev->start_ns);
		if (!p)
			return NULL;
		p->state = ZR_PROC_RUNNING;
		p->birth_ppid = ev->kind == ZR_EV_FORK ? ev->parent.pid : ev->ppid;
		p->is_age_known = true;
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

/* How the waiter came to own the dead child: it forked it, or adopted it. */
static const char *reaper_role(const struct zr_ev *w, const struct zr_proc *dead)
{
	if (w->pid == dead->birth_ppid)
		return w->tid != w->pid ? "thread" : "parent";
	if (w->pid == 1 || (w->ns_level && w->ns_pid == 1))
		return "pidns_init";
	return "subreaper";
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
		else if (ev->u.wait.options & 0x0a) /* WUNTRACED | WCONTINUED */
			ev->u.wait.result = ZR_WAIT_STOPPED;
	}
	err = lc->emit(ev, lc->arg);
	if (err < 0 || ev->u.wait.result != ZR_WAIT_REAPED)
		return err;
	if (dead) {
		reap_event(&r, dead, ev->ktime_ns);
		r.u.reap.reaper.role = reaper_role(ev, dead);
		if (dead->state == ZR_PROC_EXITED && dead->is_age_known &&
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
	p = find_life(lc, ev->pid, ev->start_ns);
	if (!p || p->state != ZR_PROC_EXITED || p->release_ns)
		return 0;
	p->release_ns = ev->ktime_ns;
	return push(&lc->released, p, ev->ktime_ns, ev->ktime_ns + lc->grace_ns);
}

static int settle_released(struct lifecycle *lc, uint64_t now)
{
	const struct timeq_item *it;
	struct zr_proc *p;
	struct zr_ev r;
	int err = 0;

	while (!err && (it = timeq_due(&lc->released, now))) {
		p = find_life(lc, it->who.pid, it->who.start_ns);
		timeq_pop(&lc->released);
		if (!p || p->state != ZR_PROC_EXITED)
			continue; /* a wait reaped it meanwhile */
		reap_event(&r, p, p->exit_ns);
		r.u.reap.how = ZR_HOW_AUTOREAP;
		r.u.reap.reaper.role = "kernel";
		proctab_remove(lc->tab, p);
		err = lc->emit(&r, lc->arg);
	}
	return err;
}

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

/* A zombie event for p, with its parent as /proc shows it now. */
static int report_zombie(struct lifecycle *lc, struct zr_proc *p, uint64_t now)
{
	struct held_query hq = { 0, 0 };
	struct detect_case c = { 0 };
	struct procfs_stat st = { 0 };
	struct zr_proc *par;
	struct zr_ev z;
	bool is_init;

	/* The kernel's word on the parent: it changes when the old one dies. */
	if (procfs_read_stat(lc->procfs_root, p->pid, &st) == 0 &&
	    same_life_ticks(p, st.start_ticks) && st.ppid)
		p->ppid = st.ppid;
	else if (p->state == ZR_PROC_RUNNING)
		return 0; /* a leader-exit case that ended meanwhile */
	/* A leader exit only shows a zombie while the kernel says so (an exec from another
	 * thread replaces the leader and the process lives on). */
	if (p->state == ZR_PROC_RUNNING && st.state != 'Z')
		return 0;
	reap_event(&z, p, now);
	z.kind = ZR_EV_ZOMBIE;
	z.u.zombie = (typeof(z.u.zombie)){ 0 };
	z.u.zombie.st = p->st;
	z.u.zombie.is_age_known = p->is_age_known;
	if (p->is_age_known)
		z.u.zombie.zombie_ns =
		    now - (p->state == ZR_PROC_EXITED ? p->exit_ns : p->leader_exit_ns);
	z.parent.pid = p->ppid;
	c.parent_state =
	    detect_parent_procfs(lc->procfs_root, p->ppid, &z.u.zombie.pinfo, &is_init, &z.parent);
	par = proctab_find(lc->tab, p->ppid);
	if (par) {
		z.parent.start_ns = par->start_ns;
		if (!z.parent.comm[0])
			memcpy(z.parent.comm, par->comm, sizeof(z.parent.comm));
		z.u.zombie.pinfo.last_wait_ns = par->last_wait_ns;
		c.last_wait_target = par->last_wait_target;
		c.waited_since_exit = par->last_wait_ns > p->exit_ns;
		if (par->last_wait_ns)
			c.since_wait_ns = now - par->last_wait_ns;
	}
	if (lc->held.ppid != p->ppid || lc->held.now != now) {
		hq.ppid = p->ppid;
		proctab_each(lc->tab, count_held, &hq);
		lc->held.ppid = p->ppid;
		lc->held.now = now;
		lc->held.n = hq.n;
	}
	z.u.zombie.pinfo.zombies_held = lc->held.n;
	c.pid = p->pid;
	c.zombie_ns = z.u.zombie.zombie_ns;
	c.is_age_known = p->is_age_known;
	/* /proc counts the dead leader among the threads. */
	c.threads_running = p->state == ZR_PROC_RUNNING ? (st.threads > 1 ? st.threads - 1 : 1) : 0;
	c.ppid = p->ppid;
	c.parent_comm = z.parent.comm;
	c.parent_is_init = is_init;
	c.pinfo = &z.u.zombie.pinfo;
	c.has_wait_history = par != NULL;
	detect_reason(&c, &z.u.zombie.reason_code, z.u.zombie.reason, sizeof(z.u.zombie.reason));
	p->zombie_reported = true;
	return lc->emit(&z, lc->arg);
}

static int check_zombies(struct lifecycle *lc, uint64_t now)
{
	const struct timeq_item *it;
	struct zr_proc *p;
	int err = 0;

	if (now == UINT64_MAX)
		return 0; /* shutting down: no age has passed */
	while (!err && (it = timeq_due(&lc->exited, now))) {
		p = find_life(lc, it->who.pid, it->who.start_ns);
		timeq_pop(&lc->exited);
		if (!p || p->zombie_reported || p->release_ns)
			continue;
		if (p->state == ZR_PROC_EXITED ||
		    (p->state == ZR_PROC_RUNNING && p->leader_exit_ns))
			err = report_zombie(lc, p, now);
	}
	return err;
}

struct orphan_query {
	struct lifecycle *lc;
	const struct timeq_item *dead;
	int pending; /* children whose reparenting is not visible yet */
	int err;
};

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

	reap_event(&o, p, at);
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
	if (procfs_read_stat(lc->procfs_root, new_ppid, &nst) == 0) {
		memcpy(o.u.orphan.new_parent.comm, nst.comm, sizeof(nst.comm));
		if (procfs_read_status(lc->procfs_root, new_ppid, &ns) == 0 && ns.ns_pid == 1)
			is_init = true;
	}
	o.u.orphan.new_parent.role = is_init ? "pidns_init" : "subreaper";
	if (np) {
		np->is_subreaper |= !is_init;
		np->has_children = true;
	}
	p->ppid = new_ppid;
	return lc->emit(&o, lc->arg);
}

/* One child of a dead parent: once /proc shows its new parent, say who adopted it. */
static void check_child(struct zr_proc *p, void *arg)
{
	struct orphan_query *q = arg;
	struct procfs_stat st;

	if (q->err || p->ppid != q->dead->who.pid || p->state != ZR_PROC_RUNNING)
		return;
	if (procfs_read_stat(q->lc->procfs_root, p->pid, &st) ||
	    !same_life_ticks(p, st.start_ticks))
		return; /* gone: its own exit names its parent */
	if (st.ppid == q->dead->who.pid) {
		q->pending++;
		return;
	}
	q->err = emit_orphan(q->lc, p, &q->dead->who, q->dead->at_ns, st.ppid);
}

/* An event of a live process names another parent than we knew, and the old one is dead:
 * it was orphaned (and /proc was not quick enough to show it). The kernel's word. */
static int check_reparent(struct lifecycle *lc, const struct zr_ev *ev)
{
	struct zr_proc *p = find_life(lc, ev->pid, ev->start_ns), *old;
	struct zr_ref ref = { 0 };

	if (!p || p->state != ZR_PROC_RUNNING || !p->ppid || !ev->ppid || ev->ppid == p->ppid ||
	    ev->is_thread || ev->kind == ZR_EV_FORK)
		return 0;
	old = proctab_find(lc->tab, p->ppid);
	if (old && old->state == ZR_PROC_RUNNING)
		return 0; /* the old parent lives: not an orphan (ptrace, or our table was stale) */
	ref.pid = p->ppid;
	if (old) {
		ref.start_ns = old->start_ns;
		memcpy(ref.comm, old->comm, sizeof(ref.comm));
	}
	return emit_orphan(lc, p, &ref, old && old->is_age_known ? old->exit_ns : ev->ktime_ns,
			   ev->ppid);
}

static int check_orphans(struct lifecycle *lc, uint64_t now)
{
	const struct timeq_item *it;
	struct orphan_query q;
	int err = 0;

	while (!err && (it = timeq_due(&lc->orphans, now))) {
		q = (struct orphan_query){ lc, it, 0, 0 };
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

int lifecycle_tick(struct lifecycle *lc, uint64_t now)
{
	int err = check_orphans(lc, now);

	if (!err)
		err = settle_released(lc, now);
	if (!err)
		err = check_zombies(lc, now);
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
	p->is_age_known = true;
	p->lifetime_ns = ev->u.exit.lifetime_ns;
	p->st = ev->u.exit.st;
	memcpy(p->ns_nr, ev->u.exit.ns_nr, sizeof(p->ns_nr));
	memcpy(p->ns_inum, ev->u.exit.ns_inum, sizeof(p->ns_inum));
	if (lc->zombie_after_ns && !p->zombie_reported)
		push(&lc->exited, p, ev->ktime_ns, ev->ktime_ns + lc->zombie_after_ns);
	if (p->has_children)
		push(&lc->orphans, p, ev->ktime_ns, ev->ktime_ns + ORPHAN_CHECK_NS);
}

struct snap_ctx {
	struct lifecycle *lc;
	uint64_t now;
	int err;
};

static int snap_one(uint32_t pid, void *arg)
{
	struct snap_ctx *sc = arg;
	struct procfs_status ss;
	struct procfs_stat st;
	struct zr_proc *p;
	struct zr_ev ev;

	if (procfs_read_stat(sc->lc->procfs_root, pid, &st))
		return 0; /* gone since the directory was listed */
	p = proctab_insert(sc->lc->tab, pid, procfs_ticks_to_ns(st.start_ticks));
	if (!p)
		return -ENOMEM;
	p->is_snapshot = true;
	p->ppid = p->birth_ppid = st.ppid;
	memcpy(p->comm, st.comm, sizeof(p->comm));
	if (procfs_read_status(sc->lc->procfs_root, pid, &ss) == 0) {
		p->uid = ss.uid;
		p->gid = ss.gid;
	}
	if (st.state != 'Z')
		return 0;
	p->state = ZR_PROC_EXITED;
	p->exit_ns = sc->now;
	reap_event(&ev, p, sc->now);
	ev.kind = ZR_EV_SNAPSHOT;
	ev.u.snapshot.state = st.state;
	if (sc->lc->zombie_after_ns)
		push(&sc->lc->exited, p, sc->now, sc->now);
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
	int rc = procfs_each_pid(lc->procfs_root, snap_one, &sc);

	proctab_each(lc->tab, mark_parent, lc->tab);
	return rc < 0 ? rc : sc.err;
}

int lifecycle_feed(struct lifecycle *lc, struct zr_ev *ev)
{
	struct zr_proc *p;
	int err;

	if (ev->is_release)
		return on_release(lc, ev);
	err = check_reparent(lc, ev);
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
					push(&lc->exited, p, ev->ktime_ns,
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
