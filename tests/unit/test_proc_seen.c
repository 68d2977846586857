/* test_proc_seen.c - proc_seen.c on a fake procfs tree: what one read gathers (stat, status, a
 * zombie's status and age, as asked), the zombie test with and without the age, the event
 * subject and reference built from it, and a whole zombie report with its parent and reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "proc_seen.h"

#define SEC 1000000000ULL

/* 10 sleeping (uid 1000), 40 the init of a pid namespace, zombie 11 of 10 (exit 3). */
static struct procsrc make_tree(const struct fake_proc *fp)
{
	assert_int_equal(fp_stat(fp, 10, "node", 'S', 1, 1, 100, 0), 0);
	assert_int_equal(fp_status(fp, 10, 1000, 1001, 1, 0, 0, 0, "10"), 0);
	assert_int_equal(fp_stat(fp, 40, "init", 'S', 1, 1, 400, 0), 0);
	assert_int_equal(fp_status(fp, 40, 0, 0, 1, 0, 0, 0, "40\t1"), 0);
	assert_int_equal(fp_stat(fp, 11, "z11", 'Z', 10, 1, 110, 3 << 8), 0);
	assert_int_equal(fp_status(fp, 11, 1000, 1001, 1, 0, 0, 0, "11"), 0);
	return procsrc_live(fp->root);
}

static void test_read(void **state)
{
	struct fake_proc *fp = *state;
	struct procsrc src = make_tree(fp);
	struct proc_seen ps;
	struct zr_ref ref;
	struct zr_ev ev;

	assert_int_equal(proc_seen_read(&src, 10, 0, 0, &ps), 0);
	assert_int_equal(ps.st.pid, 10);
	assert_false(ps.has_status);
	assert_false(ps.has_zombie);
	assert_int_equal(proc_seen_read(&src, 10, PROC_SEEN_STATUS | PROC_SEEN_ZOMBIE, 1, &ps), 0);
	assert_true(ps.has_status);
	assert_false(ps.has_zombie); /* alive: no zombie details, even when asked */
	assert_false(proc_seen_is_init(&ps));

	proc_seen_event(&ps, ZR_EV_SNAPSHOT, 77, &ev);
	assert_int_equal(ev.kind, ZR_EV_SNAPSHOT);
	assert_int_equal(ev.ktime_ns, 77);
	assert_int_equal(ev.pid, 10);
	assert_int_equal(ev.tid, 10);
	assert_int_equal(ev.ppid, 1);
	assert_int_equal(ev.uid, 1000);
	assert_int_equal(ev.gid, 1001);
	assert_int_equal(ev.start_ns, procfs_ticks_to_ns(100));
	assert_string_equal(ev.comm, "node");

	proc_seen_ref(&ps, &ref);
	assert_int_equal(ref.pid, 10);
	assert_int_equal(ref.start_ns, procfs_ticks_to_ns(100));
	assert_string_equal(ref.comm, "node");

	/* without status, no uid: never one left from an earlier event */
	assert_int_equal(proc_seen_read(&src, 10, 0, 0, &ps), 0);
	proc_seen_event(&ps, ZR_EV_ZOMBIE, 1, &ev);
	assert_int_equal(ev.uid, 0);

	assert_int_equal(proc_seen_read(&src, 40, PROC_SEEN_STATUS, 0, &ps), 0);
	assert_true(proc_seen_is_init(&ps));
	assert_int_equal(proc_seen_read(&src, 99, PROC_SEEN_STATUS, 0, &ps), -ENOENT);
}

static void test_zombie(void **state)
{
	struct fake_proc *fp = *state;
	struct procsrc src = make_tree(fp);
	uint64_t now = procfs_ticks_to_ns(110) + 5 * SEC;
	struct proc_seen ps;

	assert_int_equal(proc_seen_zombie(&src, 11, false, now, &ps), 0);
	assert_true(ps.has_zombie);
	assert_true(ps.zi.st.is_known);
	assert_int_equal(ps.zi.st.exit_code, 3);
	assert_int_equal(ps.zi.source, ZR_AGE_START_BOUND);
	assert_int_equal(ps.zi.age_ns, 5 * SEC);
	/* now 0: found, but its age not read */
	assert_int_equal(proc_seen_zombie(&src, 11, false, 0, &ps), 0);
	assert_false(ps.has_zombie);
	assert_int_equal(ps.st.ppid, 10);
	assert_int_equal(proc_seen_zombie(&src, 10, false, now, &ps), -ENOENT);
	assert_int_equal(proc_seen_zombie(&src, 99, false, now, &ps), -ENOENT);
	/* the same through proc_seen_read */
	assert_int_equal(proc_seen_read(&src, 11, PROC_SEEN_ZOMBIE, now, &ps), 0);
	assert_true(ps.has_zombie);
	assert_int_equal(ps.zi.st.exit_code, 3);
}

static void test_zombie_report(void **state)
{
	struct fake_proc *fp = *state;
	struct procsrc src = make_tree(fp);
	uint64_t now = procfs_ticks_to_ns(110) + 5 * SEC;
	struct detect_case c = { 0 };
	struct proc_parent par;
	struct proc_seen ps;
	struct zr_ev ev;

	assert_int_equal(proc_seen_read(&src, 11, PROC_SEEN_STATUS | PROC_SEEN_ZOMBIE, now, &ps),
			 0);
	proc_seen_event(&ps, ZR_EV_ZOMBIE, now, &ev);
	proc_parent_read(&src, ps.st.ppid, &par);
	assert_int_equal(par.state, 'S');
	assert_false(par.is_init);
	proc_seen_zombie_report(&ev, &ps.zi, &par, &c);
	assert_int_equal(ev.kind, ZR_EV_ZOMBIE);
	assert_int_equal(ev.pid, 11);
	assert_int_equal(ev.uid, 1000);
	assert_int_equal(ev.u.zombie.st.exit_code, 3);
	assert_int_equal(ev.u.zombie.zombie_ns, 5 * SEC);
	assert_int_equal(ev.u.zombie.age_source, ZR_AGE_START_BOUND);
	assert_int_equal(ev.parent.pid, 10);
	assert_int_equal(ev.parent.start_ns, procfs_ticks_to_ns(100));
	assert_string_equal(ev.parent.comm, "node");
	assert_string_equal(ev.u.zombie.pinfo.sigchld, "default");
	assert_string_equal(ev.u.zombie.reason_code, "parent_not_waiting");
	assert_string_equal(ev.u.zombie.reason,
			    "parent 10 (node) has not reaped it (SIGCHLD default)");
	/* the case was completed for detect */
	assert_int_equal(c.pid, 11);
	assert_int_equal(c.ppid, 10);
	assert_int_equal(c.parent_state, 'S');

	/* a parent /proc no longer shows */
	proc_parent_read(&src, 98, &par);
	assert_int_equal(par.state, 0);
	assert_int_equal(par.ref.pid, 98);
	memset(&c, 0, sizeof(c));
	proc_seen_zombie_report(&ev, &ps.zi, &par, &c);
	assert_string_equal(ev.u.zombie.reason_code, "parent_gone");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fp_setup, fp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_read),
		T(test_zombie),
		T(test_zombie_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
