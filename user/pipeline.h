/* pipeline.h - what `trace` and `replay` share after the source: kernel records -> decode ->
 * lifecycle -> filters -> sink, and the start, lost, summary and stop lines. Every input can
 * be journaled (trace --record), so a replay feeding the same inputs prints the same lines.
 */
#ifndef ZR_PIPELINE_H
#define ZR_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "filter.h"
#include "journal.h"
#include "lifecycle.h"
#include "output.h"
#include "sink.h"
#include "summary.h"
#include "trace_export.h"

#define PIPELINE_SCHEMA_VERSION 1
#define PIPELINE_OUTPUTS_MAX	8

struct pipeline_conf {
	bool json;
	bool want_summary;
	bool color;
	bool quiet;		 /* no output lines (trace --record -: stdout is the file) */
	FILE *out;		 /* lines go here */
	int64_t boot_to_real_ns; /* for the timestamps */
	uint64_t zombie_after_ns;
	const char *kernel;		/* release, for the start line */
	const struct procsrc *src;	/* where /proc answers come from; NULL: /proc */
	struct journal_writer *journal; /* records every input when set */
	struct trace_export *export;	/* trace's metrics, attribution, --output (or NULL) */
	bool warn_lost;			/* a live trace says so on stderr; a replay only prints */
};

struct pipeline {
	struct zr_filters *f;
	struct zr_pidset *tracked; /* -p pids and, with --tree, their descendants */
	struct sink sink;
	struct sink_run_info info;
	struct lifecycle *lc;
	struct journal_writer *journal;
	struct trace_export *export;
	struct procsrc rec_src;
	bool quiet;
	bool want_summary;
	bool warn_lost;
	bool started;
	struct summary sum;
	uint64_t lost_total;
	int out_err; /* first sink error; -EPIPE: the reader is gone */
	struct output *outputs[PIPELINE_OUTPUTS_MAX];
	unsigned n_outputs;
};

/* f stays the caller's and must outlive p. 0 or -ENOMEM. */
int pipeline_init(struct pipeline *p, struct zr_filters *f, const struct pipeline_conf *c);
void pipeline_free(struct pipeline *p);

/* Registers o (the caller's; it must outlive p): it observes every event in scope, in the
 * order of registration, is flushed with the pipeline and closed by pipeline_free.
 * 0 or -ENOSPC. */
int pipeline_add_output(struct pipeline *p, struct output *o);

/* The start line at ktime now, then (with_snapshot) the processes /proc shows. */
int pipeline_start(struct pipeline *p, uint64_t now, bool with_snapshot);

/* One ring-buffer record. */
int pipeline_record(struct pipeline *p, const void *data, size_t size);

/* Lets the timers run at ktime now (zombie ages, orphan checks, autoreap grace). */
void pipeline_tick(struct pipeline *p, uint64_t now);

/* The kernel's drop counter is drops_total: a `lost` line if it grew. */
void pipeline_lost(struct pipeline *p, uint64_t now, uint64_t drops_total);

/* The end: settle what is pending (settle: as a trace that ends does; a replay stopped at
 * --until does not, it was not known then), the summary (if asked), the stop line, flush. */
void pipeline_finish(struct pipeline *p, uint64_t now, uint64_t drops_total, bool settle);

/* Writes out the lines buffered so far (one write per batch). */
void pipeline_flush(struct pipeline *p);

#endif /* ZR_PIPELINE_H */
