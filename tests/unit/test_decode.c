/* test_decode.c - decode.c: every record kind field by field, size and kind checks, exec argv
 * counting, and the interpretation of wait results.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rec_build.h"
#include "decode.h"

#define CLD_EXITED_K	1
#define CLD_KILLED_K	2
#define CLD_DUMPED_K	3
#define CLD_TRAPPED_K	4
#define CLD_STOPPED_K	5
#define CLD_CONTINUED_K 6
#define P_PID_K		1

/* The last record handed to decode, copied to a heap buffer of exactly its size so the
 * sanitizers see any read past it; freed by the teardown (string pointers stay valid). */
static void *held;

static int teardown(void **state)
{
	(void)state;
	free(held);
	held = NULL;
	return 0;
}

static int dec(const void *rec, size_t size, struct zr_ev *ev)
{
	free(held);
	held = malloc(size ? size : 1);
	assert_non_null(held);
	memcpy(held, rec, size);
	return decode_record(held, size, ev);
}

#define DEC(rec, ev) dec(&(rec), sizeof(rec), (ev))

static void assert_hdr_subject(const struct zr_ev *ev)
{
	assert_int_equal(ev->ktime_ns, RB_TS);
	assert_int_equal(ev->pid, RB_PID);
	assert_int_equal(ev->tid, RB_TID);
	assert_int_equal(ev->ppid, RB_PPID);
	assert_int_equal(ev->uid, RB_UID);
	assert_int_equal(ev->gid, RB_GID);
	assert_int_equal(ev->start_ns, RB_START);
	assert_int_equal(ev->cgroup_id, RB_CGROUP);
	assert_string_equal(ev->comm, RB_COMM);
	assert_int_equal(ev->ns_level, 0);
	assert_int_equal(ev->ns_pid, 0);
	assert_int_equal(ev->ns_tid, 0);
	assert_int_equal(ev->pidns, 0);
	assert_false(ev->is_release);
}

/* ---- per kind ---- */

static void test_fork(void **state)
{
	struct zr_rec_fork r = rb_fork(0, RB_PPID, RB_PPID + 1, 123456, "bash");
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_FORK);
	assert_hdr_subject(&ev);
	assert_false(ev.is_thread);
	assert_false(ev.is_unmatched);
	assert_int_equal(ev.parent.pid, RB_PPID);
	assert_int_equal(ev.parent.start_ns, 123456);
	assert_string_equal(ev.parent.comm, "bash");
	assert_null(ev.parent.role);
}

static void test_fork_thread(void **state)
{
	struct zr_rec_fork r = rb_fork(ZR_F_THREAD, RB_PID, RB_PID, RB_START, RB_COMM);
	struct zr_ev ev;

	(void)state;
	r.hdr.tid = RB_PID + 5;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_FORK);
	assert_true(ev.is_thread);
	assert_int_equal(ev.pid, RB_PID);
	assert_int_equal(ev.tid, RB_PID + 5);
}

static void test_fork_full_comms(void **state)
{
	struct zr_rec_fork r = rb_fork(0, 1, 1, 0, "0123456789abcdefXYZ");
	struct zr_ev ev;

	(void)state;
	rb_str(r.hdr.comm, sizeof(r.hdr.comm), "ABCDEFGHIJKLMNOP");
	assert_int_equal(DEC(r, &ev), 0);
	assert_string_equal(ev.comm, "ABCDEFGHIJKLMNOP");
	assert_string_equal(ev.parent.comm, "0123456789abcdef");
}

static void test_pidns_fields(void **state)
{
	struct zr_rec_fork r = rb_fork(0, RB_PPID, RB_PPID, 1, "sh");
	struct zr_ev ev;

	(void)state;
	/* Level 0: the numbers (even if set) are not reported. */
	rb_ns(&r.hdr, 0, RB_NS_PID, RB_NS_TID, RB_PIDNS);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.ns_level, 0);
	assert_int_equal(ev.ns_pid, 0);
	assert_int_equal(ev.ns_tid, 0);
	assert_int_equal(ev.pidns, 0);

	rb_ns(&r.hdr, 2, RB_NS_PID, RB_NS_TID, RB_PIDNS);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.ns_level, 2);
	assert_int_equal(ev.ns_pid, RB_NS_PID);
	assert_int_equal(ev.ns_tid, RB_NS_TID);
	assert_int_equal(ev.pidns, RB_PIDNS);
	assert_int_equal(ev.pid, RB_PID);
}

static void test_exec(void **state)
{
	static const char args[] = "ls\0-l\0/tmp"; /* 11 bytes with the final NUL */
	struct zr_rec_exec r = rb_exec(ZR_F_THREAD, "/bin/ls", args, sizeof(args), 0);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_EXEC);
	assert_hdr_subject(&ev);
	assert_false(ev.is_thread); /* exec replaces the whole process */
	assert_int_equal(ev.u.exec.error, 0);
	assert_int_equal(ev.u.exec.old_pid, RB_TID);
	assert_string_equal(ev.u.exec.old_comm, "bash");
	assert_string_equal(ev.u.exec.filename, "/bin/ls");
	assert_false(ev.u.exec.argv_truncated);
	assert_int_equal(ev.u.exec.argc, 3);
	assert_memory_equal(ev.u.exec.args, args, sizeof(args));
}

static void test_exec_fail(void **state)
{
	struct zr_rec_exec r = rb_exec(0, "/nonexistent", "x", 2, ENOENT);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(r.hdr.kind, ZR_REC_EXEC_FAIL);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_EXEC);
	assert_int_equal(ev.u.exec.error, ENOENT);
	assert_string_equal(ev.u.exec.filename, "/nonexistent");
	assert_int_equal(ev.u.exec.argc, 1);
	assert_string_equal(ev.u.exec.args, "x");

	/* A successful exec never reports an error, whatever the field holds. */
	r = rb_exec(0, "/bin/true", NULL, 0, 0);
	r.error = 5;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.exec.error, 0);
	assert_int_equal(ev.u.exec.argc, 0);
	assert_string_equal(ev.u.exec.args, "");
}

static void test_exec_argv_trunc_flag(void **state)
{
	struct zr_rec_exec r = rb_exec(ZR_F_ARGV_TRUNC, "/bin/echo", "echo", 5, 0);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_true(ev.u.exec.argv_truncated);
	assert_int_equal(ev.u.exec.argc, 1);
}

static void test_exec_last_string_cut(void **state)
{
	/* "/tmp" cut after "/tm": 9 bytes, no final NUL. */
	struct zr_rec_exec r = rb_exec(0, "/bin/ls", "ls\0-l\0/tm", 9, 0);
	struct zr_ev ev;
	const char *a;

	(void)state;
	r.args[9] = 'Z'; /* garbage after args_len must not be read as part of it */
	r.args[10] = 'Z';
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.exec.argc, 3);
	a = ev.u.exec.args;
	assert_string_equal(a, "ls");
	a += strlen(a) + 1;
	assert_string_equal(a, "-l");
	a += strlen(a) + 1;
	assert_string_equal(a, "/tm");
}

static void test_exec_args_full_no_nul(void **state)
{
	char buf[ZR_ARGS_LEN];
	struct zr_rec_exec r;
	struct zr_ev ev;
	size_t n;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	r = rb_exec(0, "/bin/x", buf, ZR_ARGS_LEN, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.exec.argc, 1);
	n = strnlen(ev.u.exec.args, ZR_ARGS_LEN + 1);
	assert_true(n > 0 && n <= ZR_ARGS_LEN);
	assert_memory_equal(ev.u.exec.args, buf, n);
}

static void test_exec_args_len_clamped(void **state)
{
	char buf[ZR_ARGS_LEN];
	struct zr_rec_exec r;
	struct zr_ev ev;
	size_t n;
	unsigned i;

	(void)state;
	/* 256 strings "a" fill the buffer exactly; args_len claims more. */
	for (i = 0; i < ZR_ARGS_LEN; i += 2) {
		buf[i] = 'a';
		buf[i + 1] = '\0';
	}
	r = rb_exec(0, "/bin/a", buf, ZR_ARGS_LEN, 0);
	r.args_len = 1000;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.exec.argc, ZR_ARGS_LEN / 2);
	assert_memory_equal(ev.u.exec.args, buf, ZR_ARGS_LEN);

	/* Same with no NUL at all: one string, terminated inside the bound. */
	memset(buf, 'y', sizeof(buf));
	r = rb_exec(0, "/bin/y", buf, ZR_ARGS_LEN, 0);
	r.args_len = 0xffff;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.exec.argc, 1);
	n = strnlen(ev.u.exec.args, ZR_ARGS_LEN + 1);
	assert_true(n > 0 && n <= ZR_ARGS_LEN);
	assert_memory_equal(ev.u.exec.args, buf, n);
}

static void test_exec_filename_unterminated(void **state)
{
	struct zr_rec_exec r = rb_exec(0, "/bin/ls", "ls", 3, 0);
	struct zr_ev ev;

	(void)state;
	memset(r.filename, 'f', sizeof(r.filename));
	assert_int_equal(DEC(r, &ev), -EINVAL);
}

static void test_exit(void **state)
{
	struct zr_rec_exit r = rb_exit(ZR_F_GROUP_DEAD, 3 << 8);
	struct zr_ev ev;

	(void)state;
	r.ns_nr[0] = RB_PID;
	r.ns_nr[1] = 42;
	r.ns_nr[2] = 7;
	r.ns_nr[3] = 1;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_EXIT);
	assert_hdr_subject(&ev);
	assert_false(ev.is_thread);
	assert_true(ev.u.exit.group_dead);
	assert_true(ev.u.exit.st.is_known);
	assert_false(ev.u.exit.st.is_signaled);
	assert_int_equal(ev.u.exit.st.exit_code, 3);
	assert_false(ev.u.exit.st.core_dumped);
	assert_false(ev.u.exit.st.oom_killed);
	assert_int_equal(ev.u.exit.lifetime_ns, RB_TS - RB_START);
	assert_int_equal(ev.u.exit.ns_nr[0], RB_PID);
	assert_int_equal(ev.u.exit.ns_nr[1], 42);
	assert_int_equal(ev.u.exit.ns_nr[2], 7);
	assert_int_equal(ev.u.exit.ns_nr[3], 1);
}

static void test_exit_thread(void **state)
{
	struct zr_rec_exit r = rb_exit(ZR_F_THREAD, 0);
	struct zr_ev ev;

	(void)state;
	r.hdr.tid = RB_PID + 1;
	assert_int_equal(DEC(r, &ev), 0);
	assert_true(ev.is_thread);
	assert_false(ev.u.exit.group_dead);
	assert_int_equal(ev.tid, RB_PID + 1);

	/* Thread-ness of an exit comes from GROUP_DEAD, not from the THREAD flag. */
	r = rb_exit(0, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_true(ev.is_thread);
	r = rb_exit(ZR_F_THREAD | ZR_F_GROUP_DEAD, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_false(ev.is_thread);
	assert_true(ev.u.exit.group_dead);
}

static void test_exit_signals(void **state)
{
	struct zr_rec_exit r = rb_exit(ZR_F_GROUP_DEAD, 11 | 0x80);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_true(ev.u.exit.st.is_known);
	assert_true(ev.u.exit.st.is_signaled);
	assert_int_equal(ev.u.exit.st.signal, 11);
	assert_true(ev.u.exit.st.core_dumped);
	assert_false(ev.u.exit.st.oom_killed);

	r = rb_exit(ZR_F_GROUP_DEAD, 15);
	assert_int_equal(DEC(r, &ev), 0);
	assert_true(ev.u.exit.st.is_signaled);
	assert_int_equal(ev.u.exit.st.signal, 15);
	assert_false(ev.u.exit.st.core_dumped);
}

static void test_exit_oom(void **state)
{
	struct zr_rec_exit r;
	struct zr_ev ev;

	(void)state;
	r = rb_exit(ZR_F_GROUP_DEAD | ZR_F_OOM_VICTIM, 9);
	assert_int_equal(DEC(r, &ev), 0);
	assert_true(ev.u.exit.st.oom_killed);
	assert_int_equal(ev.u.exit.st.signal, 9);

	r = rb_exit(ZR_F_GROUP_DEAD, 9); /* SIGKILL, not the OOM killer */
	assert_int_equal(DEC(r, &ev), 0);
	assert_false(ev.u.exit.st.oom_killed);

	r = rb_exit(ZR_F_GROUP_DEAD | ZR_F_OOM_VICTIM, 15); /* chosen, but died of SIGTERM */
	assert_int_equal(DEC(r, &ev), 0);
	assert_false(ev.u.exit.st.oom_killed);

	r = rb_exit(ZR_F_GROUP_DEAD | ZR_F_OOM_VICTIM, 9 << 8); /* exit(9), not SIGKILL */
	assert_int_equal(DEC(r, &ev), 0);
	assert_false(ev.u.exit.st.oom_killed);
	assert_int_equal(ev.u.exit.st.exit_code, 9);
}

static void test_exit_lifetime_clamped(void **state)
{
	struct zr_rec_exit r = rb_exit(ZR_F_GROUP_DEAD, 0);
	struct zr_ev ev;

	(void)state;
	r.hdr.start_boottime = RB_TS + 1; /* clocks disagree: never a huge unsigned lifetime */
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.exit.lifetime_ns, 0);
}

static void test_free_record(void **state)
{
	struct zr_rec_free r = rb_free(0);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_REAP);
	assert_true(ev.is_release);
	assert_false(ev.is_thread);
	assert_int_equal(ev.pid, RB_PID);
	assert_int_equal(ev.start_ns, RB_START);
	assert_int_equal(ev.ktime_ns, RB_TS);

	r = rb_free(ZR_F_THREAD);
	r.hdr.tid = RB_PID + 3;
	assert_int_equal(DEC(r, &ev), 0);
	assert_true(ev.is_release);
	assert_true(ev.is_thread);
	assert_int_equal(ev.tid, RB_PID + 3);
}

static void test_signal(void **state)
{
	struct zr_rec_signal r = rb_signal(ZR_F_THREAD, 15, 0, 0, 900, 901, 777, "kill");
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_SIGNAL);
	assert_hdr_subject(&ev);
	assert_false(ev.is_thread);
	assert_int_equal(ev.u.signal.sig, 15);
	assert_int_equal(ev.u.signal.code, 0);
	assert_int_equal(ev.u.signal.result, 0);
	assert_int_equal(ev.u.signal.sender.pid, 900);
	assert_int_equal(ev.u.signal.sender.start_ns, 777);
	assert_string_equal(ev.u.signal.sender.comm, "kill");
	assert_null(ev.u.signal.sender.role);

	r = rb_signal(ZR_F_SENDER_KERNEL, 11, 1, 2, 0, 0, 0, "");
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.signal.sig, 11);
	assert_int_equal(ev.u.signal.code, 1);
	assert_int_equal(ev.u.signal.result, 2);
	assert_int_equal(ev.u.signal.sender.pid, 0);
	assert_string_equal(ev.u.signal.sender.comm, "");
}

static void test_subreaper(void **state)
{
	struct zr_rec_subreaper r = rb_subreaper(ZR_F_SUBREAPER_NOW, 0, 1);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_SUBREAPER);
	assert_hdr_subject(&ev);
	assert_true(ev.u.subreaper.is_set);
	assert_true(ev.u.subreaper.is_now);
	assert_int_equal(ev.u.subreaper.error, 0);

	r = rb_subreaper(0, -EINVAL, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_false(ev.u.subreaper.is_set);
	assert_false(ev.u.subreaper.is_now);
	assert_int_equal(ev.u.subreaper.error, EINVAL);
}

/* ---- sizes and kinds ---- */

static void test_short_records(void **state)
{
	struct zr_rec_fork f = rb_fork(0, 1, 1, 0, "x");
	struct zr_rec_exec x = rb_exec(0, "/x", "x", 2, 0);
	struct zr_rec_exit e = rb_exit(ZR_F_GROUP_DEAD, 0);
	struct zr_rec_wait w = rb_wait4(0, 0, -1, 0, 0);
	struct zr_rec_free fr = rb_free(0);
	struct zr_rec_signal s = rb_signal(0, 9, 0, 0, 1, 1, 0, "x");
	struct zr_rec_subreaper sr = rb_subreaper(0, 0, 1);
	struct zr_ev ev;

	(void)state;
	/* Less than a header. */
	assert_int_equal(dec(&f, 0, &ev), -EINVAL);
	assert_int_equal(dec(&f, 1, &ev), -EINVAL);
	assert_int_equal(dec(&f, sizeof(struct zr_event_hdr) - 1, &ev), -EINVAL);
	/* hdr.size says more than the buffer holds. */
	assert_int_equal(dec(&f, sizeof(f) - 1, &ev), -EINVAL);
	fr.hdr.size = sizeof(fr) + 1;
	assert_int_equal(DEC(fr, &ev), -EINVAL);
	/* hdr.size (and the buffer) shorter than the kind needs. */
	f.hdr.size = sizeof(f) - 1;
	assert_int_equal(dec(&f, sizeof(f) - 1, &ev), -EINVAL);
	x.hdr.size = sizeof(x) - 1;
	assert_int_equal(dec(&x, sizeof(x) - 1, &ev), -EINVAL);
	x.hdr.kind = ZR_REC_EXEC_FAIL;
	assert_int_equal(dec(&x, sizeof(x) - 1, &ev), -EINVAL);
	e.hdr.size = sizeof(e) - 4;
	assert_int_equal(dec(&e, sizeof(e) - 4, &ev), -EINVAL);
	w.hdr.size = sizeof(struct zr_event_hdr);
	assert_int_equal(dec(&w, sizeof(struct zr_event_hdr), &ev), -EINVAL);
	s.hdr.size = sizeof(s) - 8;
	assert_int_equal(dec(&s, sizeof(s) - 8, &ev), -EINVAL);
	sr.hdr.size = sizeof(sr) - 8;
	assert_int_equal(dec(&sr, sizeof(sr) - 8, &ev), -EINVAL);
	/* hdr.size short although the buffer is long enough. */
	e = rb_exit(ZR_F_GROUP_DEAD, 0);
	e.hdr.size = sizeof(struct zr_event_hdr);
	assert_int_equal(DEC(e, &ev), -EINVAL);
}

static void test_unknown_kinds(void **state)
{
	struct zr_rec_free r = rb_free(0);
	struct zr_ev ev;
	static const unsigned kinds[] = { 0, 9, 10, 100, 0xffff };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		r.hdr.kind = (__u16)kinds[i];
		assert_int_equal(DEC(r, &ev), -ENOENT);
	}
}

static void test_larger_record_accepted(void **state)
{
	struct {
		struct zr_rec_exit r;
		unsigned char future[40];
	} big;
	struct {
		struct zr_rec_wait r;
		unsigned char future[8];
	} bigw;
	struct zr_ev ev;

	(void)state;
	memset(&big, 0xa5, sizeof(big));
	big.r = rb_exit(ZR_F_GROUP_DEAD, 4 << 8);
	big.r.hdr.size = sizeof(big);
	assert_int_equal(DEC(big, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_EXIT);
	assert_int_equal(ev.u.exit.st.exit_code, 4);
	assert_int_equal(ev.pid, RB_PID);

	/* A buffer longer than hdr.size (ring padding) is fine too. */
	memset(&bigw, 0, sizeof(bigw));
	bigw.r = rb_wait4(ZR_F_STATUS_KNOWN, 55, -1, 0, 0);
	assert_int_equal(DEC(bigw, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_WAIT);
	assert_int_equal(ev.u.wait.reaped_pid, 55);
}

/* ---- wait results ---- */

static void test_wait4_reaped_exit(void **state)
{
	struct zr_rec_wait r =
	    rb_wait4(ZR_F_STATUS_KNOWN | ZR_F_SUBJECT_WANTED, 555, -1, 0, 3 << 8);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_WAIT);
	assert_hdr_subject(&ev);
	assert_false(ev.is_thread);
	assert_false(ev.is_unmatched);
	assert_int_equal(ev.u.wait.syscall, ZR_SYS_WAIT4);
	assert_int_equal(ev.u.wait.target, -1);
	assert_int_equal(ev.u.wait.options, 0);
	assert_false(ev.u.wait.reports_stops);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_REAPED);
	assert_int_equal(ev.u.wait.reaped_pid, 555);
	assert_int_equal(ev.u.wait.error, 0);
	assert_true(ev.u.wait.st.is_known);
	assert_false(ev.u.wait.st.is_signaled);
	assert_int_equal(ev.u.wait.st.exit_code, 3);
}

/* WUNTRACED or WCONTINUED decoded to a flag: the lifecycle reads no raw option bits. */
static void test_wait_reports_stops(void **state)
{
	static const struct {
		__s32 options;
		bool want;
	} t[] = {
		{ 0, false }, { 1, false }, { 2, true }, { 8, true }, { 4, false }, { 0xb, true }
	};
	struct zr_rec_wait r;
	struct zr_ev ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r = rb_wait4(ZR_F_STATUS_KNOWN, 556, -1, t[i].options, 0);
		assert_int_equal(DEC(r, &ev), 0);
		assert_int_equal(ev.u.wait.reports_stops, t[i].want);
		assert_int_equal(ev.u.wait.options, t[i].options); /* raw bits kept for printing */
	}
}

static void test_wait4_reaped_signal(void **state)
{
	struct zr_rec_wait r = rb_wait4(ZR_F_STATUS_KNOWN, 556, 556, 1, 9);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_REAPED);
	assert_int_equal(ev.u.wait.target, 556);
	assert_int_equal(ev.u.wait.options, 1);
	assert_int_equal(ev.u.wait.reaped_pid, 556);
	assert_true(ev.u.wait.st.is_known);
	assert_true(ev.u.wait.st.is_signaled);
	assert_int_equal(ev.u.wait.st.signal, 9);
	assert_false(ev.u.wait.st.core_dumped);
	assert_false(ev.u.wait.st.oom_killed);

	r = rb_wait4(ZR_F_STATUS_KNOWN, 557, -1, 0, 6 | 0x80);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_REAPED);
	assert_true(ev.u.wait.st.is_signaled);
	assert_int_equal(ev.u.wait.st.signal, 6);
	assert_true(ev.u.wait.st.core_dumped);
}

static void test_wait4_stopped_continued(void **state)
{
	struct zr_rec_wait r = rb_wait4(ZR_F_STATUS_KNOWN, 558, -1, RB_WUNTRACE, 0x137f);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_STOPPED);
	assert_int_equal(ev.u.wait.reaped_pid, 558);
	assert_false(ev.u.wait.st.is_known);

	r = rb_wait4(ZR_F_STATUS_KNOWN, 558, -1, 8, 0xffff);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_CONTINUED);
	assert_int_equal(ev.u.wait.reaped_pid, 558);
	assert_false(ev.u.wait.st.is_known);
}

static void test_wait4_no_status(void **state)
{
	struct zr_rec_wait r = rb_wait4(0, 560, -1, 0, 0x137f);
	struct zr_ev ev;

	(void)state;
	/* Status not read: reaped (the lifecycle settles it), status unknown. */
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_REAPED);
	assert_int_equal(ev.u.wait.reaped_pid, 560);
	assert_false(ev.u.wait.st.is_known);
}

static void test_wait_args_unknown(void **state)
{
	struct zr_rec_wait r = rb_wait4(ZR_F_ARGS_UNKNOWN, 561, 0, 0, 0);
	struct zr_ev ev;

	(void)state;
	/* Begun before the trace (kernels before 5.15): the pid it returned is all there is. */
	assert_int_equal(DEC(r, &ev), 0);
	assert_true(ev.u.wait.args_unknown);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_REAPED);
	assert_int_equal(ev.u.wait.reaped_pid, 561);
	assert_false(ev.u.wait.st.is_known);
	r = rb_wait4(ZR_F_STATUS_KNOWN, 561, -1, 0, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_false(ev.u.wait.args_unknown);
}

static void test_wait4_would_block_and_errors(void **state)
{
	struct zr_rec_wait r = rb_wait4(ZR_F_STATUS_KNOWN, 0, -1, 1, 0);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_WOULD_BLOCK);
	assert_int_equal(ev.u.wait.reaped_pid, 0);
	assert_int_equal(ev.u.wait.error, 0);
	assert_false(ev.u.wait.st.is_known);

	r = rb_wait4(0, -RB_ECHILD, -1, 0, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_NO_CHILD);
	assert_int_equal(ev.u.wait.error, ECHILD);
	assert_int_equal(ev.u.wait.reaped_pid, 0);

	r = rb_wait4(0, -EINTR, -1, 0, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_ERROR);
	assert_int_equal(ev.u.wait.error, EINTR);
	assert_int_equal(ev.u.wait.reaped_pid, 0);

	r = rb_wait4(ZR_F_STATUS_KNOWN, -EFAULT, 12, 0, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_ERROR);
	assert_int_equal(ev.u.wait.error, EFAULT);
	assert_int_equal(ev.u.wait.target, 12);
}

static void test_waitid_exited(void **state)
{
	struct zr_rec_wait r =
	    rb_waitid(ZR_F_STATUS_KNOWN, 0, P_PID_K, 600, 4, 600, CLD_EXITED_K, 3);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.kind, ZR_EV_WAIT);
	assert_int_equal(ev.u.wait.syscall, ZR_SYS_WAITID);
	assert_int_equal(ev.u.wait.target, 600);
	assert_int_equal(ev.u.wait.options, 4);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_REAPED);
	assert_int_equal(ev.u.wait.reaped_pid, 600);
	assert_true(ev.u.wait.st.is_known);
	assert_false(ev.u.wait.st.is_signaled);
	assert_int_equal(ev.u.wait.st.exit_code, 3);
	assert_false(ev.u.wait.st.core_dumped);

	r = rb_waitid(ZR_F_STATUS_KNOWN, 0, P_PID_K, 600, 4, 600, CLD_EXITED_K, 255);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.st.exit_code, 255);
}

static void test_waitid_killed_dumped(void **state)
{
	struct zr_rec_wait r = rb_waitid(ZR_F_STATUS_KNOWN, 0, 0, -1, 4, 601, CLD_KILLED_K, 9);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_REAPED);
	assert_int_equal(ev.u.wait.reaped_pid, 601);
	assert_true(ev.u.wait.st.is_known);
	assert_true(ev.u.wait.st.is_signaled);
	assert_int_equal(ev.u.wait.st.signal, 9);
	assert_false(ev.u.wait.st.core_dumped);

	r = rb_waitid(ZR_F_STATUS_KNOWN, 0, 0, -1, 4, 602, CLD_DUMPED_K, 11);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_REAPED);
	assert_int_equal(ev.u.wait.reaped_pid, 602);
	assert_true(ev.u.wait.st.is_signaled);
	assert_int_equal(ev.u.wait.st.signal, 11);
	assert_true(ev.u.wait.st.core_dumped);
}

static void test_waitid_wnowait_peeks(void **state)
{
	static const int codes[] = { CLD_EXITED_K, CLD_KILLED_K, CLD_DUMPED_K };
	struct zr_rec_wait r;
	struct zr_ev ev;
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		r = rb_waitid(ZR_F_STATUS_KNOWN, 0, 0, -1, RB_WNOWAIT | 4, 603, codes[i], 1);
		assert_int_equal(DEC(r, &ev), 0);
		assert_int_equal(ev.u.wait.result, ZR_WAIT_PEEKED);
		assert_int_equal(ev.u.wait.reaped_pid, 603);
		assert_true(ev.u.wait.st.is_known);
		assert_int_equal(ev.u.wait.options, RB_WNOWAIT | 4);
	}
}

static void test_waitid_stopped_continued(void **state)
{
	struct zr_rec_wait r = rb_waitid(ZR_F_STATUS_KNOWN, 0, 0, -1, 2, 604, CLD_STOPPED_K, 19);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_STOPPED);
	assert_int_equal(ev.u.wait.reaped_pid, 604);
	assert_false(ev.u.wait.st.is_known);

	r = rb_waitid(ZR_F_STATUS_KNOWN, 0, 0, -1, 2, 604, CLD_TRAPPED_K, 5);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_STOPPED);
	assert_false(ev.u.wait.st.is_known);

	r = rb_waitid(ZR_F_STATUS_KNOWN, 0, 0, -1, 8, 604, CLD_CONTINUED_K, 18);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_CONTINUED);
	assert_int_equal(ev.u.wait.reaped_pid, 604);
	assert_false(ev.u.wait.st.is_known);
}

static void test_waitid_would_block_and_errors(void **state)
{
	struct zr_rec_wait r = rb_waitid(ZR_F_STATUS_KNOWN, 0, 0, -1, 5, 0, 0, 0);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_WOULD_BLOCK);
	assert_int_equal(ev.u.wait.reaped_pid, 0);

	r = rb_waitid(0, -RB_ECHILD, 0, -1, 4, 0, 0, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_NO_CHILD);
	assert_int_equal(ev.u.wait.error, ECHILD);

	r = rb_waitid(0, -EINVAL, 0, -1, 0, 0, 0, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_int_equal(ev.u.wait.result, ZR_WAIT_ERROR);
	assert_int_equal(ev.u.wait.error, EINVAL);
	assert_int_equal(ev.u.wait.syscall, ZR_SYS_WAITID);
}

static void test_wait_is_unmatched(void **state)
{
	struct zr_rec_wait r = rb_wait4(ZR_F_STATUS_KNOWN, 0, -1, 1, 0);
	struct zr_ev ev;

	(void)state;
	assert_int_equal(DEC(r, &ev), 0);
	assert_true(ev.is_unmatched);

	r = rb_wait4(ZR_F_STATUS_KNOWN | ZR_F_SUBJECT_WANTED, 0, -1, 1, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_false(ev.is_unmatched);

	r = rb_waitid(ZR_F_SUBJECT_WANTED, 0, 0, -1, 4, 700, CLD_EXITED_K, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_false(ev.is_unmatched);

	/* The wait's THREAD flag does not make it a thread event. */
	r = rb_wait4(ZR_F_THREAD, 0, -1, 1, 0);
	assert_int_equal(DEC(r, &ev), 0);
	assert_false(ev.is_thread);
}

static void test_decode_resets_event(void **state)
{
	struct zr_rec_exit e = rb_exit(ZR_F_GROUP_DEAD, 1 << 8);
	struct zr_rec_free f = rb_free(0);
	struct zr_ev ev;

	(void)state;
	memset(&ev, 0xff, sizeof(ev));
	assert_int_equal(DEC(e, &ev), 0);
	assert_int_equal(DEC(f, &ev), 0);
	assert_false(ev.is_unmatched);
	assert_false(ev.is_thread);
	assert_int_equal(ev.parent.pid, 0);
	assert_int_equal(ev.u.reap.zombie_ns, 0);
	assert_null(ev.u.reap.reaper.role);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fork),
		T(test_fork_thread),
		T(test_fork_full_comms),
		T(test_pidns_fields),
		T(test_exec),
		T(test_exec_fail),
		T(test_exec_argv_trunc_flag),
		T(test_exec_last_string_cut),
		T(test_exec_args_full_no_nul),
		T(test_exec_args_len_clamped),
		T(test_exec_filename_unterminated),
		T(test_exit),
		T(test_exit_thread),
		T(test_exit_signals),
		T(test_exit_oom),
		T(test_exit_lifetime_clamped),
		T(test_free_record),
		T(test_signal),
		T(test_subreaper),
		T(test_short_records),
		T(test_unknown_kinds),
		T(test_larger_record_accepted),
		T(test_wait4_reaped_exit),
		T(test_wait4_reaped_signal),
		T(test_wait_reports_stops),
		T(test_wait4_stopped_continued),
		T(test_wait4_no_status),
		T(test_wait_args_unknown),
		T(test_wait4_would_block_and_errors),
		T(test_waitid_exited),
		T(test_waitid_killed_dumped),
		T(test_waitid_wnowait_peeks),
		T(test_waitid_stopped_continued),
		T(test_waitid_would_block_and_errors),
		T(test_wait_is_unmatched),
		T(test_decode_resets_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
