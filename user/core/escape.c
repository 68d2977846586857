/* escape.c - makes untrusted text (comm, filename, argv) safe for JSON strings and terminals. */
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"

/* Where escaped pieces go: a bounded buffer (escape_str) or a stream (escape_fputs). */
struct escape_out {
	char *buf;
	size_t cap;   /* bytes of buf usable for text, NUL excluded */
	size_t used;  /* bytes written to buf */
	size_t need;  /* bytes the whole escaped text takes */
	bool is_full; /* a piece did not fit: write nothing more, only count */
	FILE *f;
	bool has_failed; /* a write to f failed */
};

static void put(struct escape_out *o, const char *p, size_t n)
{
	o->need += n;
	if (o->f) {
		if (!o->has_failed && fwrite(p, 1, n, o->f) != n)
			o->has_failed = true;
		return;
	}
	/* Once one piece is dropped every later one is too, so a cut never hides a gap. */
	if (o->is_full || !o->buf || o->used + n > o->cap) {
		o->is_full = true;
		return;
	}
	memcpy(o->buf + o->used, p, n);
	o->used += n;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when s[0] does not start one.
 * Overlongs, surrogates and code points above U+10FFFF are invalid (RFC 3629 table). */
static size_t utf8_valid_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */

	/* The second byte's range is what rules out overlongs, surrogates and > U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;

	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

/* The prefix then two lowercase hex digits: one piece, so a cut never splits it. */
static void put_hex(struct escape_out *o, const char *prefix, unsigned char c)
{
	char piece[8];
	int n = snprintf(piece, sizeof(piece), "%s%02x", prefix, c);

	put(o, piece, (size_t)n);
}

/* The two-character escape of c in mode (JSON's \" \b \f; the terminal's \e), or NULL. */
static const char *short_escape(enum escape_mode mode, unsigned char c)
{
	bool json = mode == ESCAPE_JSON;

	switch (c) {
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	case '"':
		return json ? "\\\"" : NULL;
	case '\b':
		return json ? "\\b" : NULL;
	case '\f':
		return json ? "\\f" : NULL;
	case 0x1b:
		return json ? NULL : "\\e";
	default:
		return NULL;
	}
}

/* One ASCII byte: its short escape, else a control as \u00XX (JSON) or \xXX (terminal). */
static void put_byte(struct escape_out *o, enum escape_mode mode, unsigned char c)
{
	const char *e = short_escape(mode, c);

	if (e)
		put(o, e, 2);
	else if (c < 0x20 || c == 0x7f)
		put_hex(o, mode == ESCAPE_JSON ? "\\u00" : "\\x", c);
	else
		put(o, (const char *)&c, 1);
}

static void escape_run(enum escape_mode mode, const char *str, size_t len, struct escape_out *o)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, k;

	len = str ? strnlen(str, len) : 0;
	while (i < len) {
		n = utf8_valid_len(s + i, len - i);
		if (n == 1) {
			put_byte(o, mode, s[i]);
		} else if (n == 0) {
			/* Each stray byte on its own, so the count of bad bytes survives. */
			if (mode == ESCAPE_JSON)
				put(o, "\xef\xbf\xbd", 3);
			else
				put_hex(o, "\\x", s[i]);
			n = 1;
		} else if (mode == ESCAPE_TEXT && s[i] == 0xc2 && s[i + 1] < 0xa0) {
			/* U+0080..U+009F are C1 controls (CSI is U+009B): some terminals obey them.
			 */
			for (k = 0; k < n; k++)
				put_hex(o, "\\x", s[i + k]);
		} else {
			put(o, str + i, n);
		}
		i += n;
	}
}

size_t escape_str(enum escape_mode mode, const char *s, size_t len, char *out, size_t outlen)
{
	struct escape_out o = {
		.buf = out,
		.cap = outlen ? outlen - 1 : 0,
		.is_full = !out || !outlen,
	};

	escape_run(mode, s, len, &o);
	if (out && outlen)
		out[o.used] = '\0';
	return o.need;
}

int escape_fputs(enum escape_mode mode, const char *s, size_t len, FILE *f)
{
	struct escape_out o = { .f = f };

	escape_run(mode, s, len, &o);
	return o.has_failed || ferror(f) ? -1 : 0;
}
