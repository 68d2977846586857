/* output_metrics.h - the Prometheus metrics as an output: every event in the trace's scope is
 * counted (metrics.c), served over HTTP (--metrics ADDR) and/or written to a textfile every
 * interval and at the end (--metrics-textfile PATH).
 */
#ifndef ZR_OUTPUT_METRICS_H
#define ZR_OUTPUT_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "http_metrics.h"
#include "loop.h"
#include "metrics.h"
#include "output.h"

#define OUTPUT_METRICS_INTERVAL_NS (15ULL * 1000000000ULL)

struct output_metrics_conf {
	const char *addr;     /* --metrics, or NULL */
	const char *textfile; /* --metrics-textfile, or NULL */
	uint64_t interval_ns; /* --metrics-interval */
	const char *version;  /* zreaper_build_info's labels */
	const char *kernel;
};

struct output_metrics {
	struct output out; /* what pipeline_add_output takes, once open */
	struct metrics *m; /* NULL: no metrics asked for */
	struct http_metrics *http;
	const char *textfile;
	uint64_t interval_ns;
	uint64_t next_write_ns; /* CLOCK_BOOTTIME of the next textfile write */
};

/* Creates the metrics when an address or a textfile is asked for, and binds the address.
 * Returns 0, or an exit code (2 for a bad ADDR, 1 for a port in use or no memory) after
 * printing one line. mo->m stays NULL when nothing was asked. */
int output_metrics_open(struct output_metrics *mo, const struct output_metrics_conf *c);

/* Serves /metrics from loop l (without --metrics, nothing to serve). 0 or -errno. */
int output_metrics_attach(struct output_metrics *mo, struct loop *l);

/* Periodic work: timeouts of HTTP clients, the textfile when due, the tracked gauge. */
void output_metrics_tick(struct output_metrics *mo, uint64_t now_ns, uint64_t tracked);

/* Stops serving (the loop is about to close); the last textfile write. */
void output_metrics_detach(struct output_metrics *mo, uint64_t now_ns, uint64_t tracked);

/* Releases everything; accepts one never opened (zeroed) or already closed. */
void output_metrics_close(struct output_metrics *mo);

#endif /* ZR_OUTPUT_METRICS_H */
