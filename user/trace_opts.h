/* trace_opts.h - the options `trace` and `replay` share: filters, output form, detection.
 * One parser, so both commands take them alike and say the same thing about a bad value.
 */
#ifndef ZR_TRACE_OPTS_H
#define ZR_TRACE_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "filter.h"

enum {
	TOPT_TREE = 256,
	TOPT_EVENTS,
	TOPT_THREADS,
	TOPT_JSON,
	TOPT_ZOMBIE_AFTER,
	TOPT_SUMMARY,
	TOPT__NEXT, /* a command's own long options start here */
};

/* getopt_long entries and short letters for the shared options. */
#define TRACE_OPTS_SHORT "p:n:u:xv"
/* clang-format off */
#define TRACE_OPTS_LONG                                                    \
	{ "pid", required_argument, NULL, 'p' },                           \
	{ "tree", no_argument, NULL, TOPT_TREE },                          \
	{ "name", required_argument, NULL, 'n' },                          \
	{ "uid", required_argument, NULL, 'u' },                           \
	{ "failed", no_argument, NULL, 'x' },                              \
	{ "events", required_argument, NULL, TOPT_EVENTS },                \
	{ "threads", no_argument, NULL, TOPT_THREADS },                    \
	{ "json", no_argument, NULL, TOPT_JSON },                          \
	{ "zombie-after", required_argument, NULL, TOPT_ZOMBIE_AFTER },    \
	{ "summary", no_argument, NULL, TOPT_SUMMARY },                    \
	{ "verbose", no_argument, NULL, 'v' }
/* clang-format on */

struct trace_opts {
	struct zr_filters f;
	bool json;
	bool want_summary;
	uint64_t zombie_after_ns;
	bool has_zombie_after; /* given on the command line */
};

/* Defaults: every kind but snapshots, --zombie-after 1s. */
void trace_opts_init(struct trace_opts *o);

/* Takes option c with value arg if it is a shared one. live: -p must name a live process.
 * Returns 1 when taken, 0 when not a shared option, ZR_EXIT_USAGE after printing the error. */
int trace_opts_take(struct trace_opts *o, int c, const char *arg, bool live);

/* Checks the combination once all options are read: 0 or ZR_EXIT_USAGE (printed). */
int trace_opts_check(const struct trace_opts *o);

#endif /* ZR_TRACE_OPTS_H */
