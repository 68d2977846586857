/* test_sink_action.c - the `action` event of `reap` in both sinks: exact JSON and column lines
 * for each outcome, dry run, a null reason, escaping of the reason and of the policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "ev_build.h"
#include "sink_capture.h"
#include "sink.h"

#define HEAD "{\"ts\":\"" EVB_TS "\",\"ktime_ns\":6000000000,\"seq\":1,\"event\":\"action\""
#define SUBJ                                                                                       \
	"\"pid\":4242,\"ppid\":100,\"comm\":\"sleep\",\"uid\":1000,\"gid\":1000,"                  \
	"\"start_ns\":5000000000,\"entity_id\":\"4242:5000000000\",\"cgroup_id\":77"
#define PARENT ",\"parent\":{\"pid\":100,\"comm\":\"node\",\"entity_id\":\"100:1000\"}"
#define T      "10:22:07.412 action    4242    100     sleep            "

static struct zr_ev action(const char *what, const char *outcome, const char *reason)
{
	struct zr_ev ev = evb_base(ZR_EV_ACTION);

	ev.parent = evb_ref(EVB_PPID, 1000, "node", NULL);
	ev.u.action.action = what;
	ev.u.action.outcome = outcome;
	ev.u.action.policy = "default";
	snprintf(ev.u.action.reason, sizeof(ev.u.action.reason), "%s", reason);
	return ev;
}

static const char *emit(struct sink *s, const struct zr_ev *ev)
{
	s->boot_to_real_ns = EVB_BOOT_TO_REAL;
	return emit_on(s, ev, 1);
}

static const char *json(struct zr_ev ev)
{
	struct sink s;

	sink_json_init(&s, NULL, NULL);
	return emit(&s, &ev);
}

static const char *text(struct zr_ev ev)
{
	struct sink s;

	sink_text_init(&s, NULL, NULL);
	s.header_done = true;
	return emit(&s, &ev);
}

static void test_json_outcomes(void **state)
{
	struct zr_ev ev = action("inject", "reaped", "");

	(void)state;
	assert_string_equal(json(ev), HEAD "," SUBJ PARENT
					   ",\"action\":\"inject\",\"dry_run\":false,\"outcome\":"
					   "\"reaped\",\"policy\":\"default\",\"reason\":null}\n");

	ev = action("nudge", "no_effect", "parent 100 (node) did not reap after SIGCHLD");
	ev.u.action.policy = "comm=node";
	assert_string_equal(json(ev), HEAD
			    "," SUBJ PARENT ",\"action\":\"nudge\",\"dry_run\":false,\"outcome\":"
			    "\"no_effect\",\"policy\":\"comm=node\",\"reason\":\"parent "
			    "100 (node) did not reap after SIGCHLD\"}\n");

	ev = action("inject", "planned", "");
	ev.u.action.dry_run = true;
	assert_non_null(strstr(json(ev), ",\"dry_run\":true,\"outcome\":\"planned\","));

	/* The reason quotes a comm: escaped. */
	ev = action("inject", "refused", "parent 100 (a\x1b\n\xff) is traced");
	assert_non_null(strstr(json(ev), "\"reason\":\"parent 100 (a\\u001b\\n\xef\xbf\xbd) is "
					 "traced\"}"));
}

static void test_text(void **state)
{
	struct zr_ev ev = action("inject", "reaped", "");

	(void)state;
	assert_string_equal(text(ev), T "inject reaped, parent 100 (node), policy default\n");

	ev = action("nudge", "planned", "");
	ev.u.action.dry_run = true;
	assert_string_equal(text(ev),
			    T "nudge planned (dry run), parent 100 (node), policy default\n");

	ev = action("inject", "refused", "parent 100 (a\x1b) is traced");
	ev.u.action.policy = "protected:host_init";
	ev.parent.pid = 0;
	assert_string_equal(text(ev), T "inject refused, parent unknown, policy "
					"protected:host_init: parent 100 (a\\e) is traced\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_outcomes),
		cmocka_unit_test(test_text),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("sink_action", tests, NULL, NULL);
}
