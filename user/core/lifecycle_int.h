/* lifecycle_int.h - what lifecycle.c (transitions, reaps), lifecycle_watch.c (zombies, orphans,
 * snapshot) and lifecycle_life.c (one life in the table) share; not for other modules. */
#ifndef ZR_LIFECYCLE_INT_H
#define ZR_LIFECYCLE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "lifecycle.h"
#include "procsrc.h"
#include "timeq.h"

#define ORPHAN_CHECK_NS	   (5ULL * 1000 * 1000) /* exit_notify runs just after the exit */
#define ORPHAN_CHECK_TRIES 20

struct lifecycle {
	struct proctab *tab;
	uint64_t grace_ns;
	uint64_t zombie_after_ns; /* 0: no zombie events */
	struct procsrc src;	  /* /proc, or what a recording says it showed */
	lifecycle_emit_fn emit;
	void *arg;
	struct timeq released; /* freed while unreaped: autoreap unless a late wait claims it */
	struct timeq exited;   /* zombie-age deadlines */
	struct timeq orphans;  /* dead parents whose children's new parent is to be verified */
	struct {
		uint32_t ppid;
		uint64_t now;
		uint32_t n;
		/* what /proc said of that parent at now */
		char state;
		bool is_init;
		struct zr_parent_info pinfo;
		struct zr_ref ref;
	} held; /* the last parent looked at: a storm's zombies share one, one scan, one read */
	struct {
		uint32_t pid;
		uint64_t start_ns; /* the adopter's life in the table */
		uint64_t at;	   /* ktime it was read from /proc */
		char comm[ZR_COMM_BUF];
		bool is_init;
	} adopter; /* the last new parent read from /proc: an orphan storm has one, one read */
	size_t held_peak; /* most entries and queued items since memory was last given back */
};

/* lifecycle_life.c: one life in the table. Same life? /proc gives start times in clock ticks,
 * the kernel's records in ns. */
bool lifecycle_same_life(const struct zr_proc *p, uint64_t start_ns);
bool lifecycle_same_life_ticks(const struct zr_proc *p, uint64_t start_ticks);
struct zr_proc *lifecycle_find_life(struct lifecycle *lc, uint32_t pid, uint64_t start_ns);

/* Queues p on q: the event at ktime at, due at due. */
int lifecycle_push(struct timeq *q, const struct zr_proc *p, uint64_t at, uint64_t due);

/* An event about p (a reap by default; callers change kind and payload, zeroing the member of
 * the union they fill: only u.reap is zeroed here). */
void lifecycle_reap_event(struct zr_ev *r, const struct zr_proc *p, uint64_t ktime);

/* lifecycle_watch.c: the due zombie and orphan checks, and reparenting seen in an event. */
int lifecycle_check_zombies(struct lifecycle *lc, uint64_t now);
int lifecycle_check_orphans(struct lifecycle *lc, uint64_t now);
int lifecycle_check_reparent(struct lifecycle *lc, const struct zr_ev *ev);

#endif /* ZR_LIFECYCLE_INT_H */
