/* output_summary.h - `--summary` as an output: it tallies the displayed events and reports
 * them at the end of the run, as the `summary` line before the stop line.
 */
#ifndef ZR_OUTPUT_SUMMARY_H
#define ZR_OUTPUT_SUMMARY_H

#include "output.h"
#include "summary.h"

struct output_summary {
	struct output out; /* what pipeline_add_output takes */
	struct summary s;
};

/* Fills *o; never fails. */
void output_summary_init(struct output_summary *o);

#endif /* ZR_OUTPUT_SUMMARY_H */
