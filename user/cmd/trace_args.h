/* trace_args.h - `zreaper trace`'s options, parsed (trace_args.c) before anything is opened. */
#ifndef ZR_TRACE_ARGS_H
#define ZR_TRACE_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "filter.h"
#include "trace_opts.h"

/* What the trace hands to fleet tooling besides its lines on stdout. */
struct trace_export_args {
	const char *metrics_addr; /* --metrics */
	const char *textfile;	  /* --metrics-textfile */
	uint64_t interval_ns;	  /* --metrics-interval */
	const char *output;	  /* --output */
	uint64_t output_max;	  /* --output-max-size */
	unsigned output_keep;	  /* --output-keep */
	bool quiet;		  /* --quiet */
};

struct trace_args {
	struct trace_opts o; /* shared with replay: filters, --json, --summary... */
	uint64_t duration_ns;
	unsigned ring_bytes;
	const char *record_path;
	uint64_t rotate_bytes;
	struct trace_export_args ex;
};

/* Sets the export defaults (done by trace_args_parse). */
void trace_export_args_defaults(struct trace_export_args *x);

/* Parses argv into *t. Returns 0, -1 after printing --help, or ZR_EXIT_USAGE after printing
 * the error. */
int trace_args_parse(struct trace_args *t, int argc, char **argv);

/* -c PATH: its cgroup id and level into f. 0, or ZR_EXIT_USAGE after printing the error. */
int trace_args_resolve_cgroup(struct zr_filters *f);

#endif /* ZR_TRACE_ARGS_H */
