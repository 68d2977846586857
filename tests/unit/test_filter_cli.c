/* test_filter_cli.c - filter.c (--events parsing, the default kinds, each user-space filter,
 * -x failures) and cli.c (durations, pids, uids, printable quoting of bad values).
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

#include "cli.h"
#include "ev_kind.h"
#include "filter.h"
#include "pidset.h"
#include "status.h"

#define ALL_KINDS ((1u << ZR_EV__COUNT) - 1)

static struct zr_ev subject(enum zr_kind kind)
{
	struct zr_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.ktime_ns = 1;
	ev.pid = 4242;
	ev.tid = 4242;
	ev.ppid = 100;
	ev.uid = 1000;
	ev.gid = 1000;
	ev.start_ns = 5;
	ev.cgroup_id = 77;
	strcpy(ev.comm, "sleep");
	return ev;
}

static struct zr_filters filters(void)
{
	struct zr_filters f;

	memset(&f, 0, sizeof(f));
	f.event_mask = filter_default_mask();
	return f;
}

/* ---- --events ---- */

static void test_parse_events_valid(void **state)
{
	char badbuf[80];
	const char *bad = NULL;
	uint32_t mask = 0;

	(void)state;
	assert_int_equal(filter_parse_events("fork", &mask, &bad, badbuf, sizeof(badbuf)), 0);
	assert_int_equal(mask, ZR_KIND_BIT(ZR_EV_FORK));
	assert_null(bad);
	assert_int_equal(filter_parse_events("fork,exec,exit", &mask, &bad, badbuf, sizeof(badbuf)),
			 0);
	assert_int_equal(mask, ZR_KIND_BIT(ZR_EV_FORK) | ZR_KIND_BIT(ZR_EV_EXEC) |
				   ZR_KIND_BIT(ZR_EV_EXIT));
	assert_int_equal(filter_parse_events("reap,zombie,orphan,wait,signal,subreaper,snapshot",
					     &mask, &bad, badbuf, sizeof(badbuf)),
			 0);
	assert_int_equal(mask, ZR_KIND_BIT(ZR_EV_REAP) | ZR_KIND_BIT(ZR_EV_ZOMBIE) |
				   ZR_KIND_BIT(ZR_EV_ORPHAN) | ZR_KIND_BIT(ZR_EV_WAIT) |
				   ZR_KIND_BIT(ZR_EV_SIGNAL) | ZR_KIND_BIT(ZR_EV_SUBREAPER) |
				   ZR_KIND_BIT(ZR_EV_SNAPSHOT));
	assert_int_equal(filter_parse_events("exit,exit", &mask, &bad, badbuf, sizeof(badbuf)), 0);
	assert_int_equal(mask, ZR_KIND_BIT(ZR_EV_EXIT));
	assert_int_equal(filter_parse_events("all", &mask, &bad, badbuf, sizeof(badbuf)), 0);
	assert_int_equal(mask, ALL_KINDS);
	assert_true(mask & ZR_KIND_BIT(ZR_EV_SNAPSHOT));
	assert_int_equal(filter_parse_events("fork,all", &mask, &bad, badbuf, sizeof(badbuf)), 0);
	assert_int_equal(mask, ALL_KINDS);
}

static void test_parse_events_bad(void **state)
{
	char badbuf[80];
	const char *bad = NULL;
	uint32_t mask = 12345;

	(void)state;
	assert_int_equal(
	    filter_parse_events("fork,bogus,exec", &mask, &bad, badbuf, sizeof(badbuf)), -EINVAL);
	assert_non_null(bad);
	assert_string_equal(bad, "bogus");
	assert_int_equal(mask, 12345); /* untouched on error */

	bad = NULL;
	assert_int_equal(filter_parse_events("Fork", &mask, &bad, badbuf, sizeof(badbuf)), -EINVAL);
	assert_string_equal(bad, "Fork");
	bad = NULL;
	assert_int_equal(filter_parse_events("forks", &mask, &bad, badbuf, sizeof(badbuf)),
			 -EINVAL);
	assert_string_equal(bad, "forks");
	bad = NULL;
	assert_int_equal(filter_parse_events("fo", &mask, &bad, badbuf, sizeof(badbuf)), -EINVAL);
	assert_string_equal(bad, "fo");
	bad = NULL;
	assert_int_equal(filter_parse_events("alll", &mask, &bad, badbuf, sizeof(badbuf)), -EINVAL);
	assert_string_equal(bad, "alll");
}

static void test_parse_events_empty_element(void **state)
{
	char badbuf[80];
	const char *bad;
	uint32_t mask = 7;

	(void)state;
	bad = NULL;
	assert_int_equal(filter_parse_events("fork,,exec", &mask, &bad, badbuf, sizeof(badbuf)),
			 -EINVAL);
	assert_non_null(bad);
	assert_string_equal(bad, "");
	bad = NULL;
	assert_int_equal(filter_parse_events("fork,", &mask, &bad, badbuf, sizeof(badbuf)),
			 -EINVAL);
	assert_string_equal(bad, "");
	bad = NULL;
	assert_int_equal(filter_parse_events(",fork", &mask, &bad, badbuf, sizeof(badbuf)),
			 -EINVAL);
	assert_string_equal(bad, "");
	bad = NULL;
	assert_int_equal(filter_parse_events("", &mask, &bad, badbuf, sizeof(badbuf)), -EINVAL);
	assert_string_equal(bad, "");
	assert_int_equal(mask, 7);
}

static void test_parse_events_bad_name_bounded(void **state)
{
	char badbuf[8];
	char longname[200];
	const char *bad = NULL;
	uint32_t mask = 0;

	(void)state;
	memset(longname, 'z', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(filter_parse_events(longname, &mask, &bad, badbuf, sizeof(badbuf)),
			 -EINVAL);
	assert_non_null(bad);
	assert_true(strlen(bad) < sizeof(badbuf));
	assert_memory_equal(bad, "zzzz", 4);
}

static void test_default_mask(void **state)
{
	uint32_t m = filter_default_mask();
	int k;

	(void)state;
	assert_false(m & ZR_KIND_BIT(ZR_EV_SNAPSHOT));
	for (k = 0; k < ZR_EV__COUNT; k++)
		if (k != ZR_EV_SNAPSHOT)
			assert_true(m & ZR_KIND_BIT(k));
	assert_false(m & ~ALL_KINDS);
}

/* ---- filter_match ---- */

static void test_match_always_shown(void **state)
{
	static const enum zr_kind kinds[] = { ZR_EV_START, ZR_EV_STOP, ZR_EV_LOST };
	struct zr_filters f = filters();
	struct zr_pidset *set = pidset_new();
	unsigned i;

	(void)state;
	assert_non_null(set);
	/* Every filter set so that a process event would fail each one. */
	f.event_mask = 0;
	f.pids[0] = 1;
	f.n_pids = 1;
	f.comm = "nomatch";
	f.has_uid = true;
	f.uid = 5;
	f.cgroup_id = 9;
	f.failures_only = true;
	for (i = 0; i < 3; i++) {
		struct zr_ev ev;

		memset(&ev, 0, sizeof(ev));
		ev.kind = kinds[i];
		ev.is_thread = true;
		ev.is_unmatched = true;
		assert_true(filter_match(&f, set, &ev));
		assert_true(filter_match(&f, NULL, &ev));
	}
	pidset_free(set);
}

static void test_match_kind_mask(void **state)
{
	struct zr_filters f = filters();
	struct zr_ev fork = subject(ZR_EV_FORK);
	struct zr_ev exec = subject(ZR_EV_EXEC);
	struct zr_ev snap = subject(ZR_EV_SNAPSHOT);

	(void)state;
	assert_true(filter_match(&f, NULL, &fork));
	assert_true(filter_match(&f, NULL, &exec));
	assert_false(filter_match(&f, NULL, &snap)); /* not by default */
	f.event_mask = ZR_KIND_BIT(ZR_EV_EXEC);
	assert_false(filter_match(&f, NULL, &fork));
	assert_true(filter_match(&f, NULL, &exec));
	f.event_mask = ZR_KIND_BIT(ZR_EV_SNAPSHOT);
	assert_true(filter_match(&f, NULL, &snap));
}

static void test_match_threads(void **state)
{
	struct zr_filters f = filters();
	struct zr_ev ev = subject(ZR_EV_FORK);

	(void)state;
	ev.is_thread = true;
	ev.tid = 4243;
	assert_false(filter_match(&f, NULL, &ev));
	f.threads = true;
	assert_true(filter_match(&f, NULL, &ev));
	ev.is_thread = false;
	assert_true(filter_match(&f, NULL, &ev));
}

static void test_match_pids(void **state)
{
	struct zr_filters f = filters();
	struct zr_pidset *set = pidset_new();
	struct zr_ev ev = subject(ZR_EV_EXIT);

	(void)state;
	assert_non_null(set);
	f.pids[0] = 4242;
	f.n_pids = 1;
	assert_int_equal(pidset_add(set, 4242), 0);
	assert_true(filter_match(&f, set, &ev));
	ev.pid = 4243;
	assert_false(filter_match(&f, set, &ev));
	/* A descendant added to the tracked set (--tree) matches. */
	assert_int_equal(pidset_add(set, 4243), 0);
	assert_true(filter_match(&f, set, &ev));
	pidset_del(set, 4242);
	ev.pid = 4242;
	assert_false(filter_match(&f, set, &ev));
	/* No -p: the set is not consulted. */
	f.n_pids = 0;
	assert_true(filter_match(&f, NULL, &ev));
	pidset_free(set);
}

static void test_match_comm(void **state)
{
	struct zr_filters f = filters();
	struct zr_ev ev = subject(ZR_EV_EXEC);

	(void)state;
	f.comm = "sleep";
	assert_true(filter_match(&f, NULL, &ev));
	f.comm = "slee";
	assert_false(filter_match(&f, NULL, &ev));
	f.comm = "sleep2";
	assert_false(filter_match(&f, NULL, &ev));
	f.comm = "Sleep";
	assert_false(filter_match(&f, NULL, &ev));
	f.comm = "";
	assert_false(filter_match(&f, NULL, &ev));
	strcpy(ev.comm, "0123456789abcdef");
	f.comm = "0123456789abcdef";
	assert_true(filter_match(&f, NULL, &ev));
}

static void test_match_uid(void **state)
{
	struct zr_filters f = filters();
	struct zr_ev ev = subject(ZR_EV_EXIT);

	(void)state;
	f.has_uid = true;
	f.uid = 1000;
	assert_true(filter_match(&f, NULL, &ev));
	f.uid = 0;
	assert_false(filter_match(&f, NULL, &ev));
	ev.uid = 0;
	assert_true(filter_match(&f, NULL, &ev));
	f.has_uid = false;
	f.uid = 55;
	assert_true(filter_match(&f, NULL, &ev));
}

static void test_match_cgroup(void **state)
{
	struct zr_filters f = filters();
	struct zr_ev ev = subject(ZR_EV_WAIT);

	(void)state;
	f.cgroup_path = "/sys/fs/cgroup/unified/x";
	f.cgroup_id = 77;
	assert_true(filter_match(&f, NULL, &ev));
	ev.is_unmatched = true;
	assert_false(filter_match(&f, NULL, &ev));
	/* A subject known only from the /proc snapshot has no cgroup id: never shown under -c. */
	ev.is_unmatched = false;
	ev.cgroup_id = 0;
	assert_false(filter_match(&f, NULL, &ev));
	/* Without -c both still pass. */
	f.cgroup_id = 0;
	f.cgroup_path = NULL;
	assert_true(filter_match(&f, NULL, &ev));
	ev.is_unmatched = true;
	assert_true(filter_match(&f, NULL, &ev));
}

static void test_match_failures_only(void **state)
{
	struct zr_filters f = filters();
	struct zr_ev ev;

	(void)state;
	f.failures_only = true;
	ev = subject(ZR_EV_EXIT);
	ev.u.exit.st = status_decode(0);
	ev.u.exit.group_dead = true;
	assert_false(filter_match(&f, NULL, &ev));
	ev.u.exit.st = status_decode(3 << 8);
	assert_true(filter_match(&f, NULL, &ev));
	ev = subject(ZR_EV_FORK);
	assert_false(filter_match(&f, NULL, &ev));
	ev = subject(ZR_EV_EXEC);
	ev.u.exec.error = ENOENT;
	assert_true(filter_match(&f, NULL, &ev));
	/* AND with the other filters. */
	f.comm = "other";
	assert_false(filter_match(&f, NULL, &ev));
}

static void test_is_failure(void **state)
{
	struct zr_ev ev;

	(void)state;
	ev = subject(ZR_EV_EXIT);
	ev.u.exit.st = status_decode(0);
	assert_false(ev_kind_is_failure(&ev));
	ev.u.exit.st = status_decode(3 << 8);
	assert_true(ev_kind_is_failure(&ev));
	ev.u.exit.st = status_decode(9);
	assert_true(ev_kind_is_failure(&ev));
	ev.u.exit.st = status_decode(11 | 0x80);
	assert_true(ev_kind_is_failure(&ev));
	ev.u.exit.st = (struct zr_exit_status){ 0 }; /* unknown status: not a failure */
	assert_false(ev_kind_is_failure(&ev));

	ev = subject(ZR_EV_REAP);
	ev.u.reap.st = status_decode(0);
	assert_false(ev_kind_is_failure(&ev));
	ev.u.reap.st = status_decode(1 << 8);
	assert_true(ev_kind_is_failure(&ev));
	ev.u.reap.st = status_decode(15);
	assert_true(ev_kind_is_failure(&ev));

	ev = subject(ZR_EV_EXEC);
	assert_false(ev_kind_is_failure(&ev));
	ev.u.exec.error = EACCES;
	assert_true(ev_kind_is_failure(&ev));

	ev = subject(ZR_EV_WAIT);
	ev.u.wait.result = ZR_WAIT_REAPED;
	ev.u.wait.st = status_decode(3 << 8); /* the wait worked, whatever the child did */
	assert_false(ev_kind_is_failure(&ev));
	ev.u.wait.result = ZR_WAIT_ERROR;
	ev.u.wait.error = EINTR;
	assert_true(ev_kind_is_failure(&ev));

	ev = subject(ZR_EV_FORK);
	assert_false(ev_kind_is_failure(&ev));
	ev = subject(ZR_EV_ZOMBIE);
	assert_true(ev_kind_is_failure(&ev));
}

/* ---- cli ---- */

static void assert_duration(const char *s, uint64_t want)
{
	uint64_t ns = 0;

	assert_int_equal(cli_parse_duration(s, &ns), 0);
	assert_int_equal(ns, want);
}

static void assert_bad_duration(const char *s)
{
	uint64_t ns = 424242;

	assert_int_equal(cli_parse_duration(s, &ns), -EINVAL);
	assert_int_equal(ns, 424242);
}

static void test_duration_valid(void **state)
{
	(void)state;
	assert_duration("500ms", 500000000ULL);
	assert_duration("5s", 5000000000ULL);
	assert_duration("2m", 120000000000ULL);
	assert_duration("1h", 3600000000000ULL);
	assert_duration("1.5s", 1500000000ULL);
	assert_duration("5", 5000000000ULL); /* bare number: seconds */
	assert_duration("250us", 250000ULL);
	assert_duration("1ns", 1ULL);
	assert_duration("0.5s", 500000000ULL);
	assert_duration("24h", 86400000000000ULL);
}

static void test_duration_decimal_exact(void **state)
{
	(void)state;
	/* Decimal fractions must not lose a nanosecond to binary floating point. */
	assert_duration("1.001s", 1001000000ULL);
	assert_duration("0.000065s", 65000ULL);
	assert_duration("1.005ms", 1005000ULL);
}

static void test_duration_invalid(void **state)
{
	(void)state;
	assert_bad_duration("0");
	assert_bad_duration("0s");
	assert_bad_duration("0ms");
	assert_bad_duration("-1s");
	assert_bad_duration("-1");
	assert_bad_duration("5x");
	assert_bad_duration("5sec");
	assert_bad_duration("5 s");
	assert_bad_duration(" 5s");
	assert_bad_duration("");
	assert_bad_duration("s");
	assert_bad_duration("ms");
	assert_bad_duration("nan");
	assert_bad_duration("inf");
	assert_bad_duration("99999999999999999999h");
	assert_bad_duration("1e400s");
	assert_bad_duration("0.1ns"); /* rounds to zero */
	assert_bad_duration(NULL);
}

static void test_parse_pid(void **state)
{
	uint32_t pid = 77;

	(void)state;
	assert_int_equal(cli_parse_pid("1", &pid), 0);
	assert_int_equal(pid, 1);
	assert_int_equal(cli_parse_pid("4242", &pid), 0);
	assert_int_equal(pid, 4242);
	assert_int_equal(cli_parse_pid("2147483647", &pid), 0);
	assert_int_equal(pid, 2147483647u);
	pid = 77;
	assert_int_equal(cli_parse_pid("0", &pid), -EINVAL);
	assert_int_equal(cli_parse_pid("-1", &pid), -EINVAL);
	assert_int_equal(cli_parse_pid("2147483648", &pid), -EINVAL);
	assert_int_equal(cli_parse_pid("99999999999999999999", &pid), -EINVAL);
	assert_int_equal(cli_parse_pid("12a", &pid), -EINVAL);
	assert_int_equal(cli_parse_pid("", &pid), -EINVAL);
	assert_int_equal(cli_parse_pid(" 1", &pid), -EINVAL);
	assert_int_equal(cli_parse_pid("+1", &pid), -EINVAL);
	assert_int_equal(cli_parse_pid("1 ", &pid), -EINVAL);
	assert_int_equal(cli_parse_pid(NULL, &pid), -EINVAL);
	assert_int_equal(pid, 77);
}

static void test_parse_uid(void **state)
{
	uint32_t uid = 77;

	(void)state;
	assert_int_equal(cli_parse_uid("0", &uid), 0);
	assert_int_equal(uid, 0);
	uid = 77;
	assert_int_equal(cli_parse_uid("root", &uid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(cli_parse_uid("1000", &uid), 0);
	assert_int_equal(uid, 1000);
	uid = 77;
	assert_int_equal(cli_parse_uid("nosuchuserzz", &uid), -ENOENT);
	assert_int_equal(cli_parse_uid("12x", &uid), -EINVAL);
	assert_int_equal(cli_parse_uid("", &uid), -EINVAL);
	assert_int_equal(cli_parse_uid("4294967296", &uid), -EINVAL);
	assert_int_equal(cli_parse_uid(NULL, &uid), -EINVAL);
	assert_int_equal(uid, 77);
}

static void test_printable(void **state)
{
	char buf[64];
	char small[6];
	const char *p;

	(void)state;
	p = cli_printable("plain", buf, sizeof(buf));
	assert_ptr_equal(p, buf);
	assert_string_equal(p, "plain");
	p = cli_printable("a\x1b[31mb\n", buf, sizeof(buf));
	assert_string_equal(p, "a\\e[31mb\\n");
	p = cli_printable("x\x01y\x7f", buf, sizeof(buf));
	assert_string_equal(p, "x\\x01y\\x7f");
	p = cli_printable("back\\slash\t", buf, sizeof(buf));
	assert_string_equal(p, "back\\\\slash\\t");
	p = cli_printable("\r", buf, sizeof(buf));
	assert_string_equal(p, "\\r");
	/* Cut to fit, never with a raw control byte or a split escape. */
	p = cli_printable("\x1b\x1b\x1b\x1b", small, sizeof(small));
	assert_true(strlen(p) < sizeof(small));
	assert_null(strchr(p, 0x1b));
	assert_int_equal(strlen(p) % 2, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_events_valid),
		cmocka_unit_test(test_parse_events_bad),
		cmocka_unit_test(test_parse_events_empty_element),
		cmocka_unit_test(test_parse_events_bad_name_bounded),
		cmocka_unit_test(test_default_mask),
		cmocka_unit_test(test_match_always_shown),
		cmocka_unit_test(test_match_kind_mask),
		cmocka_unit_test(test_match_threads),
		cmocka_unit_test(test_match_pids),
		cmocka_unit_test(test_match_comm),
		cmocka_unit_test(test_match_uid),
		cmocka_unit_test(test_match_cgroup),
		cmocka_unit_test(test_match_failures_only),
		cmocka_unit_test(test_is_failure),
		cmocka_unit_test(test_duration_valid),
		cmocka_unit_test(test_duration_decimal_exact),
		cmocka_unit_test(test_duration_invalid),
		cmocka_unit_test(test_parse_pid),
		cmocka_unit_test(test_parse_uid),
		cmocka_unit_test(test_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
