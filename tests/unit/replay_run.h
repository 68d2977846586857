/* replay_run.h - a whole recording replayed as `zreaper replay FILE --json [--summary]` would,
 * lines to a FILE: what the reader's unit tests and its fuzz target both drive.
 */
#ifndef ZR_TEST_REPLAY_RUN_H
#define ZR_TEST_REPLAY_RUN_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "filter.h"
#include "journal.h"
#include "output_lines.h"
#include "output_summary.h"
#include "pipeline.h"
#include "record.h"
#include "replay.h"

/* Returns replay_feed's result (1 end mark, 0 cut, -1 bad file: why says where), or -2 when the
 * header is rejected or the pipeline cannot start (why set for the header). *mismatches gets
 * the /proc questions the file did not answer in order. */
static inline int replay_run_json(int fd, FILE *out, bool summary, char *why, size_t len,
				  unsigned long *mismatches)
{
	struct pipeline_conf pc = { 0 };
	struct output_lines_conf lc = { .json = true, .f = out };
	struct replay_state st = { 0 };
	struct output_summary sum;
	struct output_lines lines;
	struct journal_reader jr;
	struct record_reader *r;
	struct record_meta m;
	struct zr_filters f;
	struct procsrc src;
	struct pipeline p;
	int end = -2;

	*mismatches = 0;
	r = record_reader_open(fd, &m, why, len);
	if (!r)
		return -2;
	journal_reader_init(&jr, r);
	src = journal_replay_src(&jr);
	replay_conf(&pc, &m, &src);
	memset(&f, 0, sizeof(f));
	f.event_mask = filter_default_mask();
	if (pipeline_init(&p, &f, &pc) == 0) {
		lc.boot_to_real_ns = m.boot_to_real_ns;
		lc.info = pipeline_run_info(&p);
		output_lines_init(&lines, &lc);
		pipeline_add_output(&p, &lines.out);
		output_summary_init(&sum);
		if (summary)
			pipeline_add_output(&p, &sum.out);
		end = replay_feed(&p, &jr, &st);
		replay_finish(&p, &st, end);
		pipeline_flush(&p);
		snprintf(why, len, "%s", jr.why);
		*mismatches = jr.mismatches;
	}
	pipeline_free(&p);
	record_reader_close(r);
	return end;
}

#endif /* ZR_TEST_REPLAY_RUN_H */
