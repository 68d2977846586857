/* output.h - what the pipeline hands each event to once decode, the state machine, attribution
 * and the filters are done: the event lines (JSON or columns), metrics, the summary, the reap
 * engine. Each output implements these calls; the pipeline owns the order.
 */
#ifndef ZR_OUTPUT_H
#define ZR_OUTPUT_H

#include <stdbool.h>

#include "event.h"

struct output;
struct zr_filters;
struct zr_kernel_report;

/* What the run's start line reports besides the event itself. */
struct run_info {
	int schema_version;
	const char *version;			      /* zreaper's */
	const char *kernel;			      /* uname release */
	const struct zr_filters *filters;	      /* effective filters */
	const struct zr_kernel_report *kernel_report; /* live traces: how BPF adapted; else NULL */
};

struct output_ops {
	/* One event in the trace's kernel-side scope (-p/--tree/--cgroup...); displayed says
	 * whether it also passed the display filters. The run's own events (start, lost,
	 * summary, stop) come too, always displayed: an output that counts processes skips
	 * them. Returns 0, -EPIPE when the reader is gone, or another -errno; the pipeline
	 * remembers the first error. */
	int (*observe)(struct output *o, const struct zr_ev *ev, bool displayed);
	/* End of a batch of records: write what is buffered. NULL: nothing to flush. */
	int (*flush)(struct output *o);
	/* Release what the output holds (never the caller's FILE). NULL: nothing to release. */
	void (*close)(struct output *o);
	/* The run ends: an output with a report of its own (the summary) sets ev->u.summary.stats
	 * and returns true; the pipeline then shows ev, a ZR_EV_SUMMARY event, before the stop
	 * line. NULL: no report. */
	bool (*report)(struct output *o, struct zr_ev *ev);
};

struct output {
	const struct output_ops *ops;
	void *ctx; /* the implementation's state */
};

#endif /* ZR_OUTPUT_H */
