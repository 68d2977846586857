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
/* Wake the reader once per this many bytes written (0: the kernel's per-record adaptive
 * wake-up); the reader also drains on a short timer, so nothing waits long. */
const volatile __u64 targ_wakeup_bytes __weak = 0;

static __always_inline bool zr_pid_wanted(__u32 tgid)
{
	if (!targ_filter_pid)
		return true;
	return bpf_map_lookup_elem(&pid_filter, &tgid) != NULL;
}

/* What the running kernel offers, decided by the loader from the kernel's BTF before load. The
 * verifier knows frozen rodata, so it walks only the branch a kernel can take: a helper or a
 * tracepoint argument the kernel lacks sits in code it never checks. */
const volatile bool targ_task_btf __weak = true;	/* bpf_get_current_task_btf (5.11) */
const volatile bool targ_task_pt_regs __weak = true;	/* bpf_task_pt_regs (5.15) */
const volatile bool targ_exit_group_dead __weak = true; /* sched_process_exit(p, group_dead) */

/* ZR_READ(btf, t, a, b...) is t->a->b...: a direct load when t is a BTF pointer (tp_btf arguments,
 * bpf_get_current_task_btf()), far cheaper than a probe read per field; a CO-RE probe read when it
 * is a plain address (bpf_get_current_task() before 5.11). btf is a constant (a literal or
 * rodata), so only one arm reaches the verifier. ___arrow is libbpf's own a->b->c builder. */
#define ZR_READ(btf, t, a, ...)                                                                    \
	((btf) ? ___arrow(t, a, ##__VA_ARGS__) : BPF_CORE_READ(t, a, ##__VA_ARGS__))

/* The current task, as a BTF pointer where the kernel can give one (then ZR_READ(targ_task_btf,
 * ...) loads from it directly). */
static __always_inline struct task_struct *zr_current(void)
{
	if (targ_task_btf)
		return bpf_get_current_task_btf();
	return (struct task_struct *)bpf_get_current_task();
}

static __always_inline __u64 zr_task_cgroup_id(struct task_struct *t, bool btf)
{
	return ZR_READ(btf, t, cgroups, dfl_cgrp, kn, id);
}

/* Before 6.1 a cgroup kept its ancestors' ids (ancestor_ids[]) instead of pointers. */
struct cgroup___ids {
	int level;
	__u64 ancestor_ids[];
} __attribute__((preserve_access_index));

/* Is the task in the -c cgroup or below it? Its cgroup's ancestor at the target's level must
 * be the target (the cgroup keeps every ancestor by level). */
static __always_inline bool zr_cgroup_wanted(struct task_struct *t, bool btf)
{
	struct cgroup *cg, *anc = NULL;
	int lvl = targ_cgroup_level;
	__u64 id = 0;

	if (!targ_cgroup_id)
		return true;
	cg = ZR_READ(btf, t, cgroups, dfl_cgrp);
	if (!cg || lvl < 0 || lvl > 255 || BPF_CORE_READ(cg, level) < lvl)
		return false;
	if (bpf_core_field_exists(cg->ancestors)) {
		bpf_core_read(&anc, sizeof(anc), &cg->ancestors[lvl]);
		return anc && BPF_CORE_READ(anc, kn, id) == targ_cgroup_id;
	}
	bpf_core_read(&id, sizeof(id), &((struct cgroup___ids *)cg)->ancestor_ids[lvl]);
	return id == targ_cgroup_id;
}

/* Filters first, each read only when its filter is on (rodata: the verifier drops the rest). */
static __always_inline bool zr_task_wanted(struct task_struct *t, bool btf)
{
	if (targ_filter_pid && !zr_pid_wanted(ZR_READ(btf, t, tgid)))
		return false;
	return zr_cgroup_wanted(t, btf);
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

/* Wake-up flags for a record of size bytes, already counted in the ring (queued: reserved) or
 * about to be (output). Only the record that crosses a multiple of targ_wakeup_bytes wakes the
 * reader: waking on every record while a busy reader lags costs each one an IPI and a
 * scheduler call, and wakes nobody sooner. */
static __always_inline __u64 zr_wakeup_flags(__u32 size, bool queued)
{
	__u64 after, before;

	if (!targ_wakeup_bytes)
		return 0;
	after = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (!queued)
		after += size;
	before = after > size ? after - size : 0;
	return after / targ_wakeup_bytes != before / targ_wakeup_bytes ? BPF_RB_FORCE_WAKEUP
								       : BPF_RB_NO_WAKEUP;
}

static __always_inline void zr_submit(void *rec)
{
	bpf_ringbuf_submit(rec, zr_wakeup_flags(((struct zr_event_hdr *)rec)->size, true));
}

/* The task's struct pid for its thread group (tgid), NULL once released. */
static __always_inline struct pid *zr_tgid_pid(struct task_struct *t, bool btf)
{
	return ZR_READ(btf, t, signal, pids[PIDTYPE_TGID]);
}

/* Number of struct pid p at namespace level lvl, and that namespace's inode (0 when the level
 * does not exist). Level 0 is a constant offset (a direct load from a BTF pointer); deeper
 * levels, only seen in containers, need the helper. */
static __always_inline __u32 zr_pid_nr_at(struct pid *p, unsigned int lvl, __u32 *inum, bool btf)
{
	struct upid up = {};

	*inum = 0;
	if (!p || lvl > 31 || lvl > ZR_READ(btf, p, level))
		return 0;
	if (!lvl) {
		*inum = ZR_READ(btf, p, numbers[0].ns, ns.inum);
		return ZR_READ(btf, p, numbers[0].nr);
	}
	bpf_core_read(&up, sizeof(up), &p->numbers[lvl]);
	*inum = BPF_CORE_READ(up.ns, ns.inum);
	return up.nr;
}

/* A task's comm: the kernel keeps it NUL-padded (set_task_comm), so a plain 16-byte copy is the
 * string; the last byte is forced in case a rename races the copy. */
static __always_inline void zr_task_comm(char *dst, struct task_struct *t, bool btf)
{
	if (btf)
		__builtin_memcpy(dst, t->comm, ZR_COMM_LEN);
	else if (bpf_core_read(dst, ZR_COMM_LEN, &t->comm))
		dst[0] = 0;
	dst[ZR_COMM_LEN - 1] = 0;
}

/* Fills every byte of the header (ring-buffer memory is not zeroed). */
static __always_inline void zr_fill_hdr(struct zr_event_hdr *h, struct task_struct *t, __u16 kind,
					__u16 size, bool btf)
{
	struct pid *tp = ZR_READ(btf, t, thread_pid);
	__u32 pid = ZR_READ(btf, t, tgid), tid = ZR_READ(btf, t, pid), inum = 0, tgid_inum, nr;
	unsigned int lvl = 0;

	h->kind = kind;
	h->size = size;
	h->flags = pid != tid ? ZR_F_THREAD : 0;
	h->ts = bpf_ktime_get_boot_ns();
	h->start_boottime = ZR_READ(btf, t, group_leader, start_boottime);
	h->cgroup_id = zr_task_cgroup_id(t, btf);
	h->pid = pid;
	h->tid = tid;
	h->ppid = ZR_READ(btf, t, real_parent, tgid);
	h->uid = ZR_READ(btf, t, real_cred, uid.val);
	h->gid = ZR_READ(btf, t, real_cred, gid.val);
	/* In the initial pid namespace (level 0) the numbers are the global ones; only a task in
	 * a container pays for the walk. A released task (thread_pid NULL) reads as level 0. */
	h->ns_pid = pid;
	h->ns_tid = tid;
	if (tp) {
		lvl = ZR_READ(btf, tp, level);
		if (lvl > 31)
			lvl = 0;
		nr = zr_pid_nr_at(tp, lvl, &inum, btf);
		if (lvl) {
			h->ns_tid = nr;
			h->ns_pid = zr_pid_nr_at(zr_tgid_pid(t, btf), lvl, &tgid_inum, btf);
		}
	}
	h->pidns = inum;
	h->ns_level = lvl;
	__builtin_memset(h->pad, 0, sizeof(h->pad));
	zr_task_comm(h->comm, t, btf);
}

#endif /* ZR_COMMON_BPF_H */
