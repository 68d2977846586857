/* test_lifecycle.c - lifecycle.c: events passed on in order, reaps derived from waits and
 * releases (roles, how, zombie time, status), the autoreap grace, pid reuse, pid namespaces,
 * emit errors, and that the process table empties when every process is reaped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lc_build.h"

#include "rec_build.h"
#include "decode.h"
#include "lifecycle.h"
#include "proctab.h"
#include "status.h"

#define MS	 1000000ULL
#define SEC	 1000000000ULL
#define GRACE	 (100 * MS)
#define MAX_EMIT 64

/* What the emit callback saw. */
struct sink {
	struct zr_ev ev[MAX_EMIT];
	char role[MAX_EMIT][16]; /* reap.reaper.role copied, "" for NULL */
	unsigned n;
	int fail_at; /* emit number (0-based) that returns -EPIPE; -1 never */
};

struct fixture {
	struct sink sink;
	struct lifecycle *lc;
};

static int collect(const struct zr_ev *ev, void *arg)
{
	struct sink *s = arg;

	if (s->fail_at >= 0 && (unsigned)s->fail_at == s->n) {
		s->n++;
		return -EPIPE;
	}
	assert_true(s->n < MAX_EMIT);
	memcpy(&s->ev[s->n], ev, sizeof(*ev));
	s->role[s->n][0] = '\0';
	if (ev->kind == ZR_EV_REAP && ev->u.reap.reaper.role) {
		strncpy(s->role[s->n], ev->u.reap.reaper.role, sizeof(s->role[0]) - 1);
		s->role[s->n][sizeof(s->role[0]) - 1] = '\0';
	}
	s->n++;
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->sink.fail_at = -1;
	f->lc = lifecycle_new(0, GRACE, collect, &f->sink);
	if (!f->lc) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	lifecycle_free(f->lc);
	free(f);
	return 0;
}

static struct zr_ev ev_fork(uint64_t ts, uint32_t pid, uint32_t ppid, const char *comm)
{
	struct zr_ev ev = ev_base(ZR_EV_FORK, ts, pid, ppid, ts, comm);

	ev.parent.pid = ppid;
	set_comm(ev.parent.comm, "parent");
	return ev;
}

static struct zr_ev ev_release(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start)
{
	struct zr_ev ev = ev_base(ZR_EV_REAP, ts, pid, ppid, start, "");

	ev.is_release = true;
	return ev;
}

/* waiter (pid, tid) reported reaped with a known raw status. */
static struct zr_ev ev_wait(uint64_t ts, uint32_t pid, uint32_t tid, enum zr_wait_sys syscall,
			    uint32_t reaped, int raw)
{
	struct zr_ev ev = ev_base(ZR_EV_WAIT, ts, pid, 1, 42, "waiter");

	ev.tid = tid;
	ev.u.wait.syscall = syscall;
	ev.u.wait.target = -1;
	ev.u.wait.result = ZR_WAIT_REAPED;
	ev.u.wait.reaped_pid = reaped;
	ev.u.wait.st = status_decode(raw);
	return ev;
}

static int feed(struct fixture *f, struct zr_ev ev)
{
	return lifecycle_feed(f->lc, &ev);
}

static void count_dead(struct zr_proc *p, void *arg)
{
	if (p->state != ZR_PROC_RUNNING)
		(*(unsigned *)arg)++;
}

/* Entries of dead processes left in the table (waiters stay: they are alive). */
static unsigned table_count(const struct fixture *f)
{
	unsigned n = 0;

	proctab_each((struct proctab *)lifecycle_table(f->lc), count_dead, &n);
	return n;
}

/* Child 200 of 100 ("parent"), forked at 1 s, exits with raw at 10 s. */
#define CHILD	  200
#define PARENT	  100
#define C_START	  (1 * SEC)
#define C_EXIT_TS (10 * SEC)

static void child_lives_and_exits(struct fixture *f, int raw)
{
	assert_int_equal(feed(f, ev_fork(C_START, CHILD, PARENT, "child")), 0);
	assert_int_equal(feed(f, ev_exit(C_EXIT_TS, CHILD, PARENT, C_START, "child", raw)), 0);
}

static void assert_reap_of_child(const struct zr_ev *r, int exit_code)
{
	assert_int_equal(r->kind, ZR_EV_REAP);
	assert_false(r->is_release);
	assert_false(r->is_unmatched);
	assert_int_equal(r->pid, CHILD);
	assert_int_equal(r->ppid, PARENT);
	assert_int_equal(r->start_ns, C_START);
	assert_string_equal(r->comm, "child");
	assert_int_equal(r->uid, 1000);
	assert_int_equal(r->cgroup_id, 77);
	assert_int_equal(r->u.reap.lifetime_ns, C_EXIT_TS - C_START);
	assert_true(r->u.reap.st.is_known);
	assert_false(r->u.reap.st.is_signaled);
	assert_int_equal(r->u.reap.st.exit_code, exit_code);
}

/* ---- tests ---- */

static void test_events_passed_in_order(void **state)
{
	struct fixture *f = *state;
	struct zr_ev in[6];
	unsigned i;

	in[0] = ev_fork(1 * SEC, 300, 1, "a");
	in[1] = ev_base(ZR_EV_EXEC, 2 * SEC, 300, 1, 1 * SEC, "b");
	in[1].u.exec.filename = "/bin/b";
	in[1].u.exec.args = "b";
	in[1].u.exec.argc = 1;
	in[2] = ev_base(ZR_EV_SIGNAL, 3 * SEC, 300, 1, 1 * SEC, "b");
	in[2].u.signal.sig = 15;
	in[3] = ev_base(ZR_EV_SUBREAPER, 4 * SEC, 300, 1, 1 * SEC, "b");
	in[3].u.subreaper.is_set = true;
	in[4] = ev_base(ZR_EV_EXIT, 5 * SEC, 300, 1, 1 * SEC, "b"); /* a thread's exit */
	in[4].tid = 301;
	in[4].is_thread = true;
	in[5] = ev_base(ZR_EV_LOST, 6 * SEC, 0, 0, 0, "");
	in[5].u.lost.count = 3;
	for (i = 0; i < 6; i++) {
		struct zr_ev copy = in[i];

		assert_int_equal(lifecycle_feed(f->lc, &copy), 0);
	}
	assert_int_equal(f->sink.n, 6);
	for (i = 0; i < 6; i++)
		assert_memory_equal(&f->sink.ev[i], &in[i], sizeof(in[i]));
	assert_int_equal(lifecycle_tick(f->lc, UINT64_MAX), 0);
	assert_int_equal(f->sink.n, 6);
}

static void test_wait4_reap_parent(void **state)
{
	struct fixture *f = *state;
	struct zr_ev w = ev_wait(12 * SEC, PARENT, PARENT, ZR_SYS_WAIT4, CHILD, 3 << 8);
	const struct zr_ev *r;

	child_lives_and_exits(f, 3 << 8);
	assert_int_equal(table_count(f), 1);
	set_comm(w.comm, "parent");
	w.start_ns = 500;
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(f->sink.ev[0].kind, ZR_EV_FORK);
	assert_int_equal(f->sink.ev[1].kind, ZR_EV_EXIT);
	assert_int_equal(f->sink.ev[2].kind, ZR_EV_WAIT);
	assert_int_equal(f->sink.ev[2].pid, PARENT);
	assert_int_equal(f->sink.ev[2].u.wait.reaped_pid, CHILD);
	assert_int_equal(f->sink.ev[2].u.wait.result, ZR_WAIT_REAPED);
	r = &f->sink.ev[3];
	assert_reap_of_child(r, 3);
	assert_int_equal(r->ktime_ns, 12 * SEC);
	assert_int_equal(r->u.reap.how, ZR_HOW_WAIT4);
	assert_int_equal(r->u.reap.zombie_ns, 2 * SEC);
	assert_int_equal(r->u.reap.reaper.pid, PARENT);
	assert_int_equal(r->u.reap.reaper.start_ns, 500);
	assert_string_equal(r->u.reap.reaper.comm, "parent");
	assert_string_equal(f->sink.role[3], "parent");
	assert_int_equal(table_count(f), 0);

	/* Nothing pending: a tick adds nothing. */
	assert_int_equal(lifecycle_tick(f->lc, UINT64_MAX), 0);
	assert_int_equal(f->sink.n, 4);
}

static void test_waitid_reap_status(void **state)
{
	struct fixture *f = *state;
	struct zr_ev w = ev_wait(11 * SEC, PARENT, PARENT, ZR_SYS_WAITID, CHILD, 9);
	const struct zr_ev *r;

	assert_int_equal(feed(f, ev_fork(C_START, CHILD, PARENT, "child")), 0);
	assert_int_equal(feed(f, ev_exit(C_EXIT_TS, CHILD, PARENT, C_START, "child", 9)), 0);
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 4);
	r = &f->sink.ev[3];
	assert_int_equal(r->kind, ZR_EV_REAP);
	assert_int_equal(r->u.reap.how, ZR_HOW_WAITID);
	assert_int_equal(r->u.reap.zombie_ns, 1 * SEC);
	assert_true(r->u.reap.st.is_signaled);
	assert_int_equal(r->u.reap.st.signal, 9);
	assert_string_equal(f->sink.role[3], "parent");
	assert_int_equal(table_count(f), 0);
}

static void reap_role_case(struct fixture *f, struct zr_ev w, const char *role)
{
	const struct zr_ev *r;

	child_lives_and_exits(f, 0);
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 4);
	r = &f->sink.ev[3];
	assert_reap_of_child(r, 0);
	assert_int_equal(r->u.reap.reaper.pid, w.pid);
	assert_string_equal(f->sink.role[3], role);
	assert_int_equal(table_count(f), 0);
}

static void test_role_subreaper(void **state)
{
	reap_role_case(*state, ev_wait(12 * SEC, 50, 50, ZR_SYS_WAIT4, CHILD, 0), "subreaper");
}

static void test_role_pidns_init_host(void **state)
{
	reap_role_case(*state, ev_wait(12 * SEC, 1, 1, ZR_SYS_WAIT4, CHILD, 0), "pidns_init");
}

static void test_role_pidns_init_nested(void **state)
{
	struct fixture *f = *state;
	struct zr_ev e = ev_exit(C_EXIT_TS, CHILD, PARENT, C_START, "child", 0);
	struct zr_ev w = ev_wait(12 * SEC, 300, 300, ZR_SYS_WAIT4, 9, 0);
	const struct zr_ev *r;

	/* The child is 9 in a namespace whose init is global 300 (ns pid 1). */
	e.ns_level = 1;
	e.ns_pid = 9;
	e.pidns = 4026532000u;
	e.u.exit.ns_nr[1] = 9;
	e.u.exit.ns_inum[1] = e.pidns;
	w.ns_level = 1;
	w.ns_pid = 1;
	w.ns_tid = 1;
	w.pidns = 4026532000u;
	assert_int_equal(feed(f, ev_fork(C_START, CHILD, PARENT, "child")), 0);
	assert_int_equal(feed(f, e), 0);
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(f->sink.ev[2].u.wait.reaped_pid, CHILD);
	r = &f->sink.ev[3];
	assert_int_equal(r->kind, ZR_EV_REAP);
	assert_int_equal(r->pid, CHILD);
	assert_int_equal(r->u.reap.reaper.pid, 300);
	assert_string_equal(f->sink.role[3], "pidns_init");
	assert_int_equal(table_count(f), 0);
}

static void test_role_thread(void **state)
{
	reap_role_case(*state, ev_wait(12 * SEC, PARENT, PARENT + 1, ZR_SYS_WAIT4, CHILD, 0),
		       "thread");
}

static void test_autoreap_after_grace(void **state)
{
	struct fixture *f = *state;
	uint64_t rel = C_EXIT_TS + 1 * MS;
	const struct zr_ev *r;

	child_lives_and_exits(f, 5 << 8);
	assert_int_equal(feed(f, ev_release(rel, CHILD, PARENT, C_START)), 0);
	assert_int_equal(f->sink.n, 2); /* a release is internal */
	assert_int_equal(lifecycle_tick(f->lc, rel), 0);
	assert_int_equal(lifecycle_tick(f->lc, rel + GRACE - 1), 0);
	assert_int_equal(f->sink.n, 2);
	assert_int_equal(table_count(f), 1);
	assert_int_equal(lifecycle_tick(f->lc, rel + GRACE + 1), 0);
	assert_int_equal(f->sink.n, 3);
	r = &f->sink.ev[2];
	assert_reap_of_child(r, 5);
	assert_int_equal(r->u.reap.how, ZR_HOW_AUTOREAP);
	assert_string_equal(f->sink.role[2], "kernel");
	assert_int_equal(r->u.reap.zombie_ns, 0);
	assert_true(r->ktime_ns >= C_EXIT_TS && r->ktime_ns <= rel);
	assert_int_equal(table_count(f), 0);
	/* Settled once only. */
	assert_int_equal(lifecycle_tick(f->lc, UINT64_MAX), 0);
	assert_int_equal(f->sink.n, 3);
}

static void test_wait_within_grace_wins(void **state)
{
	struct fixture *f = *state;
	uint64_t rel = C_EXIT_TS + 1 * MS;
	struct zr_ev w = ev_wait(rel + 10 * MS, PARENT, PARENT, ZR_SYS_WAIT4, CHILD, 0);

	child_lives_and_exits(f, 0);
	assert_int_equal(feed(f, ev_release(rel, CHILD, PARENT, C_START)), 0);
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(f->sink.ev[2].kind, ZR_EV_WAIT);
	assert_reap_of_child(&f->sink.ev[3], 0);
	assert_int_equal(f->sink.ev[3].u.reap.how, ZR_HOW_WAIT4);
	assert_string_equal(f->sink.role[3], "parent");
	assert_int_equal(f->sink.ev[3].u.reap.zombie_ns, 11 * MS);
	assert_int_equal(lifecycle_tick(f->lc, rel + 10 * GRACE), 0);
	assert_int_equal(lifecycle_tick(f->lc, UINT64_MAX), 0);
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(table_count(f), 0);
}

static void test_thread_release_self(void **state)
{
	struct fixture *f = *state;
	struct zr_ev rel = ev_release(3 * SEC, 300, 1, 1 * SEC);
	const struct zr_ev *r;

	rel.tid = 305;
	rel.is_thread = true;
	assert_int_equal(lifecycle_feed(f->lc, &rel), 0);
	assert_int_equal(f->sink.n, 1);
	r = &f->sink.ev[0];
	assert_int_equal(r->kind, ZR_EV_REAP);
	assert_false(r->is_release);
	assert_true(r->is_thread);
	assert_int_equal(r->pid, 300);
	assert_int_equal(r->tid, 305);
	assert_int_equal(r->u.reap.how, ZR_HOW_SELF);
	assert_int_equal(r->u.reap.reaper.pid, 300);
	assert_string_equal(f->sink.role[0], "thread");
	assert_int_equal(table_count(f), 0);
}

static void test_release_pid_reuse_ignored(void **state)
{
	struct fixture *f = *state;

	child_lives_and_exits(f, 0);
	/* A release of another life of pid 200. */
	assert_int_equal(feed(f, ev_release(C_EXIT_TS + MS, CHILD, PARENT, C_START + 1)), 0);
	assert_int_equal(lifecycle_tick(f->lc, UINT64_MAX), 0);
	assert_int_equal(f->sink.n, 2);
	assert_int_equal(table_count(f), 1);
	/* The right life's release still settles. */
	assert_int_equal(feed(f, ev_release(C_EXIT_TS + 2 * MS, CHILD, PARENT, C_START)), 0);
	assert_int_equal(lifecycle_tick(f->lc, UINT64_MAX), 0);
	assert_int_equal(f->sink.n, 3);
	assert_int_equal(f->sink.ev[2].u.reap.how, ZR_HOW_AUTOREAP);
	assert_int_equal(table_count(f), 0);
}

static void test_release_of_running_ignored(void **state)
{
	struct fixture *f = *state;

	/* Released without a group exit seen (lost exit): no autoreap guessed. */
	assert_int_equal(feed(f, ev_fork(C_START, CHILD, PARENT, "child")), 0);
	assert_int_equal(feed(f, ev_release(2 * SEC, CHILD, PARENT, C_START)), 0);
	/* Release of a pid never seen. */
	assert_int_equal(feed(f, ev_release(2 * SEC, 999, PARENT, 5)), 0);
	assert_int_equal(lifecycle_tick(f->lc, UINT64_MAX), 0);
	assert_int_equal(f->sink.n, 1);
}

static void test_nested_ns_translation(void **state)
{
	struct fixture *f = *state;
	struct zr_ev e = ev_exit(C_EXIT_TS, CHILD, PARENT, C_START, "child", 2 << 8);
	struct zr_ev w = ev_wait(12 * SEC, PARENT, PARENT, ZR_SYS_WAIT4, 5, 2 << 8);
	const struct zr_ev *r;

	/* A host process whose global pid is 5 is a zombie too: must not be confused. */
	assert_int_equal(feed(f, ev_exit(9 * SEC, 5, 1, 1, "other", 0)), 0);
	e.ns_level = 1;
	e.ns_pid = 5;
	e.pidns = 4026532001u;
	e.u.exit.ns_nr[1] = 5;
	e.u.exit.ns_inum[1] = e.pidns;
	assert_int_equal(feed(f, ev_fork(C_START, CHILD, PARENT, "child")), 0);
	assert_int_equal(feed(f, e), 0);
	w.ns_level = 1;
	w.ns_pid = 2;
	w.ns_tid = 2;
	w.pidns = 4026532001u;
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(w.u.wait.reaped_pid, CHILD); /* rewritten in place */
	assert_int_equal(f->sink.n, 5);
	assert_int_equal(f->sink.ev[3].kind, ZR_EV_WAIT);
	assert_int_equal(f->sink.ev[3].u.wait.reaped_pid, CHILD);
	r = &f->sink.ev[4];
	assert_reap_of_child(r, 2);
	assert_int_equal(r->ns_level, 1); /* the dead's own namespace numbers */
	assert_int_equal(r->ns_pid, 5);
	assert_int_equal(r->pidns, 4026532001u);
	assert_string_equal(f->sink.role[4], "parent");
	assert_int_equal(table_count(f), 1); /* pid 5 remains */
	assert_non_null(proctab_find(lifecycle_table(f->lc), 5));
}

/* Two sibling pid namespaces (containers) each hold an exited, unreaped ns pid 5: a waiter
 * in the second one reaps its own, not the first one's. */
static void test_nested_ns_sibling_namespaces(void **state)
{
	struct fixture *f = *state;
	struct zr_ev a = ev_exit(9 * SEC, 600, 601, 2 * SEC, "in_a", 1 << 8);
	struct zr_ev b = ev_exit(10 * SEC, 700, 701, 3 * SEC, "in_b", 2 << 8);
	struct zr_ev w = ev_wait(11 * SEC, 701, 701, ZR_SYS_WAIT4, 5, 2 << 8);
	const struct zr_ev *r;

	a.ns_level = 1;
	a.ns_pid = 5;
	a.pidns = 4026532101u;
	a.u.exit.ns_nr[1] = 5;
	a.u.exit.ns_inum[1] = a.pidns;
	b.ns_level = 1;
	b.ns_pid = 5;
	b.pidns = 4026532202u;
	b.u.exit.ns_nr[1] = 5;
	b.u.exit.ns_inum[1] = b.pidns;
	assert_int_equal(feed(f, a), 0);
	assert_int_equal(feed(f, b), 0);
	w.ns_level = 1;
	w.ns_pid = 1;
	w.ns_tid = 1;
	w.pidns = 4026532202u;
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(f->sink.ev[2].u.wait.reaped_pid, 700);
	r = &f->sink.ev[3];
	assert_int_equal(r->kind, ZR_EV_REAP);
	assert_int_equal(r->pid, 700);
	assert_string_equal(r->comm, "in_b");
	assert_non_null(proctab_find(lifecycle_table(f->lc), 600));
	assert_null(proctab_find(lifecycle_table(f->lc), 700));
}

static void test_wait4_no_status_takes_exit(void **state)
{
	struct fixture *f = *state;
	struct zr_ev w = ev_wait(12 * SEC, PARENT, PARENT, ZR_SYS_WAIT4, CHILD, 0);

	w.u.wait.st = (struct zr_exit_status){ 0 }; /* ZR_F_STATUS_KNOWN absent */
	child_lives_and_exits(f, 7 << 8);
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(f->sink.ev[2].u.wait.result, ZR_WAIT_REAPED);
	assert_true(f->sink.ev[2].u.wait.st.is_known);
	assert_int_equal(f->sink.ev[2].u.wait.st.exit_code, 7);
	assert_reap_of_child(&f->sink.ev[3], 7);
	assert_int_equal(table_count(f), 0);
}

static void test_wait4_no_status_wuntraced_unknown(void **state)
{
	struct fixture *f = *state;
	struct zr_ev w = ev_wait(12 * SEC, PARENT, PARENT, ZR_SYS_WAIT4, 777, 0);

	w.u.wait.st = (struct zr_exit_status){ 0 };
	w.u.wait.reports_stops = true;
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 1);
	assert_int_equal(f->sink.ev[0].kind, ZR_EV_WAIT);
	assert_int_equal(f->sink.ev[0].u.wait.result, ZR_WAIT_STOPPED);
	assert_int_equal(f->sink.ev[0].u.wait.reaped_pid, 777);

	/* A running known child reported without status under WUNTRACED: stopped too. */
	assert_int_equal(feed(f, ev_fork(C_START, CHILD, PARENT, "child")), 0);
	w.u.wait.reaped_pid = CHILD;
	w.u.wait.result = ZR_WAIT_REAPED;
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 3);
	assert_int_equal(f->sink.ev[2].u.wait.result, ZR_WAIT_STOPPED);
	/* Not a reap: the child stays in the table, alive. */
	assert_int_equal(table_count(f), 0);
	assert_non_null(proctab_find(lifecycle_table(f->lc), CHILD));
}

static void test_reap_unseen_pid_unmatched(void **state)
{
	struct fixture *f = *state;
	struct zr_ev w = ev_wait(12 * SEC, PARENT, PARENT, ZR_SYS_WAIT4, 999, 1 << 8);
	const struct zr_ev *r;

	set_comm(w.comm, "parent");
	assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	assert_int_equal(f->sink.n, 2);
	r = &f->sink.ev[1];
	assert_int_equal(r->kind, ZR_EV_REAP);
	assert_true(r->is_unmatched);
	assert_int_equal(r->pid, 999);
	assert_int_equal(r->ktime_ns, 12 * SEC);
	assert_int_equal(r->u.reap.how, ZR_HOW_WAIT4);
	assert_int_equal(r->u.reap.reaper.pid, PARENT);
	assert_string_equal(r->u.reap.reaper.comm, "parent");
	assert_true(r->u.reap.st.is_known);
	assert_int_equal(r->u.reap.st.exit_code, 1);
	assert_int_equal(table_count(f), 0);
}

static void test_non_reaping_waits(void **state)
{
	struct fixture *f = *state;
	static const enum zr_wait_result res[] = { ZR_WAIT_NO_CHILD, ZR_WAIT_WOULD_BLOCK,
						   ZR_WAIT_STOPPED,  ZR_WAIT_CONTINUED,
						   ZR_WAIT_PEEKED,   ZR_WAIT_ERROR };
	unsigned i;

	child_lives_and_exits(f, 0);
	for (i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		struct zr_ev w = ev_wait(11 * SEC, PARENT, PARENT, ZR_SYS_WAITID, CHILD, 0);

		w.u.wait.result = res[i];
		assert_int_equal(lifecycle_feed(f->lc, &w), 0);
	}
	assert_int_equal(f->sink.n, 2 + 6);
	for (i = 2; i < f->sink.n; i++)
		assert_int_equal(f->sink.ev[i].kind, ZR_EV_WAIT);
	assert_int_equal(table_count(f), 1);
	/* Then the real reap. */
	assert_int_equal(feed(f, ev_wait(12 * SEC, PARENT, PARENT, ZR_SYS_WAITID, CHILD, 0)), 0);
	assert_int_equal(f->sink.n, 10);
	assert_int_equal(f->sink.ev[9].kind, ZR_EV_REAP);
	assert_int_equal(f->sink.ev[9].u.reap.zombie_ns, 2 * SEC);
	assert_int_equal(table_count(f), 0);
}

static void test_emit_error_stops(void **state)
{
	struct fixture *f = *state;
	struct zr_ev w = ev_wait(12 * SEC, PARENT, PARENT, ZR_SYS_WAIT4, CHILD, 0);

	child_lives_and_exits(f, 0);
	/* The wait itself fails to print: no reap follows. */
	f->sink.fail_at = 2;
	assert_int_equal(lifecycle_feed(f->lc, &w), -EPIPE);
	assert_int_equal(f->sink.n, 3);

	/* A plain event. */
	f->sink.fail_at = 3;
	assert_int_equal(feed(f, ev_fork(13 * SEC, 400, 1, "x")), -EPIPE);
	assert_int_equal(f->sink.n, 4);
}

static void test_emit_error_on_reap_and_tick(void **state)
{
	struct fixture *f = *state;
	struct zr_ev w = ev_wait(12 * SEC, PARENT, PARENT, ZR_SYS_WAIT4, CHILD, 0);

	child_lives_and_exits(f, 0); /* emits 0, 1 */
	f->sink.fail_at = 3;	     /* the wait (2) prints, its reap (3) fails */
	assert_int_equal(lifecycle_feed(f->lc, &w), -EPIPE);
	assert_int_equal(f->sink.n, 4);

	/* An autoreap that fails to print is returned by tick. */
	assert_int_equal(feed(f, ev_fork(20 * SEC, 500, 1, "z")), 0);		   /* 4 */
	assert_int_equal(feed(f, ev_exit(21 * SEC, 500, 1, 20 * SEC, "z", 0)), 0); /* 5 */
	assert_int_equal(feed(f, ev_release(21 * SEC + MS, 500, 1, 20 * SEC)), 0);
	f->sink.fail_at = 6;
	assert_int_equal(lifecycle_tick(f->lc, UINT64_MAX), -EPIPE);
	assert_int_equal(f->sink.n, 7);
}

static void test_tick_settles_all(void **state)
{
	struct fixture *f = *state;
	struct lifecycle *lc = lifecycle_new(0, 3600 * SEC, collect, &f->sink);
	uint32_t pid;

	assert_non_null(lc);
	for (pid = 1000; pid < 1010; pid++) {
		struct zr_ev e = ev_exit(10 * SEC + pid, pid, 1, SEC, "d", (int)(pid - 1000) << 8);
		struct zr_ev rel = ev_release(11 * SEC + pid, pid, 1, SEC);

		assert_int_equal(lifecycle_feed(lc, &e), 0);
		assert_int_equal(lifecycle_feed(lc, &rel), 0);
	}
	assert_int_equal(proctab_count(lifecycle_table(lc)), 10);
	assert_int_equal(lifecycle_tick(lc, 20 * SEC), 0);
	assert_int_equal(f->sink.n, 10);
	assert_int_equal(lifecycle_tick(lc, UINT64_MAX), 0);
	assert_int_equal(f->sink.n, 20);
	for (pid = 1000; pid < 1010; pid++) {
		const struct zr_ev *r = &f->sink.ev[10 + pid - 1000];

		assert_int_equal(r->kind, ZR_EV_REAP);
		assert_int_equal(r->pid, pid); /* release order */
		assert_int_equal(r->u.reap.how, ZR_HOW_AUTOREAP);
		assert_int_equal(r->u.reap.st.exit_code, (int)(pid - 1000));
	}
	assert_int_equal(proctab_count(lifecycle_table(lc)), 0);
	lifecycle_free(lc);
}

static void test_no_leak_mixed(void **state)
{
	struct fixture *f = *state;
	struct lifecycle *lc;
	struct sink *s = calloc(1, sizeof(*s));
	uint32_t pid;
	uint64_t t = SEC;

	(void)f;
	assert_non_null(s);
	s->fail_at = -1;
	lc = lifecycle_new(0, GRACE, collect, s);
	assert_non_null(lc);
	for (pid = 2000; pid < 2300; pid++) {
		struct zr_ev fk = ev_fork(t, pid, 1, "w");
		struct zr_ev ex = ev_exit(t + MS, pid, 1, t, "w", 0);

		assert_int_equal(lifecycle_feed(lc, &fk), 0);
		assert_int_equal(lifecycle_feed(lc, &ex), 0);
		if (pid % 3 == 0) {
			struct zr_ev w = ev_wait(t + 2 * MS, 1, 1, ZR_SYS_WAIT4, pid, 0);

			assert_int_equal(lifecycle_feed(lc, &w), 0);
		} else if (pid % 3 == 1) {
			struct zr_ev rel = ev_release(t + 2 * MS, pid, 1, t);

			assert_int_equal(lifecycle_feed(lc, &rel), 0);
		} else {
			struct zr_ev rel = ev_release(t + 2 * MS, pid, 1, t);
			struct zr_ev w = ev_wait(t + 3 * MS, 1, 1, ZR_SYS_WAITID, pid, 0);

			assert_int_equal(lifecycle_feed(lc, &rel), 0);
			assert_int_equal(lifecycle_feed(lc, &w), 0);
		}
		assert_int_equal(lifecycle_tick(lc, t + 3 * MS), 0);
		s->n = 0; /* only counts matter here */
		t += 10 * MS;
	}
	assert_int_equal(lifecycle_tick(lc, UINT64_MAX), 0);
	/* Only the waiter, pid 1, is left: it is alive. */
	assert_int_equal(proctab_count(lifecycle_table(lc)), 1);
	assert_non_null(proctab_find(lifecycle_table(lc), 1));
	lifecycle_free(lc);
	free(s);
}

/* decode -> lifecycle end to end, from raw records. */
static void test_from_records(void **state)
{
	struct fixture *f = *state;
	struct zr_rec_fork fk = rb_fork(0, PARENT, PARENT, 77, "parent");
	struct zr_rec_exit ex = rb_exit(ZR_F_GROUP_DEAD, 4 << 8);
	struct zr_rec_wait w =
	    rb_wait4(ZR_F_STATUS_KNOWN | ZR_F_SUBJECT_WANTED, CHILD, -1, 0, 4 << 8);
	struct zr_ev ev;
	const struct zr_ev *r;

	rb_subject(&fk.hdr, CHILD, CHILD, PARENT, C_START, "child");
	fk.hdr.ts = C_START;
	rb_subject(&ex.hdr, CHILD, CHILD, PARENT, C_START, "child");
	ex.hdr.ts = C_EXIT_TS;
	ex.ns_nr[0] = CHILD;
	rb_subject(&w.hdr, PARENT, PARENT, 1, 77, "parent");
	w.hdr.ts = C_EXIT_TS + 5 * MS;

	assert_int_equal(decode_record(&fk, sizeof(fk), &ev), 0);
	assert_int_equal(lifecycle_feed(f->lc, &ev), 0);
	assert_int_equal(decode_record(&ex, sizeof(ex), &ev), 0);
	assert_int_equal(lifecycle_feed(f->lc, &ev), 0);
	assert_int_equal(decode_record(&w, sizeof(w), &ev), 0);
	assert_int_equal(lifecycle_feed(f->lc, &ev), 0);
	assert_int_equal(f->sink.n, 4);
	r = &f->sink.ev[3];
	assert_reap_of_child(r, 4);
	assert_int_equal(r->u.reap.how, ZR_HOW_WAIT4);
	assert_int_equal(r->u.reap.zombie_ns, 5 * MS);
	assert_int_equal(r->u.reap.reaper.pid, PARENT);
	assert_int_equal(r->u.reap.reaper.start_ns, 77);
	assert_string_equal(r->u.reap.reaper.comm, "parent");
	assert_string_equal(f->sink.role[3], "parent");
	assert_int_equal(table_count(f), 0);
}

static void test_small_cap(void **state)
{
	struct fixture *f = *state;
	struct lifecycle *lc = lifecycle_new(4, GRACE, collect, &f->sink);
	uint32_t pid;

	assert_non_null(lc);
	for (pid = 10; pid < 20; pid++) {
		struct zr_ev fk = ev_fork(SEC, pid, 1, "c");

		assert_int_equal(lifecycle_feed(lc, &fk), 0);
	}
	assert_int_equal(proctab_count(lifecycle_table(lc)), 4);
	assert_int_equal(proctab_evicted(lifecycle_table(lc)), 6);
	lifecycle_free(lc);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_events_passed_in_order),
		T(test_wait4_reap_parent),
		T(test_waitid_reap_status),
		T(test_role_subreaper),
		T(test_role_pidns_init_host),
		T(test_role_pidns_init_nested),
		T(test_role_thread),
		T(test_autoreap_after_grace),
		T(test_wait_within_grace_wins),
		T(test_thread_release_self),
		T(test_release_pid_reuse_ignored),
		T(test_release_of_running_ignored),
		T(test_nested_ns_translation),
		T(test_nested_ns_sibling_namespaces),
		T(test_wait4_no_status_takes_exit),
		T(test_wait4_no_status_wuntraced_unknown),
		T(test_reap_unseen_pid_unmatched),
		T(test_non_reaping_waits),
		T(test_emit_error_stops),
		T(test_emit_error_on_reap_and_tick),
		T(test_tick_settles_all),
		T(test_no_leak_mixed),
		T(test_from_records),
		T(test_small_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
