/* zombie_read.h - what procfs knows of a zombie beyond its stat line, for every command that
 * finds zombies in /proc (zombies, reap, tree, trace's snapshot): the status its parent's wait
 * will get, and how long it has been dead.
 *
 * Status: /proc/PID/stat field 52 (since Linux 3.5), the wait status; the kernel shows 0 to a
 * reader that may not ptrace-read the process, so a 0 counts only when we may (CAP_SYS_PTRACE,
 * or /proc/PID/io, gated by the same check, is readable). A leader whose threads still run has
 * no final status yet.
 *
 * Age: /proc/PID/sched's se.exec_start is the scheduler clock of the CPU the task last ran on
 * (stat field 39) when it last ran: its exit. Those clocks are per CPU (rq_clock_task: they
 * leave out stolen and, with IRQ_TIME_ACCOUNTING, interrupt time, so CPUs drift apart), and
 * not CLOCK_BOOTTIME: "now" is our own se.exec_start read on that same CPU (pinned there,
 * after a sched_yield that updates it). The start time bounds the age from above. Fallback,
 * when sched is missing (CONFIG_SCHED_DEBUG off, before 6.15), garbled, or that CPU cannot be
 * used: the start-time bound alone, an upper bound (ZR_AGE_START_BOUND).
 */
#ifndef ZR_ZOMBIE_READ_H
#define ZR_ZOMBIE_READ_H

#include <stdint.h>

#include "event.h"
#include "procfs.h"

struct zombie_info {
	int wait_status;	   /* raw, as wait() would report it; -1 when unknown */
	struct zr_exit_status st;  /* wait_status decoded (is_known false when -1) */
	uint64_t age_ns;	   /* valid unless source is ZR_AGE_UNKNOWN */
	enum zr_age_source source; /* ZR_AGE_SCHED, ZR_AGE_START_BOUND or ZR_AGE_UNKNOWN */
};

/* Reads it for the zombie whose stat line st was just read from the procfs at root (NULL:
 * /proc). now_ns is CLOCK_BOOTTIME when st was read; calls with the same root and now_ns (one
 * scan) share the clock readings, one per CPU. Returns 0, or -ENOENT when the process is gone
 * (reaped) meanwhile. */
int zombie_read(const char *root, const struct procfs_stat *st, uint64_t now_ns,
		struct zombie_info *zi);

/* zi from its parts (a recorded answer): st decoded from wait_status. */
void zombie_info_set(struct zombie_info *zi, int wait_status, enum zr_age_source source,
		     uint64_t age_ns);

#endif /* ZR_ZOMBIE_READ_H */
