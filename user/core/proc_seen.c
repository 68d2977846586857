/* proc_seen.c - reading a process from a /proc source and turning what it showed into the
 * subject of an event, or a whole zombie report (proc_seen.h).
 */
#include <errno.h>
#include <string.h>

#include "proc_seen.h"

int proc_seen_read(const struct procsrc *src, uint32_t pid, unsigned int want, uint64_t now_ns,
		   struct proc_seen *ps)
{
	int err;

	memset(ps, 0, sizeof(*ps));
	err = procsrc_stat(src, pid, &ps->st);
	if (err)
		return err;
	if (want & PROC_SEEN_STATUS)
		ps->has_status = procsrc_status(src, pid, &ps->ss) == 0;
	if ((want & PROC_SEEN_ZOMBIE) && ps->st.state == 'Z')
		ps->has_zombie = procsrc_zombie(src, &ps->st, now_ns, &ps->zi) == 0;
	return 0;
}

int proc_seen_zombie(const struct procsrc *src, uint32_t pid, bool may_ptrace, uint64_t now_ns,
		     struct proc_seen *ps)
{
	memset(ps, 0, sizeof(*ps));
	if (may_ptrace && procfs_has_exe(src->root, pid))
		return -ENOENT;
	if (procsrc_stat(src, pid, &ps->st) || ps->st.state != 'Z')
		return -ENOENT; /* gone since the directory was listed, or alive */
	if (!now_ns)
		return 0;
	if (procsrc_zombie(src, &ps->st, now_ns, &ps->zi))
		return -ENOENT; /* reaped meanwhile */
	ps->has_zombie = true;
	return 0;
}

bool proc_seen_is_init(const struct proc_seen *ps)
{
	return ps->st.pid == 1 || (ps->has_status && ps->ss.ns_pid == 1);
}

void proc_seen_ref(const struct proc_seen *ps, struct zr_ref *ref)
{
	ref->pid = ps->st.pid;
	ref->start_ns = procfs_ticks_to_ns(ps->st.start_ticks);
	memcpy(ref->comm, ps->st.comm, sizeof(ref->comm));
}

void proc_seen_event(const struct proc_seen *ps, enum zr_kind kind, uint64_t ktime_ns,
		     struct zr_ev *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ktime_ns = ktime_ns;
	ev->pid = ev->tid = ps->st.pid;
	ev->ppid = ps->st.ppid;
	ev->start_ns = procfs_ticks_to_ns(ps->st.start_ticks);
	memcpy(ev->comm, ps->st.comm, sizeof(ev->comm));
	if (ps->has_status) {
		ev->uid = ps->ss.uid;
		ev->gid = ps->ss.gid;
	}
}

void proc_parent_read(const struct procsrc *src, uint32_t ppid, struct proc_parent *par)
{
	memset(par, 0, sizeof(*par));
	par->state = detect_parent_procfs(src, ppid, &par->pinfo, &par->is_init, &par->ref);
}

void proc_seen_zombie_report(struct zr_ev *ev, const struct zombie_info *zi,
			     const struct proc_parent *par, struct detect_case *c)
{
	ev->kind = ZR_EV_ZOMBIE;
	memset(&ev->u.zombie, 0, sizeof(ev->u.zombie));
	ev->u.zombie.st = zi->st;
	ev->u.zombie.zombie_ns = zi->age_ns;
	ev->u.zombie.age_source = zi->source;
	ev->parent = par->ref;
	ev->u.zombie.pinfo = par->pinfo;
	c->pid = ev->pid;
	c->ppid = ev->ppid;
	c->zombie_ns = zi->age_ns;
	c->is_age_known = zr_age_is_exact(zi->source);
	c->parent_comm = ev->parent.comm;
	c->parent_state = par->state;
	c->parent_is_init = par->is_init;
	c->pinfo = &ev->u.zombie.pinfo;
	detect_reason(c, &ev->u.zombie.reason_code, ev->u.zombie.reason,
		      sizeof(ev->u.zombie.reason));
}
