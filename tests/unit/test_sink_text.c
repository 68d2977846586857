/* test_sink_text.c - sink_text.c: header, columns, details per kind, escaping, colour, errors. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "ev_build.h"
#include "sink_capture.h"
#include "sink.h"
#include "summary.h"

#define HDR "TIME         EVENT     PID     PPID    COMM             DETAILS\n"
#define T   "10:22:07.412 "

static struct sink new_sink(bool color)
{
	struct sink s;

	sink_text_init(&s, NULL, NULL);
	s.boot_to_real_ns = EVB_BOOT_TO_REAL;
	s.color = color;
	return s;
}

/* One event after the header has been printed: returns just its line. */
static const char *line(struct zr_ev ev)
{
	struct sink s = new_sink(false);
	const char *out;

	s.header_done = true;
	out = emit_on(&s, &ev, 1);
	assert_int_equal(s.seq, 1);
	return out;
}

static void test_header_once(void **state)
{
	struct zr_ev evs[5] = { evb_plain(ZR_EV_START), evb_fork("bash"), evb_exit(0, 0),
				evb_plain(ZR_EV_SUMMARY), evb_plain(ZR_EV_STOP) };
	struct sink s = new_sink(false);

	(void)state;
	assert_string_equal(emit_on(&s, evs, 1), HDR);
	assert_int_equal(s.seq, 0);
	s = new_sink(false);
	assert_string_equal(emit_on(&s, evs, 5),
			    HDR T "fork      4242    100     sleep            "
				  "parent 100 (bash)\n" T
				  "exit      4242    100     sleep            exit 0\n");
	assert_int_equal(s.seq, 2);
	/* Replay without a start line still gets its header. */
	s = new_sink(false);
	assert_string_equal(emit_on(&s, evs + 2, 3), HDR T "exit      4242    100     sleep   "
							   "         exit 0\n");
	s = new_sink(false);
	assert_string_equal(emit_on(&s, evs + 4, 1), "");
}

static void test_fork(void **state)
{
	(void)state;
	assert_string_equal(line(evb_fork("bash")),
			    T "fork      4242    100     sleep            parent 100 (bash)\n");
	assert_string_equal(line(evb_thread_fork(4243)),
			    T "fork      4243    100     sleep            thread of 4242\n");
}

static void test_exec(void **state)
{
	(void)state;
	assert_string_equal(line(evb_exec("/bin/ls", "ls\0-l", 2, 0)),
			    T "exec      4242    100     sleep            /bin/ls ls -l\n");
	assert_string_equal(
	    line(evb_exec("/bin/sh", "sh\0-c\0echo a b\0", 4, 0)),
	    T "exec      4242    100     sleep            /bin/sh sh -c 'echo a b' ''\n");
	assert_string_equal(line(evb_exec("/nope", "nope", 1, ENOENT)),
			    T "exec      4242    100     sleep            ENOENT /nope nope\n");
	assert_string_equal(line(evb_exec("/x y", NULL, 0, 0)),
			    T "exec      4242    100     sleep            '/x y'\n");
	{
		struct zr_ev ev = evb_exec("/bin/ls", "ls", 1, 0);

		ev.u.exec.argv_truncated = true;
		assert_string_equal(line(ev), T
				    "exec      4242    100     sleep            /bin/ls ls ...\n");
	}
	assert_string_equal(line(evb_exec("/t/\x1b]0;x\x07", "a\nb\0\xff", 2, 0)),
			    T "exec      4242    100     sleep            "
			      "/t/\\e]0;x\\x07 a\\nb \\xff\n");
}

static void test_comm_column(void **state)
{
	struct zr_ev ev = evb_exit(0, 0);

	(void)state;
	evb_comm(ev.comm, "a\x1b[2Jb");
	assert_string_equal(line(ev), T "exit      4242    100     a\\e[2Jb          exit 0\n");
	evb_comm(ev.comm, "h\xc3\xa9llo");
	assert_string_equal(line(ev),
			    T "exit      4242    100     h\xc3\xa9llo            exit 0\n");
	evb_comm(ev.comm, "\xe4\xb8\xad\xe6\x96\x87");
	assert_string_equal(line(ev), T "exit      4242    100     \xe4\xb8\xad\xe6\x96\x87"
					"             exit 0\n");
	evb_comm(ev.comm, "back\\slash");
	assert_string_equal(line(ev), T "exit      4242    100     back\\\\slash      exit 0\n");
	/* Wider than the column: no padding, one space, nothing raw. */
	memset(ev.comm, 0x01, 16);
	ev.comm[16] = '\0';
	assert_string_equal(line(ev), T "exit      4242    100     "
					"\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01"
					"\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01 exit 0\n");
	evb_comm(ev.comm, "");
	assert_string_equal(line(ev), T "exit      4242    100                      exit 0\n");
}

static void test_exit(void **state)
{
	(void)state;
	assert_string_equal(line(evb_exit(3 << 8, 1230000000)),
			    T "exit      4242    100     sleep            exit 3 after 1.23s\n");
	assert_string_equal(
	    line(evb_exit(SIGKILL, 850)),
	    T "exit      4242    100     sleep            killed by SIGKILL after 850ns\n");
	assert_string_equal(line(evb_exit(SIGSEGV | 0x80, 12345)),
			    T "exit      4242    100     sleep            "
			      "SIGSEGV (core dumped) after 12.3us\n");
	assert_string_equal(line(evb_exit(0, 1200000)),
			    T "exit      4242    100     sleep            exit 0 after 1.2ms\n");
	assert_string_equal(line(evb_exit(0, 754000000000ULL)),
			    T "exit      4242    100     sleep            exit 0 after 754s\n");
}

static void test_wait(void **state)
{
	struct zr_ev ev;

	(void)state;
	assert_string_equal(
	    line(evb_wait(ZR_SYS_WAIT4, -1, 0, ZR_WAIT_REAPED, 123, 0)),
	    T "wait      4242    100     sleep            wait4(-1) -> reaped 123 exit 0\n");
	assert_string_equal(line(evb_wait(ZR_SYS_WAITID, 0, 5, ZR_WAIT_WOULD_BLOCK, 0, 0)),
			    T "wait      4242    100     sleep            "
			      "waitid(0, WNOHANG|WEXITED) -> would_block\n");
	assert_string_equal(
	    line(evb_wait(ZR_SYS_WAIT4, -7, 0x41000000, ZR_WAIT_PEEKED, 9, SIGTERM)),
	    T "wait      4242    100     sleep            "
	      "wait4(-7, WNOWAIT|0x40000000) -> peeked 9 killed by SIGTERM\n");
	assert_string_equal(line(evb_wait(ZR_SYS_WAIT4, -1, 2, ZR_WAIT_STOPPED, 9, 0x137f)),
			    T "wait      4242    100     sleep            "
			      "wait4(-1, WUNTRACED) -> stopped 9\n");
	assert_string_equal(line(evb_wait(ZR_SYS_WAIT4, 5, 0, ZR_WAIT_NO_CHILD, 0, 0)),
			    T "wait      4242    100     sleep            wait4(5) -> no_child\n");
	ev = evb_wait(ZR_SYS_WAIT4, -1, 0, ZR_WAIT_ERROR, 0, 0);
	ev.u.wait.error = EINTR;
	assert_string_equal(line(ev), T "wait      4242    100     sleep            "
					"wait4(-1) -> error EINTR\n");
}

static void test_reap(void **state)
{
	(void)state;
	assert_string_equal(
	    line(evb_reap(ZR_HOW_WAIT4, evb_ref(100, 1, "bash", "parent"), 0, 1200000, 5)),
	    T "reap      4242    100     sleep            by 100 (bash) wait4, zombie 1.2ms\n");
	assert_string_equal(
	    line(evb_reap(ZR_HOW_WAITID, evb_ref(1, 1, "in\nit", "subreaper"), 0, 2000000000, 5)),
	    T "reap      4242    100     sleep            "
	      "by 1 (in\\nit) [subreaper] waitid, zombie 2.00s\n");
	assert_string_equal(
	    line(evb_reap(ZR_HOW_AUTOREAP, evb_ref(0, 0, "", NULL), 0, 0, 5)),
	    T "reap      4242    100     sleep            by kernel autoreap, zombie 0ns\n");
}

static void test_signal_subreaper_lost(void **state)
{
	(void)state;
	assert_string_equal(line(evb_signal(SIGTERM, 0, 0, evb_ref(55, 1, "kill", NULL))), T
			    "signal    4242    100     sleep            SIGTERM from 55 (kill)\n");
	assert_string_equal(
	    line(evb_signal(SIGCHLD, 1, 1, evb_ref(0, 0, "", NULL))),
	    T "signal    4242    100     sleep            SIGCHLD from kernel (ignored)\n");
	assert_string_equal(line(evb_signal(SIGKILL, 0, 9, evb_ref(55, 1, "kill", NULL))),
			    T "signal    4242    100     sleep            "
			      "SIGKILL from 55 (kill) (result 9)\n");
	assert_string_equal(line(evb_subreaper(true, true, 0)),
			    T "subreaper 4242    100     sleep            set\n");
	assert_string_equal(line(evb_subreaper(false, false, 0)),
			    T "subreaper 4242    100     sleep            cleared\n");
	assert_string_equal(line(evb_subreaper(true, false, EPERM)),
			    T "subreaper 4242    100     sleep            set failed: EPERM\n");
	assert_string_equal(
	    line(evb_lost(12, "ringbuf")),
	    T "lost      -       -       -                12 events lost (ringbuf)\n");
}

#define Z T "zombie    4242    100     sleep            "

static void test_zombie_age_parent_reason(void **state)
{
	struct zr_ev ev = evb_zombie("python3", "parent 100 (python3) has never called wait");

	(void)state;
	assert_string_equal(line(ev), Z "zombie for 1.00s, parent 100 (python3) sleeping: "
					"parent 100 (python3) has never called wait\n");
	ev.u.zombie.age_source = ZR_AGE_SCHED;
	assert_string_equal(line(ev), Z "zombie for 1.00s, parent 100 (python3) sleeping: "
					"parent 100 (python3) has never called wait\n");
	ev.u.zombie.age_source = ZR_AGE_START_BOUND;
	assert_string_equal(line(ev), Z "zombie for at most 1.00s, parent 100 (python3) sleeping: "
					"parent 100 (python3) has never called wait\n");
	ev.u.zombie.age_source = ZR_AGE_UNKNOWN;
	ev.u.zombie.pinfo.state = NULL;
	ev.u.zombie.reason[0] = '\0';
	assert_string_equal(line(ev), Z "zombie, age unknown, parent 100 (python3) unknown\n");
	ev.parent.pid = 0;
	assert_string_equal(line(ev), Z "zombie, age unknown, parent unknown\n");

	/* Names in the parent and in the reason come from processes: escaped, never raw. */
	ev = evb_zombie("a\x1b[2J\n", "parent 100 (a\x1b[2J\n) \xff holds 14");
	ev.u.zombie.zombie_ns = 1500;
	ev.u.zombie.pinfo.state = "disk_sleep";
	assert_string_equal(line(ev), Z "zombie for 1.5us, parent 100 (a\\e[2J\\n) disk_sleep: "
					"parent 100 (a\\e[2J\\n) \\xff holds 14\n");
}

static void test_orphan_adopter_and_role(void **state)
{
	struct zr_ev ev =
	    evb_orphan(evb_ref(700, 1, "bash", "parent"), evb_ref(1, 1, "init", "pidns_init"));

	(void)state;
	assert_string_equal(line(ev),
			    T "orphan    4242    1       sleep            "
			      "adopted by 1 (init) [pidns_init], was child of 700 (bash)\n");
	ev.u.orphan.new_parent = evb_ref(650, 1, "sub\treaper", "subreaper");
	assert_string_equal(line(ev), T "orphan    4242    1       sleep            adopted by 650 "
					"(sub\\treaper) [subreaper], was child of 700 (bash)\n");
	ev.u.orphan.new_parent.role = NULL;
	ev.u.orphan.old_parent.pid = 0;
	assert_string_equal(line(ev), T "orphan    4242    1       sleep            "
					"adopted by 650 (sub\\treaper)\n");
}

static void test_snapshot_state_names(void **state)
{
	(void)state;
	assert_string_equal(line(evb_snapshot('Z')),
			    T "snapshot  4242    100     sleep            existing zombie\n");
	assert_string_equal(line(evb_snapshot('S')),
			    T "snapshot  4242    100     sleep            existing sleeping\n");
	assert_string_equal(line(evb_snapshot('R')),
			    T "snapshot  4242    100     sleep            existing running\n");
	assert_string_equal(line(evb_snapshot('\0')),
			    T "snapshot  4242    100     sleep            existing unknown\n");
}

/* The report as it is: no header, no columns, not counted as an event line. */
static void test_summary_text_as_is(void **state)
{
	struct summary sum = { 0 };
	struct zr_ev evs[2];
	struct sink s = new_sink(false);

	(void)state;
	sum.kinds[ZR_EV_FORK] = 3;
	evs[0] = evb_summary(&sum, 0, 2);
	evs[1] = evb_summary(NULL, 0, 0);
	assert_string_equal(
	    emit_on(&s, evs, 2),
	    "zreaper summary\nevents: fork 3\nprocess lifetimes (exits):\n  (none)\n"
	    "zombie times (reaps):\n  (none)\nparents with the most zombies: none\n"
	    "exit codes: none\nsignals: none\nlost 0, evicted 2\n");
	assert_false(s.header_done);
	assert_int_equal(s.seq, 0);
}

/* Drops ANSI colour sequences, so a coloured line can be compared with a plain one. */
static void strip_sgr(char *s)
{
	char *w = s;

	while (*s) {
		if (*s == '\033') {
			s = strchr(s, 'm');
			assert_non_null(s);
			s++;
			continue;
		}
		*w++ = *s++;
	}
	*w = '\0';
}

static void test_colour(void **state)
{
	struct zr_ev evs[] = {
		evb_fork("bash"),	evb_exit(SIGKILL, 0),
		evb_exit(0, 0),		evb_exec("/nope", NULL, 0, ENOENT),
		evb_base(ZR_EV_ZOMBIE), evb_base(ZR_EV_ORPHAN),
		evb_lost(1, "ringbuf"), evb_reap(ZR_HOW_WAIT4, evb_ref(1, 1, "x", NULL), 0, 0, 0)
	};
	struct sink s = new_sink(false);
	char plain[4096], *colour;

	(void)state;
	snprintf(plain, sizeof(plain), "%s", emit_on(&s, evs, 8));
	assert_null(strchr(plain, '\033'));
	s = new_sink(true);
	colour = strdup(emit_on(&s, evs, 8));
	assert_non_null(strstr(colour, "\033[31mexit\033[0m      4242"));
	assert_non_null(strstr(colour, "\033[31mexec\033[0m      4242"));
	assert_non_null(strstr(colour, "\033[33mzombie\033[0m    4242"));
	assert_non_null(strstr(colour, "\033[33morphan\033[0m    4242"));
	/* A zombie's details are yellow too: they say what to do about it. */
	assert_non_null(strstr(colour, "sleep            \033[33mzombie, age unknown, parent "
				       "unknown\033[0m\n"));
	assert_non_null(strstr(colour, T "fork      4242"));
	assert_non_null(strstr(colour, T "exit      4242"));
	strip_sgr(colour);
	assert_string_equal(colour, plain);
	free(colour);
}

/* Whatever the comm, argv and filename hold, the output has no control byte but '\n' ends. */
static void test_no_raw_control_bytes(void **state)
{
	char hostile[256];
	struct zr_ev evs[4];
	struct sink s = new_sink(false);
	const char *out;
	int i;

	(void)state;
	for (i = 0; i < 255; i++)
		hostile[i] = (char)(i + 1);
	hostile[255] = '\0';
	evs[0] = evb_exec(hostile, hostile, 1, 0);
	evs[1] = evb_fork("\x1b\x07\x7f\x9b");
	evs[2] = evb_exit(0, 0);
	evs[3] = evb_signal(9, 0, 0, evb_ref(5, 5, "\r\n", NULL));
	for (i = 0; i < 4; i++)
		memcpy(evs[i].comm, hostile + (size_t)16 * (size_t)i, 16);
	out = emit_on(&s, evs, 4);
	for (i = 0; out[i]; i++)
		assert_true(out[i] == '\n' || ((unsigned char)out[i] >= 0x20 && out[i] != 0x7f));
	assert_int_equal(s.seq, 4);
}

static void test_write_errors(void **state)
{
	struct zr_ev ev = evb_exit(0, 0);
	struct sink s = new_sink(false);
	int fds[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	s.out = fdopen(fds[1], "w");
	assert_non_null(s.out);
	s.flush_each = true;
	assert_int_equal(s.ops->emit(&s, &ev), -EPIPE);
	fclose(s.out);

	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	s = new_sink(false);
	s.out = fdopen(fds[1], "w");
	assert_int_equal(s.ops->emit(&s, &ev), 0);
	assert_int_equal(s.ops->flush(&s), -EPIPE);
	fclose(s.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_once),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_comm_column),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_reap),
		cmocka_unit_test(test_signal_subreaper_lost),
		cmocka_unit_test(test_zombie_age_parent_reason),
		cmocka_unit_test(test_orphan_adopter_and_role),
		cmocka_unit_test(test_snapshot_state_names),
		cmocka_unit_test(test_summary_text_as_is),
		cmocka_unit_test(test_colour),
		cmocka_unit_test(test_no_raw_control_bytes),
		cmocka_unit_test(test_write_errors),
	};

	/* TIME is local wall-clock time: pin the zone so the expected strings hold anywhere. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("sink_text", tests, NULL, NULL);
}
