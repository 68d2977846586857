/* test_opts.c - opts.c: every row kind into its destination, the usage error each bad value
 * gets (value quoted safe), unknown and valueless options, operands, "+" and short-only mode.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "opts.h"

struct dest {
	bool once;
	int verbose, stop;
	const char *path, *name;
	uint64_t step_ns, age_ns;
	unsigned long rate;
	int calls;
};

static int take_name(void *dst, int key, const char *value, char *err, size_t len)
{
	struct dest *d = dst;

	(void)key;
	if (!strcmp(value, "bad")) {
		opts_bad_value("-n", "'%s' is refused", value, err, len);
		return -1;
	}
	d->name = value;
	d->calls++;
	return 0;
}

enum { K_STEP = OPT_LONG_ONLY, K_AGE, K_RATE, K_PATH };

/* The rows of a made-up command writing into d. */
#define ROWS(d)                                                                                    \
	struct opt rows[] = {                                                                      \
		{ "once", '1', OPT_FLAG, &(d)->once, NULL, NULL, 0, NULL },                        \
		{ "verbose", 'v', OPT_COUNT, &(d)->verbose, NULL, NULL, 2, NULL },                 \
		{ "step", K_STEP, OPT_DURATION, &(d)->step_ns, "'%s' is not a duration", NULL, 0,  \
		  NULL },                                                                          \
		{ "age", K_AGE, OPT_AGE, &(d)->age_ns, "'%s' is not an age", NULL, 0, NULL },      \
		{ "rate", K_RATE, OPT_ULONG, &(d)->rate, "'%s' is not 0 to 100", NULL, 100,        \
		  NULL },                                                                          \
		{ "path", K_PATH, OPT_TEXT, &(d)->path, "an empty path", NULL, 0, NULL },          \
		{ NULL, 'n', OPT_CALL, (d), NULL, NULL, 0, take_name },                            \
		{ "help", 'h', OPT_STOP, &(d)->stop, NULL, NULL, 0, NULL },                        \
	}

/* Parses a copy of args (getopt may permute argv; literals are read-only). */
static int parse(struct dest *d, const struct opts_conf *c, const char **args, char *err,
		 size_t len)
{
	static char store[16][64];
	char *argv[17];
	int argc = 0;

	ROWS(d);
	for (; argc < 16 && args[argc]; argc++) {
		snprintf(store[argc], sizeof(store[argc]), "%s", args[argc]);
		argv[argc] = store[argc];
	}
	argv[argc] = NULL;
	memset(d, 0, sizeof(*d));
	err[0] = '\0';
	return opts_parse(rows, sizeof(rows) / sizeof(rows[0]), c, argc, argv, err, len);
}

static const struct opts_conf conf = { "try: x --help", false, false, false };

static void test_every_kind(void **state)
{
	const char *argv[] = { "x",   "--once", "-vvv", "--step", "2s",	  "--age=0", "--rate",
			       "100", "--path", "/a b", "-n",	  "init", NULL };
	struct dest d;
	char err[200];

	(void)state;
	assert_int_equal(parse(&d, &conf, argv, err, sizeof(err)), 12);
	assert_true(d.once);
	assert_int_equal(d.verbose, 2); /* capped at max */
	assert_int_equal(d.step_ns, 2000000000ULL);
	assert_int_equal(d.age_ns, 0);
	assert_int_equal(d.rate, 100);
	assert_string_equal(d.path, "/a b");
	assert_string_equal(d.name, "init");
	assert_int_equal(d.calls, 1);
	assert_string_equal(err, "");
}

static void test_bad_values(void **state)
{
	const char *step[] = { "x", "--step", "0", NULL };
	const char *rate[] = { "x", "--rate", "101", NULL };
	const char *neg[] = { "x", "--rate", "-1", NULL };
	const char *path[] = { "x", "--path", "", NULL };
	const char *esc[] = { "x", "--age", "\033[2J", NULL };
	const char *call[] = { "x", "-n", "bad", NULL };
	struct dest d;
	char err[200];

	(void)state;
	assert_int_equal(parse(&d, &conf, step, err, sizeof(err)), -1);
	assert_string_equal(err, "--step: '0' is not a duration");
	assert_int_equal(parse(&d, &conf, rate, err, sizeof(err)), -1);
	assert_string_equal(err, "--rate: '101' is not 0 to 100");
	assert_int_equal(parse(&d, &conf, neg, err, sizeof(err)), -1);
	assert_int_equal(parse(&d, &conf, path, err, sizeof(err)), -1);
	assert_string_equal(err, "--path: an empty path");
	assert_int_equal(parse(&d, &conf, esc, err, sizeof(err)), -1);
	assert_null(strchr(err, '\033')); /* the value never reaches a terminal raw */
	assert_int_equal(parse(&d, &conf, call, err, sizeof(err)), -1);
	assert_string_equal(err, "-n: 'bad' is refused");
}

static void test_unknown_missing_and_operands(void **state)
{
	const char *unknown[] = { "x", "--nope", NULL };
	const char *missing[] = { "x", "--step", NULL };
	const char *valued[] = { "x", "--once=1", NULL };
	const char *operand[] = { "x", "--once", "extra", NULL };
	struct dest d;
	char err[200];

	(void)state;
	assert_int_equal(parse(&d, &conf, unknown, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown option '--nope' (try: x --help)");
	assert_int_equal(parse(&d, &conf, missing, err, sizeof(err)), -1);
	assert_string_equal(err, "option --step needs a value (try: x --help)");
	assert_int_equal(parse(&d, &conf, valued, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "takes no value"));
	assert_int_equal(parse(&d, &conf, operand, err, sizeof(err)), -1);
	assert_string_equal(err, "unexpected argument 'extra'");
}

static void test_stop_and_operand_modes(void **state)
{
	static const struct opts_conf plus = { "h", true, true, false };
	static const struct opts_conf tini = { "h", true, true, true };
	const char *help[] = { "x", "-h", "--nope", NULL };
	const char *cmd[] = { "x", "-v", "sleep", "-n", "bad", NULL };
	const char *longopt[] = { "x", "--once", "sleep", NULL };
	struct dest d;
	char err[200];

	(void)state;
	assert_int_equal(parse(&d, &conf, help, err, sizeof(err)), 2); /* stops before --nope */
	assert_int_equal(d.stop, 'h');
	/* "+": the command's own options are left alone, even twice in a row (full reset). */
	assert_int_equal(parse(&d, &plus, cmd, err, sizeof(err)), 2);
	assert_int_equal(parse(&d, &plus, cmd, err, sizeof(err)), 2);
	assert_int_equal(d.verbose, 1);
	assert_int_equal(d.calls, 0);
	assert_int_equal(parse(&d, &tini, longopt, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown option '--once' (h)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_unknown_missing_and_operands),
		cmocka_unit_test(test_stop_and_operand_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
