/* opts.c - the table-driven command-line reader (opts.h) over getopt_long. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"

void opts_bad_value(const char *label, const char *bad, const char *value, char *err, size_t len)
{
	const char *hole = strstr(bad, "%s");
	char q[128];

	if (!hole) {
		snprintf(err, len, "%s: %s", label, bad);
		return;
	}
	snprintf(err, len, "%s: %.*s%s%s", label, (int)(hole - bad), bad,
		 cli_printable(value, q, sizeof(q)), hole + 2);
}

static bool takes_value(enum opt_kind k)
{
	return k != OPT_FLAG && k != OPT_COUNT && k != OPT_STOP;
}

/* getopt_long's short string and long table from the rows. -1 when they do not fit. */
static int build_getopt(const struct opt *rows, size_t n, const struct opts_conf *c, char *shorts,
			size_t slen, struct option *longs)
{
	size_t i, s = 0, l = 0;

	if (c->stop_at_operand)
		shorts[s++] = '+';
	shorts[s++] = ':'; /* a missing value is told apart from an unknown option */
	for (i = 0; i < n; i++) {
		if (rows[i].key < OPT_LONG_ONLY) {
			if (s + 3 > slen)
				return -1;
			shorts[s++] = (char)rows[i].key;
			if (takes_value(rows[i].kind))
				shorts[s++] = ':';
		}
		if (rows[i].name && !c->short_only)
			longs[l++] = (struct option){ rows[i].name,
						      takes_value(rows[i].kind) ? required_argument
										: no_argument,
						      NULL, rows[i].key };
	}
	shorts[s] = '\0';
	longs[l] = (struct option){ NULL, 0, NULL, 0 };
	return 0;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* One option's value into its row's destination: 0, or -1 with the message in err. */
static int take(const struct opt *r, const char *value, char *err, size_t len)
{
	char label[64];
	int bad = 0;

	switch (r->kind) {
	case OPT_FLAG:
		*(bool *)r->dst = true;
		return 0;
	case OPT_COUNT:
		if (!r->max || *(int *)r->dst < (int)r->max)
			++*(int *)r->dst;
		return 0;
	case OPT_STOP:
		*(int *)r->dst = r->key;
		return 0;
	case OPT_TEXT:
		bad = r->bad && !*value;
		if (!bad)
			*(const char **)r->dst = value;
		break;
	case OPT_DURATION:
		bad = cli_parse_duration(value, r->dst) != 0;
		break;
	case OPT_AGE:
		bad = cli_parse_age(value, r->dst) != 0;
		break;
	case OPT_ULONG:
		bad = parse_ulong(value, r->max, r->dst) != 0;
		break;
	case OPT_PID:
		bad = cli_parse_pid(value, r->dst) != 0;
		break;
	case OPT_CALL:
		err[0] = '\0';
		if (!r->call(r->dst, r->key, value, err, len))
			return 0;
		bad = !err[0]; /* the callback said nothing: the row's message */
		if (!bad)
			return -1;
		break;
	}
	if (!bad)
		return 0;
	/* The message names the option as given in the row, else by its long name. */
	snprintf(label, sizeof(label), "--%s", r->name ? r->name : "?");
	opts_bad_value(r->label ? r->label : label, r->bad ? r->bad : "'%s' is not valid", value,
		       err, len);
	return -1;
}

int opts_parse(const struct opt *rows, size_t n, const struct opts_conf *c, int argc, char **argv,
	       char *err, size_t len)
{
	struct option longs[OPTS_MAX + 1];
	char shorts[2 * OPTS_MAX + 3], q[128];
	size_t i;
	int key;

	if (n > OPTS_MAX || build_getopt(rows, n, c, shorts, sizeof(shorts), longs)) {
		snprintf(err, len, "internal error: too many options");
		return -1;
	}
	opterr = 0;
	optind = 0; /* a full reset: getopt keeps "+" and its scan position otherwise */
	while ((key = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		for (i = 0; i < n && rows[i].key != key; i++)
			;
		if (key == ':' || key == '?' || i == n) {
			cli_option_error(key, argv, c->hint, err, len);
			return -1;
		}
		if (take(&rows[i], optarg, err, len))
			return -1;
		if (rows[i].kind == OPT_STOP)
			return optind;
	}
	if (!c->operands && optind < argc) {
		snprintf(err, len, "unexpected argument '%s'",
			 cli_printable(argv[optind], q, sizeof(q)));
		return -1;
	}
	return optind;
}
