/* sink.h - where events go: struct sink_ops { emit, flush, close } and the sink constructors.
 * A sink owns its formatting; the FILE it writes to belongs to the caller.
 */
#ifndef ZR_SINK_H
#define ZR_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ev_kind.h"
#include "event.h"
#include "output.h" /* struct run_info */

struct sink;
struct jsonw;

struct sink_ops {
	/* Writes one event; returns 0, -EPIPE when the reader is gone, or another -errno. */
	int (*emit)(struct sink *s, const struct zr_ev *ev);
	int (*flush)(struct sink *s);
	void (*close)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	FILE *out;
	bool flush_each;	 /* flush after every event (stdout is not a terminal) */
	bool is_batched;	 /* JSON: lines gather in pending and reach out at flush */
	struct jsonw *pending;	 /* JSON, batched: the lines not yet handed to out */
	bool color;		 /* text only: ANSI colour */
	int64_t boot_to_real_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME, sampled at start */
	uint64_t seq;		 /* lines written so far */
	const struct run_info *info;
	bool header_done; /* text only: column header printed */
};

/* Constructors fill *s; they never fail. */
void sink_text_init(struct sink *s, FILE *out, const struct run_info *info);
void sink_json_init(struct sink *s, FILE *out, const struct run_info *info);

/* Formats CLOCK_REALTIME ns as RFC 3339 UTC with nanoseconds into buf (>= 32 bytes; with
 * SINK_RFC3339_LEN it never truncates); returns the length written (NUL excluded). */
#define SINK_RFC3339_LEN 40
size_t sink_format_rfc3339(char *buf, size_t len, int64_t real_ns);

/* Formats a duration for people into buf (>= 24 bytes): "850ns", "12.3us", "1.2ms", "1.23s",
 * "754s". Text sink and the summary report share it so both read the same. */
void sink_format_duration(char *buf, size_t len, uint64_t ns);

#endif /* ZR_SINK_H */
