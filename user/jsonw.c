/* jsonw.c - the JSON line writer behind sink_json.c and the summary: members appended to an
 * in-memory line, inline first, heap when it grows, untrusted strings through escape.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "jsonw.h"

void jsonw_init(struct jsonw *w)
{
	w->p = w->inline_buf;
	w->len = 0;
	w->cap = sizeof(w->inline_buf);
	w->has_failed = false;
	w->inline_buf[0] = '\0';
}

void jsonw_release(struct jsonw *w)
{
	if (!w)
		return;
	if (w->p != w->inline_buf)
		free(w->p);
	jsonw_init(w);
}

const char *jsonw_text(const struct jsonw *w)
{
	return w->p;
}

size_t jsonw_len(const struct jsonw *w)
{
	return w->len;
}

bool jsonw_has_failed(const struct jsonw *w)
{
	return w->has_failed;
}

char *jsonw_detach(struct jsonw *w)
{
	char *s = NULL;

	if (w->has_failed) {
		errno = ENOMEM;
	} else if (w->p != w->inline_buf) {
		s = w->p;
		w->p = w->inline_buf; /* ownership moved: release must not free it */
	} else {
		s = strdup(w->p);
	}
	jsonw_release(w);
	return s;
}

static bool grow(struct jsonw *w, size_t n);

/* Room for n more bytes plus the NUL; false (and has_failed) when memory runs out. */
static inline bool reserve(struct jsonw *w, size_t n)
{
	/* the common case, inline: room already (has_failed keeps len + n below cap false) */
	if (!w->has_failed && n < w->cap && w->len + n + 1 <= w->cap)
		return true;
	return grow(w, n);
}

static bool grow(struct jsonw *w, size_t n)
{
	size_t cap = w->cap;
	char *p;

	if (w->has_failed)
		return false;
	if (n > SIZE_MAX / 4 - w->len) {
		w->has_failed = true;
		return false;
	}
	if (w->len + n + 1 <= cap)
		return true;
	while (w->len + n + 1 > cap)
		cap *= 2;
	p = w->p == w->inline_buf ? malloc(cap) : realloc(w->p, cap);
	if (!p) {
		w->has_failed = true;
		return false;
	}
	if (w->p == w->inline_buf)
		memcpy(p, w->inline_buf, w->len + 1);
	w->p = p;
	w->cap = cap;
	return true;
}

static inline void append(struct jsonw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

void jsonw_append(struct jsonw *w, const char *s, size_t n)
{
	append(w, s, n);
}

void jsonw_printf(struct jsonw *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->has_failed = true; /* only an invalid format gets here: the line is wrong */
		return;
	}
	if (!reserve(w, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(w->p + w->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	w->len += (size_t)n;
}

void jsonw_next(struct jsonw *w)
{
	char last;

	/* What precedes decides, so callers never track "first member" state. */
	if (!w->len)
		return;
	last = w->p[w->len - 1];
	if (last != '{' && last != '[' && last != ':' && last != ',')
		append(w, ",", 1);
}

void jsonw_key_n(struct jsonw *w, const char *key, size_t n)
{
	jsonw_next(w);
	if (!reserve(w, n + 3))
		return;
	w->p[w->len++] = '"';
	memcpy(w->p + w->len, key, n);
	w->len += n;
	memcpy(w->p + w->len, "\":", 3); /* with the NUL */
	w->len += 2;
}

/* Length of s (at most max) when every byte is printable ASCII that JSON takes as is; else
 * SIZE_MAX. Most comms and paths are: they skip the escaper's two passes. */
static size_t plain_len(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return SIZE_MAX;
	}
	return i;
}

void jsonw_string(struct jsonw *w, const char *s, size_t max)
{
	size_t need;

	if (!s) {
		jsonw_raw(w, "null");
		return;
	}
	need = plain_len(s, max);
	if (need != SIZE_MAX) {
		if (!reserve(w, need + 2))
			return;
		w->p[w->len++] = '"';
		memcpy(w->p + w->len, s, need);
		w->len += need;
		w->p[w->len++] = '"';
		w->p[w->len] = '\0';
		return;
	}
	need = escape_str(ESCAPE_JSON, s, max, NULL, 0);
	if (!reserve(w, need + 2))
		return;
	w->p[w->len++] = '"';
	escape_str(ESCAPE_JSON, s, max, w->p + w->len, need + 1);
	w->len += need;
	w->p[w->len++] = '"';
	w->p[w->len] = '\0';
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char buf[24], *p = buf + sizeof(buf);

	/* printf's machinery was most of a line's cost: numbers are done here, two digits a
	 * step */
	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	append(w, p, (size_t)(buf + sizeof(buf) - p));
}

void jsonw_sint(struct jsonw *w, int64_t v)
{
	if (v < 0)
		append(w, "-", 1);
	jsonw_uint(w, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

static void open_with(struct jsonw *w, const char *key, const char *bracket)
{
	if (key)
		jsonw_key(w, key);
	else
		jsonw_next(w);
	append(w, bracket, 1);
}

void jsonw_obj_begin(struct jsonw *w, const char *key)
{
	open_with(w, key, "{");
}

void jsonw_obj_end(struct jsonw *w)
{
	append(w, "}", 1);
}

void jsonw_arr_begin(struct jsonw *w, const char *key)
{
	open_with(w, key, "[");
}

void jsonw_arr_end(struct jsonw *w)
{
	append(w, "]", 1);
}

void jsonw_members(struct jsonw *w, const char *members)
{
	if (!members || !*members)
		return;
	jsonw_next(w);
	jsonw_raw(w, members);
}
