// SPDX-License-Identifier: GPL-2.0
/* wait.bpf.c - wait4/waitid results: who waited, for what, and what came back (the reaps).
 * The arguments are kept at syscall entry; the result and the status written to the caller's
 * memory are read at syscall exit.
 */
#include "zr_common.bpf.h"

struct wait_args {
	__u64 uptr; /* wait4: int *wstatus; waitid: siginfo_t *infop */
	__s32 syscall;
	__s32 target;
	__s32 options;
	__u32 idtype;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32); /* tid */
	__type(value, struct wait_args);
} wait_pending SEC(".maps");

static __always_inline void remember_wait(struct wait_args *a)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&wait_pending, &tid, a, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_wait4")
int on_sys_enter_wait4(struct trace_event_raw_sys_enter *ctx)
{
	struct wait_args a = {
		.uptr = ctx->args[1],
		.syscall = ZR_WAIT4,
		.target = (__s32)ctx->args[0],
		.options = (__s32)ctx->args[2],
	};

	remember_wait(&a);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_waitid")
int on_sys_enter_waitid(struct trace_event_raw_sys_enter *ctx)
{
	__u32 which = (__u32)ctx->args[0];
	__s32 id = (__s32)ctx->args[1];
	struct wait_args a = {
		.uptr = ctx->args[2],
		.syscall = ZR_WAITID,
		.options = (__s32)ctx->args[3],
		.idtype = which,
	};

	/* Expressed as wait4's pid argument: -1 any, 0 own group, -PGID, or a pid. */
	if (which == ZR_K_P_ALL)
		a.target = -1;
	else if (which == ZR_K_P_PGID)
		a.target = -id;
	else
		a.target = id;
	remember_wait(&a);
	return 0;
}

static __always_inline void wait_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct task_struct *cur = bpf_get_current_task_btf();
	struct wait_args *a = bpf_map_lookup_elem(&wait_pending, &tid);
	__s32 info[7] = {};
	struct zr_rec_wait *r;
	__s32 reported = 0;
	bool caller_wanted;

	if (!a)
		return;
	if (a->syscall == ZR_WAIT4) {
		reported = ret > 0 ? (__s32)ret : 0;
	} else if (ret == 0 && a->uptr) {
		/* siginfo: si_signo, si_errno, si_code, pad, then si_pid, si_uid, si_status. */
		if (!bpf_probe_read_user(info, sizeof(info), (void *)a->uptr))
			reported = info[4];
	}
	/* Keep the wait if its caller matches, or what it reaped may (then user space decides). */
	caller_wanted = zr_task_wanted(cur);
	if (!caller_wanted && !(reported > 0 && zr_pid_wanted(reported)))
		goto out;
	r = zr_reserve(sizeof(*r));
	if (!r)
		goto out;
	zr_fill_hdr(&r->hdr, cur, ZR_REC_WAIT, sizeof(*r));
	r->ret = ret;
	r->syscall = a->syscall;
	r->target = a->target;
	r->options = a->options;
	r->idtype = a->idtype;
	r->status = 0;
	r->si_code = 0;
	r->si_pid = 0;
	r->pad = 0;
	if (caller_wanted)
		r->hdr.flags |= ZR_F_SUBJECT_WANTED;
	if (a->syscall == ZR_WAIT4) {
		if (ret > 0 && a->uptr &&
		    !bpf_probe_read_user(&r->status, sizeof(r->status), (void *)a->uptr))
			r->hdr.flags |= ZR_F_STATUS_KNOWN;
	} else if (ret == 0 && a->uptr) {
		r->si_code = info[2];
		r->si_pid = info[4];
		r->status = info[6];
		r->hdr.flags |= ZR_F_STATUS_KNOWN;
	}
	bpf_ringbuf_submit(r, 0);
out:
	bpf_map_delete_elem(&wait_pending, &tid);
}

SEC("tracepoint/syscalls/sys_exit_wait4")
int on_sys_exit_wait4(struct trace_event_raw_sys_exit *ctx)
{
	wait_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_waitid")
int on_sys_exit_waitid(struct trace_event_raw_sys_exit *ctx)
{
	wait_exit(ctx->ret);
	return 0;
}
