/* sink_json.c - the JSON-lines sink: each event one object, built with jsonw (its head here, its
 * members in sink_json_body.c), the lines gathered and handed to the FILE in batches.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_kind.h"
#include "fdwrite.h"
#include "jsonw.h"
#include "sink.h"
#include "sink_json_int.h"

static int errno_result(void)
{
	return errno ? -errno : -EIO;
}

/* Batched lines are written in one call once this many bytes have gathered (and at every
 * flush): a call per line was a tenth of a line's cost. */
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

/* Hands the batch to out's descriptor and empties it, keeping its memory. Written past stdio:
 * fwrite copied all of it into out's buffer first, a tenth of the tracer's user time in a
 * storm. What out already holds goes first. A FILE without a descriptor (a memory stream)
 * takes it by fwrite. */
static int put_pending(struct sink *s)
{
	int ret, fd;

	if (!s->pending || !jsonw_len(s->pending))
		return 0;
	fd = fileno(s->out);
	errno = 0;
	if (fd < 0)
		ret = put_out(s, s->pending);
	else if (fflush(s->out) || ferror(s->out))
		ret = errno_result();
	else
		ret = fd_write_all(fd, jsonw_text(s->pending), jsonw_len(s->pending));
	jsonw_truncate(s->pending, 0);
	return ret;
}

/* ktime_ns keeps all but its last eight digits for 100 ms at a time: those are written from
 * the line before's text. Kept by value, so another sink's lines only render afresh. */
static void put_ktime(struct jsonw *w, uint64_t v)
{
	static uint64_t high_of = UINT64_MAX;
	static char high[24]; /* up to 12 digits; copied 16 at a time */
	static size_t high_len;
	uint64_t h = v / 100000000;
	uint32_t lo = (uint32_t)(v - h * 100000000), lo_hi = lo / 10000;
	char *p;

	if (!h) {
		jsonw_uint(w, v);
		return;
	}
	if (h != high_of) {
		high_len = jsonw_digits(high, h);
		high_of = h;
	}
	if (!jsonw_room(w, 24))
		return;
	p = jsonw_tail(w);
	memcpy(p, high, 16);
	p += high_len;
	jsonw_put4(p, lo_hi);
	jsonw_put4(p + 4, lo - lo_hi * 10000);
	jsonw_end_at(w, p + 8);
}

/* seq goes up by one: its text is the line before's with the last digit moved on, unless that
 * digit carries. Kept by value, as above. */
static void put_seq(struct jsonw *w, uint64_t v)
{
	static uint64_t text_of;
	static char text[24]; /* up to 20 digits; copied whole */
	static size_t len;
	char *p;

	if (!jsonw_room(w, sizeof(text)))
		return;
	p = jsonw_tail(w);
	if (len && v == text_of + 1 && text[len - 1] != '9')
		text[len - 1]++;
	else
		len = jsonw_digits(text, v);
	text_of = v;
	memcpy(p, text, sizeof(text));
	jsonw_end_at(w, p + len);
}

/* The members every line opens with, written as whole runs of text: ts, ktime_ns, seq. */
static void put_head(struct jsonw *w, struct sink *s, const struct zr_ev *ev)
{
	static const char open[] = "{\"ts\":\"",
			  after_ts[] = "\",\"ktime_ns\":", before_seq[] = ",\"seq\":";
	char *p;

	JSONW_LIT(w, open);
	/* The timestamp straight into the line. */
	if (jsonw_room(w, SINK_RFC3339_LEN)) {
		p = jsonw_tail(w);
		p += sink_format_rfc3339(p, SINK_RFC3339_LEN,
					 (int64_t)ev->ktime_ns + s->boot_to_real_ns);
		jsonw_end_at(w, p);
	}
	JSONW_LIT(w, after_ts);
	put_ktime(w, ev->ktime_ns);
	JSONW_LIT(w, before_seq);
	put_seq(w, ++s->seq);
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
