/* proc_seen.h - a process as /proc shows it now, and the events built from it: one reader and
 * one builder behind `zombies`, `tree`, `reap` and the state machine's snapshot and zombie
 * reports, so each fact (pid, ppid, comm, state, start, uid and gid, a zombie's exit status
 * and age, its parent and the reason it stays) is read and set in one place. Reads go through
 * a procsrc, so a recording answers them in replay.
 */
#ifndef ZR_PROC_SEEN_H
#define ZR_PROC_SEEN_H

#include <stdbool.h>
#include <stdint.h>

#include "detect.h"
#include "event.h"
#include "procfs.h"
#include "procsrc.h"
#include "zombie_read.h"

enum proc_seen_want {
	PROC_SEEN_STATUS = 1 << 0, /* also /proc/PID/status: uid, gid, pid in its namespace */
	PROC_SEEN_ZOMBIE = 1 << 1, /* for a zombie, also its exit status and age */
};

struct proc_seen {
	struct procfs_stat st;	 /* always read */
	struct procfs_status ss; /* valid when has_status */
	struct zombie_info zi;	 /* valid when has_zombie */
	bool has_status;
	bool has_zombie;
};

/* A zombie's parent as /proc shows it: its state (for the reason) and what the event nests. */
struct proc_parent {
	char state;   /* ps letter, 0 when it could not be read */
	bool is_init; /* PID 1 of its pid namespace */
	struct zr_parent_info pinfo;
	struct zr_ref ref;
};

/* Reads pid through src: stat, then status and a zombie's details as want asks, in that order
 * (a recording replays the questions in the order they were asked). now_ns is CLOCK_BOOTTIME
 * at the read (a zombie's age). Returns 0, or -errno when stat cannot be read (gone). */
int proc_seen_read(const struct procsrc *src, uint32_t pid, unsigned int want, uint64_t now_ns,
		   struct proc_seen *ps);

/* Is pid a zombie now? With may_ptrace (a live src whose exe links we may read), a link that
 * resolves says "alive" for the price of one readlink. Returns 0 with ps's stat and, when
 * now_ns is not 0, its exit status and age (has_zombie); -ENOENT when it is no zombie (alive,
 * gone, or reaped meanwhile). */
int proc_seen_zombie(const struct procsrc *src, uint32_t pid, bool may_ptrace, uint64_t now_ns,
		     struct proc_seen *ps);

/* PID 1 of its pid namespace: pid 1, or (with PROC_SEEN_STATUS) 1 in its own namespace. */
bool proc_seen_is_init(const struct proc_seen *ps);

/* ps as an event reference: pid, start (clock-tick precision) and comm. */
void proc_seen_ref(const struct proc_seen *ps, struct zr_ref *ref);

/* Clears ev and sets its subject from ps: kind, ktime_ns, pid (and tid), ppid, start, comm
 * and, when status was read, uid and gid. */
void proc_seen_event(const struct proc_seen *ps, enum zr_kind kind, uint64_t ktime_ns,
		     struct zr_ev *ev);

/* Reads ppid (stat, then status) through src into par. */
void proc_parent_read(const struct procsrc *src, uint32_t ppid, struct proc_parent *par);

/* Completes the zombie report ev, whose subject is set: exit status and age from zi, the
 * parent from par, and the reason. c brings what only the caller knows (threads still
 * running, the parent's wait history); the rest of it is filled in here. */
void proc_seen_zombie_report(struct zr_ev *ev, const struct zombie_info *zi,
			     const struct proc_parent *par, struct detect_case *c);

#endif /* ZR_PROC_SEEN_H */
