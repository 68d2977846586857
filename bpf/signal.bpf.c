// SPDX-License-Identifier: GPL-2.0
/* signal.bpf.c - signals that matter to a process's life (SIGCHLD, and every signal whose
 * default action kills or stops), however sent; and PR_SET_CHILD_SUBREAPER changes.
 */
#include "zr_common.bpf.h"
#include "zr_sysargs.bpf.h"

/* Signals whose default action is to ignore or continue: not reported (SIGCHLD aside). */
static __always_inline bool signal_wanted(int sig)
{
	if (sig == ZR_K_SIGCHLD)
		return true;
	return sig > 0 && sig <= 64 && sig != ZR_K_SIGCONT && sig != ZR_K_SIGURG &&
	       sig != ZR_K_SIGWINCH;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(on_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct task_struct *cur = zr_current();
	struct zr_rec_signal *r;
	__s32 code;

	if (!signal_wanted(sig) || !zr_task_wanted(task, true))
		return 0;
	/* SEND_SIG_NOINFO (0) is a kill from user space, SEND_SIG_PRIV (1) the kernel's. Since
	 * those special values can sit in info, newer verifiers treat it as a scalar, not a
	 * pointer: read si_code with a probe read, never a direct load. */
	if ((unsigned long)info == 0)
		code = 0; /* SI_USER */
	else if ((unsigned long)info == 1)
		code = 0x80; /* SI_KERNEL */
	else if (bpf_core_read(&code, sizeof(code), &info->si_code))
		code = 0;
	r = zr_reserve(sizeof(*r));
	if (!r)
		return 0;
	zr_fill_hdr(&r->hdr, task, ZR_REC_SIGNAL, sizeof(*r), true);
	if (group)
		r->hdr.flags |= ZR_F_SIG_GROUP;
	if (code > 0)
		r->hdr.flags |= ZR_F_SENDER_KERNEL;
	r->sig = sig;
	r->code = code;
	r->result = result;
	r->sender_pid = ZR_READ(targ_task_btf, cur, tgid);
	r->sender_tid = ZR_READ(targ_task_btf, cur, pid);
	r->sender_start = ZR_READ(targ_task_btf, cur, group_leader, start_boottime);
	r->pad = 0;
	zr_task_comm(r->sender_comm, cur, targ_task_btf);
	zr_submit(r);
	return 0;
}

/* prctl's arguments, read at its exit (zr_sysargs.bpf.h): one hook suffices where the kernel has
 * bpf_task_pt_regs; elsewhere the entry keeps them. */
SEC("tracepoint/syscalls/sys_enter_prctl")
int on_sys_enter_prctl(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[0] == ZR_K_PR_SET_CHILD_SUBREAPER)
		zr_sysargs_enter(ctx, 2);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_prctl")
int on_sys_exit_prctl(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *cur;
	struct signal_struct *sig;
	struct zr_rec_subreaper *r;
	struct zr_sysargs a;

	if (!zr_sysargs_exit(&a) || a.arg[0] != ZR_K_PR_SET_CHILD_SUBREAPER)
		return 0;
	cur = zr_current();
	if (!zr_task_wanted(cur, targ_task_btf))
		return 0;
	r = zr_reserve(sizeof(*r));
	if (!r)
		return 0;
	zr_fill_hdr(&r->hdr, cur, ZR_REC_SUBREAPER, sizeof(*r), targ_task_btf);
	r->ret = ctx->ret;
	r->value = a.arg[1];
	sig = ZR_READ(targ_task_btf, cur, signal);
	if (BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper))
		r->hdr.flags |= ZR_F_SUBREAPER_NOW;
	zr_submit(r);
	return 0;
}
