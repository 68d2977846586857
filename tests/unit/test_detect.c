/* test_detect.c - detect.c: the parent's state and SIGCHLD disposition read from a fake /proc,
 * and every reason_code with its exact sentence, init wording, zombie counts, escaping of a
 * hostile parent comm and truncation to a small buffer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect.h"
#include "fake_proc.h"
#include "procfs.h"
#include "procsrc.h"
#include "names.h"

#define SEC	  1000000000ULL
#define MS	  1000000ULL
#define SIGCHLD_M (1ULL << 16) /* signal 17 */
#define PPID	  100
#define PSTART_TK 4321

/* Parent 100 "node" in state, with the given masks and NSpid. */
static void parent(struct fake_proc *fp, char st, uint64_t blk, uint64_t ign, uint64_t cgt,
		   const char *nspid)
{
	assert_int_equal(fp_stat(fp, PPID, "node", st, 1, 1, PSTART_TK, 0), 0);
	assert_int_equal(fp_status(fp, PPID, 0, 0, 1, blk, ign, cgt, nspid), 0);
}

struct probe {
	struct zr_parent_info pi;
	bool is_init;
	struct zr_ref ref;
	char rc;
};

static struct probe probe(struct fake_proc *fp, uint32_t ppid)
{
	struct procsrc src;
	struct probe p;

	memset(&p, 0xa5, sizeof(p));
	p.pi.last_wait_ns = 77;
	p.pi.zombies_held = 3;
	src = procsrc_live(fp->root);
	p.rc = detect_parent_procfs(&src, ppid, &p.pi, &p.is_init, &p.ref);
	/* what the tracer knows is left alone */
	assert_int_equal(p.pi.last_wait_ns, 77);
	assert_int_equal(p.pi.zombies_held, 3);
	return p;
}

static void test_parent_default(void **state)
{
	struct fake_proc *fp = *state;
	struct probe p;

	parent(fp, 'S', 0, 0, 0, "100");
	p = probe(fp, PPID);
	assert_int_equal(p.rc, 'S');
	assert_string_equal(p.pi.state, "sleeping");
	assert_non_null(p.pi.sigchld);
	assert_string_equal(p.pi.sigchld, "default");
	assert_false(p.pi.sigchld_blocked);
	assert_false(p.is_init);
	assert_int_equal(p.ref.pid, PPID);
	assert_string_equal(p.ref.comm, "node");
	assert_int_equal(p.ref.start_ns, procfs_ticks_to_ns(PSTART_TK));
}

static void test_parent_handler(void **state)
{
	struct fake_proc *fp = *state;
	struct probe p;

	parent(fp, 'S', 0, 0, SIGCHLD_M | 0x4003, "100");
	p = probe(fp, PPID);
	assert_string_equal(p.pi.sigchld, "handler");
	assert_false(p.pi.sigchld_blocked);
}

static void test_parent_ignored(void **state)
{
	struct fake_proc *fp = *state;
	struct probe p;

	parent(fp, 'S', 0, SIGCHLD_M | 0x1000, 0, "100");
	p = probe(fp, PPID);
	assert_string_equal(p.pi.sigchld, "ignored");
}

static void test_parent_neighbour_bits(void **state)
{
	struct fake_proc *fp = *state;
	uint64_t others = ~SIGCHLD_M;
	struct probe p;

	/* every signal but SIGCHLD ignored, caught and blocked: still default, not blocked */
	parent(fp, 'S', others, others, others, "100");
	p = probe(fp, PPID);
	assert_string_equal(p.pi.sigchld, "default");
	assert_false(p.pi.sigchld_blocked);
}

static void test_parent_blocked(void **state)
{
	struct fake_proc *fp = *state;
	struct probe p;

	parent(fp, 'S', SIGCHLD_M, 0, SIGCHLD_M, "100");
	p = probe(fp, PPID);
	assert_true(p.pi.sigchld_blocked);
	assert_string_equal(p.pi.sigchld, "handler");
}

static void test_parent_states(void **state)
{
	struct fake_proc *fp = *state;
	static const char letters[] = "RSDTtZXI";
	const char *l;
	struct probe p;

	for (l = letters; *l; l++) {
		parent(fp, *l, 0, 0, 0, "100");
		p = probe(fp, PPID);
		assert_int_equal(p.rc, *l);
		assert_string_equal(p.pi.state, names_state(*l));
	}
	parent(fp, 'T', 0, 0, 0, "100");
	assert_string_equal(probe(fp, PPID).pi.state, "stopped");
}

static void test_parent_is_init(void **state)
{
	struct fake_proc *fp = *state;
	struct probe p;

	/* PID 1 of a nested pid namespace */
	parent(fp, 'S', 0, 0, 0, "100\t1");
	p = probe(fp, PPID);
	assert_true(p.is_init);
	/* deeper nesting: only the innermost counts */
	parent(fp, 'S', 0, 0, 0, "100\t1\t5");
	assert_false(probe(fp, PPID).is_init);
	/* the host's PID 1 */
	assert_int_equal(fp_proc(fp, 1, "systemd", 'S', 0, 1), 0);
	p = probe(fp, 1);
	assert_true(p.is_init);
	assert_string_equal(p.ref.comm, "systemd");
	assert_int_equal(p.rc, 'S');
}

static void test_parent_unreadable(void **state)
{
	struct fake_proc *fp = *state;
	struct probe p;

	p = probe(fp, 999);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.pi.state, "unknown");
	assert_null(p.pi.sigchld);
	assert_false(p.pi.sigchld_blocked);
	assert_false(p.is_init);
	assert_int_equal(p.ref.pid, 999);
	assert_string_equal(p.ref.comm, "");

	p = probe(fp, 0);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.pi.state, "unknown");

	/* stat but no status: state known, disposition not */
	assert_int_equal(fp_stat(fp, 101, "half", 'S', 1, 1, 9, 0), 0);
	p = probe(fp, 101);
	assert_int_equal(p.rc, 'S');
	assert_string_equal(p.pi.state, "sleeping");
	assert_null(p.pi.sigchld);
	assert_string_equal(p.ref.comm, "half");
}

/* ---- detect_reason ---- */

static struct zr_parent_info pi_base(void)
{
	struct zr_parent_info pi = {
		.state = "sleeping",
		.sigchld = "default",
		.sigchld_blocked = false,
		.last_wait_ns = 0,
		.zombies_held = 1,
	};

	return pi;
}

/* Zombie 200, 2.5 s old, of parent 100 (node) sleeping; the tracer did not watch its waits. */
static struct detect_case case_base(const struct zr_parent_info *pi)
{
	struct detect_case c = {
		.pid = 200,
		.zombie_ns = 2500 * MS,
		.is_age_known = true,
		.threads_running = 0,
		.ppid = PPID,
		.parent_comm = "node",
		.parent_state = 'S',
		.parent_is_init = false,
		.pinfo = pi,
		.has_wait_history = false,
	};

	return c;
}

static void expect(const struct detect_case *c, const char *code, const char *sentence)
{
	const char *got = NULL;
	char buf[256];

	memset(buf, 'Q', sizeof(buf));
	detect_reason(c, &got, buf, sizeof(buf));
	assert_non_null(got);
	assert_string_equal(got, code);
	assert_string_equal(buf, sentence);
}

static void test_reason_threads_running(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	c.threads_running = 2;
	c.parent_state = 0; /* wins over everything else */
	expect(&c, "threads_running",
	       "leader 200 exited but 2 threads still run; it is reaped after the last one exits");
	c.threads_running = 1;
	expect(&c, "threads_running",
	       "leader 200 exited but 1 thread still runs; it is reaped after the last one exits");
}

static void test_reason_parent_gone(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	c.parent_state = 0;
	pi.sigchld_blocked = true;
	expect(&c, "parent_gone",
	       "parent 100 is gone; the zombie waits for the process that adopts it");
}

static void test_reason_parent_stopped(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	c.parent_state = 'T';
	pi.sigchld_blocked = true; /* stopped comes first */
	expect(&c, "parent_stopped",
	       "parent 100 (node) is stopped; it cannot reap until it gets SIGCONT");
	pi.zombies_held = 3;
	expect(&c, "parent_stopped",
	       "parent 100 (node) is stopped; it cannot reap until it gets SIGCONT; it holds 3 "
	       "zombies");
}

static void test_reason_parent_traced(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	c.parent_state = 't';
	expect(&c, "parent_traced", "parent 100 (node) is stopped by a tracer");
	pi.zombies_held = 2;
	expect(&c, "parent_traced", "parent 100 (node) is stopped by a tracer; it holds 2 zombies");
}

static void test_reason_parent_exiting(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	c.parent_state = 'Z';
	expect(&c, "parent_exiting",
	       "parent 100 (node) is exiting itself; its children go to their new parent");
	c.parent_state = 'X';
	expect(&c, "parent_exiting",
	       "parent 100 (node) is exiting itself; its children go to their new parent");
}

static void test_reason_sigchld_blocked(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	pi.sigchld_blocked = true;
	c.has_wait_history = true; /* never waited: blocked is the more specific cause */
	expect(&c, "sigchld_blocked",
	       "parent 100 (node) blocks SIGCHLD and has not called wait since the child exited "
	       "2.5 s ago");
	c.is_age_known = false;
	c.zombie_ns = 0;
	expect(&c, "sigchld_blocked",
	       "parent 100 (node) blocks SIGCHLD and has not called wait since the child exited");
	c.parent_is_init = true;
	expect(&c, "sigchld_blocked",
	       "parent 100 (node) is PID 1 of its pid namespace and blocks SIGCHLD and has not "
	       "called wait since the child exited");
	/* it did wait since: blocking is not the reason */
	c.waited_since_exit = true;
	pi.last_wait_ns = 5 * SEC;
	c.last_wait_target = 300;
	expect(&c, "parent_waits_other",
	       "parent 100 (node) is PID 1 of its pid namespace and waits only for pid 300, not "
	       "for this child");
}

static void test_reason_parent_waits_other(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	c.has_wait_history = true;
	pi.last_wait_ns = 5 * SEC;
	c.last_wait_target = 300;
	expect(&c, "parent_waits_other",
	       "parent 100 (node) waits only for pid 300, not for this child");
	pi.zombies_held = 5;
	expect(&c, "parent_waits_other",
	       "parent 100 (node) waits only for pid 300, not for this child; it holds 5 zombies");
	/* a wait for this very pid, or for any child, is not "waits for another" */
	c.last_wait_target = 200;
	expect(&c, "parent_not_waiting",
	       "parent 100 (node) has not called wait since the child exited 2.5 s ago; it holds "
	       "5 zombies");
	c.last_wait_target = -1;
	expect(&c, "parent_not_waiting",
	       "parent 100 (node) has not called wait since the child exited 2.5 s ago; it holds "
	       "5 zombies");
}

static void test_reason_parent_never_waits(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	c.has_wait_history = true;
	pi.sigchld = "handler"; /* the history is the more specific evidence */
	expect(&c, "parent_never_waits",
	       "parent 100 (node) has never called wait since tracing started");
	pi.zombies_held = 14;
	c.parent_is_init = true;
	expect(&c, "parent_never_waits",
	       "parent 100 (node) is PID 1 of its pid namespace and has never called wait since "
	       "tracing started; it holds 14 zombies");
}

static void test_reason_parent_not_waiting_history(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	c.has_wait_history = true;
	pi.last_wait_ns = 1 * SEC;
	c.last_wait_target = -1;
	c.zombie_ns = 61234 * MS;
	expect(&c, "parent_not_waiting",
	       "parent 100 (node) has not called wait since the child exited 61.2 s ago");
}

static void test_reason_parent_not_waiting_no_history(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	expect(&c, "parent_not_waiting", "parent 100 (node) has not reaped it (SIGCHLD default)");
	pi.sigchld = "ignored";
	expect(&c, "parent_not_waiting", "parent 100 (node) has not reaped it (SIGCHLD ignored)");
	pi.sigchld = NULL;
	pi.zombies_held = 2;
	expect(&c, "parent_not_waiting",
	       "parent 100 (node) has not reaped it (SIGCHLD unknown); it holds 2 zombies");
}

static void test_reason_handler_not_reaping(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	pi.sigchld = "handler";
	expect(&c, "handler_not_reaping",
	       "parent 100 (node) has a SIGCHLD handler that does not reap this child");
	c.parent_is_init = true;
	pi.zombies_held = 9;
	expect(&c, "handler_not_reaping",
	       "parent 100 (node) is PID 1 of its pid namespace and has a SIGCHLD handler that "
	       "does not reap this child; it holds 9 zombies");
}

static void test_reason_held_only_above_one(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);
	static const uint32_t held[] = { 0, 1 };
	size_t i;

	(void)state;
	c.has_wait_history = true;
	for (i = 0; i < 2; i++) {
		pi.zombies_held = held[i];
		expect(&c, "parent_never_waits",
		       "parent 100 (node) has never called wait since tracing started");
	}
	pi.zombies_held = 2;
	expect(&c, "parent_never_waits",
	       "parent 100 (node) has never called wait since tracing started; it holds 2 zombies");
}

static void assert_no_raw_control(const char *s)
{
	for (; *s; s++)
		assert_true((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7f);
}

static void test_reason_hostile_comm(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);
	const char *code = NULL;
	char buf[256];
	/* 16 bytes, as many as a comm holds */
	const char comm[] = "\x1b[2J\n\r\t\x07\x7f\\x)(\x01\x02\x03";

	(void)state;
	assert_int_equal(strlen(comm), ZR_COMM_BUF - 1);
	c.parent_comm = comm;
	expect(&c, "parent_not_waiting",
	       "parent 100 (\\e[2J\\n\\r\\t\\x07\\x7f\\\\x)(\\x01\\x02\\x03) has not reaped it "
	       "(SIGCHLD default)");
	/* every branch that names the comm escapes it */
	c.parent_state = 'T';
	detect_reason(&c, &code, buf, sizeof(buf));
	assert_string_equal(code, "parent_stopped");
	assert_no_raw_control(buf);
	c.parent_state = 't';
	detect_reason(&c, &code, buf, sizeof(buf));
	assert_no_raw_control(buf);
	c.parent_state = 'Z';
	detect_reason(&c, &code, buf, sizeof(buf));
	assert_no_raw_control(buf);
	c.parent_state = 'S';
	c.has_wait_history = true;
	detect_reason(&c, &code, buf, sizeof(buf));
	assert_string_equal(code, "parent_never_waits");
	assert_no_raw_control(buf);
	/* a comm of 16 bytes that are all control bytes fits, escaped, in the reason */
	c.parent_comm = "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01";
	detect_reason(&c, &code, buf, sizeof(buf));
	assert_no_raw_control(buf);
	assert_non_null(strstr(buf, "(\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01"
				    "\\x01\\x01\\x01\\x01\\x01) has never"));
}

static void test_reason_null_comm(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);

	(void)state;
	c.parent_comm = NULL;
	expect(&c, "parent_not_waiting", "parent 100 () has not reaped it (SIGCHLD default)");
}

static void test_reason_truncated(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);
	const char *code = NULL;
	char full[256];
	char area[32 + 16];
	size_t len, i;

	(void)state;
	pi.zombies_held = 1000;
	c.parent_is_init = true;
	c.has_wait_history = true;
	detect_reason(&c, &code, full, sizeof(full));
	assert_true(strlen(full) > 32);
	for (len = 1; len <= 32; len++) {
		memset(area, 'Q', sizeof(area));
		code = NULL;
		detect_reason(&c, &code, area, len);
		assert_string_equal(code, "parent_never_waits");
		assert_int_equal(strlen(area), len - 1);
		assert_memory_equal(area, full, len - 1);
		for (i = len; i < sizeof(area); i++)
			assert_int_equal(area[i], 'Q');
	}
}

/* Found by these tests (see the report): the sentences below are what the case calls for. */

/* An unknown age (a zombie older than the trace) is never printed as "0.0 s ago". */
static void test_reason_unknown_age_not_printed(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);
	const char *code = NULL;
	char buf[256];

	(void)state;
	c.is_age_known = false;
	c.zombie_ns = 0;
	c.has_wait_history = true;
	pi.last_wait_ns = 1 * SEC;
	c.last_wait_target = -1;
	detect_reason(&c, &code, buf, sizeof(buf));
	assert_string_equal(code, "parent_not_waiting");
	assert_null(strstr(buf, "0.0 s"));
}

/* A parent that did call wait after the exit is not said to have not called it. */
static void test_reason_waited_since_exit_not_denied(void **state)
{
	struct zr_parent_info pi = pi_base();
	struct detect_case c = case_base(&pi);
	const char *code = NULL;
	char buf[256];

	(void)state;
	c.has_wait_history = true;
	pi.last_wait_ns = 9 * SEC;
	c.waited_since_exit = true;
	c.last_wait_target = -1;
	detect_reason(&c, &code, buf, sizeof(buf));
	assert_null(strstr(buf, "has not called wait since the child exited"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fp_setup, fp_teardown)
#define R(fn) cmocka_unit_test(fn)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parent_default),
		T(test_parent_handler),
		T(test_parent_ignored),
		T(test_parent_neighbour_bits),
		T(test_parent_blocked),
		T(test_parent_states),
		T(test_parent_is_init),
		T(test_parent_unreadable),
		R(test_reason_threads_running),
		R(test_reason_parent_gone),
		R(test_reason_parent_stopped),
		R(test_reason_parent_traced),
		R(test_reason_parent_exiting),
		R(test_reason_sigchld_blocked),
		R(test_reason_parent_waits_other),
		R(test_reason_parent_never_waits),
		R(test_reason_parent_not_waiting_history),
		R(test_reason_parent_not_waiting_no_history),
		R(test_reason_handler_not_reaping),
		R(test_reason_held_only_above_one),
		R(test_reason_hostile_comm),
		R(test_reason_null_comm),
		R(test_reason_truncated),
		R(test_reason_unknown_age_not_printed),
		R(test_reason_waited_since_exit_not_denied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
