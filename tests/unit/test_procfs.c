/* test_procfs.c - procfs.c on a fake /proc: stat with hostile comms, state letters, missing and
 * truncated files, exit_code; status masks, ids, threads and NSpid; the pid walk;
 * tick conversion; and a sanity read of the real /proc/self.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "procfs.h"

static void test_stat_fields(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st;

	assert_int_equal(fp_stat(fp, 1234, "sleep", 'S', 77, 4, 123456, 0), 0);
	memset(&st, 0xa5, sizeof(st));
	assert_int_equal(procfs_read_stat(fp->root, 1234, &st), 0);
	assert_int_equal(st.pid, 1234);
	assert_string_equal(st.comm, "sleep");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 77);
	assert_int_equal(st.pgrp, 1234);
	assert_int_equal(st.session, 77);
	assert_int_equal(st.threads, 4);
	assert_int_equal(st.start_ticks, 123456);
	/* fields 39 and 52 are a zombie's: a live process's scan stops at 22 */
	assert_int_equal(st.cpu, -1);
	assert_int_equal(st.exit_code, -1);
}

static void test_stat_comm_with_spaces_and_parens(void **state)
{
	struct fake_proc *fp = *state;
	static const char *const comms[] = {
		"a b c", "x) S 9 9 9", "((", "))", ") (", "a)b(c) d", "(sd-pam)", " ", "",
	};
	struct procfs_stat st;
	size_t i;

	for (i = 0; i < sizeof(comms) / sizeof(comms[0]); i++) {
		assert_int_equal(fp_stat(fp, 500, comms[i], 'R', 321, 2, 999, 0), 0);
		assert_int_equal(procfs_read_stat(fp->root, 500, &st), 0);
		assert_string_equal(st.comm, comms[i]);
		assert_int_equal(st.state, 'R');
		assert_int_equal(st.ppid, 321);
		assert_int_equal(st.threads, 2);
		assert_int_equal(st.start_ticks, 999);
	}
}

static void test_stat_comm_control_bytes(void **state)
{
	struct fake_proc *fp = *state;
	const char comm[] = "\x1b[31m\n\t\x7f\xff)";
	struct procfs_stat st;

	assert_int_equal(fp_stat(fp, 501, comm, 'S', 1, 1, 5, 0), 0);
	assert_int_equal(procfs_read_stat(fp->root, 501, &st), 0);
	assert_memory_equal(st.comm, comm, sizeof(comm)); /* raw, NUL included */
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.start_ticks, 5);
}

static void test_stat_comm_long_truncated(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st;

	/* Kernel threads may show names longer than TASK_COMM_LEN. */
	assert_int_equal(fp_stat(fp, 2, "kworker/u8:2-events_unbound", 'I', 2, 1, 3, 0), 0);
	assert_int_equal(procfs_read_stat(fp->root, 2, &st), 0);
	assert_int_equal(strlen(st.comm), ZR_COMM_BUF - 1);
	assert_string_equal(st.comm, "kworker/u8:2-eve");
	assert_int_equal(st.state, 'I');
	assert_int_equal(st.ppid, 2);

	assert_int_equal(fp_stat(fp, 3, "fifteen-chars-x", 'S', 1, 1, 3, 0), 0);
	assert_int_equal(procfs_read_stat(fp->root, 3, &st), 0);
	assert_string_equal(st.comm, "fifteen-chars-x");
}

static void test_stat_state_letters(void **state)
{
	struct fake_proc *fp = *state;
	const char *letters = "RSDTtZXIPWKx";
	struct procfs_stat st;
	const char *l;

	for (l = letters; *l; l++) {
		assert_int_equal(fp_stat(fp, 600, "p", *l, 1, 1, 1, 0), 0);
		assert_int_equal(procfs_read_stat(fp->root, 600, &st), 0);
		assert_int_equal(st.state, *l);
	}
}

static void test_stat_missing(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st;
	char root[128];

	assert_int_equal(procfs_read_stat(fp->root, 4242, &st), -ENOENT);
	/* the directory without its stat */
	assert_int_equal(fp_status(fp, 4243, 0, 0, 1, 0, 0, 0, "4243"), 0);
	assert_int_equal(procfs_read_stat(fp->root, 4243, &st), -ENOENT);
	snprintf(root, sizeof(root), "%s/nonexistent", fp->root);
	assert_int_equal(procfs_read_stat(root, 1, &st), -ENOENT);
}

static void test_stat_truncated(void **state)
{
	struct fake_proc *fp = *state;
	static const char *const bad[] = {
		"",
		"700",
		"700 (foo",
		"700 (foo)",
		"700 (foo)\n",
		"700 foo) S 1",
		"700 (foo) S 1 700 1",
	};
	struct procfs_stat st;
	char buf[1024];
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fp_write_pid(fp, 700, "stat", bad[i], strlen(bad[i])), 0);
		assert_int_equal(procfs_read_stat(fp->root, 700, &st), -EINVAL);
	}
	/* 21 fields: no starttime */
	n = fp_stat_line(buf, sizeof(buf), 21, 700, "foo", 'S', 1, 3, 44, 0);
	assert_int_equal(fp_write_pid(fp, 700, "stat", buf, n), 0);
	assert_int_equal(procfs_read_stat(fp->root, 700, &st), -EINVAL);
	/* up to starttime: enough (old kernels stop before exit_code) */
	n = fp_stat_line(buf, sizeof(buf), 22, 700, "foo", 'S', 1, 3, 44, 0);
	assert_int_equal(fp_write_pid(fp, 700, "stat", buf, n), 0);
	assert_int_equal(procfs_read_stat(fp->root, 700, &st), 0);
	assert_int_equal(st.start_ticks, 44);
	assert_int_equal(st.threads, 3);
	assert_int_equal(st.exit_code, -1);
	/* 44 fields (kernel < 3.5): exit_code absent */
	n = fp_stat_line(buf, sizeof(buf), 44, 700, "foo", 'Z', 1, 1, 45, 9);
	assert_int_equal(fp_write_pid(fp, 700, "stat", buf, n), 0);
	assert_int_equal(procfs_read_stat(fp->root, 700, &st), 0);
	assert_int_equal(st.exit_code, -1);
	assert_int_equal(st.state, 'Z');
}

static void test_stat_exit_code(void **state)
{
	struct fake_proc *fp = *state;
	static const int codes[] = { 0, 9, 0x100, 0x8b, 0xff00 };
	struct procfs_stat st;
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(fp_stat(fp, 800, "z", 'Z', 1, 1, 10, codes[i]), 0);
		assert_int_equal(procfs_read_stat(fp->root, 800, &st), 0);
		assert_int_equal(st.exit_code, codes[i]);
		assert_int_equal(st.state, 'Z');
		assert_int_equal(st.cpu, 0); /* field 39 */
	}
}

/* se.exec_start as the kernel prints it (%14Ld.%06ld: ms, then ns), and our own on the real
 * /proc (CONFIG_SCHED_DEBUG, or 6.15 and later). */
static void test_exec_start(void **state)
{
	uint64_t ns, again;
	char buf[512];

	(void)state;
	assert_int_equal(procfs_parse_exec_start("cat (940, #threads: 1)\n-------\n"
						 "se.exec_start                                :"
						 "        278508.904440\n"
						 "se.vruntime                                  :"
						 "           258.509640\n",
						 &ns),
			 0);
	assert_int_equal(ns, 278508904440ULL);
	assert_int_equal(procfs_parse_exec_start("x\nse.exec_start:0.000001", &ns), 0);
	assert_int_equal(ns, 1);
	assert_int_equal(procfs_parse_exec_start("se.exec_start : 1.000001\n", &ns), -EINVAL);
	if (procfs_read_file(NULL, "thread-self", "sched", buf, sizeof(buf)) < 0)
		skip();
	assert_int_equal(procfs_read_exec_start(NULL, "thread-self", &ns), 0);
	sched_yield();
	assert_int_equal(procfs_read_exec_start(NULL, "thread-self", &again), 0);
	assert_true(ns > 0 && again >= ns);
}

static void test_stat_real_self(void **state)
{
	struct procfs_stat st;

	(void)state;
	assert_int_equal(procfs_read_stat(NULL, (uint32_t)getpid(), &st), 0);
	assert_int_equal(st.pid, (uint32_t)getpid());
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, (uint32_t)getppid());
	assert_int_equal(st.threads, 1);
	assert_int_equal(st.exit_code, -1);
	assert_true(st.start_ticks > 0);
}

static void test_status_masks_ids_threads(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_status ss;

	assert_int_equal(
	    fp_status(fp, 900, 1000, 2000, 7, 0x10000, 0x1000, 0xfffffffe7ffbfeffULL, "900"), 0);
	memset(&ss, 0xa5, sizeof(ss));
	assert_int_equal(procfs_read_status(fp->root, 900, &ss), 0);
	assert_int_equal(ss.sig_blk, 0x10000);
	assert_int_equal(ss.sig_ign, 0x1000);
	assert_int_equal(ss.sig_cgt, 0xfffffffe7ffbfeffULL);
	assert_int_equal(ss.uid, 1000); /* the real id, first of four */
	assert_int_equal(ss.gid, 2000);
	assert_int_equal(ss.threads, 7);
	assert_int_equal(ss.ns_pid, 900);
	assert_int_equal(ss.ns_depth, 0);
}

static void test_status_nspid(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_status ss;

	assert_int_equal(fp_status(fp, 901, 0, 0, 1, 0, 0, 0, "901\t1"), 0);
	assert_int_equal(procfs_read_status(fp->root, 901, &ss), 0);
	assert_int_equal(ss.ns_pid, 1);
	assert_int_equal(ss.ns_depth, 1);

	assert_int_equal(fp_status(fp, 902, 0, 0, 1, 0, 0, 0, "902\t35\t7"), 0);
	assert_int_equal(procfs_read_status(fp->root, 902, &ss), 0);
	assert_int_equal(ss.ns_pid, 7);
	assert_int_equal(ss.ns_depth, 2);
}

static void test_status_missing(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_status ss;

	assert_int_equal(procfs_read_status(fp->root, 903, &ss), -ENOENT);
	assert_int_equal(fp_stat(fp, 904, "x", 'S', 1, 1, 1, 0), 0);
	assert_int_equal(procfs_read_status(fp->root, 904, &ss), -ENOENT);
}

static void test_status_real_self(void **state)
{
	struct procfs_status ss;

	(void)state;
	assert_int_equal(procfs_read_status(NULL, (uint32_t)getpid(), &ss), 0);
	assert_int_equal(ss.uid, getuid());
	assert_int_equal(ss.gid, getgid());
	assert_int_equal(ss.threads, 1);
	assert_true(ss.ns_depth >= 0);
	if (ss.ns_depth == 0)
		assert_int_equal(ss.ns_pid, (uint32_t)getpid());
}

struct visit {
	uint32_t pid[16];
	int n;
	int stop_at; /* call number (1-based) that returns 5; 0 never */
};

static int visit_fn(uint32_t pid, void *arg)
{
	struct visit *v = arg;

	assert_true(v->n < 16);
	v->pid[v->n++] = pid;
	return v->stop_at && v->n == v->stop_at ? 5 : 0;
}

static bool visited(const struct visit *v, uint32_t pid)
{
	int i;

	for (i = 0; i < v->n; i++)
		if (v->pid[i] == pid)
			return true;
	return false;
}

static void test_each_pid(void **state)
{
	struct fake_proc *fp = *state;
	static const char *const dirs[] = { "1", "42", "300", "self", "sys", "12x", "0", "x12" };
	struct visit v = { .n = 0 };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		assert_int_equal(fp_write(fp, dirs[i], "stat", "", 0), 0);
	assert_int_equal(fp_write(fp, ".", "99x", "", 0), 0);
	assert_int_equal(procfs_each_pid(fp->root, visit_fn, &v), 0);
	assert_int_equal(v.n, 3);
	assert_true(visited(&v, 1));
	assert_true(visited(&v, 42));
	assert_true(visited(&v, 300));

	memset(&v, 0, sizeof(v));
	v.stop_at = 2;
	assert_int_equal(procfs_each_pid(fp->root, visit_fn, &v), 5);
	assert_int_equal(v.n, 2);
}

static void test_each_pid_missing_root(void **state)
{
	struct fake_proc *fp = *state;
	struct visit v = { .n = 0 };
	char root[128];

	snprintf(root, sizeof(root), "%s/none", fp->root);
	assert_int_equal(procfs_each_pid(root, visit_fn, &v), -ENOENT);
	assert_int_equal(v.n, 0);
	/* empty: nothing visited */
	assert_int_equal(procfs_each_pid(fp->root, visit_fn, &v), 0);
	assert_int_equal(v.n, 0);
}

static void test_ticks_to_ns(void **state)
{
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t tick = 1000000000ULL / (uint64_t)hz;

	(void)state;
	assert_true(hz > 0);
	assert_int_equal(procfs_tick_ns(), tick);
	assert_int_equal(procfs_ticks_to_ns(0), 0);
	assert_int_equal(procfs_ticks_to_ns(1), tick);
	assert_int_equal(procfs_ticks_to_ns(123456), 123456 * tick);
	/* a year of uptime at this rate does not overflow */
	assert_int_equal(procfs_ticks_to_ns(365ULL * 86400 * (uint64_t)hz),
			 365ULL * 86400 * 1000000000ULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fp_setup, fp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_stat_fields),
		T(test_stat_comm_with_spaces_and_parens),
		T(test_stat_comm_control_bytes),
		T(test_stat_comm_long_truncated),
		T(test_stat_state_letters),
		T(test_stat_missing),
		T(test_stat_truncated),
		T(test_stat_exit_code),
		T(test_exec_start),
		T(test_stat_real_self),
		T(test_status_masks_ids_threads),
		T(test_status_nspid),
		T(test_status_missing),
		T(test_status_real_self),
		T(test_each_pid),
		T(test_each_pid_missing_root),
		T(test_ticks_to_ns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
