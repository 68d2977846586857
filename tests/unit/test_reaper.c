/* test_reaper.c - reaper.c's engine on fake zombies (a fake procfs tree) and a fake injector
 * and signaller (struct reaper_ops): the policy's order of actions, one action per parent for
 * all its zombies, pid reuse, a parent replaced under the same pid, the rate cap, --once
 * settling, and the engine as a pipeline output.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "reaper.h"

#define SEC	    1000000000ULL
#define T0	    (1000 * SEC)
#define MAX_SEEN    16
#define MAX_ZOMBIES 8

/* What the fakes saw, and what they do: a zombie listed in reaped_by_sig[sig] (or every one
 * with reap_on_inject) disappears from the fake /proc when its parent gets sig. */
static struct fake {
	struct fake_proc *fp;
	struct {
		uint32_t pid;
		char action[16], outcome[16], reason[256];
	} ev[MAX_SEEN];
	int n_ev;
	struct {
		uint32_t ppid;
		int sig;
	} sig[MAX_SEEN];
	int n_sig;
	struct {
		uint32_t ppid;
		int n;
	} inj[MAX_SEEN];
	int n_inj;
	bool reap_on_inject;
	uint32_t reaped_by_sigchld[MAX_ZOMBIES];
} g;

static void vanish(uint32_t pid)
{
	assert_int_equal(fp_unlink(g.fp, pid, "stat"), 0);
}

static int cap_emit(struct sink *s, const struct zr_ev *ev)
{
	(void)s;
	assert_int_equal(ev->kind, ZR_EV_ACTION);
	assert_true(g.n_ev < MAX_SEEN);
	g.ev[g.n_ev].pid = ev->pid;
	snprintf(g.ev[g.n_ev].action, sizeof(g.ev[0].action), "%s", ev->u.action.action);
	snprintf(g.ev[g.n_ev].outcome, sizeof(g.ev[0].outcome), "%s", ev->u.action.outcome);
	snprintf(g.ev[g.n_ev].reason, sizeof(g.ev[0].reason), "%s", ev->u.action.reason);
	g.n_ev++;
	return 0;
}

static int cap_flush(struct sink *s)
{
	(void)s;
	return 0;
}

static void cap_close(struct sink *s)
{
	(void)s;
}

static const struct sink_ops cap_ops = { cap_emit, cap_flush, cap_close };

static enum inject_outcome fake_check(uint32_t ppid, char *why, size_t len)
{
	(void)ppid;
	snprintf(why, len, "%s", "");
	return INJECT_RAN;
}

static int fake_ns_pid(uint32_t zombie, uint32_t ppid, uint32_t *ns_pid)
{
	(void)ppid;
	*ns_pid = zombie;
	return 0;
}

static enum inject_outcome fake_waitids(uint32_t ppid, const uint32_t *ns, long *rets, int n,
					struct inject_result *res)
{
	int i;

	assert_true(g.n_inj < MAX_SEEN);
	g.inj[g.n_inj].ppid = ppid;
	g.inj[g.n_inj++].n = n;
	memset(res, 0, sizeof(*res));
	for (i = 0; i < n; i++) {
		if (g.reap_on_inject)
			vanish(ns[i]);
		rets[i] = g.reap_on_inject ? (long)ns[i] : 0;
	}
	res->n_ran = n;
	res->tid = ppid;
	res->attempts = 1;
	return INJECT_RAN;
}

static int fake_open(uint32_t ppid)
{
	return (int)ppid; /* the handle is the pid: the fake needs nothing else */
}

static int fake_signal(int handle, int sig)
{
	int i;

	assert_true(g.n_sig < MAX_SEEN);
	g.sig[g.n_sig].ppid = (uint32_t)handle;
	g.sig[g.n_sig++].sig = sig;
	for (i = 0; sig == SIGCHLD && i < MAX_ZOMBIES && g.reaped_by_sigchld[i]; i++)
		vanish(g.reaped_by_sigchld[i]);
	return 0;
}

static void fake_close(int handle)
{
	(void)handle;
}

static const struct reaper_ops fake_ops = {
	fake_check, fake_ns_pid, fake_waitids, fake_open, fake_signal, fake_close,
};

/* An engine on the fake tree: actions as listed, --older-than 0, --step 1 s, no rate cap. */
static void engine(struct reaper *r, struct fake_proc *fp, const char *actions)
{
	char bad[32];

	memset(&g, 0, sizeof(g));
	g.fp = fp;
	memset(r, 0, sizeof(*r));
	reap_policy_init(&r->pol);
	assert_int_equal(reap_policy_parse_actions(&r->pol, actions, bad, sizeof(bad)), 0);
	r->pol.older_ns = 0;
	r->pol.step_ns = SEC;
	r->pol.max_per_min = 0;
	reaper_init(r);
	r->ops = &fake_ops;
	r->proc = procsrc_live(fp->root);
	r->sink.ops = &cap_ops;
	r->is_accepting = true;
	r->now = T0;
}

static void parent(struct fake_proc *fp, uint32_t pid, uint64_t start)
{
	assert_int_equal(fp_proc(fp, pid, "worker", 'S', 1, start), 0);
}

/* A zombie in the fake /proc, reported to the engine with an unknown age. */
static void zombie(struct reaper *r, uint32_t pid, uint64_t start, uint32_t ppid)
{
	struct zombie_found f = { pid, start, ppid, 0, ZR_AGE_UNKNOWN };

	assert_int_equal(fp_proc(g.fp, pid, "z", 'Z', ppid, start), 0);
	reaper_found(r, &f);
}

static void step_at(struct reaper *r, uint64_t now)
{
	r->now = now;
	reaper_step(r);
}

static void assert_event(int i, uint32_t pid, const char *action, const char *outcome)
{
	assert_true(i < g.n_ev);
	assert_int_equal(g.ev[i].pid, pid);
	assert_string_equal(g.ev[i].action, action);
	assert_string_equal(g.ev[i].outcome, outcome);
}

/* nudge first; when the parent ignores it, inject after --step. */
static void test_policy_order(void **state)
{
	struct reaper r;

	engine(&r, *state, "nudge,inject");
	g.reap_on_inject = true;
	parent(g.fp, 50, 500);
	zombie(&r, 100, 1000, 50);
	step_at(&r, T0);
	assert_int_equal(g.n_sig, 1);
	assert_int_equal(g.sig[0].ppid, 50);
	assert_int_equal(g.sig[0].sig, SIGCHLD);
	assert_int_equal(g.n_inj, 0);
	step_at(&r, T0 + SEC / 2); /* the nudge has until --step to work */
	assert_int_equal(g.n_ev, 0);
	step_at(&r, T0 + SEC);
	assert_int_equal(g.n_ev, 1);
	assert_event(0, 100, "nudge", "no_effect");
	assert_int_equal(g.n_inj, 0);
	step_at(&r, T0 + SEC + 1);
	assert_int_equal(g.n_inj, 1);
	assert_int_equal(g.n_ev, 2);
	assert_event(1, 100, "inject", "reaped");
	assert_true(reaper_all_settled(&r));
	assert_int_equal(reaper_remaining(&r), 0);
	assert_int_equal(g.n_sig, 1);
	reaper_free(&r);
}

/* A parent outside the policy: one refusal line for all its zombies, nothing done. */
static void test_refused_once(void **state)
{
	struct reaper r;

	engine(&r, *state, "nudge");
	assert_int_equal(reap_policy_add_match(&r.pol, false, "comm=worker", NULL), 0);
	parent(g.fp, 50, 500);
	zombie(&r, 100, 1000, 50);
	zombie(&r, 101, 1001, 50);
	zombie(&r, 102, 1002, 50);
	step_at(&r, T0);
	assert_int_equal(g.n_ev, 1);
	assert_event(0, 100, "nudge", "refused");
	assert_int_equal(g.n_sig, 0);
	assert_true(reaper_all_settled(&r));
	assert_int_equal(reaper_remaining(&r), 0); /* none was selected */
	reaper_free(&r);
}

/* One injection per parent for all of its zombies due, each reaped. */
static void test_batch_per_parent(void **state)
{
	struct reaper r;
	int i;

	engine(&r, *state, "inject");
	g.reap_on_inject = true;
	parent(g.fp, 50, 500);
	parent(g.fp, 60, 600);
	zombie(&r, 100, 1000, 50);
	zombie(&r, 200, 2000, 60);
	zombie(&r, 101, 1001, 50);
	zombie(&r, 102, 1002, 50);
	step_at(&r, T0);
	assert_int_equal(g.n_inj, 2);
	assert_int_equal(g.inj[0].ppid, 50);
	assert_int_equal(g.inj[0].n, 3);
	assert_int_equal(g.inj[1].ppid, 60);
	assert_int_equal(g.inj[1].n, 1);
	assert_int_equal(g.n_ev, 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(g.ev[i].outcome, "reaped");
	assert_true(reaper_all_settled(&r));
	reaper_free(&r);
}

/* Pid 100 is another life by the time the engine looks: that one is never acted on; the new
 * zombie under the same pid is its own entry, and only its own reap ends it. */
static void test_pid_reuse(void **state)
{
	struct zombie_found old = { 100, 1000, 50, 0, ZR_AGE_UNKNOWN };
	struct reaper r;

	engine(&r, *state, "nudge");
	parent(g.fp, 50, 500);
	assert_int_equal(fp_proc(g.fp, 100, "z", 'Z', 50, 3000), 0);
	reaper_found(&r, &old);
	step_at(&r, T0);
	assert_int_equal(g.n_sig, 0);
	assert_int_equal(g.n_ev, 0);
	assert_true(reaper_all_settled(&r));

	zombie(&r, 100, 3000, 50);
	step_at(&r, T0 + 1);
	assert_int_equal(g.n_sig, 1);
	reaper_gone(&r, 100, 1000); /* the old life: nothing to do with the new one */
	assert_int_equal(g.n_ev, 0);
	assert_false(reaper_all_settled(&r));
	reaper_gone(&r, 100, 3000);
	assert_int_equal(g.n_ev, 1);
	assert_event(0, 100, "nudge", "reaped");
	assert_true(reaper_all_settled(&r));
	reaper_free(&r);
}

/* The parent's pid now names another process (its start time differs) when the second action
 * is due: it is never acted on, neither signalled nor stopped for an injection. */
static void replaced_parent(void **state, const char *actions, const char *second,
			    const char *reason)
{
	struct reaper r;

	engine(&r, *state, actions);
	g.reap_on_inject = true;
	parent(g.fp, 50, 500);
	zombie(&r, 100, 1000, 50);
	step_at(&r, T0);
	assert_int_equal(g.n_sig, 1);
	parent(g.fp, 50, 900); /* the parent died; a new process has its pid */
	step_at(&r, T0 + SEC);
	assert_event(0, 100, "nudge", "no_effect");
	step_at(&r, T0 + SEC + 1);
	assert_int_equal(g.n_sig, 1);
	assert_int_equal(g.n_inj, 0);
	assert_int_equal(g.n_ev, 2);
	assert_event(1, 100, second, "failed");
	assert_non_null(strstr(g.ev[1].reason, reason));
	reaper_free(&r);
}

static void test_parent_changed(void **state)
{
	replaced_parent(state, "nudge,kill-parent", "kill-parent", "SIGTERM to parent 50");
}

static void test_parent_changed_inject(void **state)
{
	replaced_parent(state, "nudge,inject", "inject",
			"parent 50 is gone or no longer the same process");
}

/* --max-per-minute 1: the second parent waits for the next minute. */
static void test_rate_cap(void **state)
{
	struct reaper r;

	engine(&r, *state, "nudge");
	r.pol.max_per_min = 1;
	reaper_init(&r);
	r.ops = &fake_ops;
	r.proc = procsrc_live(g.fp->root);
	parent(g.fp, 50, 500);
	parent(g.fp, 60, 600);
	zombie(&r, 100, 1000, 50);
	zombie(&r, 200, 2000, 60);
	step_at(&r, T0);
	assert_int_equal(g.n_sig, 1);
	assert_int_equal(g.sig[0].ppid, 50);
	step_at(&r, T0 + 30 * SEC);
	assert_int_equal(g.n_sig, 1);
	step_at(&r, T0 + 60 * SEC);
	assert_int_equal(g.n_sig, 2);
	assert_int_equal(g.sig[1].ppid, 60);
	reaper_free(&r);
}

/* --once: a zombie surely younger than --older-than is left alone at once, zombies found
 * after the start are not taken, and the run settles when the actions are used up. */
static void test_once_settles(void **state)
{
	struct zombie_found old = { 100, 1000, 50, 20 * SEC, ZR_AGE_SCHED };
	struct zombie_found young = { 200, 2000, 60, 1 * SEC, ZR_AGE_SCHED };
	struct zombie_found late = { 300, 3000, 60, 0, ZR_AGE_UNKNOWN };
	struct reaper r;

	engine(&r, *state, "nudge");
	r.pol.older_ns = 10 * SEC;
	r.is_once = true;
	parent(g.fp, 50, 500);
	parent(g.fp, 60, 600);
	assert_int_equal(fp_proc(g.fp, 100, "z", 'Z', 50, 1000), 0);
	assert_int_equal(fp_proc(g.fp, 200, "z", 'Z', 60, 2000), 0);
	assert_int_equal(fp_proc(g.fp, 300, "z", 'Z', 60, 3000), 0);
	reaper_found(&r, &old);
	reaper_found(&r, &young);
	r.is_accepting = false;
	reaper_found(&r, &late);
	step_at(&r, T0);
	assert_int_equal(g.n_sig, 1);
	assert_int_equal(g.sig[0].ppid, 50);
	assert_false(reaper_all_settled(&r)); /* the nudge is pending */
	step_at(&r, T0 + SEC);
	assert_event(0, 100, "nudge", "no_effect");
	step_at(&r, T0 + SEC + 1);
	assert_true(reaper_all_settled(&r));
	assert_int_equal(reaper_remaining(&r), 1); /* --once exits 1: 100 is still there */
	assert_int_equal(g.n_sig, 1);
	assert_int_equal(g.n_ev, 1);
	reaper_free(&r);
}

/* As a pipeline output: a `zombie` event is a candidate, its `reap` ends it. */
static void test_output(void **state)
{
	struct zr_ev ev = { 0 };
	struct output o;
	struct reaper r;

	engine(&r, *state, "nudge");
	g.reaped_by_sigchld[0] = 100;
	parent(g.fp, 50, 500);
	assert_int_equal(fp_proc(g.fp, 100, "z", 'Z', 50, 1000), 0);
	reaper_output(&r, &o);
	ev.kind = ZR_EV_ZOMBIE;
	ev.pid = 100;
	ev.ppid = 50;
	ev.start_ns = 1000 * procfs_tick_ns();
	ev.u.zombie.age_source = ZR_AGE_TRACE;
	assert_int_equal(o.ops->observe(&o, &ev, false), 0);
	step_at(&r, T0);
	assert_int_equal(g.n_sig, 1);
	assert_false(reaper_all_settled(&r));
	memset(&ev, 0, sizeof(ev));
	ev.kind = ZR_EV_REAP;
	ev.pid = 100;
	ev.start_ns = 1000 * procfs_tick_ns();
	assert_int_equal(o.ops->observe(&o, &ev, true), 0);
	assert_int_equal(g.n_ev, 1);
	assert_event(0, 100, "nudge", "reaped");
	assert_true(reaper_all_settled(&r));
	reaper_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_policy_order, fp_setup, fp_teardown),
		cmocka_unit_test_setup_teardown(test_refused_once, fp_setup, fp_teardown),
		cmocka_unit_test_setup_teardown(test_batch_per_parent, fp_setup, fp_teardown),
		cmocka_unit_test_setup_teardown(test_pid_reuse, fp_setup, fp_teardown),
		cmocka_unit_test_setup_teardown(test_parent_changed, fp_setup, fp_teardown),
		cmocka_unit_test_setup_teardown(test_parent_changed_inject, fp_setup, fp_teardown),
		cmocka_unit_test_setup_teardown(test_rate_cap, fp_setup, fp_teardown),
		cmocka_unit_test_setup_teardown(test_once_settles, fp_setup, fp_teardown),
		cmocka_unit_test_setup_teardown(test_output, fp_setup, fp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
