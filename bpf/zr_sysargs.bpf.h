/* zr_sysargs.bpf.h - a syscall's arguments at its exit tracepoint, on every kernel. Since 5.15
 * they are read from the caller's saved registers (bpf_task_pt_regs): a call already blocked when
 * the trace started is seen whole. Older kernels keep them per thread from the entry tracepoint
 * until the exit; a call that entered before the trace then has no known arguments.
 */
#ifndef ZR_SYSARGS_BPF_H
#define ZR_SYSARGS_BPF_H

#include "zr_common.bpf.h"

struct zr_sysargs {
	__u64 arg[4];
};

/* Filled only without bpf_task_pt_regs; LRU, so a thread that never returns costs one slot. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32); /* tid */
	__type(value, struct zr_sysargs);
} sysargs SEC(".maps") __weak;

/* At syscall entry: keeps the first n (<= 4) arguments where the exit cannot read them from the
 * registers. Only those the syscall has: a tracepoint program that reads past its syscall's
 * arguments is refused at attach (EACCES). */
static __always_inline void zr_sysargs_enter(struct trace_event_raw_sys_enter *ctx, int n)
{
	struct zr_sysargs a = {};
	__u32 tid;

	if (targ_task_pt_regs)
		return;
	tid = (__u32)bpf_get_current_pid_tgid();
	a.arg[0] = ctx->args[0];
	if (n > 1)
		a.arg[1] = ctx->args[1];
	if (n > 2)
		a.arg[2] = ctx->args[2];
	if (n > 3)
		a.arg[3] = ctx->args[3];
	bpf_map_update_elem(&sysargs, &tid, &a, BPF_ANY);
}

/* At syscall exit: the first four arguments into a; false when they are not known. Consumes
 * what the entry kept. */
static __always_inline bool zr_sysargs_exit(struct zr_sysargs *a)
{
	struct zr_sysargs *kept;
	struct pt_regs *regs;
	__u32 tid;

	if (targ_task_pt_regs) {
		/* A BTF pointer: the registers are plain loads. */
		regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		a->arg[0] = PT_REGS_PARM1_SYSCALL(regs);
		a->arg[1] = PT_REGS_PARM2_SYSCALL(regs);
		a->arg[2] = PT_REGS_PARM3_SYSCALL(regs);
		a->arg[3] = PT_REGS_PARM4_SYSCALL(regs);
		return true;
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	kept = bpf_map_lookup_elem(&sysargs, &tid);
	if (!kept)
		return false;
	*a = *kept;
	bpf_map_delete_elem(&sysargs, &tid);
	return true;
}

/* At the exit of a call whose arguments are not needed after all. */
static __always_inline void zr_sysargs_drop(void)
{
	__u32 tid;

	if (targ_task_pt_regs)
		return;
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_delete_elem(&sysargs, &tid);
}

#endif /* ZR_SYSARGS_BPF_H */
