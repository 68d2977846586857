/* test_lifecycle_detect.c - lifecycle.c with a fake /proc: zombie events after --zombie-after
 * (parent read from procfs, zombies held, reason), autoreap and leader-exit cases, orphans
 * found through procfs (with retries) and through the child's own events, the snapshot of
 * processes that exist before tracing, and events that arrive out of order.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <cmocka.h>

#include "lc_build.h"

#include "fake_proc.h"
#include "lifecycle.h"
#include "procfs.h"
#include "proctab.h"
#include "status.h"
#include "zr_event.h"

#define MS	 1000000ULL
#define SEC	 1000000000ULL
#define GRACE	 (100 * MS)
#define ZAFTER	 (1 * SEC)
#define MAX_EMIT 64

/* The cast: init 1, subreaper 50, parent 100 ("bash" to the tracer, "node" in /proc),
 * children 200.. */
#define INIT	  1
#define SUBR	  50
#define PARENT	  100
#define CHILD	  200
#define S_START	  (200 * MS)
#define P_START	  (500 * MS)
#define C_START	  (1 * SEC)
#define C_EXIT	  (10 * SEC)
#define P_EXIT	  (10 * SEC)
#define SIGCHLD_M (1ULL << 16)

struct sink {
	struct zr_ev ev[MAX_EMIT];
	unsigned n;
};

struct fixture {
	struct sink sink;
	struct fake_proc fp;
	struct lifecycle *lc;
};

static int collect(const struct zr_ev *ev, void *arg)
{
	struct sink *s = arg;

	assert_true(s->n < MAX_EMIT);
	memcpy(&s->ev[s->n++], ev, sizeof(*ev));
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (fp_init(&f->fp)) {
		free(f);
		return -1;
	}
	f->lc = lifecycle_new(0, GRACE, collect, &f->sink);
	if (!f->lc) {
		fp_cleanup(&f->fp);
		free(f);
		return -1;
	}
	lifecycle_set_procfs(f->lc, f->fp.root);
	lifecycle_set_zombie_after(f->lc, ZAFTER);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	lifecycle_free(f->lc);
	fp_cleanup(&f->fp);
	free(f);
	return 0;
}

static uint64_t ticks(uint64_t ns)
{
	return ns / procfs_tick_ns();
}

static struct zr_ev ev_fork(uint64_t ts, uint32_t pid, uint32_t ppid, const char *comm)
{
	struct zr_ev ev = ev_base(ZR_EV_FORK, ts, pid, ppid, ts, comm);

	ev.parent.pid = ppid;
	set_comm(ev.parent.comm, "forker");
	return ev;
}

/* The leader thread exits while other threads of the group run. */
static struct zr_ev ev_leader_exit(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
				   const char *comm)
{
	struct zr_ev ev = ev_exit(ts, pid, ppid, start, comm, 0);

	ev.u.exit.group_dead = false;
	return ev;
}

static struct zr_ev ev_exec(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
			    const char *comm)
{
	struct zr_ev ev = ev_base(ZR_EV_EXEC, ts, pid, ppid, start, comm);

	ev.u.exec.filename = "/bin/true";
	return ev;
}

static struct zr_ev ev_release(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start)
{
	struct zr_ev ev = ev_base(ZR_EV_REAP, ts, pid, ppid, start, "");

	ev.is_release = true;
	return ev;
}

/* wait4 by the parent (child of init, started at P_START). */
static struct zr_ev ev_pwait(uint64_t ts, uint64_t start, enum zr_wait_result result, int target,
			     uint32_t reaped, int raw)
{
	struct zr_ev ev = ev_base(ZR_EV_WAIT, ts, PARENT, INIT, start, "bash");

	ev.u.wait.syscall = ZR_SYS_WAIT4;
	ev.u.wait.target = target;
	ev.u.wait.result = result;
	ev.u.wait.reaped_pid = reaped;
	if (result == ZR_WAIT_REAPED)
		ev.u.wait.st = status_decode(raw);
	return ev;
}

static void feed(struct fixture *f, struct zr_ev ev)
{
	assert_int_equal(lifecycle_feed(f->lc, &ev), 0);
}

static void tick(struct fixture *f, uint64_t now)
{
	assert_int_equal(lifecycle_tick(f->lc, now), 0);
}

static unsigned count_kind(const struct fixture *f, enum zr_kind kind)
{
	unsigned i, n = 0;

	for (i = 0; i < f->sink.n; i++)
		n += f->sink.ev[i].kind == kind;
	return n;
}

static const struct zr_ev *last(const struct fixture *f)
{
	assert_true(f->sink.n > 0);
	return &f->sink.ev[f->sink.n - 1];
}

static unsigned table_count(const struct fixture *f)
{
	return proctab_count(lifecycle_table(f->lc));
}

/* Parent 100 known to the table (as "bash") and in /proc (as "node", sleeping, SIGCHLD as
 * cgt says); child 200 forked at C_START, shown by /proc as a zombie of 100. */
static void family(struct fixture *f, uint64_t cgt)
{
	assert_int_equal(fp_stat(&f->fp, PARENT, "node", 'S', INIT, 1, ticks(P_START), 0), 0);
	assert_int_equal(fp_status(&f->fp, PARENT, 0, 0, 1, 0, 0, cgt, "100"), 0);
	assert_int_equal(fp_stat(&f->fp, CHILD, "child", 'Z', PARENT, 1, ticks(C_START), 0), 0);
	feed(f, ev_fork(P_START, PARENT, INIT, "bash"));
	feed(f, ev_fork(C_START, CHILD, PARENT, "child"));
}

static void assert_zombie_of_child(const struct zr_ev *z, uint64_t now)
{
	assert_int_equal(z->kind, ZR_EV_ZOMBIE);
	assert_int_equal(z->ktime_ns, now);
	assert_int_equal(z->pid, CHILD);
	assert_int_equal(z->ppid, PARENT);
	assert_string_equal(z->comm, "child");
	assert_int_equal(z->start_ns, C_START);
	assert_int_equal(z->uid, 1000);
	assert_int_equal(z->cgroup_id, 77);
	assert_int_equal(z->u.zombie.age_source, ZR_AGE_TRACE);
	assert_int_equal(z->u.zombie.zombie_ns, now - C_EXIT);
	assert_true(z->u.zombie.st.is_known);
	assert_false(z->u.zombie.st.is_signaled);
	assert_int_equal(z->u.zombie.st.exit_code, 3);
	assert_int_equal(z->parent.pid, PARENT);
	assert_string_equal(z->parent.comm, "node"); /* /proc's word */
	assert_int_equal(z->parent.start_ns, P_START);
	assert_non_null(z->u.zombie.pinfo.state);
	assert_string_equal(z->u.zombie.pinfo.state, "sleeping");
	assert_false(z->u.zombie.pinfo.sigchld_blocked);
	assert_non_null(z->u.zombie.reason_code);
}

/* (1) fork + group exit, never waited: one zombie after the deadline, then the wait's reap. */
static void test_zombie_parent_never_waits(void **state)
{
	struct fixture *f = *state;
	const struct zr_ev *z, *r;

	family(f, SIGCHLD_M);
	feed(f, ev_exit(C_EXIT, CHILD, PARENT, C_START, "child", 3 << 8));
	assert_int_equal(f->sink.n, 3);
	tick(f, C_EXIT + ZAFTER - 1);
	assert_int_equal(f->sink.n, 3);
	tick(f, C_EXIT + 1500 * MS);
	assert_int_equal(f->sink.n, 4);
	z = last(f);
	assert_zombie_of_child(z, C_EXIT + 1500 * MS);
	assert_int_equal(z->u.zombie.zombie_ns, 1500 * MS);
	assert_string_equal(z->u.zombie.pinfo.sigchld, "handler");
	assert_int_equal(z->u.zombie.pinfo.last_wait_ns, 0);
	assert_int_equal(z->u.zombie.pinfo.zombies_held, 1);
	assert_string_equal(z->u.zombie.reason_code, "parent_never_waits");
	assert_string_equal(z->u.zombie.reason,
			    "parent 100 (node) has never called wait since tracing started");

	tick(f, C_EXIT + 2500 * MS);
	tick(f, C_EXIT + 30 * SEC);
	assert_int_equal(f->sink.n, 4);

	feed(f, ev_pwait(C_EXIT + 3 * SEC, P_START, ZR_WAIT_REAPED, -1, CHILD, 3 << 8));
	assert_int_equal(f->sink.n, 6);
	assert_int_equal(f->sink.ev[4].kind, ZR_EV_WAIT);
	r = last(f);
	assert_int_equal(r->kind, ZR_EV_REAP);
	assert_int_equal(r->pid, CHILD);
	assert_int_equal(r->u.reap.zombie_ns, 3 * SEC);
	assert_int_equal(r->u.reap.how, ZR_HOW_WAIT4);
	assert_int_equal(r->u.reap.reaper.pid, PARENT);
	assert_string_equal(r->u.reap.reaper.role, "parent");
	assert_int_equal(r->u.reap.st.exit_code, 3);
	tick(f, C_EXIT + 60 * SEC);
	assert_int_equal(f->sink.n, 6);
	assert_int_equal(count_kind(f, ZR_EV_ZOMBIE), 1);
}

/* (1) the parent waited, but before the child exited. */
static void test_zombie_parent_not_waiting(void **state)
{
	struct fixture *f = *state;
	const struct zr_ev *z;

	family(f, 0);
	feed(f, ev_pwait(5 * SEC, P_START, ZR_WAIT_WOULD_BLOCK, -1, 0, 0));
	feed(f, ev_exit(C_EXIT, CHILD, PARENT, C_START, "child", 3 << 8));
	assert_int_equal(f->sink.n, 4);
	tick(f, C_EXIT + 500 * MS);
	assert_int_equal(f->sink.n, 4);
	tick(f, C_EXIT + 1500 * MS);
	assert_int_equal(f->sink.n, 5);
	z = last(f);
	assert_zombie_of_child(z, C_EXIT + 1500 * MS);
	assert_string_equal(z->u.zombie.pinfo.sigchld, "default");
	assert_int_equal(z->u.zombie.pinfo.last_wait_ns, 5 * SEC);
	assert_int_equal(z->u.zombie.pinfo.zombies_held, 1);
	assert_string_equal(z->u.zombie.reason_code, "parent_not_waiting");
	assert_string_equal(
	    z->u.zombie.reason,
	    "parent 100 (node) has not called wait since the child exited 1.5 s ago");
	tick(f, C_EXIT + 5 * SEC);
	assert_int_equal(f->sink.n, 5);
}

/* (1) the parent's state and blocked SIGCHLD come from /proc too. */
static void test_zombie_parent_state_from_procfs(void **state)
{
	struct fixture *f = *state;
	const struct zr_ev *z;

	family(f, 0);
	assert_int_equal(fp_stat(&f->fp, PARENT, "node", 'T', INIT, 1, ticks(P_START), 0), 0);
	assert_int_equal(fp_status(&f->fp, PARENT, 0, 0, 1, SIGCHLD_M, SIGCHLD_M, 0, "100"), 0);
	feed(f, ev_exit(C_EXIT, CHILD, PARENT, C_START, "child", 3 << 8));
	tick(f, C_EXIT + 2 * SEC);
	assert_int_equal(f->sink.n, 4);
	z = last(f);
	assert_string_equal(z->u.zombie.pinfo.state, "stopped");
	assert_string_equal(z->u.zombie.pinfo.sigchld, "ignored");
	assert_true(z->u.zombie.pinfo.sigchld_blocked);
	assert_string_equal(z->u.zombie.reason_code, "parent_stopped");
	assert_string_equal(z->u.zombie.reason,
			    "parent 100 (node) is stopped; it cannot reap until it gets SIGCONT");
}

/* zombies_held counts the parent's unreaped dead; "it holds N zombies" only for N > 1. */
static void test_zombie_held_counts(void **state)
{
	struct fixture *f = *state;
	const struct zr_ev *z;

	family(f, 0);
	assert_int_equal(fp_stat(&f->fp, CHILD + 1, "child", 'Z', PARENT, 1, ticks(C_START), 0), 0);
	assert_int_equal(
	    fp_stat(&f->fp, CHILD + 2, "child", 'Z', PARENT, 1, ticks(C_START + 1 * SEC), 0), 0);
	feed(f, ev_fork(C_START, CHILD + 1, PARENT, "child"));
	feed(f, ev_fork(C_START + 1 * SEC, CHILD + 2, PARENT, "child"));
	feed(f, ev_exit(C_EXIT, CHILD, PARENT, C_START, "child", 3 << 8));
	feed(f, ev_exit(C_EXIT, CHILD + 1, PARENT, C_START, "child", 3 << 8));
	tick(f, C_EXIT + 1500 * MS);
	assert_int_equal(count_kind(f, ZR_EV_ZOMBIE), 2);
	z = &f->sink.ev[f->sink.n - 2];
	assert_int_equal(z->pid, CHILD);
	assert_int_equal(z->u.zombie.pinfo.zombies_held, 2);
	assert_string_equal(z->u.zombie.reason,
			    "parent 100 (node) has never called wait since tracing started; it "
			    "holds 2 zombies");
	z = last(f);
	assert_int_equal(z->pid, CHILD + 1);
	assert_int_equal(z->u.zombie.pinfo.zombies_held, 2);

	/* 200 reaped, 202 dies: 201 and 202 are held */
	feed(f, ev_pwait(C_EXIT + 2 * SEC, P_START, ZR_WAIT_REAPED, CHILD, CHILD, 3 << 8));
	feed(f, ev_exit(C_EXIT + 2 * SEC, CHILD + 2, PARENT, C_START + 1 * SEC, "child", 0));
	tick(f, C_EXIT + 3500 * MS);
	assert_int_equal(count_kind(f, ZR_EV_ZOMBIE), 3);
	z = last(f);
	assert_int_equal(z->kind, ZR_EV_ZOMBIE);
	assert_int_equal(z->pid, CHILD + 2);
	assert_int_equal(z->u.zombie.zombie_ns, 1500 * MS);
	assert_int_equal(z->u.zombie.pinfo.zombies_held, 2);
	/* it waited for 200 since: the reason says so */
	assert_string_equal(z->u.zombie.reason_code, "parent_waits_other");
}

/* (2) released (autoreaped) before the deadline: no zombie. */
static void test_autoreap_no_zombie(void **state)
{
	struct fixture *f = *state;
	const struct zr_ev *r;

	family(f, 0);
	feed(f, ev_exit(C_EXIT, CHILD, PARENT, C_START, "child", 3 << 8));
	feed(f, ev_release(C_EXIT + 1 * MS, CHILD, PARENT, C_START));
	assert_int_equal(f->sink.n, 3);
	tick(f, C_EXIT + 1500 * MS);
	assert_int_equal(f->sink.n, 4);
	r = last(f);
	assert_int_equal(r->kind, ZR_EV_REAP);
	assert_int_equal(r->u.reap.how, ZR_HOW_AUTOREAP);
	tick(f, C_EXIT + 10 * SEC);
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(count_kind(f, ZR_EV_ZOMBIE), 0);
}

/* (2) released just before the deadline, autoreap still in its grace at the deadline. */
static void test_release_in_grace_at_deadline(void **state)
{
	struct fixture *f = *state;

	family(f, 0);
	feed(f, ev_exit(C_EXIT, CHILD, PARENT, C_START, "child", 3 << 8));
	feed(f, ev_release(C_EXIT + ZAFTER - 50 * MS, CHILD, PARENT, C_START));
	tick(f, C_EXIT + ZAFTER);
	assert_int_equal(f->sink.n, 3);
	tick(f, C_EXIT + ZAFTER + GRACE);
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(last(f)->u.reap.how, ZR_HOW_AUTOREAP);
	assert_int_equal(count_kind(f, ZR_EV_ZOMBIE), 0);
}

/* (2) no --zombie-after: never a zombie event. */
static void test_zombie_after_off(void **state)
{
	struct fixture *f = *state;

	lifecycle_set_zombie_after(f->lc, 0);
	family(f, 0);
	feed(f, ev_exit(C_EXIT, CHILD, PARENT, C_START, "child", 3 << 8));
	tick(f, C_EXIT + 100 * SEC);
	assert_int_equal(f->sink.n, 3);
}

/* (3) the leader exited, threads run on: a zombie (Zl) with reason threads_running. */
static void leader_exits(struct fixture *f)
{
	family(f, 0);
	assert_int_equal(fp_stat(&f->fp, CHILD, "child", 'Z', PARENT, 3, ticks(C_START), 0), 0);
	feed(f, ev_leader_exit(C_EXIT, CHILD, PARENT, C_START, "child"));
	assert_int_equal(f->sink.n, 3);
	tick(f, C_EXIT + 999 * MS);
	assert_int_equal(f->sink.n, 3);
	tick(f, C_EXIT + 1500 * MS);
	assert_int_equal(f->sink.n, 4);
}

static void test_leader_exit_threads_running(void **state)
{
	struct fixture *f = *state;
	const struct zr_ev *z;

	leader_exits(f);
	z = last(f);
	assert_int_equal(z->kind, ZR_EV_ZOMBIE);
	assert_int_equal(z->pid, CHILD);
	assert_int_equal(z->ppid, PARENT);
	assert_int_equal(z->u.zombie.age_source, ZR_AGE_TRACE);
	assert_int_equal(z->u.zombie.zombie_ns, 1500 * MS);
	assert_int_equal(z->parent.pid, PARENT);
	assert_string_equal(z->parent.comm, "node");
	assert_string_equal(z->u.zombie.reason_code, "threads_running");
	tick(f, C_EXIT + 5 * SEC);
	assert_int_equal(f->sink.n, 4);
}

/* /proc's num_threads of a Zl leader counts the dead leader itself (checked on the 6.18
 * kernel: leader gone via pthread_exit, 2 threads left, stat field 20 says 3). */
static void test_leader_exit_thread_count(void **state)
{
	struct fixture *f = *state;

	leader_exits(f);
	assert_string_equal(last(f)->u.zombie.reason,
			    "leader 200 exited but 2 threads still run; it is reaped after the "
			    "last one exits");
}

/* (3) the process vanished from /proc meanwhile: no zombie. */
static void test_leader_exit_gone(void **state)
{
	struct fixture *f = *state;

	family(f, 0);
	assert_int_equal(fp_unlink(&f->fp, CHILD, "stat"), 0);
	feed(f, ev_leader_exit(C_EXIT, CHILD, PARENT, C_START, "child"));
	tick(f, C_EXIT + 1500 * MS);
	assert_int_equal(f->sink.n, 3);
}

/* (3) a non-leader thread's execve kills the old leader (sched_process_exit with tid == pid,
 * group not dead), then the process lives on under the new image: /proc shows it running,
 * one thread. Not a zombie. */
static void test_leader_exit_then_exec_not_zombie(void **state)
{
	struct fixture *f = *state;

	family(f, 0);
	assert_int_equal(fp_stat(&f->fp, CHILD, "child", 'S', PARENT, 1, ticks(C_START), 0), 0);
	feed(f, ev_leader_exit(C_EXIT, CHILD, PARENT, C_START, "child"));
	feed(f, ev_exec(C_EXIT + 1 * MS, CHILD, PARENT, C_START, "newimage"));
	assert_int_equal(f->sink.n, 4);
	tick(f, C_EXIT + 1500 * MS);
	assert_int_equal(count_kind(f, ZR_EV_ZOMBIE), 0);
}

/* (4) the parent dies; its child is adopted by subreaper 50 as /proc shows. */
static void orphan_setup(struct fixture *f, uint32_t child_ppid, const char *subr_nspid)
{
	assert_int_equal(fp_stat(&f->fp, SUBR, "subreaper", 'S', INIT, 1, ticks(S_START), 0), 0);
	assert_int_equal(fp_status(&f->fp, SUBR, 0, 0, 1, 0, 0, 0, subr_nspid), 0);
	assert_int_equal(fp_stat(&f->fp, CHILD, "child", 'S', child_ppid, 1, ticks(C_START), 0), 0);
	feed(f, ev_fork(P_START, PARENT, SUBR, "bash"));
	feed(f, ev_fork(C_START, CHILD, PARENT, "child"));
	feed(f, ev_exit(P_EXIT, PARENT, SUBR, P_START, "bash", 0));
	assert_int_equal(f->sink.n, 3);
}

static void assert_orphan_of_child(const struct zr_ev *o, const char *role)
{
	assert_int_equal(o->kind, ZR_EV_ORPHAN);
	assert_int_equal(o->ktime_ns, P_EXIT);
	assert_int_equal(o->pid, CHILD);
	assert_int_equal(o->ppid, SUBR);
	assert_string_equal(o->comm, "child");
	assert_int_equal(o->start_ns, C_START);
	assert_int_equal(o->u.orphan.old_parent.pid, PARENT);
	assert_int_equal(o->u.orphan.old_parent.start_ns, P_START);
	assert_string_equal(o->u.orphan.old_parent.comm, "bash");
	assert_null(o->u.orphan.old_parent.role);
	assert_int_equal(o->u.orphan.new_parent.pid, SUBR);
	assert_string_equal(o->u.orphan.new_parent.comm, "subreaper");
	assert_non_null(o->u.orphan.new_parent.role);
	assert_string_equal(o->u.orphan.new_parent.role, role);
}

static void test_orphan_procfs_subreaper(void **state)
{
	struct fixture *f = *state;

	orphan_setup(f, SUBR, "50");
	tick(f, P_EXIT + 4 * MS);
	assert_int_equal(f->sink.n, 3);
	tick(f, P_EXIT + 5 * MS);
	assert_int_equal(f->sink.n, 4);
	assert_orphan_of_child(last(f), "subreaper");
	tick(f, P_EXIT + 20 * MS);
	tick(f, P_EXIT + 500 * MS);
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(lifecycle_tick(f->lc, UINT64_MAX), 0);
	assert_int_equal(count_kind(f, ZR_EV_ORPHAN), 1);
}

static void test_orphan_procfs_pidns_init(void **state)
{
	struct fixture *f = *state;

	orphan_setup(f, SUBR, "50\t1");
	tick(f, P_EXIT + 5 * MS);
	assert_int_equal(f->sink.n, 4);
	assert_orphan_of_child(last(f), "pidns_init");
}

static void test_orphan_procfs_retry(void **state)
{
	struct fixture *f = *state;

	orphan_setup(f, PARENT, "50"); /* /proc still shows the dead parent */
	tick(f, P_EXIT + 5 * MS);
	tick(f, P_EXIT + 10 * MS);
	tick(f, P_EXIT + 12 * MS);
	assert_int_equal(f->sink.n, 3);
	assert_int_equal(fp_stat(&f->fp, CHILD, "child", 'S', SUBR, 1, ticks(C_START), 0), 0);
	tick(f, P_EXIT + 30 * MS);
	assert_int_equal(f->sink.n, 4);
	assert_orphan_of_child(last(f), "subreaper");
	tick(f, P_EXIT + 40 * MS);
	tick(f, P_EXIT + 500 * MS);
	assert_int_equal(f->sink.n, 4);
}

/* (4) siblings move to one new parent together: the first child /proc shows adopted speaks for
 * the next, whose /proc entry is not read (here it has none) and who is still running for us. */
static void test_orphan_siblings_share_adopter(void **state)
{
	struct fixture *f = *state;
	const struct zr_ev *o;

	orphan_setup(f, SUBR, "50");
	feed(f, ev_fork(C_START + 1 * MS, CHILD + 1, PARENT, "child2"));
	feed(f, ev_fork(C_START + 2 * MS, CHILD + 2, PARENT, "child3"));
	feed(f, ev_exit(C_START + 3 * MS, CHILD + 2, PARENT, C_START + 2 * MS, "child3", 0));
	assert_int_equal(f->sink.n, 6);
	tick(f, P_EXIT + 5 * MS);
	assert_int_equal(f->sink.n, 8);
	assert_orphan_of_child(&f->sink.ev[6], "subreaper");
	o = &f->sink.ev[7];
	assert_int_equal(o->kind, ZR_EV_ORPHAN);
	assert_int_equal(o->pid, CHILD + 1);
	assert_int_equal(o->start_ns, C_START + 1 * MS);
	assert_int_equal(o->u.orphan.old_parent.pid, PARENT);
	assert_int_equal(o->u.orphan.new_parent.pid, SUBR);
	assert_string_equal(o->u.orphan.new_parent.comm, "subreaper");
	assert_string_equal(o->u.orphan.new_parent.role, "subreaper");
	/* The one that exited before its parent is no orphan. */
	tick(f, P_EXIT + 500 * MS);
	assert_int_equal(count_kind(f, ZR_EV_ORPHAN), 2);
}

/* (5) the child's own exit names its new parent before any tick: orphan first, then exit. */
static void test_orphan_from_child_exit(void **state)
{
	struct fixture *f = *state;

	orphan_setup(f, SUBR, "50");
	assert_int_equal(fp_unlink(&f->fp, CHILD, "stat"), 0); /* it died */
	feed(f, ev_exit(P_EXIT + 1 * MS, CHILD, SUBR, C_START, "child", 0));
	assert_int_equal(f->sink.n, 5);
	assert_orphan_of_child(&f->sink.ev[3], "subreaper");
	assert_int_equal(f->sink.ev[4].kind, ZR_EV_EXIT);
	assert_int_equal(f->sink.ev[4].pid, CHILD);
	tick(f, P_EXIT + 6 * MS);
	tick(f, P_EXIT + 500 * MS);
	assert_int_equal(f->sink.n, 5);
	assert_int_equal(count_kind(f, ZR_EV_ORPHAN), 1);
}

static void test_orphan_from_child_exec(void **state)
{
	struct fixture *f = *state;

	orphan_setup(f, SUBR, "50");
	feed(f, ev_exec(P_EXIT + 1 * MS, CHILD, SUBR, C_START, "child"));
	assert_int_equal(f->sink.n, 5);
	assert_orphan_of_child(&f->sink.ev[3], "subreaper");
	assert_int_equal(f->sink.ev[4].kind, ZR_EV_EXEC);
	tick(f, P_EXIT + 6 * MS);
	tick(f, P_EXIT + 500 * MS);
	feed(f, ev_exec(P_EXIT + 600 * MS, CHILD, SUBR, C_START, "child"));
	assert_int_equal(f->sink.n, 6);
	assert_int_equal(count_kind(f, ZR_EV_ORPHAN), 1);
}

/* (5) another ppid while the old parent lives: not an orphan. */
static void test_reparent_live_parent(void **state)
{
	struct fixture *f = *state;

	feed(f, ev_fork(P_START, PARENT, SUBR, "bash"));
	feed(f, ev_fork(C_START, CHILD, PARENT, "child"));
	feed(f, ev_exec(2 * SEC, CHILD, SUBR, C_START, "child"));
	feed(f, ev_exit(3 * SEC, CHILD, SUBR, C_START, "child", 0));
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(count_kind(f, ZR_EV_ORPHAN), 0);
	tick(f, 3 * SEC + 500 * MS);
	assert_int_equal(count_kind(f, ZR_EV_ORPHAN), 0);
}

/* (6) processes that exist before tracing: a snapshot event per zombie, its zombie event with
 * the age procfs gives (here only its start bounds it), the reap, and later events matched at
 * clock-tick precision. */
#define Z_PID	 300
#define W_PID	 400
#define SNAP_NOW (20 * SEC)
#define Z_TICKS	 1234
#define W_TICKS	 2345
#define P_TICKS	 ticks(P_START)

/* The tree the snapshot reads: init, the parent, its zombie and a live worker. */
static void snapshot_tree(struct fixture *f)
{
	assert_int_equal(fp_proc(&f->fp, INIT, "init", 'S', 0, 1), 0);
	assert_int_equal(fp_proc(&f->fp, PARENT, "node", 'S', INIT, P_TICKS), 0);
	assert_int_equal(fp_proc(&f->fp, Z_PID, "defunct", 'Z', PARENT, Z_TICKS), 0);
	assert_int_equal(fp_proc(&f->fp, W_PID, "worker", 'R', PARENT, W_TICKS), 0);
	assert_int_equal(fp_write(&f->fp, "self", "stat", "junk", 4), 0);
}

static void snapshot_setup(struct fixture *f)
{
	snapshot_tree(f);
	assert_int_equal(lifecycle_snapshot(f->lc, SNAP_NOW), 0);
}

static void test_snapshot_zombie(void **state)
{
	struct fixture *f = *state;
	const struct zr_ev *e;

	snapshot_setup(f);
	assert_int_equal(f->sink.n, 1);
	e = last(f);
	assert_int_equal(e->kind, ZR_EV_SNAPSHOT);
	assert_int_equal(e->u.snapshot.state, 'Z');
	assert_int_equal(e->ktime_ns, SNAP_NOW);
	assert_int_equal(e->pid, Z_PID);
	assert_int_equal(e->ppid, PARENT);
	assert_string_equal(e->comm, "defunct");
	assert_int_equal(e->start_ns, procfs_ticks_to_ns(Z_TICKS));
	assert_int_equal(table_count(f), 4);

	tick(f, SNAP_NOW);
	assert_int_equal(f->sink.n, 2);
	e = last(f);
	assert_int_equal(e->kind, ZR_EV_ZOMBIE);
	assert_int_equal(e->pid, Z_PID);
	/* no sched file in this tree: only the start bounds its age; the kernel showed 0 as
	 * its status and we may not read io: unknown */
	assert_int_equal(e->u.zombie.age_source, ZR_AGE_START_BOUND);
	assert_int_equal(e->u.zombie.zombie_ns, SNAP_NOW - procfs_ticks_to_ns(Z_TICKS));
	assert_false(e->u.zombie.st.is_known);
	assert_int_equal(e->parent.pid, PARENT);
	assert_string_equal(e->parent.comm, "node");
	assert_string_equal(e->u.zombie.pinfo.state, "sleeping");
	assert_string_equal(e->u.zombie.reason_code, "parent_never_waits");
	assert_string_equal(e->u.zombie.reason,
			    "parent 100 (node) has never called wait since tracing started");
	tick(f, SNAP_NOW + 10 * SEC);
	assert_int_equal(f->sink.n, 2);

	/* the parent, at ns precision, reaps it */
	feed(f, ev_pwait(SNAP_NOW + 11 * SEC, procfs_ticks_to_ns(P_TICKS) + 1234, ZR_WAIT_REAPED,
			 -1, Z_PID, 0));
	assert_int_equal(f->sink.n, 4);
	assert_int_equal(f->sink.ev[2].kind, ZR_EV_WAIT);
	assert_int_equal(f->sink.ev[2].u.wait.reaped_pid, Z_PID);
	e = last(f);
	assert_int_equal(e->kind, ZR_EV_REAP);
	assert_int_equal(e->pid, Z_PID);
	assert_int_equal(e->start_ns, procfs_ticks_to_ns(Z_TICKS));
	assert_int_equal(e->u.reap.zombie_ns, 0);
	assert_int_equal(e->u.reap.reaper.pid, PARENT);
	assert_string_equal(e->u.reap.reaper.role, "parent");
	assert_int_equal(e->u.reap.how, ZR_HOW_WAIT4);
	assert_int_equal(table_count(f), 3);
	assert_int_equal(count_kind(f, ZR_EV_ORPHAN), 0);
}

/* (6b) the same with the sched files a kernel with CONFIG_SCHED_DEBUG has: the zombie event
 * carries the exit status and the age procfs gives (our se.exec_start minus its own), and the
 * reap then knows how long it was a zombie. */
static void test_snapshot_zombie_sched(void **state)
{
	struct fixture *f = *state;
	const uint64_t died = 5000 * SEC; /* the scheduler clock, not CLOCK_BOOTTIME */
	const struct zr_ev *e;

	snapshot_tree(f);
	assert_int_equal(fp_stat(&f->fp, Z_PID, "defunct", 'Z', PARENT, 1, Z_TICKS, 7 << 8), 0);
	assert_int_equal(fp_sched(&f->fp, "300", "defunct", died), 0);
	assert_int_equal(fp_sched(&f->fp, "thread-self", "zreaper", died + 3 * SEC + 250), 0);
	assert_int_equal(lifecycle_snapshot(f->lc, SNAP_NOW), 0);
	tick(f, SNAP_NOW);
	assert_int_equal(f->sink.n, 2);
	e = last(f);
	assert_int_equal(e->kind, ZR_EV_ZOMBIE);
	assert_int_equal(e->pid, Z_PID);
	assert_int_equal(e->u.zombie.age_source, ZR_AGE_SCHED);
	assert_int_equal(e->u.zombie.zombie_ns, 3 * SEC + 250);
	assert_true(e->u.zombie.st.is_known);
	assert_false(e->u.zombie.st.is_signaled);
	assert_int_equal(e->u.zombie.st.exit_code, 7);
	assert_string_equal(e->u.zombie.reason,
			    "parent 100 (node) has never called wait since tracing started");

	feed(f, ev_pwait(SNAP_NOW + 2 * SEC, procfs_ticks_to_ns(P_TICKS) + 1234, ZR_WAIT_REAPED, -1,
			 Z_PID, 7 << 8));
	e = last(f);
	assert_int_equal(e->kind, ZR_EV_REAP);
	assert_int_equal(e->pid, Z_PID);
	assert_int_equal(e->u.reap.zombie_ns, 5 * SEC + 250);
	assert_int_equal(e->u.reap.st.exit_code, 7);
}

static void test_snapshot_ns_precision_match(void **state)
{
	struct fixture *f = *state;
	const struct proctab *t = lifecycle_table(f->lc);
	uint64_t w_ns = procfs_ticks_to_ns(W_TICKS) + 777, p_ns = procfs_ticks_to_ns(P_TICKS) + 5;
	const struct zr_proc *p;

	snapshot_setup(f);
	assert_int_equal(table_count(f), 4);
	p = proctab_find(t, PARENT);
	assert_non_null(p);
	assert_true(p->is_snapshot);
	assert_true(p->has_children);

	feed(f, ev_exec(SNAP_NOW + 1 * SEC, W_PID, PARENT, w_ns, "worker2"));
	assert_int_equal(table_count(f), 4);
	p = proctab_find(t, W_PID);
	assert_non_null(p);
	assert_false(p->is_snapshot);
	assert_int_equal(p->start_ns, w_ns);
	assert_int_equal(p->birth_ppid, PARENT);
	assert_string_equal(p->comm, "worker2");

	/* the parent's entry keeps what the snapshot knew (it has children) */
	feed(f, ev_exec(SNAP_NOW + 2 * SEC, PARENT, INIT, p_ns, "node"));
	assert_int_equal(table_count(f), 4);
	p = proctab_find(t, PARENT);
	assert_non_null(p);
	assert_int_equal(p->start_ns, p_ns);
	assert_true(p->has_children);
	assert_false(p->is_snapshot);

	/* its exit at ns precision still lands on the same entry */
	feed(f, ev_exit(SNAP_NOW + 3 * SEC, W_PID, PARENT, w_ns, "worker2", 0));
	assert_int_equal(table_count(f), 4);
	assert_int_equal(proctab_find(t, W_PID)->state, ZR_PROC_EXITED);
	assert_int_equal(count_kind(f, ZR_EV_ORPHAN), 0);
}

/* (7) an exit seen before its fork: the late fork does not bring the process back. */
static void test_exit_before_fork(void **state)
{
	struct fixture *f = *state;
	const struct zr_proc *p;
	const struct zr_ev *z;

	family(f, 0);
	/* forget the fork family() fed: use another child */
	assert_int_equal(
	    fp_stat(&f->fp, CHILD + 5, "late", 'Z', PARENT, 1, ticks(C_START + 2 * SEC), 0), 0);
	feed(f, ev_exit(C_EXIT, CHILD + 5, PARENT, C_START + 2 * SEC, "late", 3 << 8));
	feed(f, ev_fork(C_START + 2 * SEC, CHILD + 5, PARENT, "late"));
	p = proctab_find(lifecycle_table(f->lc), CHILD + 5);
	assert_non_null(p);
	assert_int_equal(p->state, ZR_PROC_EXITED);
	assert_int_equal(p->exit_ns, C_EXIT);
	tick(f, C_EXIT + 1500 * MS);
	z = last(f);
	assert_int_equal(z->kind, ZR_EV_ZOMBIE);
	assert_int_equal(z->pid, CHILD + 5);
	assert_int_equal(z->u.zombie.zombie_ns, 1500 * MS);
	feed(f, ev_pwait(C_EXIT + 2 * SEC, P_START, ZR_WAIT_REAPED, -1, CHILD + 5, 3 << 8));
	z = last(f);
	assert_int_equal(z->kind, ZR_EV_REAP);
	assert_int_equal(z->pid, CHILD + 5);
	assert_int_equal(z->u.reap.zombie_ns, 2 * SEC);
	assert_null(proctab_find(lifecycle_table(f->lc), CHILD + 5));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_zombie_parent_never_waits),
		T(test_zombie_parent_not_waiting),
		T(test_zombie_parent_state_from_procfs),
		T(test_zombie_held_counts),
		T(test_autoreap_no_zombie),
		T(test_release_in_grace_at_deadline),
		T(test_zombie_after_off),
		T(test_leader_exit_threads_running),
		T(test_leader_exit_thread_count),
		T(test_leader_exit_gone),
		T(test_leader_exit_then_exec_not_zombie),
		T(test_orphan_procfs_subreaper),
		T(test_orphan_procfs_pidns_init),
		T(test_orphan_procfs_retry),
		T(test_orphan_siblings_share_adopter),
		T(test_orphan_from_child_exit),
		T(test_orphan_from_child_exec),
		T(test_reparent_live_parent),
		T(test_snapshot_zombie),
		T(test_snapshot_zombie_sched),
		T(test_snapshot_ns_precision_match),
		T(test_exit_before_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
