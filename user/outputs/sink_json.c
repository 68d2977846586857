/* sink_json.c - the JSON-lines sink: each event one object, built with jsonw (its head here, its
 * members in sink_json_body.c), the lines gathered and handed to the FILE in batches.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ev_kind.h"
#include "jsonw.h"
#include "sink.h"
#include "sink_json_int.h"

static int errno_result(void)
{
	return errno ? -errno : -EIO;
}

/* Batched lines are handed to out in one call once this many bytes have gathered (and at
 * every flush): a call per line, and the copy into stdio's buffer, were a tenth of a line's
 * cost. */
#define PENDING_BYTES ((size_t)64 * 1024)

/* Hands the text to out; 0 or -errno. */
static int put_out(struct sink *s, const struct jsonw *w)
{
	errno = 0;
	if (fwrite(jsonw_text(w), 1, jsonw_len(w), s->out) != jsonw_len(w) || ferror(s->out))
		return errno_result();
	return 0;
}

/* The batch, made at the first line; NULL unbatched or out of memory (a line at a time). */
static struct jsonw *pending(struct sink *s)
{
	if (!s->is_batched || s->flush_each)
		return NULL;
	if (!s->pending && (s->pending = malloc(sizeof(*s->pending))) != NULL)
		jsonw_init(s->pending);
	return s->pending;
}

/* Hands the batch to out and empties it, keeping its memory. */
static int put_pending(struct sink *s)
{
	int ret;

	if (!s->pending || !jsonw_len(s->pending))
		return 0;
	ret = put_out(s, s->pending);
	jsonw_truncate(s->pending, 0);
	return ret;
}

/* The members every line opens with, written as whole runs of text: ts, ktime_ns, seq. */
static void put_head(struct jsonw *w, struct sink *s, const struct zr_ev *ev)
{
	static const char open[] = "{\"ts\":\"",
			  after_ts[] = "\",\"ktime_ns\":", before_seq[] = ",\"seq\":";
	char ts[40];
	size_t n = sink_format_rfc3339(ts, sizeof(ts), (int64_t)ev->ktime_ns + s->boot_to_real_ns);

	jsonw_append(w, open, sizeof(open) - 1);
	jsonw_append(w, ts, n);
	jsonw_append(w, after_ts, sizeof(after_ts) - 1);
	jsonw_uint(w, ev->ktime_ns);
	jsonw_append(w, before_seq, sizeof(before_seq) - 1);
	jsonw_uint(w, ++s->seq);
}

static void render_line(struct jsonw *w, struct sink *s, const struct zr_ev *ev)
{
	put_head(w, s, ev);
	jsonw_named(w, "event", ev_kind_name(ev->kind));
	sink_json_put_body(w, s, ev);
	jsonw_append(w, "}\n", 2);
}

static int json_emit(struct sink *s, const struct zr_ev *ev)
{
	struct jsonw one, *w = pending(s);
	int ret;

	if (w) {
		size_t at = jsonw_len(w);

		render_line(w, s, ev);
		if (jsonw_has_failed(w)) {
			/* Out of memory: the lines before this one still go out. */
			jsonw_truncate(w, at);
			ret = put_pending(s);
			return ret ? ret : -ENOMEM;
		}
		return jsonw_len(w) >= PENDING_BYTES ? put_pending(s) : 0;
	}
	jsonw_init(&one);
	render_line(&one, s, ev);
	if (jsonw_has_failed(&one))
		ret = -ENOMEM;
	else if ((ret = put_out(s, &one)) == 0 && s->flush_each && fflush(s->out))
		ret = errno_result();
	jsonw_release(&one);
	return ret;
}

static int json_flush(struct sink *s)
{
	int ret = put_pending(s);

	errno = 0;
	if ((fflush(s->out) || ferror(s->out)) && !ret)
		ret = errno_result();
	return ret;
}

static void json_close(struct sink *s)
{
	/* Errors were reported by emit/flush; the FILE itself belongs to the caller. */
	(void)put_pending(s);
	fflush(s->out);
	if (s->pending) {
		jsonw_release(s->pending);
		free(s->pending);
		s->pending = NULL;
	}
}

static const struct sink_ops json_ops = {
	.emit = json_emit,
	.flush = json_flush,
	.close = json_close,
};

void sink_json_init(struct sink *s, FILE *out, const struct run_info *info)
{
	memset(s, 0, sizeof(*s));
	s->ops = &json_ops;
	s->out = out;
	s->info = info;
}
