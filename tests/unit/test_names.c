/* test_names.c - the event vocabulary: every kind's row in ev_kind.c (names, filters, failures,
 * colours) and the names of names.c, as the JSON and text outputs print them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ev_kind.h"
#include "ev_build.h"
#include "names.h"

static void test_state_names(void **state)
{
	static const struct {
		char c;
		const char *name;
	} t[] = {
		{ 'R', "running" }, { 'S', "sleeping" }, { 'D', "disk_sleep" }, { 'T', "stopped" },
		{ 't', "traced" },  { 'Z', "zombie" },	 { 'X', "dead" },	{ 'I', "idle" },
		{ 'P', "parked" },  { 'W', "waking" },	 { 'K', "wakekill" },	{ 'x', "unknown" },
		{ '?', "unknown" }, { 0, "unknown" },	 { 'r', "unknown" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(names_state(t[i].c), t[i].name);
}

static void test_kind_rows(void **state)
{
	static const char *const want[ZR_EV__COUNT] = {
		"start",  "stop",   "fork",	 "exec",     "exit", "wait",   "reap",	  "orphan",
		"zombie", "signal", "subreaper", "snapshot", "lost", "action", "summary",
	};
	int k;

	(void)state;
	for (k = 0; k < ZR_EV__COUNT; k++) {
		const struct zr_kind_info *i = ev_kind_info((enum zr_kind)k);

		assert_string_equal(i->name, want[k]);
		assert_string_equal(ev_kind_name((enum zr_kind)k), want[k]);
		/* About the run or about a process, never both. */
		assert_false(i->is_always_shown && i->has_subject);
	}
	assert_string_equal(ev_kind_name(ZR_EV__COUNT), "unknown");
	assert_string_equal(ev_kind_name((enum zr_kind)99), "unknown");
	assert_false(ev_kind_info(ZR_EV__COUNT)->has_line);
	assert_true(ev_kind_info(ZR_EV_LOST)->is_always_shown);
	assert_true(ev_kind_info(ZR_EV_LOST)->has_line);
	assert_false(ev_kind_info(ZR_EV_LOST)->has_subject);
	assert_false(ev_kind_info(ZR_EV_SUMMARY)->has_line);
	assert_true(ev_kind_info(ZR_EV_SNAPSHOT)->is_opt_in);
	assert_true(ev_kind_info(ZR_EV_SNAPSHOT)->has_subject);
}

static void test_kind_colors(void **state)
{
	struct zr_ev ev;

	(void)state;
	ev = evb_exit(0, 0);
	assert_int_equal(ev_kind_color(&ev), ZR_COLOR_NONE);
	ev = evb_exit(3 << 8, 0);
	assert_int_equal(ev_kind_color(&ev), ZR_COLOR_RED);
	ev = evb_base(ZR_EV_EXEC);
	assert_int_equal(ev_kind_color(&ev), ZR_COLOR_NONE);
	ev.u.exec.error = ENOENT;
	assert_int_equal(ev_kind_color(&ev), ZR_COLOR_RED);
	ev = evb_wait(ZR_SYS_WAIT4, -1, 0, ZR_WAIT_ERROR, 0, 0);
	assert_int_equal(ev_kind_color(&ev), ZR_COLOR_RED);
	/* A reap is good news even of a failed process; zombies and orphans need a look. */
	ev = evb_base(ZR_EV_REAP);
	ev.u.reap.st = status_decode(9);
	assert_true(ev_kind_is_failure(&ev));
	assert_int_equal(ev_kind_color(&ev), ZR_COLOR_GREEN);
	ev = evb_base(ZR_EV_ZOMBIE);
	assert_int_equal(ev_kind_color(&ev), ZR_COLOR_YELLOW);
	ev = evb_base(ZR_EV_LOST);
	assert_false(ev_kind_is_failure(&ev));
	assert_int_equal(ev_kind_color(&ev), ZR_COLOR_RED);
	ev = evb_base(ZR_EV__COUNT);
	assert_false(ev_kind_is_failure(&ev));
	assert_int_equal(ev_kind_color(&ev), ZR_COLOR_NONE);
}

static void test_value_names(void **state)
{
	(void)state;
	assert_string_equal(names_wait_result(ZR_WAIT_WOULD_BLOCK), "would_block");
	assert_string_equal(names_wait_result(ZR_WAIT_PEEKED), "peeked");
	assert_string_equal(names_wait_result((enum zr_wait_result)99), "error");
	assert_string_equal(names_reap_how(ZR_HOW_AUTOREAP), "autoreap");
	assert_string_equal(names_reap_how((enum zr_reap_how)99), "unknown");
	assert_string_equal(names_wait_syscall(ZR_SYS_WAIT4), "wait4");
	assert_string_equal(names_wait_syscall(ZR_SYS_WAITID), "waitid");
	assert_string_equal(names_age_source(ZR_AGE_TRACE), "trace");
	assert_string_equal(names_age_source(ZR_AGE_SCHED), "sched");
	assert_string_equal(names_age_source(ZR_AGE_START_BOUND), "start_bound");
	assert_null(names_age_source(ZR_AGE_UNKNOWN));
	assert_string_equal(names_role(ZR_ROLE_PARENT), "parent");
	assert_string_equal(names_role(ZR_ROLE_PIDNS_INIT), "pidns_init");
	assert_string_equal(names_role(ZR_ROLE_KERNEL), "kernel");
	assert_null(names_role(ZR_ROLE__COUNT));
}

static void test_signal_results(void **state)
{
	(void)state;
	assert_string_equal(names_signal_result(0), "delivered");
	assert_string_equal(names_signal_result(2), "already_pending");
	assert_string_equal(names_signal_result(4), "lose_info");
	assert_string_equal(names_signal_result(5), "unknown");
	assert_string_equal(names_signal_result(-1), "unknown");
	assert_null(names_signal_result_words(0));
	assert_string_equal(names_signal_result_words(3), "queue full");
	assert_null(names_signal_result_words(5));
}

static void test_wait_options(void **state)
{
	char buf[96];

	(void)state;
	names_wait_options(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	names_wait_options(0x1, buf, sizeof(buf));
	assert_string_equal(buf, "WNOHANG");
	names_wait_options(0x0100000b, buf, sizeof(buf));
	assert_string_equal(buf, "WNOHANG|WUNTRACED|WCONTINUED|WNOWAIT");
	names_wait_options(0x30, buf, sizeof(buf));
	assert_string_equal(buf, "0x30");
	names_wait_options(0x14, buf, sizeof(buf));
	assert_string_equal(buf, "WEXITED|0x10");
	/* A short buffer is cut, still terminated. */
	names_wait_options(0x3, buf, 8);
	assert_string_equal(buf, "WNOHANG");
	names_wait_options(0x3, buf, 4);
	assert_string_equal(buf, "WNO");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),    cmocka_unit_test(test_kind_rows),
		cmocka_unit_test(test_kind_colors),    cmocka_unit_test(test_value_names),
		cmocka_unit_test(test_signal_results), cmocka_unit_test(test_wait_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
