/* lifecycle_life.c - one life in the process table, as lifecycle.c and lifecycle_watch.c both
 * see it: is this entry that life (pid reuse), how long has it been dead, its queue item, its
 * reap event.
 */
#include <stddef.h>
#include <string.h>

#include "lifecycle_int.h"
#include "procfs.h"

uint64_t lifecycle_dead_for(const struct zr_proc *p, uint64_t now, enum zr_age_source *src)
{
	uint64_t since = p->state == ZR_PROC_EXITED ? p->exit_ns : p->leader_exit_ns;

	*src = p->age_source;
	if (p->age_source == ZR_AGE_START_BOUND)
		since = p->start_ns;
	else if (!zr_age_is_exact(p->age_source))
		return 0;
	return now > since ? now - since : 0;
}

bool lifecycle_same_life(const struct zr_proc *p, uint64_t start_ns)
{
	uint64_t tick = procfs_tick_ns();

	if (p->start_ns == start_ns)
		return true;
	return p->is_snapshot && p->start_ns / tick == start_ns / tick;
}

bool lifecycle_same_life_ticks(const struct zr_proc *p, uint64_t start_ticks)
{
	return p->start_ns / procfs_tick_ns() == start_ticks;
}

struct zr_proc *lifecycle_find_life(struct lifecycle *lc, uint32_t pid, uint64_t start_ns)
{
	struct zr_proc *p = proctab_find(lc->tab, pid);

	return p && lifecycle_same_life(p, start_ns) ? p : NULL;
}

int lifecycle_push(struct timeq *q, const struct zr_proc *p, uint64_t at, uint64_t due)
{
	struct timeq_item it = {
		.who = { .pid = p->pid, .start_ns = p->start_ns },
		.at_ns = at,
		.due_ns = due,
	};

	memcpy(it.who.comm, p->comm, sizeof(it.who.comm));
	return timeq_push(q, &it);
}

/* Fills a reap event whose subject is p. Of the union only the reap member is zeroed: a caller
 * making another kind from it zeroes that kind's member itself. */
void lifecycle_reap_event(struct zr_ev *r, const struct zr_proc *p, uint64_t ktime)
{
	memset(r, 0, offsetof(struct zr_ev, u) + sizeof(r->u.reap));
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
