/* jsonw.h - a JSON line writer: builds one object (or a run of members) in memory, so a sink
 * writes each line with one call. Used by sink_json.c for events and by summary.c for the
 * summary's members.
 *
 * Text starts in an inline buffer and moves to the heap only when a line outgrows it (a long
 * argv). Commas are placed by the writer: a member or array element gets one unless it opens
 * the text or follows '{', '[', ':' or ','. Out of memory sets has_failed; every later call
 * is then a no-op, so callers check once at the end.
 *
 *	struct jsonw w;
 *
 *	jsonw_init(&w);
 *	jsonw_raw(&w, "{");
 *	jsonw_str(&w, "comm", comm, ZR_COMM_BUF);	(untrusted text: escaped)
 *	jsonw_u64(&w, "pid", pid);
 *	jsonw_raw(&w, "}\n");
 *	if (!jsonw_has_failed(&w))
 *		fwrite(jsonw_text(&w), 1, jsonw_len(&w), f);
 *	jsonw_release(&w);
 *
 * A struct jsonw may point into itself: initialise it where it lives and never copy it.
 */
#ifndef ZR_JSONW_H
#define ZR_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JSONW_INLINE 2048 /* bytes held without malloc, NUL included */

struct jsonw {
	char *p;	 /* inline_buf or heap; always NUL-terminated */
	size_t len, cap; /* bytes written (NUL excluded), bytes p can hold */
	bool has_failed; /* out of memory: the text is incomplete */
	char inline_buf[JSONW_INLINE];
};

/* Empties w; w must not have been used, or must have been released. */
void jsonw_init(struct jsonw *w);

/* Frees what w took from the heap and leaves it as jsonw_init does; NULL is fine. */
void jsonw_release(struct jsonw *w);

/* Cuts the text back to its first n bytes (n <= its length; 0 empties it) and clears
 * has_failed, keeping the memory: a batch of lines handed on, or a line that did not fit
 * taken back. The text before n is whole even after a failure: growing never loses it. */
void jsonw_truncate(struct jsonw *w, size_t n);

/* The text so far (NUL-terminated), and its length. Valid until the next call on w. */
const char *jsonw_text(const struct jsonw *w);
size_t jsonw_len(const struct jsonw *w);
bool jsonw_has_failed(const struct jsonw *w);

/* Hands the text over as a malloc'd string the caller frees, and empties w. NULL (errno
 * ENOMEM) when w has failed or the copy cannot be made; w is emptied then too. */
char *jsonw_detach(struct jsonw *w);

/* The slow path of jsonw_room (below): grows the text, or sets has_failed. */
bool jsonw_grow(struct jsonw *w, size_t n);

/* The members below are inline, so a literal key's or text's length is known where it is
 * written and its copy is a few moves, not a call: a JSON line has some twenty of them and
 * the calls were most of its cost. Always inline: link-time optimisation otherwise made
 * jsonw_key a call again, with a strlen of every key. */
#define JSONW_FN static inline __attribute__((always_inline))

/* Room for n more bytes plus the NUL; false (has_failed) once memory has run out. */
JSONW_FN bool jsonw_room(struct jsonw *w, size_t n)
{
	/* inline text with room already: has_failed keeps len + n below cap false */
	if (!w->has_failed && n < w->cap && w->len + n + 1 <= w->cap)
		return true;
	return jsonw_grow(w, n);
}

/* Whether a member or element written now needs a comma before it: what precedes decides,
 * so callers never track "first member" state. */
JSONW_FN bool jsonw_is_sep_due(const struct jsonw *w)
{
	char last;

	if (!w->len)
		return false;
	last = w->p[w->len - 1];
	return last != '{' && last != '[' && last != ':' && last != ',';
}

/* Trusted text, appended as is: punctuation, numbers, already-rendered JSON. */
JSONW_FN void jsonw_append(struct jsonw *w, const char *s, size_t n)
{
	if (!jsonw_room(w, n))
		return;
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

/* A string literal (or char array) appended as is, its length known where it is written. */
#define JSONW_LIT(w, lit) jsonw_append((w), (lit), sizeof(lit) - 1)

void jsonw_printf(struct jsonw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A separator if one is due (see above): before an array element written by hand. */
JSONW_FN void jsonw_next(struct jsonw *w)
{
	if (jsonw_is_sep_due(w))
		jsonw_append(w, ",", 1);
}

/* Opens a member with room for more bytes of its value: separator, then "key":. Returns where
 * the value goes (the text's length already counts the key), NULL once out of memory. One
 * check of room for key and value: a line has some twenty members. */
JSONW_FN char *jsonw_key_room(struct jsonw *w, const char *key, size_t n, size_t more)
{
	bool is_sep = jsonw_is_sep_due(w);
	char *p;

	if (!jsonw_room(w, n + 4 + more))
		return NULL;
	p = w->p + w->len;
	if (is_sep)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	memcpy(p, "\":", 3); /* with the NUL */
	p += 2;
	w->len = (size_t)(p - w->p);
	return p;
}

/* Opens a member: separator, then "key":. The value follows. */
JSONW_FN void jsonw_key_n(struct jsonw *w, const char *key, size_t n)
{
	(void)jsonw_key_room(w, key, n, 0);
}

/* Where the next byte goes: after jsonw_room, bytes written there by hand are ended by
 * jsonw_end_at. */
JSONW_FN char *jsonw_tail(struct jsonw *w)
{
	return w->p + w->len;
}

/* Ends a value written by hand into room made for it, at end: the length and the NUL. */
JSONW_FN void jsonw_end_at(struct jsonw *w, char *end)
{
	*end = '\0';
	w->len = (size_t)(end - w->p);
}

/* The digits of v at p, which has room for 20; no NUL. Returns how many. */
size_t jsonw_digits(char *p, uint64_t v);

/* v at p, its sign first when negative, in room for 21; no NUL. Returns how many bytes. */
JSONW_FN size_t jsonw_sdigits(char *p, int64_t v)
{
	if (v >= 0)
		return jsonw_digits(p, (uint64_t)v);
	*p = '-';
	return 1 + jsonw_digits(p + 1, -(uint64_t)v);
}

/* The room a name (below) of n bytes takes, NULL's null included. */
JSONW_FN size_t jsonw_name_room(const char *s, size_t n)
{
	return s ? n + 2 : 4;
}

/* Writes the name s of n bytes, quoted (null for NULL), at p in room made for it. */
JSONW_FN void jsonw_name_at(struct jsonw *w, char *p, const char *s, size_t n)
{
	if (!s) {
		memcpy(p, "null", 4);
		jsonw_end_at(w, p + 4);
		return;
	}
	*p++ = '"';
	memcpy(p, s, n);
	p[n] = '"';
	jsonw_end_at(w, p + n + 1);
}

/* A string zreaper itself made (a name from a table, a timestamp): quoted, never escaped, so
 * it must hold no '"', '\\' or control character. NULL gives null. */
JSONW_FN void jsonw_name(struct jsonw *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (jsonw_room(w, jsonw_name_room(s, n)))
		jsonw_name_at(w, jsonw_tail(w), s, n);
}

/* An untrusted string value (up to NUL or max bytes), escaped and quoted; NULL gives null. */
void jsonw_string(struct jsonw *w, const char *s, size_t max);

/* "00" to "99", two characters each: numbers are written two digits at a time. */
extern const char jsonw_digit_pairs[];

/* Exactly four digits of v (< 10000) at p: the two pairs do not wait for each other. */
JSONW_FN void jsonw_put4(char *p, uint32_t v)
{
	uint32_t h = v / 100;

	memcpy(p, jsonw_digit_pairs + 2 * (size_t)h, 2);
	memcpy(p + 2, jsonw_digit_pairs + 2 * (size_t)(v - h * 100), 2);
}

/* A number as a value (after jsonw_key, in an array, or inside a string being built). */
void jsonw_uint(struct jsonw *w, uint64_t v);
void jsonw_sint(struct jsonw *w, int64_t v);

JSONW_FN void jsonw_raw(struct jsonw *w, const char *s)
{
	jsonw_append(w, s, strlen(s));
}

JSONW_FN void jsonw_key(struct jsonw *w, const char *key)
{
	jsonw_key_n(w, key, strlen(key));
}

/* Whole members. */
JSONW_FN void jsonw_str(struct jsonw *w, const char *key, const char *s, size_t max)
{
	jsonw_key(w, key);
	jsonw_string(w, s, max);
}

/* A member whose value is a jsonw_name string. */
JSONW_FN void jsonw_named(struct jsonw *w, const char *key, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *p = jsonw_key_room(w, key, strlen(key), jsonw_name_room(s, n));

	if (p)
		jsonw_name_at(w, p, s, n);
}

JSONW_FN void jsonw_u64(struct jsonw *w, const char *key, uint64_t v)
{
	char *p = jsonw_key_room(w, key, strlen(key), 20);

	if (p)
		jsonw_end_at(w, p + jsonw_digits(p, v));
}

JSONW_FN void jsonw_int(struct jsonw *w, const char *key, int v)
{
	char *p = jsonw_key_room(w, key, strlen(key), 21);

	if (p)
		jsonw_end_at(w, p + jsonw_sdigits(p, v));
}

/* "key": and a literal of n bytes (true, false, null). */
JSONW_FN void jsonw_key_lit(struct jsonw *w, const char *key, const char *lit, size_t n)
{
	char *p = jsonw_key_room(w, key, strlen(key), n);

	if (!p)
		return;
	memcpy(p, lit, n);
	jsonw_end_at(w, p + n);
}

JSONW_FN void jsonw_bool(struct jsonw *w, const char *key, bool v)
{
	if (v)
		jsonw_key_lit(w, key, "true", 4);
	else
		jsonw_key_lit(w, key, "false", 5);
}

JSONW_FN void jsonw_null(struct jsonw *w, const char *key)
{
	jsonw_key_lit(w, key, "null", 4);
}

/* "key":{ and "key":[ (an array element when key is NULL), and their ends. */
void jsonw_obj_begin(struct jsonw *w, const char *key);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w, const char *key);
void jsonw_arr_end(struct jsonw *w);

/* Pre-rendered members ("a":1,"b":{...}), trusted, spliced in with a separator when due.
 * NULL or "" adds nothing. */
void jsonw_members(struct jsonw *w, const char *members);

#endif /* ZR_JSONW_H */
