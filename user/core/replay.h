/* replay.h - feeding a recording's inputs (journal.h) to a pipeline, step by step as the
 * trace took them. `replay` and the reader's fuzz target share it.
 */
#ifndef ZR_REPLAY_H
#define ZR_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "journal.h"
#include "pipeline.h"

struct replay_state {
	uint64_t until_ns; /* stop before the first input later than this ktime; 0: never */
	uint64_t after_ns; /* when not 0: until_ns is this long after the file's first input */
	uint64_t last_ns;  /* the latest ktime the file reached */
	bool finished;	   /* the trace's own end (stop line) was replayed */
	bool continued;	   /* the file starts mid-trace (a rotated recording's later file) */
};

/* The pipeline settings a recording dictates: kernel, zombie age, /proc answers from src. The
 * caller adds the filters and the outputs (whose clock is m->boot_to_real_ns). */
void replay_conf(struct pipeline_conf *pc, const struct record_meta *m, const struct procsrc *src);

/* Feeds jr to p (whose /proc source must be journal_replay_src(jr)). Returns 1 at the
 * recorder's end mark, 0 at a cut, at --until or when output failed, -1 when the file is bad
 * (jr->why says where). */
int replay_feed(struct pipeline *p, struct journal_reader *jr, struct replay_state *st);

/* After replay_feed: the stop line (and summary) if the file did not hold them. */
void replay_finish(struct pipeline *p, const struct replay_state *st, int end);

#endif /* ZR_REPLAY_H */
