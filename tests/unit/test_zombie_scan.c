/* test_zombie_scan.c - zombie_scan.c on a fake procfs tree: zombies in pid order with their
 * status and age, grouped under parents read once (held counts, states, reasons), the exe-link
 * shortcut taken only with CAP_SYS_PTRACE, and the second look of --older-than.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "zombie_scan.h"

#define SEC 1000000000ULL

static void self_caps(const struct fake_proc *fp, const char *cap_eff)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "Name:\tzreaper\nCapEff:\t%s\n", cap_eff);

	assert_int_equal(fp_write(fp, "self", "status", buf, (size_t)n), 0);
}

/* Parents 10 (sleeping) and 20 (stopped); zombies 11 and 12 of 10, 21 of 20; 30 alive. */
static void make_tree(const struct fake_proc *fp)
{
	assert_int_equal(fp_proc(fp, 10, "node", 'S', 1, 100), 0);
	assert_int_equal(fp_proc(fp, 20, "stopped", 'T', 1, 200), 0);
	assert_int_equal(fp_proc(fp, 30, "alive", 'R', 10, 300), 0);
	assert_int_equal(fp_stat(fp, 11, "z11", 'Z', 10, 1, 110, 3 << 8), 0);
	assert_int_equal(fp_stat(fp, 12, "z12", 'Z', 10, 1, 120, 9), 0);
	assert_int_equal(fp_stat(fp, 21, "z21", 'Z', 20, 1, 210, 1 << 8), 0);
	assert_int_equal(fp_status(fp, 11, 1000, 1001, 1, 0, 0, 0, "11"), 0);
	/* 12 died 4 s ago by the scheduler clock; 11 and 21 have no sched file */
	assert_int_equal(fp_sched(fp, "12", "z12", 50 * SEC), 0);
	assert_int_equal(fp_sched(fp, "thread-self", "zreaper", 54 * SEC), 0);
}

static void test_scan(void **state)
{
	struct fake_proc *fp = *state;
	struct zombie_scan s;
	struct zr_ev ev;

	make_tree(fp);
	self_caps(fp, "0000000000000000");
	assert_int_equal(zombie_scan_run(&s, fp->root), 0);
	assert_int_equal(s.n_zombies, 3);
	assert_int_equal(s.zombies[0].st.pid, 11);
	assert_int_equal(s.zombies[1].st.pid, 12);
	assert_int_equal(s.zombies[2].st.pid, 21);
	assert_int_equal(s.zombies[0].zi.source, ZR_AGE_START_BOUND);
	assert_int_equal(s.zombies[0].zi.age_ns, s.now_ns - procfs_ticks_to_ns(110));
	assert_int_equal(s.zombies[1].zi.source, ZR_AGE_SCHED);
	assert_int_equal(s.zombies[1].zi.age_ns, 4 * SEC);
	assert_int_equal(s.n_parents, 2);
	assert_int_equal(s.zombies[0].parent, s.zombies[1].parent);
	assert_int_not_equal(s.zombies[0].parent, s.zombies[2].parent);

	zombie_scan_event(&s, &s.zombies[0], fp->root, &ev);
	assert_int_equal(ev.kind, ZR_EV_ZOMBIE);
	assert_int_equal(ev.pid, 11);
	assert_int_equal(ev.ppid, 10);
	assert_string_equal(ev.comm, "z11");
	assert_int_equal(ev.uid, 1000);
	assert_int_equal(ev.gid, 1001);
	assert_int_equal(ev.ktime_ns, s.now_ns);
	assert_int_equal(ev.start_ns, procfs_ticks_to_ns(110));
	assert_true(ev.u.zombie.st.is_known);
	assert_int_equal(ev.u.zombie.st.exit_code, 3);
	assert_int_equal(ev.u.zombie.age_source, ZR_AGE_START_BOUND);
	assert_int_equal(ev.parent.pid, 10);
	assert_string_equal(ev.parent.comm, "node");
	assert_int_equal(ev.parent.start_ns, procfs_ticks_to_ns(100));
	assert_string_equal(ev.u.zombie.pinfo.state, "sleeping");
	assert_string_equal(ev.u.zombie.pinfo.sigchld, "default");
	assert_int_equal(ev.u.zombie.pinfo.zombies_held, 2);
	assert_string_equal(ev.u.zombie.reason_code, "parent_not_waiting");
	assert_string_equal(ev.u.zombie.reason,
			    "parent 10 (node) has not reaped it (SIGCHLD default); it holds 2 "
			    "zombies");

	zombie_scan_event(&s, &s.zombies[1], fp->root, &ev);
	assert_true(ev.u.zombie.st.is_signaled);
	assert_int_equal(ev.u.zombie.zombie_ns, 4 * SEC);
	assert_int_equal(ev.u.zombie.age_source, ZR_AGE_SCHED);

	zombie_scan_event(&s, &s.zombies[2], fp->root, &ev);
	assert_int_equal(ev.u.zombie.pinfo.zombies_held, 1);
	assert_string_equal(ev.u.zombie.reason_code, "parent_stopped");
	zombie_scan_free(&s);
}

/* With CAP_SYS_PTRACE a process whose exe link resolves is not read at all (a zombie has no
 * exe): here one whose stat would say Z, to show it is never looked at. */
static void test_exe_shortcut(void **state)
{
	struct fake_proc *fp = *state;
	struct zombie_scan s;
	char path[256];

	make_tree(fp);
	snprintf(path, sizeof(path), "%s/12/exe", fp->root);
	assert_int_equal(symlink("/bin/true", path), 0);
	self_caps(fp, "000001ffffffffff");
	assert_int_equal(zombie_scan_run(&s, fp->root), 0);
	assert_int_equal(s.n_zombies, 2);
	assert_int_equal(s.zombies[0].st.pid, 11);
	assert_int_equal(s.zombies[1].st.pid, 21);
	zombie_scan_free(&s);
	/* without the capability the link is not asked: every stat is read */
	self_caps(fp, "0000000000000000");
	assert_int_equal(zombie_scan_run(&s, fp->root), 0);
	assert_int_equal(s.n_zombies, 3);
	zombie_scan_free(&s);
	assert_int_equal(unlink(path), 0);
}

/* A zombie whose parent is in another pid namespace (ppid 0), and a parent gone. */
static void test_parent_unreadable(void **state)
{
	struct fake_proc *fp = *state;
	struct zombie_scan s;
	struct zr_ev ev;

	assert_int_equal(fp_stat(fp, 40, "orphanz", 'Z', 0, 1, 400, 0), 0);
	assert_int_equal(fp_stat(fp, 50, "lostz", 'Z', 55, 1, 500, 0), 0);
	assert_int_equal(zombie_scan_run(&s, fp->root), 0);
	assert_int_equal(s.n_zombies, 2);
	assert_int_equal(s.n_parents, 2);
	zombie_scan_event(&s, &s.zombies[1], fp->root, &ev);
	assert_string_equal(ev.u.zombie.pinfo.state, "unknown");
	assert_string_equal(ev.u.zombie.reason_code, "parent_gone");
	zombie_scan_free(&s);
}

static void test_still_there(void **state)
{
	struct fake_proc *fp = *state;
	struct zombie_scan s;

	make_tree(fp);
	assert_int_equal(zombie_scan_run(&s, fp->root), 0);
	assert_true(zombie_scan_still_there(fp->root, &s.zombies[0]));
	/* 11 reaped and its pid taken by a new process; 12 reaped */
	assert_int_equal(fp_stat(fp, 11, "new", 'R', 10, 1, 999, 0), 0);
	assert_false(zombie_scan_still_there(fp->root, &s.zombies[0]));
	assert_int_equal(fp_stat(fp, 11, "new", 'Z', 10, 1, 999, 0), 0);
	assert_false(zombie_scan_still_there(fp->root, &s.zombies[0]));
	assert_int_equal(fp_unlink(fp, 12, "stat"), 0);
	assert_false(zombie_scan_still_there(fp->root, &s.zombies[1]));
	assert_true(zombie_scan_still_there(fp->root, &s.zombies[2]));
	zombie_scan_free(&s);
}

/* /proc unreadable: an error, not an empty list. */
static void test_no_proc(void **state)
{
	struct zombie_scan s;

	(void)state;
	assert_int_equal(zombie_scan_run(&s, "/nonexistent-proc"), -ENOENT);
	zombie_scan_free(&s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fp_setup, fp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_scan),	     T(test_exe_shortcut), T(test_parent_unreadable),
		T(test_still_there), T(test_no_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
