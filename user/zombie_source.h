/* zombie_source.h - where `reap` learns which zombies exist: trace's detector (BPF events
 * through the lifecycle state machine: `zombie` events, and `reap` events when they go), or,
 * when BPF cannot load or a snapshot is all that is wanted, rescans of /proc. One interface.
 * Zombies that exist at the start come with the age zombie_read() gives them.
 */
#ifndef ZR_ZOMBIE_SOURCE_H
#define ZR_ZOMBIE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* A zombie as the source reports it; start_ticks is /proc's start time (pid reuse key). */
struct zombie_found {
	uint32_t pid;
	uint64_t start_ticks;
	uint32_t ppid;
	uint64_t age_ns;	       /* how long it has been a zombie (see age_source) */
	enum zr_age_source age_source; /* TRACE or SCHED: exact; START_BOUND: at most age_ns;
					* UNKNOWN: just appeared in a /proc rescan */
};

struct zombie_source_cbs {
	/* A zombie appeared (may repeat for one already reported: ignore it then). */
	void (*found)(const struct zombie_found *z, void *arg);
	/* That life of pid is no longer a zombie (reaped). Only trace's detector knows: with
	 * /proc the caller looks at its candidates itself (as it must before acting anyway). */
	void (*gone)(uint32_t pid, uint64_t start_ticks, void *arg);
};

struct zombie_source;

/* Opens trace's detector when want_bpf, reporting a zombie once it has been one for
 * zombie_after_ns; when BPF cannot load it falls back to procfs and writes why into why (left
 * empty otherwise). NULL + errno when out of memory. */
struct zombie_source *zombie_source_open(bool want_bpf, uint64_t zombie_after_ns,
					 const struct zombie_source_cbs *cbs, void *arg, char *why,
					 size_t whylen);

bool zombie_source_is_bpf(const struct zombie_source *zs);

/* The fd to poll for readiness (the ring buffer), or -1 for procfs (poll on a timer). */
int zombie_source_fd(const struct zombie_source *zs);

/* Reports what exists now (the snapshot). Call once, before the first poll. 0 or -errno. */
int zombie_source_start(struct zombie_source *zs, uint64_t now_ns);

/* Reports what changed: drains the ring buffer and runs the due checks, or rescans /proc (a
 * zombie found there is new since the last pass: its age is left UNKNOWN, under a pass).
 * now_ns is CLOCK_BOOTTIME. Returns 0 or -errno. */
int zombie_source_poll(struct zombie_source *zs, uint64_t now_ns);

/* Detaches and frees; accepts NULL. */
void zombie_source_free(struct zombie_source *zs);

#endif /* ZR_ZOMBIE_SOURCE_H */
