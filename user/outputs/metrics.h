/* metrics.h - Prometheus counters, gauges and a histogram fed by the events the lifecycle
 * emits (one metrics_observe per event, before any display filter), rendered on demand in the
 * Prometheus text format 0.0.4 or OpenMetrics 1.0. Drivable without the kernel.
 */
#ifndef ZR_METRICS_H
#define ZR_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

enum metrics_format {
	METRICS_PROMETHEUS, /* text/plain; version=0.0.4 */
	METRICS_OPENMETRICS,
};

struct metrics;

/* version and kernel label zreaper_build_info; both are copied. NULL + errno on ENOMEM. */
struct metrics *metrics_new(const char *version, const char *kernel);
void metrics_free(struct metrics *m);

/* Counts one event. A `zombie` joins zreaper_zombies under its parent's comm and its
 * container_id until its reap (those older than the trace too). */
void metrics_observe(struct metrics *m, const struct zr_ev *ev);

/* The process table's size, for zreaper_tracked_processes. */
void metrics_set_tracked(struct metrics *m, uint64_t n);

/* Renders every family; now_ns (CLOCK_BOOTTIME) dates the oldest zombie. Returns a malloc'd
 * text with its length in *len, or NULL on ENOMEM. */
char *metrics_render(const struct metrics *m, enum metrics_format fmt, uint64_t now_ns,
		     size_t *len);

/* Renders the text format into path atomically (PATH.tmp, then rename), for node_exporter's
 * textfile collector. Returns 0 or -errno. */
int metrics_write_file(const struct metrics *m, const char *path, uint64_t now_ns);

/* The Content-Type header value for fmt. */
const char *metrics_content_type(enum metrics_format fmt);

/* Zombies currently counted in zreaper_zombies (for tests and the stop line). */
uint64_t metrics_zombies(const struct metrics *m);

#endif /* ZR_METRICS_H */
