/* pipeline.h - what `trace` and `replay` share after the source: kernel records -> decode ->
 * lifecycle -> attribution -> filters -> the registered outputs, and the start, lost and stop
 * events of the run. Every input can be journaled (trace --record), so a replay feeding the
 * same inputs prints the same lines.
 */
#ifndef ZR_PIPELINE_H
#define ZR_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrib.h"
#include "filter.h"
#include "journal.h"
#include "lifecycle.h"
#include "output.h"

#define PIPELINE_SCHEMA_VERSION 1
#define PIPELINE_OUTPUTS_MAX	8

struct pipeline_conf {
	uint64_t zombie_after_ns;
	const char *kernel;		/* release, for the start line */
	const struct procsrc *src;	/* where /proc answers come from; NULL: /proc */
	struct journal_writer *journal; /* records every input when set */
	struct attrib *attrib;		/* names the container and pod of each event; NULL: none */
	bool warn_lost;			/* a live trace says so on stderr; a replay only prints */
};

struct pipeline {
	struct zr_filters *f;
	struct zr_pidset *tracked; /* -p pids and, with --tree, their descendants */
	struct run_info info;	   /* the start line's facts */
	struct lifecycle *lc;
	struct journal_writer *journal;
	struct attrib *attrib;
	struct procsrc rec_src;
	bool warn_lost;
	bool started;
	uint64_t lost_total;
	uint64_t lines; /* displayed events so far: the stop line's count */
	int err;	/* first output error; -EPIPE: the reader is gone */
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

/* What the start line reports (the line output prints it): version, kernel, filters. */
const struct run_info *pipeline_run_info(const struct pipeline *p);

/* How BPF adapted to the kernel, for the start line (r must outlive p); journaled at the
 * start. */
void pipeline_set_kernel_report(struct pipeline *p, const struct zr_kernel_report *r);

/* The start line at ktime now, then (with_snapshot) the processes /proc shows. */
int pipeline_start(struct pipeline *p, uint64_t now, bool with_snapshot);

/* One ring-buffer record. */
int pipeline_record(struct pipeline *p, const void *data, size_t size);

/* Lets the timers run at ktime now (zombie ages, orphan checks, autoreap grace). */
void pipeline_tick(struct pipeline *p, uint64_t now);

/* The kernel's drop counter is drops_total: a `lost` line if it grew. */
void pipeline_lost(struct pipeline *p, uint64_t now, uint64_t drops_total);

/* The end: settle what is pending (settle: as a trace that ends does; a replay stopped at
 * --until does not, it was not known then), the outputs' reports (the summary), the stop
 * line, flush. Nothing after an output failed. */
void pipeline_finish(struct pipeline *p, uint64_t now, uint64_t drops_total, bool settle);

/* Writes out the lines buffered so far (one write per batch). */
void pipeline_flush(struct pipeline *p);

/* Stops the outputs with err (-EPIPE: the reader of stdout is gone) unless one failed first. */
void pipeline_fail(struct pipeline *p, int err);

/* The first output error (-EPIPE: the reader is gone), or 0. */
int pipeline_error(const struct pipeline *p);

/* Processes in the table now. */
unsigned pipeline_tracked(const struct pipeline *p);

/* Events displayed so far, the run's own included: what the stop line reports. */
uint64_t pipeline_lines(const struct pipeline *p);

/* Has the start line been shown? The drops counted so far. */
bool pipeline_started(const struct pipeline *p);
uint64_t pipeline_lost_total(const struct pipeline *p);

/* The process table, to read once the feed is over (proctab_each wants it writable). */
struct proctab *pipeline_table(struct pipeline *p);

#endif /* ZR_PIPELINE_H */
