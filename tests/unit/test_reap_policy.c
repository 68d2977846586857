/* test_reap_policy.c - reap_policy.c: action lists, --only/--except parsing and matching, the
 * protected list (host PID 1, kernel threads, comms, naming by pid), cgroup prefixes, rate cap.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "reap_policy.h"

static int fake_uid(const char *s, uint32_t *uid)
{
	if (!strcmp(s, "alice")) {
		*uid = 1000;
		return 0;
	}
	return -ENOENT;
}

static struct rp_parent parent(uint32_t pid, uint32_t uid, const char *comm, const char *cg)
{
	struct rp_parent p = { .pid = pid, .uid = uid, .comm = comm, .cgroup = cg };

	return p;
}

static enum rp_verdict sel(const struct reap_policy *p, const struct rp_parent *par,
			   const char **rule)
{
	char why[256];
	enum rp_verdict v = reap_policy_select(p, par, rule, why, sizeof(why));

	assert_true(v == RP_SELECTED ? why[0] == '\0' : why[0] != '\0');
	return v;
}

static void test_defaults(void **state)
{
	struct reap_policy p;

	(void)state;
	reap_policy_init(&p);
	assert_int_equal(p.n_actions, 1);
	assert_int_equal(p.actions[0], RP_NUDGE);
	assert_int_equal(p.older_ns, 30000000000ULL);
	assert_false(p.dry_run);
	assert_string_equal(reap_policy_action_name(RP_KILL_PARENT), "kill-parent");
}

static void test_actions(void **state)
{
	struct reap_policy p;
	char bad[64];

	(void)state;
	reap_policy_init(&p);
	assert_int_equal(
	    reap_policy_parse_actions(&p, "inject,nudge,kill-parent", bad, sizeof(bad)), 0);
	assert_int_equal(p.n_actions, 3);
	assert_int_equal(p.actions[0], RP_INJECT);
	assert_int_equal(p.actions[1], RP_NUDGE);
	assert_int_equal(p.actions[2], RP_KILL_PARENT);

	assert_int_equal(reap_policy_parse_actions(&p, "nudge,zap", bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "zap");
	assert_int_equal(reap_policy_parse_actions(&p, "nudge,nudge", bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "nudge");
	assert_int_equal(reap_policy_parse_actions(&p, "", bad, sizeof(bad)), -EINVAL);
	assert_int_equal(reap_policy_parse_actions(&p, "inject,", bad, sizeof(bad)), -EINVAL);
	assert_int_equal(reap_policy_parse_actions(&p, "kill", bad, sizeof(bad)), -EINVAL);
	/* A failed parse leaves the previous list. */
	assert_int_equal(p.n_actions, 3);
}

static void test_match_parsing(void **state)
{
	struct reap_policy p;

	(void)state;
	reap_policy_init(&p);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=42", NULL), 0);
	assert_int_equal(reap_policy_add_match(&p, true, "uid=alice", fake_uid), 0);
	assert_int_equal(p.only[1].num, 1000);
	assert_int_equal(reap_policy_add_match(&p, false, "comm=node*", NULL), 0);
	assert_int_equal(reap_policy_add_match(&p, false, "cgroup=/system.slice", NULL), 0);
	assert_int_equal(p.n_only, 2);
	assert_int_equal(p.n_except, 2);
	assert_string_equal(p.except[0].label, "comm=node*");

	assert_int_equal(reap_policy_add_match(&p, true, "uid=bob", fake_uid), -ENOENT);
	assert_int_equal(reap_policy_add_match(&p, true, "uid=bob", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=0", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=-3", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=12x", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=99999999999", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "pid", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "=3", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "name=x", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "pidx=3", NULL), -EINVAL);
	assert_int_equal(reap_policy_add_match(&p, true, "cgroup=relative", NULL), -EINVAL);
	assert_int_equal(p.n_only, 2);
}

static void test_too_many(void **state)
{
	struct reap_policy p;
	int i;

	(void)state;
	reap_policy_init(&p);
	for (i = 0; i < RP_MATCH_MAX; i++)
		assert_int_equal(reap_policy_add_match(&p, true, "pid=7", NULL), 0);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=7", NULL), -E2BIG);
}

static void test_only_except(void **state)
{
	struct reap_policy p;
	struct rp_parent a = parent(42, 1000, "node", "/user.slice/app"),
			 b = parent(43, 0, "python3", "/system.slice/x.service");
	const char *rule;

	(void)state;
	reap_policy_init(&p);
	/* No --only: everything not protected. */
	assert_int_equal(sel(&p, &a, &rule), RP_SELECTED);
	assert_string_equal(rule, "default");

	/* Values of one key OR. */
	assert_int_equal(reap_policy_add_match(&p, true, "pid=42", NULL), 0);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=43", NULL), 0);
	assert_int_equal(sel(&p, &a, &rule), RP_SELECTED);
	assert_string_equal(rule, "pid=42");
	assert_int_equal(sel(&p, &b, &rule), RP_SELECTED);
	assert_string_equal(rule, "pid=43");

	/* Keys AND. */
	assert_int_equal(reap_policy_add_match(&p, true, "uid=1000", NULL), 0);
	assert_int_equal(sel(&p, &a, &rule), RP_SELECTED);
	assert_int_equal(sel(&p, &b, &rule), RP_NOT_SELECTED);
	assert_string_equal(rule, "only");

	/* --except wins over --only. */
	assert_int_equal(reap_policy_add_match(&p, false, "cgroup=/user.slice", NULL), 0);
	assert_int_equal(sel(&p, &a, &rule), RP_NOT_SELECTED);
	assert_string_equal(rule, "except");

	reap_policy_init(&p);
	assert_int_equal(reap_policy_add_match(&p, true, "comm=py*", NULL), 0);
	assert_int_equal(sel(&p, &a, &rule), RP_NOT_SELECTED);
	assert_int_equal(sel(&p, &b, &rule), RP_SELECTED);
	assert_string_equal(rule, "comm=py*");

	/* A cgroup key against a parent whose cgroup is unknown never matches. */
	reap_policy_init(&p);
	assert_int_equal(reap_policy_add_match(&p, true, "cgroup=/", NULL), 0);
	b.cgroup = NULL;
	assert_int_equal(sel(&p, &a, &rule), RP_SELECTED);
	assert_int_equal(sel(&p, &b, &rule), RP_NOT_SELECTED);
}

static void test_protected(void **state)
{
	static const char *const comms[] = { "systemd",		 "init",   "sshd",
					     "containerd",	 "runc",   "crun",
					     "dockerd",		 "conmon", "containerd-shim",
					     "containerd-shim-r" };
	struct reap_policy p;
	struct rp_parent par;
	const char *rule;
	char why[256];
	size_t i;

	(void)state;
	reap_policy_init(&p);
	for (i = 0; i < sizeof(comms) / sizeof(comms[0]); i++) {
		par = parent(500, 0, comms[i], NULL);
		assert_int_equal(sel(&p, &par, &rule), RP_PROTECTED);
		assert_string_equal(rule, "protected:comm");
	}
	par = parent(500, 0, "sshd-session", NULL); /* exact names, not prefixes */
	assert_int_equal(sel(&p, &par, &rule), RP_SELECTED);

	/* The host's PID 1 whatever its name; a container's PID 1 is an ordinary parent. */
	par = parent(1, 0, "process_api", NULL);
	par.is_host_init = true;
	assert_int_equal(reap_policy_select(&p, &par, &rule, why, sizeof(why)), RP_PROTECTED);
	assert_string_equal(rule, "protected:host_init");
	assert_non_null(strstr(why, "--only pid=1"));
	par = parent(9000, 0, "node", NULL); /* NSpid "9000 1": not host init */
	assert_int_equal(sel(&p, &par, &rule), RP_SELECTED);

	/* Naming by pid lifts the protection; by comm it does not. */
	par = parent(1, 0, "systemd", NULL);
	par.is_host_init = true;
	assert_int_equal(reap_policy_add_match(&p, true, "comm=systemd", NULL), 0);
	assert_int_equal(sel(&p, &par, &rule), RP_PROTECTED);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=1", NULL), 0);
	assert_int_equal(sel(&p, &par, &rule), RP_SELECTED);
	assert_string_equal(rule, "pid=1");

	/* Kernel threads: never. */
	par = parent(2, 0, "kthreadd", NULL);
	par.is_kthread = true;
	reap_policy_init(&p);
	assert_int_equal(reap_policy_add_match(&p, true, "pid=2", NULL), 0);
	assert_int_equal(sel(&p, &par, &rule), RP_PROTECTED);
	assert_string_equal(rule, "protected:kthread");
	assert_true(reap_policy_is_protected_comm("containerd-shim-runc-v2"));
	assert_false(reap_policy_is_protected_comm("bash"));
	assert_non_null(strstr(reap_policy_protected_list(), "containerd-shim*"));
}

static void test_cgroup_under(void **state)
{
	(void)state;
	assert_true(reap_policy_cgroup_under("/a/b", "/a"));
	assert_true(reap_policy_cgroup_under("/a/b", "/a/"));
	assert_true(reap_policy_cgroup_under("/a/b", "/a/b"));
	assert_true(reap_policy_cgroup_under("/a", "/"));
	assert_false(reap_policy_cgroup_under("/ab", "/a"));
	assert_false(reap_policy_cgroup_under("/a", "/a/b"));
}

static void test_rate(void **state)
{
	const uint64_t s = 1000000000ULL, t0 = 1000 * s;
	struct rp_rate r;
	int i;

	(void)state;
	reap_policy_rate_init(&r, 0);
	for (i = 0; i < 1000; i++)
		assert_true(reap_policy_rate_take(&r, t0));

	/* 3 per minute: a burst of 3, then one every 20 s. */
	reap_policy_rate_init(&r, 3);
	assert_true(reap_policy_rate_take(&r, t0));
	assert_true(reap_policy_rate_take(&r, t0));
	assert_true(reap_policy_rate_take(&r, t0 + s));
	assert_false(reap_policy_rate_take(&r, t0 + s));
	assert_int_equal(reap_policy_rate_wait(&r, t0 + s), 19 * s);
	assert_false(reap_policy_rate_take(&r, t0 + 19 * s));
	assert_true(reap_policy_rate_take(&r, t0 + 20 * s));
	assert_false(reap_policy_rate_take(&r, t0 + 21 * s));
	/* After a quiet minute the whole burst is back. */
	assert_true(reap_policy_rate_take(&r, t0 + 200 * s));
	assert_true(reap_policy_rate_take(&r, t0 + 200 * s));
	assert_true(reap_policy_rate_take(&r, t0 + 200 * s));
	assert_false(reap_policy_rate_take(&r, t0 + 200 * s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),      cmocka_unit_test(test_actions),
		cmocka_unit_test(test_match_parsing), cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_only_except),   cmocka_unit_test(test_protected),
		cmocka_unit_test(test_cgroup_under),  cmocka_unit_test(test_rate),
	};

	return cmocka_run_group_tests_name("reap_policy", tests, NULL, NULL);
}
