/* reaper.h - `reap`'s engine: the zombies being looked after, keyed by pid and start time, the
 * policy applied to each, and the actions taken on their parents, once per parent and pass;
 * every decision an `action` event into a sink. It learns of zombies as a pipeline output
 * (trace's `zombie` and `reap` events) or from /proc rescans; cmd_reap.c wires it and calls
 * reaper_step once per pass. The actions go through struct reaper_ops, so tests can fake them.
 */
#ifndef ZR_REAPER_H
#define ZR_REAPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "inject.h"
#include "metrics.h"
#include "output.h"
#include "procsrc.h"
#include "reap_policy.h"
#include "sink.h"

/* A zombie as reported to the engine; start_ticks is /proc's start time (pid reuse key). */
struct zombie_found {
	uint32_t pid;
	uint64_t start_ticks;
	uint32_t ppid;
	uint64_t age_ns;	       /* how long it has been a zombie (see age_source) */
	enum zr_age_source age_source; /* TRACE or SCHED: exact; START_BOUND: at most age_ns;
					* UNKNOWN: just appeared in a /proc rescan */
};

/* What the engine does to a parent: reaper_live_ops (inject.c, pidfd signals), or a test's
 * fakes. The inject calls are inject.h's; the parent_* calls are a handle on the parent
 * (a pidfd), taken before its identity is checked so that a signal never reaches a process
 * that took its pid over since. */
struct reaper_ops {
	enum inject_outcome (*inject_check)(uint32_t ppid, char *why, size_t len);
	int (*inject_ns_pid)(uint32_t zombie, uint32_t ppid, uint32_t *ns_pid);
	enum inject_outcome (*inject_waitids)(uint32_t ppid, const uint32_t *ns_zombies, long *rets,
					      int n, struct inject_result *res);
	int (*parent_open)(uint32_t ppid); /* a handle (>= 0) or -errno */
	int (*parent_signal)(int handle, int sig);
	void (*parent_close)(int handle);
};

extern const struct reaper_ops reaper_live_ops;

/* One zombie being looked after, keyed by pid and start (pid reuse never merges two). */
struct zent {
	uint32_t pid;
	uint64_t start_ticks;
	uint32_t ppid;
	uint64_t pstart_ticks; /* the parent's, checked before every action */
	uint64_t first_seen_ns;
	uint64_t due_ns;   /* the next action may run from then */
	uint64_t check_ns; /* a pending nudge/kill is judged then */
	int stage;	   /* index of the next action in the policy's list */
	int pending;	   /* an enum rp_action awaiting its check, or -1 */
	int kill_state;
	bool is_gone, is_decided, is_selected, is_done;
	uint32_t logged[RP__COUNT]; /* per action, the line_key() of a line printed for all */
	const char *rule;
	struct zr_ev ev; /* subject and parent, filled when decided */
};

struct reaper {
	struct reap_policy pol;
	struct rp_rate rate;
	struct sink sink;
	const struct reaper_ops *ops;
	struct procsrc proc; /* where zombies and parents are read (/proc: procsrc_live) */
	bool may_ptrace;     /* a rescan skips the processes whose exe link resolves (alive) */
	struct zent *z;
	size_t n, cap;
	bool is_once, is_accepting;
	uint64_t now, sweep_due_ns;
	/* One action on one parent: its zombies due for it, and for inject their pids as the
	 * parent sees them and what each waitid returned. */
	struct zent *batch[INJECT_BATCH_MAX];
	uint32_t batch_ns[INJECT_BATCH_MAX];
	long batch_ret[INJECT_BATCH_MAX];
	uint64_t own_pidns;
	int out_err;	   /* a sink error: -EPIPE ends quietly */
	struct metrics *m; /* --metrics-textfile: zreaper_reap_actions_total */
	const char *textfile;
	uint64_t textfile_ns; /* when it was last written: at most once a second */
};

/* After the policy is filled: the rate cap, zreaper's own pid namespace, the live ops and
 * /proc (a test replaces r->ops and r->proc after this). */
void reaper_init(struct reaper *r);

/* A new candidate, old enough --older-than after it became one (after it was first seen,
 * when its age is unknown); one already known is ignored. */
void reaper_found(struct reaper *r, const struct zombie_found *f);

/* That life of pid was reaped. */
void reaper_gone(struct reaper *r, uint32_t pid, uint64_t start_ticks);

/* The engine as a pipeline output: `zombie` events are found, a process's `reap` is gone. */
void reaper_output(struct reaper *r, struct output *o);

/* One pass over r->proc: every zombie there is found (again). With now_ns (not 0), each with
 * its age (the first pass, and after lost events); else its age is left UNKNOWN (the periodic
 * rescans find the zombies new since the last one). 0 or -errno. */
int reaper_rescan(struct reaper *r, uint64_t now_ns);

/* One pass at r->now (CLOCK_BOOTTIME): what is gone, what is due, what to do. */
void reaper_step(struct reaper *r);

/* The pause between passes: fine enough for --step and --older-than, 10 to 500 ms. */
uint64_t reaper_tick_ns(const struct reaper *r);

/* Every zombie looked after is gone or done with (--once ends then). */
bool reaper_all_settled(const struct reaper *r);

/* Selected zombies still there (--once's exit status). */
int reaper_remaining(const struct reaper *r);

/* Forgets the zombies that are gone (daemon mode would otherwise grow without end). */
void reaper_compact(struct reaper *r);

/* --metrics-textfile now; a failure is worth a warning, not the end of reaping. */
void reaper_write_textfile(struct reaper *r);

/* Frees the table (not the sink or metrics, which are the caller's). */
void reaper_free(struct reaper *r);

#endif /* ZR_REAPER_H */
