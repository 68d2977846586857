/* test_zombie_read.c - zombie_read.c on fake procfs trees: the age from the two sched files,
 * capped by the start time; the start-time bound when a sched file is missing or garbled or
 * the CPU cannot be used; a pid that vanishes between the stat and the sched read; the exit
 * status and when a 0 can be trusted; clock readings shared within one scan; and the real
 * /proc on a zombie of our own.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "procfs.h"
#include "zombie_read.h"
#include "names.h"

#define MS  1000000ULL
#define SEC 1000000000ULL

/* Boot-time values: the zombie started at 10 s (1000 ticks at 100 Hz, or whatever the tick). */
#define START_TICKS 1000
#define Z_PID	    4242

static uint64_t start_ns(void)
{
	return procfs_ticks_to_ns(START_TICKS);
}

/* A zombie's stat (status raw, threads) written and read back, as a scan would. */
static struct procfs_stat zombie_stat(const struct fake_proc *fp, int raw, int threads)
{
	struct procfs_stat st;

	assert_int_equal(fp_stat(fp, Z_PID, "defunct", 'Z', 1, threads, START_TICKS, raw), 0);
	assert_int_equal(procfs_read_stat(fp->root, Z_PID, &st), 0);
	return st;
}

/* Our own CapEff: with or without CAP_SYS_PTRACE (bit 19). */
static void self_caps(const struct fake_proc *fp, bool ptrace)
{
	const char *s =
	    ptrace ? "Name:\tzreaper\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
		   : "Name:\tzreaper\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n";

	assert_int_equal(fp_write(fp, "self", "status", s, strlen(s)), 0);
}

static void test_age_from_sched(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st = zombie_stat(fp, 7 << 8, 1);
	struct zombie_info zi;

	/* se.exec_start 2.5 s ago on the zombie's CPU, by our own clock there */
	assert_int_equal(fp_sched(fp, "4242", "defunct", 90 * SEC), 0);
	assert_int_equal(fp_sched(fp, "thread-self", "zreaper", 92 * SEC + 500 * MS), 0);
	assert_int_equal(zombie_read(fp->root, &st, start_ns() + 60 * SEC, &zi), 0);
	assert_int_equal(zi.source, ZR_AGE_SCHED);
	assert_int_equal(zi.age_ns, 2500 * MS);
	assert_int_equal(zi.wait_status, 7 << 8);
	assert_true(zi.st.is_known);
	assert_int_equal(zi.st.exit_code, 7);
}

/* The sched age cannot exceed the time since the start: the bound wins. */
static void test_age_capped_by_start(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st = zombie_stat(fp, 0, 1);
	struct zombie_info zi;
	uint64_t bound;

	/* 10^6 s on the scheduler clock: older than the machine's uptime, surely */
	assert_int_equal(fp_sched(fp, "4242", "defunct", 1), 0);
	assert_int_equal(fp_sched(fp, "thread-self", "zreaper", 1000000 * SEC), 0);
	bound = procfs_now_ns() - start_ns();
	assert_int_equal(zombie_read(fp->root, &st, 1, &zi), 0);
	assert_int_equal(zi.source, ZR_AGE_SCHED);
	/* as of the clock reading, just after bound was taken */
	assert_true(zi.age_ns >= bound && zi.age_ns < bound + 5 * SEC);
}

/* A kernel without CONFIG_SCHED_DEBUG: no sched file, the start bounds the age. */
static void test_missing_sched(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st = zombie_stat(fp, 9, 1);
	struct zombie_info zi;

	assert_int_equal(zombie_read(fp->root, &st, start_ns() + 42 * SEC, &zi), 0);
	assert_int_equal(zi.source, ZR_AGE_START_BOUND);
	assert_int_equal(zi.age_ns, 42 * SEC);
	assert_true(zi.st.is_signaled);
	assert_int_equal(zi.st.signal, SIGKILL);
	/* our own missing too (the whole procfs has none) */
	assert_int_equal(fp_sched(fp, "4242", "defunct", 90 * SEC), 0);
	assert_int_equal(zombie_read(fp->root, &st, start_ns() + 43 * SEC, &zi), 0);
	assert_int_equal(zi.source, ZR_AGE_START_BOUND);
	assert_int_equal(zi.age_ns, 43 * SEC);
	/* a now before the start (clocks disagree): 0, never a wrap-around */
	assert_int_equal(zombie_read(fp->root, &st, start_ns() - 1, &zi), 0);
	assert_int_equal(zi.age_ns, 0);
}

static void test_garbled_sched(void **state)
{
	static const char *const bad[] = {
		"",
		"defunct (4242, #threads: 1)\n-----\n",
		"x\nse.exec_start : 12a.000001\n",
		"x\nse.exec_start : 12.00001\n",
		"x\nse.exec_start : 12.0000011\n",
		"x\nse.exec_start : -5.000000\n",
		"x\nse.exec_start   12.000001\n",
		"x\nse.exec_start : 99999999999999999999999.000000\n",
		"x\nse.vruntime : 12.000001\n",
	};
	struct fake_proc *fp = *state;
	struct procfs_stat st = zombie_stat(fp, 0x8b, 1);
	struct zombie_info zi;
	size_t i;

	assert_int_equal(fp_sched(fp, "thread-self", "zreaper", 92 * SEC), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fp_write_pid(fp, Z_PID, "sched", bad[i], strlen(bad[i])), 0);
		assert_int_equal(zombie_read(fp->root, &st, start_ns() + (i + 1) * SEC, &zi), 0);
		assert_int_equal(zi.source, ZR_AGE_START_BOUND);
		assert_int_equal(zi.age_ns, (i + 1) * SEC);
		/* the status does not depend on it: SIGSEGV, core dumped */
		assert_true(zi.st.is_signaled);
		assert_int_equal(zi.st.signal, SIGSEGV);
		assert_true(zi.st.core_dumped);
	}
	/* our own sched file garbled: that CPU's clock is unreadable, the bound again */
	assert_int_equal(fp_sched(fp, "4242", "defunct", 90 * SEC), 0);
	assert_int_equal(fp_write(fp, "thread-self", "sched", "junk\n", 5), 0);
	assert_int_equal(zombie_read(fp->root, &st, start_ns() + 100 * SEC, &zi), 0);
	assert_int_equal(zi.source, ZR_AGE_START_BOUND);
}

/* Reaped between the stat read and the sched read: gone, not a zombie of unknown age. */
static void test_pid_vanishes(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st = zombie_stat(fp, 0, 1);
	struct zombie_info zi;
	char path[256];

	assert_int_equal(fp_sched(fp, "thread-self", "zreaper", 92 * SEC), 0);
	assert_int_equal(fp_unlink(fp, Z_PID, "stat"), 0);
	snprintf(path, sizeof(path), "%s/%d", fp->root, Z_PID);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(zombie_read(fp->root, &st, start_ns() + SEC, &zi), -ENOENT);
}

/* The zombie last ran on a CPU we cannot pin ourselves to: its clock is not ours to compare. */
static void test_cpu_unusable(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st = zombie_stat(fp, 0, 1);
	struct zombie_info zi;

	assert_int_equal(fp_sched(fp, "4242", "defunct", 90 * SEC), 0);
	assert_int_equal(fp_sched(fp, "thread-self", "zreaper", 92 * SEC), 0);
	st.cpu = 100000;
	assert_int_equal(zombie_read(fp->root, &st, start_ns() + 7 * SEC, &zi), 0);
	assert_int_equal(zi.source, ZR_AGE_START_BOUND);
	assert_int_equal(zi.age_ns, 7 * SEC);
	st.cpu = -1; /* a stat line without field 39 */
	assert_int_equal(zombie_read(fp->root, &st, start_ns() + 8 * SEC, &zi), 0);
	assert_int_equal(zi.source, ZR_AGE_START_BOUND);
}

/* Field 52 reads 0 to a reader that may not ptrace-read the process: a 0 counts only with
 * CAP_SYS_PTRACE, or when /proc/PID/io (the same check) is readable. */
static void test_exit_status_trust(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st = zombie_stat(fp, 0, 1);
	struct zombie_info zi;
	uint64_t now = start_ns() + SEC;

	self_caps(fp, false);
	assert_int_equal(zombie_read(fp->root, &st, now++, &zi), 0);
	assert_int_equal(zi.wait_status, -1);
	assert_false(zi.st.is_known);
	assert_int_equal(fp_write_pid(fp, Z_PID, "io", "rchar: 1\n", 9), 0);
	assert_int_equal(zombie_read(fp->root, &st, now++, &zi), 0);
	assert_int_equal(zi.wait_status, 0);
	assert_true(zi.st.is_known);
	assert_int_equal(zi.st.exit_code, 0);
	assert_int_equal(fp_unlink(fp, Z_PID, "io"), 0);
	self_caps(fp, true);
	assert_int_equal(zombie_read(fp->root, &st, now++, &zi), 0);
	assert_int_equal(zi.wait_status, 0);
	/* anything but 0 is the kernel's word, privileged or not */
	self_caps(fp, false);
	st = zombie_stat(fp, 3 << 8, 1);
	assert_int_equal(zombie_read(fp->root, &st, now++, &zi), 0);
	assert_int_equal(zi.st.exit_code, 3);
	/* a leader whose threads still run: no final status yet */
	st = zombie_stat(fp, 3 << 8, 4);
	assert_int_equal(zombie_read(fp->root, &st, now++, &zi), 0);
	assert_false(zi.st.is_known);
	/* a kernel before 3.5: no field 52 */
	st.threads = 1;
	st.exit_code = -1;
	assert_int_equal(zombie_read(fp->root, &st, now++, &zi), 0);
	assert_false(zi.st.is_known);
}

/* One scan (same root, same now) reads each CPU's clock once; the next scan reads it again. */
static void test_clock_shared_per_scan(void **state)
{
	struct fake_proc *fp = *state;
	struct procfs_stat st = zombie_stat(fp, 0, 1);
	uint64_t now = start_ns() + 50 * SEC;
	struct zombie_info zi;

	assert_int_equal(fp_sched(fp, "4242", "defunct", 90 * SEC), 0);
	assert_int_equal(fp_sched(fp, "thread-self", "zreaper", 91 * SEC), 0);
	assert_int_equal(zombie_read(fp->root, &st, now, &zi), 0);
	assert_int_equal(zi.age_ns, 1 * SEC);
	assert_int_equal(fp_sched(fp, "thread-self", "zreaper", 95 * SEC), 0);
	assert_int_equal(zombie_read(fp->root, &st, now, &zi), 0);
	assert_int_equal(zi.age_ns, 1 * SEC);
	assert_int_equal(zombie_read(fp->root, &st, now + 1, &zi), 0);
	assert_int_equal(zi.age_ns, 5 * SEC);
}

static void test_info_set_and_names(void **state)
{
	struct zombie_info zi;

	(void)state;
	zombie_info_set(&zi, -7, ZR_AGE_UNKNOWN, 123);
	assert_int_equal(zi.wait_status, -1);
	assert_false(zi.st.is_known);
	assert_int_equal(zi.age_ns, 0);
	zombie_info_set(&zi, 15, ZR_AGE_START_BOUND, 123);
	assert_true(zi.st.is_signaled);
	assert_int_equal(zi.st.signal, SIGTERM);
	assert_int_equal(zi.age_ns, 123);
	assert_string_equal(names_age_source(ZR_AGE_TRACE), "trace");
	assert_string_equal(names_age_source(ZR_AGE_SCHED), "sched");
	assert_string_equal(names_age_source(ZR_AGE_START_BOUND), "start_bound");
	assert_null(names_age_source(ZR_AGE_UNKNOWN));
}

/* The real /proc: a child of ours that exits 5 and is left a zombie for about 200 ms. */
static void test_real_zombie(void **state)
{
	struct timespec d = { 0, 200 * (long)MS };
	struct procfs_stat st;
	struct zombie_info zi;
	siginfo_t si;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(5);
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	nanosleep(&d, NULL);
	assert_int_equal(procfs_read_stat(NULL, (uint32_t)pid, &st), 0);
	assert_int_equal(st.state, 'Z');
	assert_int_equal(zombie_read(NULL, &st, procfs_now_ns(), &zi), 0);
	assert_true(zi.st.is_known);
	assert_int_equal(zi.st.exit_code, 5);
	assert_int_not_equal(zi.source, ZR_AGE_UNKNOWN);
	if (zi.source == ZR_AGE_SCHED) /* a kernel with sched files */
		assert_true(zi.age_ns >= 190 * MS && zi.age_ns < 2 * SEC);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(zombie_read(NULL, &st, procfs_now_ns(), &zi), -ENOENT);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fp_setup, fp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_age_from_sched),	    T(test_age_capped_by_start),
		T(test_missing_sched),	    T(test_garbled_sched),
		T(test_pid_vanishes),	    T(test_cpu_unusable),
		T(test_exit_status_trust),  T(test_clock_shared_per_scan),
		T(test_info_set_and_names), T(test_real_zombie),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
