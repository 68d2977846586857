/* zr_common.bpf.h - what every BPF program shares: the ring buffer, the drop counter, the
 * filters (rodata set by the loader before load), and filling a record header from a task.
 * Maps and rodata are __weak so the per-file objects link into one (bpftool gen object).
 */
#ifndef ZR_COMMON_BPF_H
#define ZR_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "zr_event.h"
#include "zr_kernel.bpf.h"

/* The loader resizes it (bpf_map__set_max_entries) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps") __weak;

/* Records lost because the ring buffer was full, per CPU; the loader reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps") __weak;

/* -p pids (and with --tree their descendants, added at fork). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ZR_PID_FILTER_MAX * 16);
	__type(key, __u32);
	__type(value, __u8);
} pid_filter SEC(".maps") __weak;

const volatile bool targ_filter_pid __weak = false;
const volatile bool targ_tree __weak = false;
const volatile bool targ_threads __weak = false;
const volatile __u64 targ_cgroup_id __weak = 0;
const volatile int targ_cgroup_level __weak = 0;
/* Wake the reader only once this much is waiting (0: the kernel's per-record adaptive
 * wake-up); the reader also drains on a short timer, so nothing waits long. */
const volatile __u64 targ_wakeup_bytes __weak = 0;

static __always_inline bool zr_pid_wanted(__u32 tgid)
{
	if (!targ_filter_pid)
		return true;
	return bpf_map_lookup_elem(&pid_filter, &tgid) != NULL;
}

static __always_inline __u64 zr_task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

/* Is the task in the -c cgroup or below it? Its cgroup's ancestor at the target's level must
 * be the target (cgroup.ancestors[] holds every ancestor by level). */
static __always_inline bool zr_cgroup_wanted(struct task_struct *t)
{
	struct cgroup *cg, *anc = NULL;
	int lvl = targ_cgroup_level;

	if (!targ_cgroup_id)
		return true;
	cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	if (!cg || BPF_CORE_READ(cg, level) < lvl || lvl < 0 || lvl > 255)
		return false;
	bpf_core_read(&anc, sizeof(anc), &cg->ancestors[lvl]);
	return anc && BPF_CORE_READ(anc, kn, id) == targ_cgroup_id;
}

static __always_inline bool zr_task_wanted(struct task_struct *t)
{
	return zr_pid_wanted(BPF_CORE_READ(t, tgid)) && zr_cgroup_wanted(t);
}

/* Reserves a record or counts the loss. */
static __always_inline void *zr_reserve(__u32 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);

	if (!rec) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&drops, &zero);

		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return rec;
}

static __always_inline __u64 zr_wakeup_flags(void)
{
	if (!targ_wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= targ_wakeup_bytes
		   ? BPF_RB_FORCE_WAKEUP
		   : BPF_RB_NO_WAKEUP;
}

static __always_inline void zr_submit(void *rec)
{
	bpf_ringbuf_submit(rec, zr_wakeup_flags());
}

/* The task's struct pid for its thread group (tgid), NULL once released. */
static __always_inline struct pid *zr_tgid_pid(struct task_struct *t)
{
	return BPF_CORE_READ(t, signal, pids[PIDTYPE_TGID]);
}

/* Number of struct pid p at namespace level lvl, and that namespace's inode (0 when the level
 * does not exist). */
static __always_inline __u32 zr_pid_nr_at(struct pid *p, unsigned int lvl, __u32 *inum)
{
	struct upid up = {};

	if (inum)
		*inum = 0;
	if (!p || lvl > 31 || lvl > BPF_CORE_READ(p, level))
		return 0;
	bpf_core_read(&up, sizeof(up), &p->numbers[lvl]);
	if (inum)
		*inum = BPF_CORE_READ(up.ns, ns.inum);
	return up.nr;
}

static __always_inline void zr_fill_hdr(struct zr_event_hdr *h, struct task_struct *t, __u16 kind,
					__u16 size)
{
	struct pid *tp = BPF_CORE_READ(t, thread_pid);
	unsigned int lvl = 0;
	struct upid up = {};

	h->kind = kind;
	h->size = size;
	h->flags = 0;
	h->ts = bpf_ktime_get_boot_ns();
	h->start_boottime = BPF_CORE_READ(t, group_leader, start_boottime);
	h->cgroup_id = zr_task_cgroup_id(t);
	h->pid = BPF_CORE_READ(t, tgid);
	h->tid = BPF_CORE_READ(t, pid);
	h->ppid = BPF_CORE_READ(t, real_parent, tgid);
	h->uid = BPF_CORE_READ(t, real_cred, uid.val);
	h->gid = BPF_CORE_READ(t, real_cred, gid.val);
	if (tp) {
		lvl = BPF_CORE_READ(tp, level);
		if (lvl <= 31) {
			bpf_core_read(&up, sizeof(up), &tp->numbers[lvl]);
			h->ns_tid = up.nr;
			h->pidns = BPF_CORE_READ(up.ns, ns.inum);
		}
	}
	h->ns_level = lvl;
	h->ns_pid = zr_pid_nr_at(zr_tgid_pid(t), lvl, NULL);
	if (!h->ns_pid && !lvl)
		h->ns_pid = h->pid;
	if (!h->ns_tid && !lvl)
		h->ns_tid = h->tid;
	BPF_CORE_READ_STR_INTO(&h->comm, t, comm);
	if (h->pid != h->tid)
		h->flags |= ZR_F_THREAD;
}

#endif /* ZR_COMMON_BPF_H */
