/* rec_build.h - builders of raw ring-buffer records (bpf/zr_event.h) for unit tests: one fixed
 * subject in the header, then per-kind payloads, so a test states only the fields it checks.
 * Each builder returns the record by value with hdr.size set to the size this build knows.
 */
#ifndef ZR_TEST_REC_BUILD_H
#define ZR_TEST_REC_BUILD_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zr_event.h"

#define RB_TS	    6000000000ULL /* hdr.ts: 6 s after boot */
#define RB_START    5000000000ULL /* hdr.start_boottime */
#define RB_CGROUP   77
#define RB_PID	    4242
#define RB_TID	    4242
#define RB_PPID	    100
#define RB_UID	    1000
#define RB_GID	    1001
#define RB_NS_PID   7
#define RB_NS_TID   8
#define RB_PIDNS    4026531999u
#define RB_COMM	    "sleep"
#define RB_ECHILD   10
#define RB_WNOWAIT  0x01000000
#define RB_WUNTRACE 0x00000002

/* Copies src into a fixed char array of cap bytes, zero-filled; no NUL when src fills it. */
static inline void rb_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	memset(dst, 0, cap);
	memcpy(dst, src, n < cap ? n : cap);
}

/* The header every builder starts from: "sleep" 4242, child of 100, initial pid namespace. */
static inline void rb_hdr(struct zr_event_hdr *h, enum zr_rec_kind kind, size_t size, __u32 flags)
{
	memset(h, 0, sizeof(*h));
	h->kind = (__u16)kind;
	h->size = (__u16)size;
	h->flags = flags;
	h->ts = RB_TS;
	h->start_boottime = RB_START;
	h->cgroup_id = RB_CGROUP;
	h->pid = RB_PID;
	h->tid = RB_TID;
	h->ppid = RB_PPID;
	h->uid = RB_UID;
	h->gid = RB_GID;
	rb_str(h->comm, sizeof(h->comm), RB_COMM);
}

/* Changes the subject's identity (pid, tid, real parent, start). */
static inline void rb_subject(struct zr_event_hdr *h, __u32 pid, __u32 tid, __u32 ppid, __u64 start,
			      const char *comm)
{
	h->pid = pid;
	h->tid = tid;
	h->ppid = ppid;
	h->start_boottime = start;
	rb_str(h->comm, sizeof(h->comm), comm);
}

/* Puts the subject in a pid namespace at depth level. */
static inline void rb_ns(struct zr_event_hdr *h, __u8 level, __u32 ns_pid, __u32 ns_tid,
			 __u32 pidns)
{
	h->ns_level = level;
	h->ns_pid = ns_pid;
	h->ns_tid = ns_tid;
	h->pidns = pidns;
}

static inline struct zr_rec_fork rb_fork(__u32 flags, __u32 parent_pid, __u32 parent_tid,
					 __u64 parent_start, const char *parent_comm)
{
	struct zr_rec_fork r;

	memset(&r, 0, sizeof(r));
	rb_hdr(&r.hdr, ZR_REC_FORK, sizeof(r), flags);
	r.parent_pid = parent_pid;
	r.parent_tid = parent_tid;
	r.parent_start = parent_start;
	rb_str(r.parent_comm, sizeof(r.parent_comm), parent_comm);
	return r;
}

/* args: args_len bytes of NUL-separated strings (copied as given, at most ZR_ARGS_LEN);
 * error != 0 makes a ZR_REC_EXEC_FAIL record. */
static inline struct zr_rec_exec rb_exec(__u32 flags, const char *filename, const char *args,
					 __u16 args_len, __s32 error)
{
	struct zr_rec_exec r;
	size_t n = args_len < ZR_ARGS_LEN ? args_len : ZR_ARGS_LEN;

	memset(&r, 0, sizeof(r));
	rb_hdr(&r.hdr, error ? ZR_REC_EXEC_FAIL : ZR_REC_EXEC, sizeof(r), flags);
	r.error = error;
	r.old_pid = RB_TID;
	rb_str(r.old_comm, sizeof(r.old_comm), "bash");
	rb_str(r.filename, sizeof(r.filename), filename);
	if (args && n)
		memcpy(r.args, args, n);
	r.args_len = args_len;
	return r;
}

static inline struct zr_rec_exit rb_exit(__u32 flags, __s32 exit_code)
{
	struct zr_rec_exit r;

	memset(&r, 0, sizeof(r));
	rb_hdr(&r.hdr, ZR_REC_EXIT, sizeof(r), flags);
	r.exit_code = exit_code;
	r.ns_nr[0] = RB_PID;
	return r;
}

static inline struct zr_rec_wait rb_wait4(__u32 flags, __s64 ret, __s32 target, __s32 options,
					  __s32 status)
{
	struct zr_rec_wait r;

	memset(&r, 0, sizeof(r));
	rb_hdr(&r.hdr, ZR_REC_WAIT, sizeof(r), flags);
	r.ret = ret;
	r.syscall = ZR_WAIT4;
	r.target = target;
	r.options = options;
	r.status = status;
	return r;
}

/* waitid(idtype, target, ...) that returned ret and wrote si_pid/si_code/si_status. */
static inline struct zr_rec_wait rb_waitid(__u32 flags, __s64 ret, __u32 idtype, __s32 target,
					   __s32 options, __s32 si_pid, __s32 si_code,
					   __s32 si_status)
{
	struct zr_rec_wait r;

	memset(&r, 0, sizeof(r));
	rb_hdr(&r.hdr, ZR_REC_WAIT, sizeof(r), flags);
	r.ret = ret;
	r.syscall = ZR_WAITID;
	r.idtype = idtype;
	r.target = target;
	r.options = options;
	r.si_pid = si_pid;
	r.si_code = si_code;
	r.status = si_status;
	return r;
}

static inline struct zr_rec_free rb_free(__u32 flags)
{
	struct zr_rec_free r;

	memset(&r, 0, sizeof(r));
	rb_hdr(&r.hdr, ZR_REC_FREE, sizeof(r), flags);
	return r;
}

static inline struct zr_rec_signal rb_signal(__u32 flags, __s32 sig, __s32 code, __s32 result,
					     __u32 sender_pid, __u32 sender_tid, __u64 sender_start,
					     const char *sender_comm)
{
	struct zr_rec_signal r;

	memset(&r, 0, sizeof(r));
	rb_hdr(&r.hdr, ZR_REC_SIGNAL, sizeof(r), flags);
	r.sig = sig;
	r.code = code;
	r.result = result;
	r.sender_pid = sender_pid;
	r.sender_tid = sender_tid;
	r.sender_start = sender_start;
	rb_str(r.sender_comm, sizeof(r.sender_comm), sender_comm);
	return r;
}

static inline struct zr_rec_subreaper rb_subreaper(__u32 flags, __s64 ret, __u64 value)
{
	struct zr_rec_subreaper r;

	memset(&r, 0, sizeof(r));
	rb_hdr(&r.hdr, ZR_REC_SUBREAPER, sizeof(r), flags);
	r.ret = ret;
	r.value = value;
	return r;
}

#endif /* ZR_TEST_REC_BUILD_H */
