/* output_lines.h - the event lines as an output: each displayed event through a sink (JSON or
 * columns) to a FILE, or to the size-rotated file of `trace --output`.
 */
#ifndef ZR_OUTPUT_LINES_H
#define ZR_OUTPUT_LINES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "outfile.h"
#include "output.h"
#include "sink.h"

struct output_lines_conf {
	bool json;		     /* JSON lines, else columns */
	bool color;		     /* columns only: ANSI colour */
	FILE *f;		     /* lines go here... */
	struct outfile *file;	     /* ...or, when set, to this file, rotated when full */
	int64_t boot_to_real_ns;     /* for the timestamps */
	const struct run_info *info; /* the start line's facts (pipeline_run_info) */
};

struct output_lines {
	struct output out; /* what pipeline_add_output takes */
	struct sink sink;
	struct outfile *file;
	int err; /* the first write error: no line after it */
};

/* Fills *l; never fails. Flushed per batch by the pipeline, which keeps a pipe prompt. */
void output_lines_init(struct output_lines *l, const struct output_lines_conf *c);

#endif /* ZR_OUTPUT_LINES_H */
