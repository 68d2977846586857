/* proctab.h - the process table: one entry per known process life, found by pid and checked
 * against its start time so pid reuse never merges two lives. Bounded: past the cap the
 * oldest-inserted entry is evicted and counted.
 */
#ifndef ZR_PROCTAB_H
#define ZR_PROCTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

enum zr_proc_state {
	ZR_PROC_RUNNING,
	ZR_PROC_EXITED, /* group dead, not reaped */
	ZR_PROC_REAPED,
};

struct zr_proc {
	uint32_t pid;
	uint64_t start_ns;
	uint32_t ppid, uid, gid;
	uint32_t birth_ppid; /* who forked it (or its parent when first seen): "parent" reaps */
	uint64_t cgroup_id;
	char comm[ZR_COMM_BUF];
	enum zr_proc_state state;
	uint64_t exit_ns; /* ktime of the group exit */
	uint64_t lifetime_ns;
	struct zr_exit_status st;
	uint8_t ns_level;
	uint32_t ns_pid, pidns;	 /* in its own pid namespace, when not the initial one */
	uint32_t ns_nr[4];	 /* tgid per pid-namespace level */
	uint32_t ns_inum[4];	 /* the namespace at each level */
	uint64_t release_ns;	 /* ktime the kernel freed it while still unreaped, else 0 */
	uint64_t leader_exit_ns; /* the leader thread exited while others run, else 0 */
	uint64_t last_wait_ns;	 /* its last wait call seen, 0: none */
	int last_wait_target;
	bool is_subreaper;
	bool has_children; /* forked (or had at snapshot) a child: check for orphans at exit */
	bool is_snapshot;  /* known from /proc: start_ns only at clock-tick precision */
	/* How exit_ns is known: seen (TRACE) or read from procfs (SCHED); a zombie older than
	 * the trace may have only its start as a bound (START_BOUND), or nothing (UNKNOWN). */
	enum zr_age_source age_source;
	bool zombie_reported;

	/* table links */
	struct zr_proc *hnext;
	struct zr_proc *older, *newer; /* insertion order, for eviction */
};

struct proctab;

/* cap: most entries kept (0 = a default of 1,000,000). NULL + errno on failure. */
struct proctab *proctab_new(unsigned cap);
void proctab_free(struct proctab *t);

/* The entry for pid, NULL when none. */
struct zr_proc *proctab_find(const struct proctab *t, uint32_t pid);

/* Inserts a new life for pid (replacing any previous life of that pid); NULL on ENOMEM. */
struct zr_proc *proctab_insert(struct proctab *t, uint32_t pid, uint64_t start_ns);

void proctab_remove(struct proctab *t, struct zr_proc *p);

/* Calls fn for each entry (fn must not insert; it may remove the entry it is given). */
void proctab_each(struct proctab *t, void (*fn)(struct zr_proc *p, void *arg), void *arg);

unsigned proctab_count(const struct proctab *t);
uint64_t proctab_evicted(const struct proctab *t);

#endif /* ZR_PROCTAB_H */
