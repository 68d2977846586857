/* trace_export.h - what `trace` hands to fleet tooling besides its event lines: Prometheus
 * metrics (--metrics ADDR, --metrics-textfile PATH), container/pod attribution of every event,
 * and the rotated --output file. cmd_trace.c calls these hooks; all of it is optional.
 */
#ifndef ZR_TRACE_EXPORT_H
#define ZR_TRACE_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "attrib.h"
#include "event.h"
#include "http_metrics.h"
#include "loop.h"
#include "metrics.h"
#include "outfile.h"

#define EXPORT_INTERVAL_NS (15ULL * 1000000000ULL)

struct trace_export {
	/* options */
	const char *metrics_addr; /* --metrics */
	const char *textfile;	  /* --metrics-textfile */
	uint64_t interval_ns;	  /* --metrics-interval */
	const char *output;	  /* --output */
	uint64_t output_max;	  /* --output-max-size */
	unsigned output_keep;	  /* --output-keep */
	bool quiet;		  /* --quiet */
	/* state */
	struct metrics *m;
	struct http_metrics *http;
	struct attrib *attr;
	struct outfile out;
	uint64_t next_write_ns; /* CLOCK_BOOTTIME of the next textfile write */
};

/* Sets the defaults before option parsing. */
void export_defaults(struct trace_export *x);

/* After parsing: binds the metrics port, opens the output file. Returns 0, or an exit code
 * (2 for a bad ADDR, 1 for a port in use or a file that cannot be opened) after printing one
 * line. version/kernel label zreaper_build_info. */
int export_open(struct trace_export *x, const char *version, const char *kernel);

/* Once tracing runs: warns when containers can only be named from /proc, and serves /metrics
 * from loop l (without --metrics, nothing to serve). Returns 0 or -errno. */
int export_attach(struct trace_export *x, struct loop *l);

/* The event with container_id and pod_uid filled in when its cgroup says so: ev itself, or
 * *tmp (a copy) when something was added. */
const struct zr_ev *export_attribute(struct trace_export *x, const struct zr_ev *ev,
				     struct zr_ev *tmp);

/* Counts an event in the metrics (call for every event in the trace's scope). */
void export_observe(struct trace_export *x, const struct zr_ev *ev);

/* Periodic work: timeouts of HTTP clients, the textfile when due, the tracked gauge. */
void export_tick(struct trace_export *x, uint64_t now_ns, uint64_t tracked);

/* Before each event written: rotates the output file when full (so the last file is never
 * left empty). Returns 0 or -errno. */
int export_before_emit(struct trace_export *x);

/* Stops serving (the loop is about to close); the last textfile write. */
void export_detach(struct trace_export *x, uint64_t now_ns, uint64_t tracked);

/* Releases everything; accepts a struct never opened. */
void export_close(struct trace_export *x);

#endif /* ZR_TRACE_EXPORT_H */
