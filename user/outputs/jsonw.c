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

void jsonw_truncate(struct jsonw *w, size_t n)
{
	if (n > w->len)
		n = w->len;
	w->len = n;
	w->p[n] = '\0';
	w->has_failed = false;
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

bool jsonw_grow(struct jsonw *w, size_t n)
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
	if (!jsonw_room(w, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(w->p + w->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	w->len += (size_t)n;
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
		if (!jsonw_room(w, need + 2))
			return;
		w->p[w->len++] = '"';
		memcpy(w->p + w->len, s, need);
		w->len += need;
		w->p[w->len++] = '"';
		w->p[w->len] = '\0';
		return;
	}
	need = escape_str(ESCAPE_JSON, s, max, NULL, 0);
	if (!jsonw_room(w, need + 2))
		return;
	w->p[w->len++] = '"';
	escape_str(ESCAPE_JSON, s, max, w->p + w->len, need + 1);
	w->len += need;
	w->p[w->len++] = '"';
	w->p[w->len] = '\0';
}

/* Decimal digits of v: from its bit length, then one comparison (v | 1: 0 has one digit). */
static size_t count_digits(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ULL,
		10ULL,
		100ULL,
		1000ULL,
		10000ULL,
		100000ULL,
		1000000ULL,
		10000000ULL,
		100000000ULL,
		1000000000ULL,
		10000000000ULL,
		100000000000ULL,
		1000000000000ULL,
		10000000000000ULL,
		100000000000000ULL,
		1000000000000000ULL,
		10000000000000000ULL,
		100000000000000000ULL,
		1000000000000000000ULL,
		10000000000000000000ULL,
	};
	size_t t = ((size_t)(64 - __builtin_clzll(v | 1)) * 1233) >> 12;

	return t + 1 - ((v | 1) < pow10[t]);
}

const char jsonw_digit_pairs[] = "00010203040506070809101112131415161718192021222324"
				 "25262728293031323334353637383940414243444546474849"
				 "50515253545556575859606162636465666768697071727374"
				 "75767778798081828384858687888990919293949596979899";

size_t jsonw_digits(char *p, uint64_t v)
{
	size_t n = count_digits(v);
	char *end = p + n;
	uint32_t x;

	/* printf's machinery was most of a line's cost. The digits are written from the last, in
	 * parts of eight and four whose divisions do not wait for each other: a chain of
	 * divisions by 100 was, for the 13-digit nanosecond times of every line. */
	while (v >= 100000000) {
		uint64_t q = v / 100000000;
		uint32_t lo = (uint32_t)(v - q * 100000000), hi = lo / 10000;

		jsonw_put4(end - 4, lo - hi * 10000);
		jsonw_put4(end - 8, hi);
		end -= 8;
		v = q;
	}
	x = (uint32_t)v;
	if (x >= 10000) {
		uint32_t hi = x / 10000;

		jsonw_put4(end - 4, x - hi * 10000);
		end -= 4;
		x = hi;
	}
	if (x >= 100) {
		uint32_t hi = x / 100;

		end -= 2;
		memcpy(end, jsonw_digit_pairs + 2 * (size_t)(x - hi * 100), 2);
		x = hi;
	}
	if (x >= 10)
		memcpy(end - 2, jsonw_digit_pairs + 2 * (size_t)x, 2);
	else
		end[-1] = (char)('0' + x);
	return n;
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	if (jsonw_room(w, 20))
		jsonw_end_at(w, jsonw_tail(w) + jsonw_digits(jsonw_tail(w), v));
}

void jsonw_sint(struct jsonw *w, int64_t v)
{
	if (jsonw_room(w, 21))
		jsonw_end_at(w, jsonw_tail(w) + jsonw_sdigits(jsonw_tail(w), v));
}

static void open_with(struct jsonw *w, const char *key, const char *bracket)
{
	if (key)
		jsonw_key(w, key);
	else
		jsonw_next(w);
	jsonw_append(w, bracket, 1);
}

void jsonw_obj_begin(struct jsonw *w, const char *key)
{
	open_with(w, key, "{");
}

void jsonw_obj_end(struct jsonw *w)
{
	jsonw_append(w, "}", 1);
}

void jsonw_arr_begin(struct jsonw *w, const char *key)
{
	open_with(w, key, "[");
}

void jsonw_arr_end(struct jsonw *w)
{
	jsonw_append(w, "]", 1);
}

void jsonw_members(struct jsonw *w, const char *members)
{
	if (!members || !*members)
		return;
	jsonw_next(w);
	jsonw_raw(w, members);
}
