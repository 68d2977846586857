// SPDX-License-Identifier: GPL-2.0
/* signal.bpf.c - signals that matter to a process's life (SIGCHLD, and every signal whose
 * default action kills or stops), however sent; and PR_SET_CHILD_SUBREAPER changes.
 */
#include "zr_common.bpf.h"

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
	struct task_struct *cur = bpf_get_current_task_btf();
	struct zr_rec_signal *r;
	__s32 code;

	if (!signal_wanted(sig) || !zr_task_wanted(task))
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
	zr_fill_hdr(&r->hdr, task, ZR_REC_SIGNAL, sizeof(*r));
	if (group)
		r->hdr.flags |= ZR_F_SIG_GROUP;
	if (code > 0)
		r->hdr.flags |= ZR_F_SENDER_KERNEL;
	r->sig = sig;
	r->code = code;
	r->result = result;
	r->sender_pid = cur->tgid;
	r->sender_tid = cur->pid;
	r->sender_start = cur->group_leader->start_boottime;
	r->pad = 0;
	zr_task_comm(r->sender_comm, cur);
	zr_submit(r);
	return 0;
}

/* prctl's arguments are still in the saved registers at syscall exit: one hook suffices. */
SEC("tracepoint/syscalls/sys_exit_prctl")
int on_sys_exit_prctl(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	struct signal_struct *sig;
	struct zr_rec_subreaper *r;

	if (PT_REGS_PARM1_SYSCALL(regs) != ZR_K_PR_SET_CHILD_SUBREAPER || !zr_task_wanted(cur))
		return 0;
	r = zr_reserve(sizeof(*r));
	if (!r)
		return 0;
	zr_fill_hdr(&r->hdr, cur, ZR_REC_SUBREAPER, sizeof(*r));
	r->ret = ctx->ret;
	r->value = PT_REGS_PARM2_SYSCALL(regs);
	sig = cur->signal;
	if (BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper))
		r->hdr.flags |= ZR_F_SUBREAPER_NOW;
	zr_submit(r);
	return 0;
}
