/* trace_opts.h - the options `trace` and `replay` share: filters, output form, detection.
 * One parser, so both commands take them alike and say the same thing about a bad value.
 */
#ifndef ZR_TRACE_OPTS_H
#define ZR_TRACE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "opts.h"

/* How many rows trace_opts_rows() fills. */
#define TRACE_OPTS_ROWS 11

struct trace_opts {
	struct zr_filters f;
	bool json;
	bool want_summary;
	uint64_t zombie_after_ns;
	bool has_zombie_after; /* given on the command line */
};

/* Defaults: every kind but snapshots, --zombie-after 1s. */
void trace_opts_init(struct trace_opts *o);

/* The shared options as opts rows writing into o, put in rows[] (room for TRACE_OPTS_ROWS).
 * live: -p must name a live process (trace; a replay's pids are history). Returns how many. */
size_t trace_opts_rows(struct trace_opts *o, bool live, struct opt *rows);

/* Checks the combination once all options are read: 0 or ZR_EXIT_USAGE (printed). */
int trace_opts_check(const struct trace_opts *o);

#endif /* ZR_TRACE_OPTS_H */
