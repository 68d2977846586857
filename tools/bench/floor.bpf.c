/* floor.bpf.c - the counter-only floor for `make bench`: the tracepoints zreaper attaches to,
 * each program only bumping a per-CPU counter. Whatever a real tracer costs above this is the
 * price of its records, its ring buffer and its user space.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* One slot per tracepoint, in the order floor.c prints them. */
enum floor_slot {
	FLOOR_FORK,
	FLOOR_EXEC,
	FLOOR_EXIT,
	FLOOR_FREE,
	FLOOR_SIGNAL,
	FLOOR_ENTER_EXECVE,
	FLOOR_ENTER_EXECVEAT,
	FLOOR_EXIT_EXECVE,
	FLOOR_EXIT_EXECVEAT,
	FLOOR_EXIT_PRCTL,
	FLOOR_EXIT_WAIT4,
	FLOOR_EXIT_WAITID,
	FLOOR_NSLOTS,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLOOR_NSLOTS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline int bump(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&counts, &slot);

	if (n)
		*n += 1; /* per-CPU slot: no atomic needed */
	return 0;
}

SEC("tp_btf/sched_process_fork")
int on_fork(void *ctx)
{
	return bump(FLOOR_FORK);
}

SEC("tp_btf/sched_process_exec")
int on_exec(void *ctx)
{
	return bump(FLOOR_EXEC);
}

SEC("tp_btf/sched_process_exit")
int on_exit(void *ctx)
{
	return bump(FLOOR_EXIT);
}

SEC("tp_btf/sched_process_free")
int on_free(void *ctx)
{
	return bump(FLOOR_FREE);
}

SEC("tp_btf/signal_generate")
int on_signal(void *ctx)
{
	return bump(FLOOR_SIGNAL);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int on_enter_execve(void *ctx)
{
	return bump(FLOOR_ENTER_EXECVE);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int on_enter_execveat(void *ctx)
{
	return bump(FLOOR_ENTER_EXECVEAT);
}

SEC("tracepoint/syscalls/sys_exit_execve")
int on_exit_execve(void *ctx)
{
	return bump(FLOOR_EXIT_EXECVE);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int on_exit_execveat(void *ctx)
{
	return bump(FLOOR_EXIT_EXECVEAT);
}

SEC("tracepoint/syscalls/sys_exit_prctl")
int on_exit_prctl(void *ctx)
{
	return bump(FLOOR_EXIT_PRCTL);
}

SEC("tracepoint/syscalls/sys_exit_wait4")
int on_exit_wait4(void *ctx)
{
	return bump(FLOOR_EXIT_WAIT4);
}

SEC("tracepoint/syscalls/sys_exit_waitid")
int on_exit_waitid(void *ctx)
{
	return bump(FLOOR_EXIT_WAITID);
}
