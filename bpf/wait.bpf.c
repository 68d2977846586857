// SPDX-License-Identifier: GPL-2.0
/* wait.bpf.c - wait4/waitid results: who waited, for what, and what came back (the reaps).
 * Everything is read at syscall exit: the arguments from the saved registers, the result, and
 * the status the kernel wrote to the caller's memory.
 */
#include "zr_common.bpf.h"
#include "zr_sysargs.bpf.h"

struct wait_args {
	__u64 uptr; /* wait4: int *wstatus; waitid: siginfo_t *infop */
	__s32 syscall;
	__s32 target;
	__s32 options;
	__u32 idtype;
};

/* The syscall's arguments at its exit (zr_sysargs.bpf.h); false when they are not known (a wait
 * that began before the trace, on a kernel without bpf_task_pt_regs). */
static __always_inline bool wait_args_of(__s32 syscall, struct wait_args *a)
{
	struct zr_sysargs sa;
	__u32 which;
	__s32 id;

	a->syscall = syscall;
	a->target = 0;
	a->uptr = 0;
	a->options = 0;
	a->idtype = 0;
	if (!zr_sysargs_exit(&sa))
		return false;
	if (syscall == ZR_WAIT4) {
		a->target = (__s32)sa.arg[0];
		a->uptr = sa.arg[1];
		a->options = (__s32)sa.arg[2];
		return true;
	}
	which = (__u32)sa.arg[0];
	id = (__s32)sa.arg[1];
	a->uptr = sa.arg[2];
	a->options = (__s32)sa.arg[3];
	a->idtype = which;
	/* Expressed as wait4's pid argument: -1 any, 0 own group, -PGID, or a pid. */
	if (which == ZR_K_P_ALL)
		a->target = -1;
	else if (which == ZR_K_P_PGID)
		a->target = -id;
	else
		a->target = id;
	return true;
}

static __always_inline void wait_exit(__s32 syscall, long ret)
{
	struct task_struct *cur = zr_current();
	struct wait_args args, *a = &args;
	__s32 info[7] = {};
	struct zr_rec_wait *r;
	__s32 reported = 0;
	bool caller_wanted, known;

	known = wait_args_of(syscall, a);
	/* A waitid whose siginfo pointer is unknown says nothing about what it reaped. */
	if (!known && syscall == ZR_WAITID)
		return;
	if (a->syscall == ZR_WAIT4) {
		reported = ret > 0 ? (__s32)ret : 0;
	} else if (ret == 0 && a->uptr) {
		/* siginfo: si_signo, si_errno, si_code, pad, then si_pid, si_uid, si_status. */
		if (!bpf_probe_read_user(info, sizeof(info), (void *)a->uptr))
			reported = info[4];
	}
	/* Keep the wait if its caller matches, or what it reaped may (then user space decides). */
	caller_wanted = zr_task_wanted(cur, targ_task_btf);
	if (!caller_wanted && !(reported > 0 && zr_pid_wanted(reported)))
		return;
	r = zr_reserve(sizeof(*r));
	if (!r)
		return;
	zr_fill_hdr(&r->hdr, cur, ZR_REC_WAIT, sizeof(*r), targ_task_btf);
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
	if (!known)
		r->hdr.flags |= ZR_F_ARGS_UNKNOWN;
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
	zr_submit(r);
}

SEC("tracepoint/syscalls/sys_exit_wait4")
int on_sys_exit_wait4(struct trace_event_raw_sys_exit *ctx)
{
	wait_exit(ZR_WAIT4, ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_waitid")
int on_sys_exit_waitid(struct trace_event_raw_sys_exit *ctx)
{
	wait_exit(ZR_WAITID, ctx->ret);
	return 0;
}

/* Entries keep the arguments only on kernels without bpf_task_pt_regs (the loader leaves these
 * two unloaded elsewhere). */
SEC("tracepoint/syscalls/sys_enter_wait4")
int on_sys_enter_wait4(struct trace_event_raw_sys_enter *ctx)
{
	zr_sysargs_enter(ctx, 4);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_waitid")
int on_sys_enter_waitid(struct trace_event_raw_sys_enter *ctx)
{
	zr_sysargs_enter(ctx, 4);
	return 0;
}
