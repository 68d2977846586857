/* test_escape.c - escape.c in both modes: every byte, invalid UTF-8, truncation, streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"

#define RFC "\xef\xbf\xbd" /* U+FFFD */

/* Escapes s (n bytes) into a static buffer and checks the returned length matches. */
static const char *esc(enum escape_mode mode, const char *s, size_t n)
{
	static char out[4096];
	size_t need = escape_str(mode, s, n, out, sizeof(out));

	assert_int_equal(need, strlen(out));
	return out;
}

/* An independent check: decode each sequence, then demand the shortest form and a scalar. */
static int is_valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = s[i] & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

static void assert_json_safe(const char *s)
{
	size_t i, n = strlen(s);

	assert_true(is_valid_utf8((const unsigned char *)s, n));
	for (i = 0; i < n; i++) {
		assert_true((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] != 0x7f);
		/* A quote is only ever there escaped. */
		if (s[i] == '"')
			assert_true(i > 0 && s[i - 1] == '\\');
	}
}

static void assert_text_safe(const char *s)
{
	for (; *s; s++)
		assert_true((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7f);
}

static void test_ascii_passes(void **state)
{
	(void)state;
	assert_string_equal(esc(ESCAPE_JSON, "ls -l /tmp", 64), "ls -l /tmp");
	assert_string_equal(esc(ESCAPE_TEXT, "ls -l /tmp", 64), "ls -l /tmp");
	assert_string_equal(esc(ESCAPE_JSON, "", 64), "");
	assert_string_equal(esc(ESCAPE_TEXT, NULL, 64), "");
}

static void test_json_specials(void **state)
{
	(void)state;
	assert_string_equal(esc(ESCAPE_JSON, "a\"b", 8), "a\\\"b");
	assert_string_equal(esc(ESCAPE_JSON, "a\\b", 8), "a\\\\b");
	assert_string_equal(esc(ESCAPE_JSON, "\b\f\n\r\t", 8), "\\b\\f\\n\\r\\t");
	assert_string_equal(esc(ESCAPE_JSON, "\x01\x1b\x1f\x7f", 8),
			    "\\u0001\\u001b\\u001f\\u007f");
	/* '/' needs no escape and must not get one. */
	assert_string_equal(esc(ESCAPE_JSON, "/bin/sh", 8), "/bin/sh");
}

static void test_text_specials(void **state)
{
	(void)state;
	assert_string_equal(esc(ESCAPE_TEXT, "a\\b", 8), "a\\\\b");
	assert_string_equal(esc(ESCAPE_TEXT, "\x1b[31m", 8), "\\e[31m");
	assert_string_equal(esc(ESCAPE_TEXT, "\n\t\r", 8), "\\n\\t\\r");
	assert_string_equal(esc(ESCAPE_TEXT, "\x01\x08\x0c\x7f", 8), "\\x01\\x08\\x0c\\x7f");
	/* A quote is harmless on a terminal. */
	assert_string_equal(esc(ESCAPE_TEXT, "\"'", 8), "\"'");
}

/* Each byte on its own, against the expected escape written out independently. */
static void test_every_byte_alone(void **state)
{
	char in[2], want[16];
	int b;

	(void)state;
	for (b = 1; b < 256; b++) {
		in[0] = (char)b;
		in[1] = '\0';

		if (b == '"' || b == '\\')
			snprintf(want, sizeof(want), "\\%c", b);
		else if (b == '\b' || b == '\f' || b == '\n' || b == '\r' || b == '\t')
			snprintf(want, sizeof(want), "\\%c",
				 b == '\b'   ? 'b'
				 : b == '\f' ? 'f'
				 : b == '\n' ? 'n'
				 : b == '\r' ? 'r'
					     : 't');
		else if (b < 0x20 || b == 0x7f)
			snprintf(want, sizeof(want), "\\u%04x", b);
		else if (b >= 0x80)
			snprintf(want, sizeof(want), "%s", RFC);
		else
			snprintf(want, sizeof(want), "%c", b);
		assert_string_equal(esc(ESCAPE_JSON, in, 1), want);
		assert_json_safe(esc(ESCAPE_JSON, in, 1));

		if (b == '\\')
			snprintf(want, sizeof(want), "\\\\");
		else if (b == 0x1b)
			snprintf(want, sizeof(want), "\\e");
		else if (b == '\n' || b == '\t' || b == '\r')
			snprintf(want, sizeof(want), "\\%c",
				 b == '\n'   ? 'n'
				 : b == '\t' ? 't'
					     : 'r');
		else if (b < 0x20 || b >= 0x7f)
			snprintf(want, sizeof(want), "\\x%02x", b);
		else
			snprintf(want, sizeof(want), "%c", b);
		assert_string_equal(esc(ESCAPE_TEXT, in, 1), want);
		assert_text_safe(esc(ESCAPE_TEXT, in, 1));
	}
}

/* All bytes 1..255 in one run, forwards and backwards: the result stays safe. */
static void test_every_byte_together(void **state)
{
	char in[256];
	int i;

	(void)state;
	for (i = 0; i < 255; i++)
		in[i] = (char)(i + 1);
	in[255] = '\0';
	assert_json_safe(esc(ESCAPE_JSON, in, 255));
	assert_text_safe(esc(ESCAPE_TEXT, in, 255));
	for (i = 0; i < 255; i++)
		in[i] = (char)(255 - i);
	assert_json_safe(esc(ESCAPE_JSON, in, 255));
	assert_text_safe(esc(ESCAPE_TEXT, in, 255));
}

static void test_valid_utf8_passes(void **state)
{
	static const char *const ok[] = {
		"\xc3\xa9",	    /* U+00E9 */
		"\xc2\xa0",	    /* U+00A0, first above C1 */
		"\xe2\x82\xac",	    /* U+20AC */
		"\xed\x9f\xbf",	    /* U+D7FF, just below the surrogates */
		"\xee\x80\x80",	    /* U+E000, just above */
		"\xef\xbf\xbf",	    /* U+FFFF */
		"\xf0\x9f\x98\x80", /* U+1F600 */
		"\xf4\x8f\xbf\xbf", /* U+10FFFF */
		"\xe4\xb8\xad\xe6\x96\x87",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_string_equal(esc(ESCAPE_JSON, ok[i], 16), ok[i]);
		assert_string_equal(esc(ESCAPE_TEXT, ok[i], 16), ok[i]);
	}
}

/* Each case: input, bytes in it; every byte must turn into one U+FFFD / one \xNN. */
static void check_all_bad(const char *in)
{
	char want_json[64], want_text[64];
	size_t i, n = strlen(in);

	assert_true(n * 4 < sizeof(want_json));
	for (i = 0; i < n; i++) {
		memcpy(want_json + 3 * i, RFC, 3);
		snprintf(want_text + 4 * i, 5, "\\x%02x", (unsigned char)in[i]);
	}
	want_json[3 * n] = '\0';
	want_text[4 * n] = '\0';
	assert_string_equal(esc(ESCAPE_JSON, in, n), want_json);
	assert_string_equal(esc(ESCAPE_TEXT, in, n), want_text);
}

static void test_overlong_rejected(void **state)
{
	(void)state;
	check_all_bad("\xc0\x80"); /* NUL in two bytes */
	check_all_bad("\xc0\xaf"); /* '/' in two bytes */
	check_all_bad("\xc1\xbf");
	check_all_bad("\xe0\x80\x80");
	check_all_bad("\xe0\x9f\xbf"); /* U+07FF in three bytes */
	check_all_bad("\xf0\x80\x80\x80");
	check_all_bad("\xf0\x8f\xbf\xbf"); /* U+FFFF in four bytes */
}

static void test_surrogates_and_range_rejected(void **state)
{
	(void)state;
	check_all_bad("\xed\xa0\x80");		   /* U+D800 */
	check_all_bad("\xed\xbf\xbf");		   /* U+DFFF */
	check_all_bad("\xed\xa0\xbd\xed\xb8\x80"); /* a CESU-8 pair */
	check_all_bad("\xf4\x90\x80\x80");	   /* U+110000 */
	check_all_bad("\xf5\x80\x80\x80");
	check_all_bad("\xf8\x88\x80\x80\x80");
	check_all_bad("\xfe\xff");
	check_all_bad("\x80\xbf"); /* lone continuations */
}

static void test_truncated_sequences(void **state)
{
	(void)state;
	check_all_bad("\xe2\x82");
	check_all_bad("\xf0\x9f\x98");
	check_all_bad("\xc3");
	/* A good byte after a cut sequence survives. */
	assert_string_equal(esc(ESCAPE_JSON,
				"\xe2\x82"
				"A",
				8),
			    RFC RFC "A");
	assert_string_equal(esc(ESCAPE_TEXT,
				"\xe2\x82"
				"A",
				8),
			    "\\xe2\\x82A");
	/* len cuts a valid sequence: what is left is invalid. */
	assert_string_equal(esc(ESCAPE_JSON, "\xc3\xa9", 1), RFC);
	assert_string_equal(esc(ESCAPE_JSON, "\xf0\x9f\x98\x80", 3), RFC RFC RFC);
	/* A NUL inside a sequence ends the string there. */
	assert_string_equal(esc(ESCAPE_TEXT, "\xe2\0\xac", 3), "\\xe2");
}

static void test_c1_controls(void **state)
{
	(void)state;
	/* Valid UTF-8, so JSON keeps them; a terminal might obey CSI (U+009B), so text does not. */
	assert_string_equal(esc(ESCAPE_JSON,
				"\xc2\x9b"
				"2J",
				8),
			    "\xc2\x9b"
			    "2J");
	assert_string_equal(esc(ESCAPE_TEXT,
				"\xc2\x9b"
				"2J",
				8),
			    "\\xc2\\x9b2J");
	assert_string_equal(esc(ESCAPE_TEXT, "\xc2\x80", 8), "\\xc2\\x80");
}

static void test_nul_stops(void **state)
{
	(void)state;
	assert_string_equal(esc(ESCAPE_JSON, "ab\0cd", 5), "ab");
	assert_string_equal(esc(ESCAPE_TEXT, "ab\0cd", 5), "ab");
	assert_string_equal(esc(ESCAPE_JSON, "abcdef", 3), "abc");
}

static void test_truncation_by_outlen(void **state)
{
	char out[16];

	(void)state;
	/* Returns the full length like snprintf, and never splits an escape. */
	memset(out, 'X', sizeof(out));
	assert_int_equal(escape_str(ESCAPE_JSON, "a\nb", 8, out, 3), 4);
	assert_string_equal(out, "a");
	assert_int_equal(escape_str(ESCAPE_JSON, "a\nb", 8, out, 4), 4);
	assert_string_equal(out, "a\\n");
	assert_int_equal(escape_str(ESCAPE_JSON, "a\nb", 8, out, 5), 4);
	assert_string_equal(out, "a\\nb");

	/* U+FFFD is three bytes: all or none. */
	assert_int_equal(escape_str(ESCAPE_JSON,
				    "\xff"
				    "z",
				    8, out, 3),
			 4);
	assert_string_equal(out, "");
	assert_int_equal(escape_str(ESCAPE_TEXT,
				    "\x01"
				    "z",
				    8, out, 4),
			 5);
	assert_string_equal(out, "");
	assert_int_equal(escape_str(ESCAPE_TEXT,
				    "\x01"
				    "z",
				    8, out, 5),
			 5);
	assert_string_equal(out, "\\x01");

	/* Once an escape is dropped, a shorter later piece must not slip in after the gap. */
	assert_int_equal(escape_str(ESCAPE_TEXT,
				    "ab\x01"
				    "c",
				    8, out, 4),
			 7);
	assert_string_equal(out, "ab");

	/* A valid multibyte character is not split either. */
	assert_int_equal(escape_str(ESCAPE_JSON, "a\xe2\x82\xac", 8, out, 3), 4);
	assert_string_equal(out, "a");

	memset(out, 'X', sizeof(out));
	assert_int_equal(escape_str(ESCAPE_JSON, "abc", 8, out, 1), 3);
	assert_int_equal(out[0], '\0');
	assert_int_equal(out[1], 'X');
	memset(out, 'X', sizeof(out));
	assert_int_equal(escape_str(ESCAPE_JSON, "abc", 8, out, 0), 3);
	assert_int_equal(out[0], 'X');
	assert_int_equal(escape_str(ESCAPE_JSON, "\x01\x01", 8, NULL, 0), 12);
}

static void test_fputs_matches_str(void **state)
{
	char in[256], *mem = NULL;
	size_t memlen = 0;
	int i, m;
	FILE *f;

	(void)state;
	for (i = 0; i < 255; i++)
		in[i] = (char)(255 - i);
	in[255] = '\0';
	for (m = 0; m < 2; m++) {
		enum escape_mode mode = m ? ESCAPE_TEXT : ESCAPE_JSON;

		f = open_memstream(&mem, &memlen);
		assert_non_null(f);
		assert_int_equal(escape_fputs(mode, in, sizeof(in), f), 0);
		assert_int_equal(fclose(f), 0);
		assert_string_equal(mem, esc(mode, in, sizeof(in)));
		free(mem);
		mem = NULL;
	}
}

static void test_fputs_reports_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(escape_fputs(ESCAPE_TEXT, "hello", 5, f), -1);
	assert_true(ferror(f));
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_passes),
		cmocka_unit_test(test_json_specials),
		cmocka_unit_test(test_text_specials),
		cmocka_unit_test(test_every_byte_alone),
		cmocka_unit_test(test_every_byte_together),
		cmocka_unit_test(test_valid_utf8_passes),
		cmocka_unit_test(test_overlong_rejected),
		cmocka_unit_test(test_surrogates_and_range_rejected),
		cmocka_unit_test(test_truncated_sequences),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_nul_stops),
		cmocka_unit_test(test_truncation_by_outlen),
		cmocka_unit_test(test_fputs_matches_str),
		cmocka_unit_test(test_fputs_reports_error),
	};

	return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
