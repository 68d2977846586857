/* test_metrics.c - metrics.c: each family counted from built events, the zombie gauge rising and
 * its series vanishing at 0, the histogram, label escaping, both exposition formats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ev_build.h"
#include "metrics.h"

static struct metrics *m;
static char *page;

static int setup(void **state)
{
	(void)state;
	m = metrics_new("1.2.3", "6.18.0");
	return m ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	metrics_free(m);
	free(page);
	page = NULL;
	return 0;
}

/* Renders at ktime now; the page stays in `page` for has()/lacks(). */
static const char *render(enum metrics_format fmt, uint64_t now)
{
	size_t len;

	free(page);
	page = metrics_render(m, fmt, now, &len);
	assert_non_null(page);
	assert_int_equal(len, strlen(page));
	return page;
}

/* Is `line` a whole line of the page? */
static int has_line(const char *line)
{
	size_t n = strlen(line);
	const char *p = page;

	while ((p = strstr(p, line))) {
		if ((p == page || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

#define HAS(line)                                                                                  \
	do {                                                                                       \
		if (!has_line(line))                                                               \
			fail_msg("missing line: %s\n%s", line, page);                              \
	} while (0)
#define LACKS(text)                                                                                \
	do {                                                                                       \
		if (strstr(page, text))                                                            \
			fail_msg("unexpected: %s\n%s", text, page);                                \
	} while (0)

static void test_counters(void **state)
{
	struct zr_ev ev;

	(void)state;
	ev = evb_fork("bash");
	metrics_observe(m, &ev);
	metrics_observe(m, &ev);
	ev = evb_thread_fork(4300);
	metrics_observe(m, &ev);
	ev = evb_exec("/bin/true", "true\0", 1, 0);
	metrics_observe(m, &ev);
	ev = evb_exec("/nope", "nope\0", 1, 2); /* failed: not an exec that happened */
	metrics_observe(m, &ev);
	ev = evb_exit(0, 10);
	metrics_observe(m, &ev);
	ev = evb_exit(3 << 8, 10);
	metrics_observe(m, &ev);
	ev = evb_exit(9, 10);
	metrics_observe(m, &ev);
	ev = evb_exit(11 | 0x80, 10);
	metrics_observe(m, &ev);
	ev = evb_exit(0, 10);
	ev.u.exit.group_dead = false; /* a thread's exit is not a process's */
	metrics_observe(m, &ev);
	ev = evb_orphan(evb_ref(1, 1, "a", NULL), evb_ref(2, 2, "init", "pidns_init"));
	metrics_observe(m, &ev);
	ev = evb_lost(7, "ringbuf");
	metrics_observe(m, &ev);
	ev = evb_lost(5, "ringbuf");
	metrics_observe(m, &ev);
	ev = evb_plain(ZR_EV_ACTION);
	ev.u.action.action = "nudge";
	ev.u.action.outcome = "reaped";
	metrics_observe(m, &ev);
	metrics_set_tracked(m, 321);
	render(METRICS_PROMETHEUS, EVB_KTIME);
	HAS("zreaper_forks_total{kind=\"process\"} 2");
	HAS("zreaper_forks_total{kind=\"thread\"} 1");
	HAS("zreaper_execs_total 1");
	HAS("zreaper_exits_total{outcome=\"success\"} 1");
	HAS("zreaper_exits_total{outcome=\"failure\"} 1");
	HAS("zreaper_exits_total{outcome=\"signal\"} 2");
	HAS("zreaper_exit_signals_total{signal=\"SIGKILL\"} 1");
	HAS("zreaper_exit_signals_total{signal=\"SIGSEGV\"} 1");
	HAS("zreaper_orphans_total{adopter_role=\"pidns_init\"} 1");
	HAS("zreaper_events_lost_total{source=\"ringbuf\"} 12");
	HAS("zreaper_reap_actions_total{action=\"nudge\",outcome=\"reaped\"} 1");
	HAS("zreaper_tracked_processes 321");
	HAS("zreaper_build_info{version=\"1.2.3\",kernel=\"6.18.0\"} 1");
	HAS("# TYPE zreaper_forks_total counter");
	LACKS("# EOF");
}

static void test_zombie_gauge_and_histogram(void **state)
{
	struct zr_ev z1 = evb_zombie("node", ""), z2, r;

	(void)state;
	z1.container_id = "containerd://abc";
	metrics_observe(m, &z1);
	z2 = z1;
	z2.pid = 4243;
	z2.ktime_ns = EVB_KTIME + 500000000; /* died 0.5 s after z1 */
	metrics_observe(m, &z2);
	metrics_observe(m, &z2); /* the same life twice counts once */
	render(METRICS_PROMETHEUS, EVB_KTIME + 2000000000ULL);
	HAS("zreaper_zombies{parent_comm=\"node\",container_id=\"containerd://abc\"} 2");
	HAS("zreaper_zombies_created_total 3");
	/* z1 died at EVB_KTIME - 1 s: 3 s before now */
	HAS("zreaper_zombie_oldest_age_seconds 3.000000000");
	assert_int_equal(metrics_zombies(m), 2);

	r = evb_reap(ZR_HOW_WAIT4, evb_ref(EVB_PPID, 1000, "node", "parent"), 0, 2500000000ULL, 9);
	metrics_observe(m, &r);
	r.pid = 4243;
	r.u.reap.zombie_ns = 5000000; /* 5 ms */
	r.u.reap.reaper.role = "subreaper";
	metrics_observe(m, &r);
	render(METRICS_PROMETHEUS, EVB_KTIME + 3000000000ULL);
	LACKS("zreaper_zombies{");
	HAS("zreaper_zombie_oldest_age_seconds 0.000000000");
	HAS("zreaper_reaps_total{reaper_role=\"parent\"} 1");
	HAS("zreaper_reaps_total{reaper_role=\"subreaper\"} 1");
	HAS("zreaper_zombie_duration_seconds_bucket{le=\"0.001\"} 0");
	HAS("zreaper_zombie_duration_seconds_bucket{le=\"0.01\"} 1");
	HAS("zreaper_zombie_duration_seconds_bucket{le=\"1\"} 1");
	HAS("zreaper_zombie_duration_seconds_bucket{le=\"10\"} 2");
	HAS("zreaper_zombie_duration_seconds_bucket{le=\"+Inf\"} 2");
	HAS("zreaper_zombie_duration_seconds_sum 2.505000000");
	HAS("zreaper_zombie_duration_seconds_count 2");
	assert_int_equal(metrics_zombies(m), 0);
}

/* Series leave from the middle of the list: the others keep their counts. */
static void test_series_removed_in_any_order(void **state)
{
	const char *comms[] = { "a", "b", "c" };
	struct zr_ev z, r;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		z = evb_zombie(comms[i], "");
		z.pid = 100 + (uint32_t)i;
		metrics_observe(m, &z);
	}
	r = evb_reap(ZR_HOW_WAITID, evb_ref(1, 1, "x", "parent"), 0, 1, 1);
	r.pid = 100; /* "a", the first series */
	metrics_observe(m, &r);
	render(METRICS_PROMETHEUS, EVB_KTIME);
	LACKS("parent_comm=\"a\"");
	HAS("zreaper_zombies{parent_comm=\"b\",container_id=\"\"} 1");
	HAS("zreaper_zombies{parent_comm=\"c\",container_id=\"\"} 1");
	/* a new series takes the freed slot; the others are untouched */
	z = evb_zombie("d", "");
	z.pid = 103;
	metrics_observe(m, &z);
	render(METRICS_PROMETHEUS, EVB_KTIME);
	LACKS("parent_comm=\"a\"");
	HAS("zreaper_zombies{parent_comm=\"b\",container_id=\"\"} 1");
	HAS("zreaper_zombies{parent_comm=\"d\",container_id=\"\"} 1");
	r.pid = 102;
	metrics_observe(m, &r);
	r.pid = 103;
	metrics_observe(m, &r);
	r.pid = 101;
	metrics_observe(m, &r);
	render(METRICS_PROMETHEUS, EVB_KTIME);
	LACKS("zreaper_zombies{");
}

/* A zombie older than the trace (snapshot, then a zombie of unknown age) counts until its reap,
 * is not "created", and its unknown age is not observed. */
static void test_snapshot_zombie(void **state)
{
	struct zr_ev s = evb_base(ZR_EV_SNAPSHOT), z = evb_zombie("old", ""), r;

	(void)state;
	s.u.snapshot.state = 'Z';
	metrics_observe(m, &s); /* names no parent: not counted by itself */
	render(METRICS_PROMETHEUS, EVB_KTIME);
	LACKS("zreaper_zombies{");
	z.u.zombie.age_source = ZR_AGE_UNKNOWN;
	z.u.zombie.zombie_ns = 0;
	metrics_observe(m, &z);
	render(METRICS_PROMETHEUS, EVB_KTIME);
	HAS("zreaper_zombies{parent_comm=\"old\",container_id=\"\"} 1");
	HAS("zreaper_zombies_created_total 0");
	r = evb_reap(ZR_HOW_WAIT4, evb_ref(EVB_PPID, 1000, "old", "parent"), 0, 0, 0);
	metrics_observe(m, &r);
	render(METRICS_PROMETHEUS, EVB_KTIME);
	LACKS("zreaper_zombies{");
	HAS("zreaper_zombie_duration_seconds_count 0");
}

/* comm is untrusted: quotes, backslashes, newlines and invalid UTF-8 cannot break the page. */
static void test_label_escaping(void **state)
{
	struct zr_ev z = evb_zombie("x", "");

	(void)state;
	evb_comm(z.parent.comm, "a\"b\\c\nd\x1b\xff");
	metrics_observe(m, &z);
	render(METRICS_PROMETHEUS, EVB_KTIME);
	HAS("zreaper_zombies{parent_comm=\"a\\\"b\\\\c\\nd\\u001b\xef\xbf\xbd\",container_id=\"\"} "
	    "1");
}

static void test_openmetrics(void **state)
{
	struct zr_ev ev = evb_fork("bash");

	(void)state;
	metrics_observe(m, &ev);
	render(METRICS_OPENMETRICS, EVB_KTIME);
	HAS("# TYPE zreaper_forks counter");
	HAS("zreaper_forks_total{kind=\"process\"} 1");
	HAS("# TYPE zreaper_zombie_duration_seconds histogram");
	assert_string_equal(page + strlen(page) - 6, "# EOF\n");
	assert_string_equal(metrics_content_type(METRICS_OPENMETRICS),
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
	assert_string_equal(metrics_content_type(METRICS_PROMETHEUS),
			    "text/plain; version=0.0.4; charset=utf-8");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_counters),
		T(test_zombie_gauge_and_histogram),
		T(test_series_removed_in_any_order),
		T(test_snapshot_zombie),
		T(test_label_escaping),
		T(test_openmetrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
