// SPDX-License-Identifier: GPL-2.0
/* lifecycle.bpf.c - fork, exec (and failed exec), exit and task release: the kernel side of
 * every process's life, one ring-buffer record each.
 */
#include "zr_common.bpf.h"
#include "zr_sysargs.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The caller's comm at execve entry: by sched_process_exec the kernel has renamed it. */
struct exec_args {
	char comm[ZR_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* tid */
	__type(value, struct exec_args);
} exec_pending SEC(".maps");

/* An exec record is too big for the BPF stack: build it in a per-CPU scratch slot. The spill
 * area lets the verifier prove that a string read at any offset of args stays in the slot. */
struct exec_scratch {
	struct zr_rec_exec rec;
	char spill[ZR_ARGS_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_scratch SEC(".maps");

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid;
	__u32 ctgid = child->tgid;
	bool is_thread = ptgid == ctgid;
	struct zr_rec_fork *r;

	if (is_thread && !targ_threads)
		return 0;
	if (targ_filter_pid && targ_tree && !is_thread && zr_pid_wanted(ptgid)) {
		__u8 one = 1;

		bpf_map_update_elem(&pid_filter, &ctgid, &one, BPF_ANY);
	}
	if (!zr_task_wanted(child, true))
		return 0;
	r = zr_reserve(sizeof(*r));
	if (!r)
		return 0;
	zr_fill_hdr(&r->hdr, child, ZR_REC_FORK, sizeof(*r), true);
	r->parent_pid = ptgid;
	r->parent_tid = parent->pid;
	r->parent_start = parent->group_leader->start_boottime;
	zr_task_comm(r->parent_comm, parent, true);
	zr_submit(r);
	return 0;
}

static __always_inline void remember_exec(struct trace_event_raw_sys_enter *ctx, int nargs)
{
	struct task_struct *cur = zr_current();
	__u32 tid = ZR_READ(targ_task_btf, cur, pid);
	struct exec_args a;

	zr_task_comm(a.comm, cur, targ_task_btf);
	bpf_map_update_elem(&exec_pending, &tid, &a, BPF_ANY);
	zr_sysargs_enter(ctx, nargs);
}

/* Consumes the pending comm of the exec called by tid (into dst when given). */
static __always_inline void take_exec_comm(__u32 tid, char *dst)
{
	struct exec_args *a = bpf_map_lookup_elem(&exec_pending, &tid);

	if (!a)
		return;
	if (dst)
		__builtin_memcpy(dst, a->comm, ZR_COMM_LEN);
	bpf_map_delete_elem(&exec_pending, &tid);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int on_sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	remember_exec(ctx, 2); /* filename, argv */
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int on_sys_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	remember_exec(ctx, 3); /* dirfd, filename, argv */
	return 0;
}

static __always_inline struct zr_rec_exec *exec_record(struct task_struct *t, __u16 kind, bool btf)
{
	__u32 zero = 0;
	struct exec_scratch *slot = bpf_map_lookup_elem(&exec_scratch, &zero);
	struct zr_rec_exec *r;

	if (!slot)
		return NULL;
	r = &slot->rec;
	zr_fill_hdr(&r->hdr, t, kind, sizeof(*r), btf);
	r->error = 0;
	r->old_pid = 0;
	r->argc = 0;
	r->args_len = 0;
	r->real_argc = 0;
	r->old_comm[0] = 0;
	r->filename[0] = 0;
	r->args[0] = 0;
	return r;
}

static __always_inline void submit_copy(struct zr_rec_exec *r)
{
	if (bpf_ringbuf_output(&events, r, sizeof(*r), zr_wakeup_flags(sizeof(*r), false))) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&drops, &zero);

		if (n)
			__sync_fetch_and_add(n, 1);
	}
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct zr_rec_exec *r;
	struct mm_struct *mm;
	__u64 start, end, len;
	long n;

	r = zr_task_wanted(p, true) ? exec_record(p, ZR_REC_EXEC, true) : NULL;
	take_exec_comm(old_pid, r ? r->old_comm : NULL);
	if (!r)
		return 0;
	r->old_pid = old_pid;
	r->real_argc = bprm->argc;
	n = bpf_probe_read_kernel_str(r->filename, sizeof(r->filename), bprm->filename);
	if (n == sizeof(r->filename))
		r->hdr.flags |= ZR_F_PATH_TRUNC;
	/* The new image's argv is on its stack between arg_start and arg_end. */
	mm = p->mm;
	start = mm->arg_start;
	end = mm->arg_end;
	len = end > start ? end - start : 0;
	if (len > ZR_ARGS_LEN) {
		len = ZR_ARGS_LEN;
		r->hdr.flags |= ZR_F_ARGV_TRUNC;
	}
	if (len && !bpf_probe_read_user(r->args, len, (void *)start))
		r->args_len = len;
	submit_copy(r);
	return 0;
}

/* Copies argv strings of a failed exec from the caller's memory (still intact). */
static __always_inline void read_user_argv(struct zr_rec_exec *r, __u64 argvp)
{
	__u32 off = 0;
	int i;

	for (i = 0; i < ZR_ARGS_MAX; i++) {
		__u64 s = 0;
		long n;

		if (bpf_probe_read_user(&s, sizeof(s), (void *)(argvp + i * sizeof(__u64))) || !s)
			return;
		if (off >= ZR_ARGS_LEN - 1) {
			r->hdr.flags |= ZR_F_ARGV_TRUNC;
			return;
		}
		off &= ZR_ARGS_LEN - 1;
		n = bpf_probe_read_user_str(&r->args[off], ZR_ARGS_LEN - off, (void *)s);
		if (n <= 0)
			return;
		off += n;
		r->args_len = off;
		r->argc++;
		if (off >= ZR_ARGS_LEN - 1 && r->args[(off - 1) & (ZR_ARGS_LEN - 1)]) {
			r->hdr.flags |= ZR_F_ARGV_TRUNC;
			return;
		}
	}
	r->hdr.flags |= ZR_F_ARGV_TRUNC;
}

/* A failed exec leaves the caller as it was: its comm, and its arguments (execve: filename,
 * argv; execveat: dirfd, filename, argv). */
static __always_inline void exec_exit(long ret, bool is_at)
{
	struct zr_sysargs args;
	struct task_struct *cur;
	struct zr_rec_exec *r;
	__u64 filename, argv;
	__u32 tid;

	/* A successful exec consumed its comm at sched_process_exec. */
	if (ret >= 0) {
		zr_sysargs_drop();
		return;
	}
	cur = zr_current();
	tid = ZR_READ(targ_task_btf, cur, pid);
	bpf_map_delete_elem(&exec_pending, &tid);
	if (!zr_sysargs_exit(&args) || ret < -ZR_K_MAX_ERRNO || !zr_task_wanted(cur, targ_task_btf))
		return;
	r = exec_record(cur, ZR_REC_EXEC_FAIL, targ_task_btf);
	if (!r)
		return;
	filename = args.arg[is_at ? 1 : 0];
	argv = args.arg[is_at ? 2 : 1];
	r->error = -ret;
	r->old_pid = tid;
	zr_task_comm(r->old_comm, cur, targ_task_btf);
	if (bpf_probe_read_user_str(r->filename, sizeof(r->filename), (void *)filename) ==
	    sizeof(r->filename))
		r->hdr.flags |= ZR_F_PATH_TRUNC;
	read_user_argv(r, argv);
	submit_copy(r);
}

SEC("tracepoint/syscalls/sys_exit_execve")
int on_sys_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	exec_exit(ctx->ret, false);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int on_sys_exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
	exec_exit(ctx->ret, true);
	return 0;
}

/* The tgid at each of the first pid-namespace levels, and each namespace's inode (0 beyond the
 * task's level). Only level 0 is a direct load: before 6.5 struct pid declared numbers[1], and
 * older verifiers refuse a direct load past it. */
static __always_inline void exit_ns_numbers(struct zr_rec_exit *r, struct pid *p)
{
	unsigned int i;

#pragma unroll
	for (i = 0; i < ZR_NS_LEVELS; i++)
		r->ns_nr[i] = zr_pid_nr_at(p, i, &r->ns_inum[i], true);
}

/* A process whose group exit is claimed: where the tracepoint has no group_dead argument,
 * threads exiting at once can all see signal->live at 0, and only the first to claim the
 * process reports its group exit. Keyed by the process's identity, dropped when it is freed. */
struct group_key {
	__u32 tgid;
	__u32 pad;
	__u64 start;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct group_key);
	__type(value, __u8);
} group_exits SEC(".maps");

static __always_inline struct group_key group_key_of(struct task_struct *p)
{
	struct group_key k = { .tgid = p->tgid, .start = p->group_leader->start_boottime };

	return k;
}

/* Is p the last thread of its group? Newer kernels pass it to the tracepoint (group_dead; 6.1
 * and 6.12 do not); on the others do_exit has already counted p out of signal->live when the
 * tracepoint fires, so a live count of 0 says the same, for the first thread to claim it. */
static __always_inline bool exit_group_dead(unsigned long long *ctx, struct task_struct *p)
{
	struct group_key k;
	__u8 one = 1;

	if (targ_exit_group_dead)
		return (bool)ctx[1];
	if (p->signal->live.counter)
		return false;
	k = group_key_of(p);
	return !bpf_map_update_elem(&group_exits, &k, &one, BPF_NOEXIST);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_sched_process_exit, struct task_struct *p)
{
	bool group_dead = exit_group_dead(ctx, p);
	struct signal_struct *sig;
	struct zr_rec_exit *r;

	/* A leader leaving before its threads is kept: the process then shows as a zombie. */
	if (!group_dead && !targ_threads && p->pid != p->tgid)
		return 0;
	if (!zr_task_wanted(p, true))
		return 0;
	r = zr_reserve(sizeof(*r));
	if (!r)
		return 0;
	zr_fill_hdr(&r->hdr, p, ZR_REC_EXIT, sizeof(*r), true);
	if (group_dead)
		r->hdr.flags |= ZR_F_GROUP_DEAD;
	/* What wait() will report: wait_task_zombie() picks the group code after a group exit. */
	sig = p->signal;
	if (sig->flags & ZR_K_SIGNAL_GROUP_EXIT)
		r->exit_code = sig->group_exit_code;
	else
		r->exit_code = p->group_leader->exit_code;
	if (sig->oom_mm)
		r->hdr.flags |= ZR_F_OOM_VICTIM;
	r->pad = 0;
	exit_ns_numbers(r, sig->pids[PIDTYPE_TGID]);
	zr_submit(r);
	return 0;
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(on_sched_process_free, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	bool is_leader = tgid == (__u32)p->pid;
	struct zr_rec_free *r;

	if (is_leader && !targ_exit_group_dead) {
		struct group_key k = group_key_of(p);

		bpf_map_delete_elem(&group_exits, &k);
	}
	if (!is_leader && !targ_threads)
		return 0;
	if (!zr_pid_wanted(tgid))
		return 0;
	r = zr_reserve(sizeof(*r));
	if (r) {
		zr_fill_hdr(&r->hdr, p, ZR_REC_FREE, sizeof(*r), true);
		zr_submit(r);
	}
	/* A released leader leaves the --tree set; pid reuse must not inherit the filter. */
	if (is_leader && targ_filter_pid && targ_tree)
		bpf_map_delete_elem(&pid_filter, &tgid);
	return 0;
}
