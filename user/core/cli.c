/* cli.c - parsing of option values shared by the commands; strict: trailing junk, overflow,
 * zero (but for an age threshold) and negative durations are all errors.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"

static int parse_duration(const char *s, uint64_t *ns, bool allow_zero)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
		{ "ns", 1 },   { "us", 1e3 },	{ "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 }, { "", 1e9 },
	};
	char *end;
	double v;
	size_t i;

	if (!s || !*s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v != v)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			double r = v * units[i].mult;

			if ((r < 1 && !(allow_zero && r == 0)) || r > 1e18)
				return -EINVAL;
			*ns = (uint64_t)(r + 0.5); /* 1.001s is 1000999999.99... in binary */
			return 0;
		}
	}
	return -EINVAL;
}

int cli_parse_duration(const char *s, uint64_t *ns)
{
	return parse_duration(s, ns, false);
}

int cli_parse_age(const char *s, uint64_t *ns)
{
	return parse_duration(s, ns, true);
}

int cli_parse_pid(const char *s, uint32_t *pid)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*pid = (uint32_t)v;
	return 0;
}

int cli_parse_uid(const char *s, uint32_t *uid)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)s[0])) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v >= UINT32_MAX)
			return -EINVAL;
		*uid = (uint32_t)v;
		return 0;
	}
	pw = getpwnam(s);
	if (!pw)
		return -ENOENT;
	*uid = pw->pw_uid;
	return 0;
}

const char *cli_printable(const char *s, char *buf, size_t len)
{
	escape_str(ESCAPE_TEXT, s, 256, buf, len); /* stops at the NUL, 256 bytes at most */
	return buf;
}

const char *cli_q(const char *s)
{
	static char buf[128];

	return cli_printable(s, buf, sizeof(buf));
}

void cli_option_error(int c, char **argv, const char *hint, char *buf, size_t len)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;
	const char *eq;
	char q[128];

	if (c == ':')
		snprintf(buf, len, "option %s needs a value (%s)",
			 cli_printable(arg ? arg : "?", q, sizeof(q)), hint);
	else if (arg && !strncmp(arg, "--", 2) && (eq = strchr(arg, '=')) && optopt)
		/* A known long option that takes no value, given one: getopt says only '?'. */
		snprintf(buf, len, "option '%.*s' takes no value (%s)", (int)(eq - arg),
			 cli_printable(arg, q, sizeof(q)), hint);
	else if (optopt > 32 && optopt < 127)
		snprintf(buf, len, "unknown option '-%c' (%s)", optopt, hint);
	else
		snprintf(buf, len, "unknown option '%s' (%s)",
			 cli_printable(arg ? arg : "?", q, sizeof(q)), hint);
}
