/* reap_engine.h - `reap`'s engine: the zombies being looked after, keyed by pid and start
 * time, the policy applied to each, and the actions taken on their parents, once per parent
 * and pass; every decision an `action` event into a sink. cmd_reap.c parses the command line,
 * fills the policy, sink and source, and calls reap_engine_step once per pass.
 */
#ifndef ZR_REAP_ENGINE_H
#define ZR_REAP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "inject.h"
#include "metrics.h"
#include "reap_policy.h"
#include "sink.h"
#include "zombie_source.h"

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
	int out_err; /* a sink error: -EPIPE ends quietly */
	struct zombie_source *src;
	struct metrics *m; /* --metrics-textfile: zreaper_reap_actions_total */
	const char *textfile;
	uint64_t textfile_ns; /* when it was last written: at most once a second */
};

/* After the policy is filled: the rate cap, zreaper's own pid namespace. */
void reap_engine_init(struct reaper *r);

/* zombie_source callbacks (arg: the reaper). found: a new candidate, old enough
 * --older-than after it became one (after it was first seen, when its age is unknown); gone:
 * that life of pid was reaped. */
void reap_engine_found(const struct zombie_found *f, void *arg);
void reap_engine_gone(uint32_t pid, uint64_t start_ticks, void *arg);

/* One pass at r->now (CLOCK_BOOTTIME): what is gone, what is due, what to do. */
void reap_engine_step(struct reaper *r);

/* Every zombie looked after is gone or done with (--once ends then). */
bool reap_engine_all_settled(const struct reaper *r);

/* Selected zombies still there (--once's exit status). */
int reap_engine_remaining(const struct reaper *r);

/* Forgets the zombies that are gone (daemon mode would otherwise grow without end). */
void reap_engine_compact(struct reaper *r);

/* --metrics-textfile now; a failure is worth a warning, not the end of reaping. */
void reap_engine_write_textfile(struct reaper *r);

/* Frees the table (not the sink, source or metrics, which are the caller's). */
void reap_engine_free(struct reaper *r);

#endif /* ZR_REAP_ENGINE_H */
