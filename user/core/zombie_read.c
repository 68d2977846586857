/* zombie_read.c - a zombie's wait status and age from procfs; zombie_read.h says where each
 * comes from and why the two scheduler clocks are only compared on one CPU. The clock readings
 * of one scan (same root, same now) are kept here, one per CPU, so a scan of a thousand
 * zombies pins us to each CPU at most once.
 */
#define _GNU_SOURCE /* sched_setaffinity, sched_getcpu */ /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) \
							   */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "status.h"
#include "zombie_read.h"

/* Our own se.exec_start on one CPU: "now" on that CPU's scheduler clock. */
struct cpu_now {
	uint64_t scan;	   /* the scan it was read in (0: never) */
	int err;	   /* 0, or why that clock could not be read */
	uint64_t sched_ns; /* our se.exec_start there */
	uint64_t boot_ns;  /* CLOCK_BOOTTIME right after */
};

static struct {
	char root[256];
	uint64_t now_ns;
	uint64_t id;	/* the current scan, from 1 */
	int may_ptrace; /* CAP_SYS_PTRACE: every exit code is shown to us; -1 not yet read */
	struct cpu_now cpu[CPU_SETSIZE];
} scan;

static void begin_scan(const char *root, uint64_t now_ns)
{
	const char *r = root ? root : "/proc";

	if (scan.id && scan.now_ns == now_ns && !strcmp(scan.root, r))
		return;
	snprintf(scan.root, sizeof(scan.root), "%s", r);
	scan.now_ns = now_ns;
	scan.id++;
	scan.may_ptrace = -1;
}

static bool may_ptrace_all(const char *root)
{
	if (scan.may_ptrace < 0)
		scan.may_ptrace = procfs_may_ptrace_all(root);
	return scan.may_ptrace;
}

/* Field 52, when it is the final status and not the 0 the kernel shows to a reader that may
 * not ptrace-read the process; -1 otherwise. */
static int read_wait_status(const char *root, const char *dir, const struct procfs_stat *st)
{
	char buf[512];

	if (st->exit_code < 0 || st->threads > 1)
		return -1; /* before 3.5; or the leader died first and threads still run */
	if (st->exit_code > 0 || may_ptrace_all(root))
		return st->exit_code;
	/* /proc/PID/io is readable under the same ptrace_may_access() check. */
	return procfs_read_file(root, dir, "io", buf, sizeof(buf)) >= 0 ? 0 : -1;
}

/* Pinned to cpu, we read our own se.exec_start there; sched_yield() first, so it is that
 * clock's value now (the scheduler updates it when it switches us out and back in). */
static int read_cpu_clock(const char *root, int cpu, struct cpu_now *c)
{
	cpu_set_t old, one;
	int err;

	if (sched_getaffinity(0, sizeof(old), &old))
		return -errno;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return -errno; /* offline, or outside our cpuset */
	sched_yield();
	err = procfs_read_exec_start(root, "thread-self", &c->sched_ns);
	c->boot_ns = procfs_now_ns();
	if (!err && sched_getcpu() != cpu)
		err = -EAGAIN;
	sched_setaffinity(0, sizeof(old), &old);
	return err;
}

static const struct cpu_now *cpu_now(const char *root, int cpu)
{
	struct cpu_now *c;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return NULL;
	c = &scan.cpu[cpu];
	if (c->scan != scan.id) {
		c->scan = scan.id;
		c->err = read_cpu_clock(root, cpu, c);
	}
	return c->err ? NULL : c;
}

static bool is_gone(const char *root, const char *dir)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", root ? root : "/proc", dir);
	return stat(path, &sb) && (errno == ENOENT || errno == ESRCH);
}

int zombie_read(const char *root, const struct procfs_stat *st, uint64_t now_ns,
		struct zombie_info *zi)
{
	uint64_t start_ns = procfs_ticks_to_ns(st->start_ticks), exec_ns, age, bound;
	const struct cpu_now *c;
	char dir[16];
	int err;

	begin_scan(root, now_ns);
	snprintf(dir, sizeof(dir), "%u", st->pid);
	/* The fallback: it cannot have died before it started. */
	zombie_info_set(zi, read_wait_status(root, dir, st), ZR_AGE_START_BOUND,
			now_ns > start_ns ? now_ns - start_ns : 0);
	err = procfs_read_exec_start(root, dir, &exec_ns);
	if (err == -ENOENT || err == -ESRCH)
		return is_gone(root, dir) ? -ENOENT : 0;
	if (err)
		return 0; /* garbled */
	c = cpu_now(root, st->cpu);
	if (!c)
		return 0;
	/* A pid reused since st was read shows a recent exec_start: a young age, never an old
	 * one, and every action checks the start time again. */
	age = c->sched_ns > exec_ns ? c->sched_ns - exec_ns : 0;
	bound = c->boot_ns > start_ns ? c->boot_ns - start_ns : 0;
	zi->age_ns = age < bound ? age : bound;
	zi->source = ZR_AGE_SCHED;
	return 0;
}

void zombie_info_set(struct zombie_info *zi, int wait_status, enum zr_age_source source,
		     uint64_t age_ns)
{
	memset(zi, 0, sizeof(*zi));
	zi->wait_status = wait_status < 0 ? -1 : wait_status;
	if (wait_status >= 0)
		zi->st = status_decode(wait_status);
	zi->source = source;
	zi->age_ns = source == ZR_AGE_UNKNOWN ? 0 : age_ns;
}
