/* journal_int.h - what journal.c (kernel records, steps, the reader) and journal_proc.c (the
 * /proc answers) share: the byte codec, zigzag varints and length-prefixed bytes, inline
 * because every kernel record goes through it; and the reader's one-record look-ahead.
 */
#ifndef ZR_JOURNAL_INT_H
#define ZR_JOURNAL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journal.h"

struct enc {
	uint8_t b[RECORD_MAX];
	size_t n;
};

static inline void put_var(struct enc *e, uint64_t v)
{
	while (v >= 0x80 && e->n < sizeof(e->b)) {
		e->b[e->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	if (e->n < sizeof(e->b))
		e->b[e->n++] = (uint8_t)v;
}

static inline void put_svar(struct enc *e, int64_t v)
{
	put_var(e, v < 0 ? ~((uint64_t)v << 1) : (uint64_t)v << 1); /* zigzag */
}

static inline void put_bytes(struct enc *e, const void *p, size_t n)
{
	if (n > sizeof(e->b) - e->n)
		n = sizeof(e->b) - e->n;
	memcpy(e->b + e->n, p, n);
	e->n += n;
}

struct dec {
	const uint8_t *p;
	size_t n, at;
	bool bad;
};

static inline uint64_t get_var(struct dec *d)
{
	uint64_t v = 0;
	int shift;

	for (shift = 0; shift < 64; shift += 7) {
		uint8_t c;

		if (d->at >= d->n)
			break;
		c = d->p[d->at++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	d->bad = true;
	return 0;
}

static inline int64_t get_svar(struct dec *d)
{
	uint64_t v = get_var(d);

	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline void get_bytes(struct dec *d, void *p, size_t n)
{
	if (n > d->n - d->at) {
		d->bad = true;
		return;
	}
	memcpy(p, d->p + d->at, n);
	d->at += n;
}

static inline void put_str(struct enc *e, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	put_var(e, n);
	put_bytes(e, s, n);
}

/* Into a buffer of size bytes, NUL-terminated; longer text is a bad record. */
static inline void get_str(struct dec *d, char *s, size_t size)
{
	uint64_t n = get_var(d);

	if (d->bad || n >= size) {
		d->bad = true;
		s[0] = '\0';
		return;
	}
	get_bytes(d, s, (size_t)n);
	s[d->bad ? 0 : n] = '\0';
}

/* The reader's next record, left in j->peek_*: 1, 0 at the end, -1 bad. */
int journal_peek(struct journal_reader *j);

/* Takes the peeked record: a decoder over its bytes. */
struct dec journal_take(struct journal_reader *j);

#endif /* ZR_JOURNAL_INT_H */
