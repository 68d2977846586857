/* test_jsonw.c - jsonw.c, the JSON line writer: comma placement, nesting, escaping, splicing
 * pre-rendered members, growth past the inline buffer, detach and release. Running out of
 * memory (has_failed) is not provoked here: nothing in the writer can be made to fail on cue.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jsonw.h"

/* Numbers are formatted by hand: the edges printf would get right. */
static void test_number_edges(void **state)
{
	struct jsonw w;

	(void)state;
	jsonw_init(&w);
	jsonw_int(&w, "a", INT_MIN);
	jsonw_int(&w, "b", INT_MAX);
	jsonw_int(&w, "c", 0);
	jsonw_u64(&w, "d", 0);
	jsonw_u64(&w, "e", 10);
	jsonw_key(&w, "f");
	jsonw_raw(&w, "\"");
	jsonw_uint(&w, 42);
	jsonw_raw(&w, ":");
	jsonw_uint(&w, 1000000007);
	jsonw_raw(&w, "\"");
	jsonw_key(&w, "g");
	jsonw_sint(&w, INT64_MIN);
	jsonw_key(&w, "h");
	jsonw_sint(&w, -1);
	assert_string_equal(jsonw_text(&w), "\"a\":-2147483648,\"b\":2147483647,\"c\":0,\"d\":0,"
					    "\"e\":10,\"f\":\"42:1000000007\","
					    "\"g\":-9223372036854775808,\"h\":-1");
	assert_int_equal(jsonw_len(&w), strlen(jsonw_text(&w)));
	jsonw_release(&w);
}

/* The digits are written in parts of 8, 4, 2 and 1 after counting them: every length and
 * every part boundary (each power of ten and its neighbours), as printf writes them. */
static void test_number_lengths(void **state)
{
	char want[32];
	uint64_t p = 1;
	int i, d;

	(void)state;
	for (i = 0; i < 20; i++, p *= 10) {
		for (d = -1; d <= 1; d++) {
			uint64_t v = p + (uint64_t)(int64_t)d;
			struct jsonw w;

			jsonw_init(&w);
			jsonw_raw(&w, "[");
			jsonw_uint(&w, v);
			snprintf(want, sizeof(want), "[%" PRIu64, v);
			assert_string_equal(jsonw_text(&w), want);
			assert_int_equal(jsonw_len(&w), strlen(want));
			jsonw_release(&w);
		}
	}
}

static void test_members_and_commas(void **state)
{
	struct jsonw w;

	(void)state;
	jsonw_init(&w);
	assert_string_equal(jsonw_text(&w), "");
	assert_int_equal(jsonw_len(&w), 0);
	jsonw_raw(&w, "{");
	jsonw_u64(&w, "a", UINT64_MAX);
	jsonw_int(&w, "b", -7);
	jsonw_bool(&w, "c", true);
	jsonw_bool(&w, "d", false);
	jsonw_null(&w, "e");
	jsonw_str(&w, "f", "x", SIZE_MAX);
	jsonw_str(&w, "g", NULL, SIZE_MAX);
	jsonw_raw(&w, "}");
	assert_string_equal(jsonw_text(&w), "{\"a\":18446744073709551615,\"b\":-7,\"c\":true,"
					    "\"d\":false,\"e\":null,\"f\":\"x\",\"g\":null}");
	assert_int_equal(jsonw_len(&w), strlen(jsonw_text(&w)));
	assert_false(jsonw_has_failed(&w));
	jsonw_release(&w);
}

/* Members alone (no braces), as summary.c builds them for the summary line. */
static void test_bare_members(void **state)
{
	struct jsonw w;

	(void)state;
	jsonw_init(&w);
	jsonw_u64(&w, "lost", 0);
	jsonw_int(&w, "n", 2);
	assert_string_equal(jsonw_text(&w), "\"lost\":0,\"n\":2");
	jsonw_release(&w);

	jsonw_init(&w);
	jsonw_obj_begin(&w, "counts");
	jsonw_u64(&w, "fork", 3);
	jsonw_u64(&w, "exit", 2);
	jsonw_obj_end(&w);
	jsonw_u64(&w, "lost", 0);
	assert_string_equal(jsonw_text(&w), "\"counts\":{\"fork\":3,\"exit\":2},\"lost\":0");
	jsonw_release(&w);
}

static void test_nesting(void **state)
{
	struct jsonw w;

	(void)state;
	jsonw_init(&w);
	jsonw_obj_begin(&w, NULL);
	jsonw_arr_begin(&w, "empty");
	jsonw_arr_end(&w);
	jsonw_obj_begin(&w, "none");
	jsonw_obj_end(&w);
	jsonw_arr_begin(&w, "list");
	jsonw_next(&w);
	jsonw_printf(&w, "%d", 1);
	jsonw_next(&w);
	jsonw_string(&w, "two", SIZE_MAX);
	jsonw_obj_begin(&w, NULL);
	jsonw_u64(&w, "k", 3);
	jsonw_obj_end(&w);
	jsonw_arr_begin(&w, NULL);
	jsonw_arr_end(&w);
	jsonw_next(&w);
	jsonw_string(&w, NULL, SIZE_MAX);
	jsonw_arr_end(&w);
	jsonw_u64(&w, "after", 4);
	jsonw_obj_end(&w);
	assert_string_equal(jsonw_text(&w),
			    "{\"empty\":[],\"none\":{},\"list\":[1,\"two\",{\"k\":3},"
			    "[],null],\"after\":4}");
	jsonw_release(&w);
}

static void test_escaping(void **state)
{
	struct jsonw w;

	(void)state;
	jsonw_init(&w);
	jsonw_raw(&w, "{");
	jsonw_str(&w, "q", "a\"b\\c", SIZE_MAX);
	jsonw_str(&w, "ctl", "\x01\t\n\x1b\x7f", SIZE_MAX);
	jsonw_str(&w, "bad", "\xff\xc3", SIZE_MAX);
	jsonw_str(&w, "utf8", "h\xc3\xa9", SIZE_MAX);
	jsonw_str(&w, "max", "abcdef", 3);
	jsonw_str(&w, "empty", "", SIZE_MAX);
	jsonw_raw(&w, "}");
	assert_string_equal(jsonw_text(&w),
			    "{\"q\":\"a\\\"b\\\\c\",\"ctl\":\"\\u0001\\t\\n\\u001b\\u007f\","
			    "\"bad\":\"\xef\xbf\xbd\xef\xbf\xbd\",\"utf8\":\"h\xc3\xa9\","
			    "\"max\":\"abc\",\"empty\":\"\"}");
	jsonw_release(&w);
}

static void test_splice(void **state)
{
	struct jsonw w;

	(void)state;
	jsonw_init(&w);
	jsonw_raw(&w, "{");
	jsonw_members(&w, "\"first\":1");
	jsonw_members(&w, NULL);
	jsonw_members(&w, "");
	jsonw_u64(&w, "seq", 2);
	jsonw_members(&w, "\"counts\":{\"a\":1},\"lost\":0");
	jsonw_raw(&w, "}");
	assert_string_equal(jsonw_text(&w),
			    "{\"first\":1,\"seq\":2,\"counts\":{\"a\":1},\"lost\":0}");
	jsonw_release(&w);
}

/* Past the inline buffer the text moves to the heap, intact, and keeps growing. */
static void test_growth(void **state)
{
	struct jsonw w;
	char *big, want[32];
	size_t i, n = JSONW_INLINE * 3;

	(void)state;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 0x01, n); /* each byte escapes to six */
	big[n] = '\0';
	jsonw_init(&w);
	jsonw_raw(&w, "{");
	for (i = 0; i < 200; i++) {
		snprintf(want, sizeof(want), "k%zu", i);
		jsonw_u64(&w, want, i);
	}
	assert_true(jsonw_len(&w) < JSONW_INLINE);
	jsonw_str(&w, "big", big, SIZE_MAX);
	jsonw_printf(&w, ",\"pad\":\"%0*d\"", JSONW_INLINE * 2, 7);
	jsonw_u64(&w, "last", 9);
	jsonw_raw(&w, "}");
	assert_false(jsonw_has_failed(&w));
	assert_true(jsonw_len(&w) > n * 6 + JSONW_INLINE * 2);
	assert_int_equal(strlen(jsonw_text(&w)), jsonw_len(&w));
	assert_true(!strncmp(jsonw_text(&w), "{\"k0\":0,\"k1\":1,\"k2\":2,", 22));
	assert_non_null(strstr(jsonw_text(&w), ",\"k199\":199,\"big\":\"\\u0001\\u0001"));
	assert_non_null(strstr(jsonw_text(&w), "\\u0001\",\"pad\":\"0000"));
	assert_non_null(strstr(jsonw_text(&w), "00007\",\"last\":9}"));
	jsonw_release(&w);
	/* Released: empty again and reusable. */
	assert_int_equal(jsonw_len(&w), 0);
	jsonw_u64(&w, "again", 1);
	assert_string_equal(jsonw_text(&w), "\"again\":1");
	jsonw_release(&w);
	jsonw_release(NULL);
	free(big);
}

/* Truncation takes a line back, or empties a batch, keeping the memory and clearing a
 * failure. */
static void test_truncate(void **state)
{
	struct jsonw w;
	char big[JSONW_INLINE * 2];
	size_t at;

	(void)state;
	jsonw_init(&w);
	jsonw_raw(&w, "{\"a\":1}\n");
	at = jsonw_len(&w);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jsonw_str(&w, "b", big, SIZE_MAX); /* onto the heap */
	jsonw_truncate(&w, at);
	assert_string_equal(jsonw_text(&w), "{\"a\":1}\n");
	w.has_failed = true;
	jsonw_truncate(&w, at + 100); /* past the end: the length stays */
	assert_false(jsonw_has_failed(&w));
	assert_int_equal(jsonw_len(&w), at);
	jsonw_truncate(&w, 0);
	assert_string_equal(jsonw_text(&w), "");
	jsonw_raw(&w, "{}");
	assert_string_equal(jsonw_text(&w), "{}");
	jsonw_release(&w);
}

static void test_detach(void **state)
{
	struct jsonw w;
	char *s, big[JSONW_INLINE + 1];

	(void)state;
	jsonw_init(&w);
	jsonw_u64(&w, "lost", 0);
	s = jsonw_detach(&w);
	assert_string_equal(s, "\"lost\":0");
	assert_int_equal(jsonw_len(&w), 0);
	free(s);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jsonw_str(&w, "s", big, SIZE_MAX);
	s = jsonw_detach(&w);
	assert_non_null(s);
	assert_int_equal(strlen(s), JSONW_INLINE + 6);
	assert_string_equal(jsonw_text(&w), "");
	free(s);
	jsonw_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_and_commas),
		cmocka_unit_test(test_number_edges),
		cmocka_unit_test(test_number_lengths),
		cmocka_unit_test(test_bare_members),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_detach),
	};

	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
