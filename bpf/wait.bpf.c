// SPDX-License-Identifier: GPL-2.0
/* wait.bpf.c - wait4/waitid results: who waited, for what, and what came back (the reaps).
 * Everything is read at syscall exit: the arguments from the saved registers, the result, and
 * the status the kernel wrote to the caller's memory.
 */
#include "zr_common.bpf.h"

struct wait_args {
	__u64 uptr; /* wait4: int *wstatus; waitid: siginfo_t *infop */
	__s32 syscall;
	__s32 target;
	__s32 options;
	__u32 idtype;
};

/* The syscall's arguments, still in the caller's saved registers at syscall exit: no entry
 * hook is needed, and a wait already blocked when tracing starts is seen too. */
static __always_inline void wait_args_of(struct task_struct *cur, __s32 syscall,
					 struct wait_args *a)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	__u32 which;
	__s32 id;

	a->syscall = syscall;
	if (syscall == ZR_WAIT4) {
		a->target = (__s32)PT_REGS_PARM1_SYSCALL(regs);
		a->uptr = PT_REGS_PARM2_SYSCALL(regs);
		a->options = (__s32)PT_REGS_PARM3_SYSCALL(regs);
		a->idtype = 0;
		return;
	}
	which = (__u32)PT_REGS_PARM1_SYSCALL(regs);
	id = (__s32)PT_REGS_PARM2_SYSCALL(regs);
	a->uptr = PT_REGS_PARM3_SYSCALL(regs);
	a->options = (__s32)PT_REGS_PARM4_SYSCALL(regs);
	a->idtype = which;
	/* Expressed as wait4's pid argument: -1 any, 0 own group, -PGID, or a pid. */
	if (which == ZR_K_P_ALL)
		a->target = -1;
	else if (which == ZR_K_P_PGID)
		a->target = -id;
	else
		a->target = id;
}

static __always_inline void wait_exit(__s32 syscall, long ret)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct wait_args args, *a = &args;
	__s32 info[7] = {};
	struct zr_rec_wait *r;
	__s32 reported = 0;
	bool caller_wanted;

	wait_args_of(cur, syscall, a);
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
		return;
	r = zr_reserve(sizeof(*r));
	if (!r)
		return;
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
