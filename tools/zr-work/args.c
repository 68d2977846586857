/* args.c - zr-work's argument parsing: counts, signals, C-escaped strings. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

unsigned long parse_num(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	if (!s)
		die_usage("%s: missing value", what);
	if (!isdigit((unsigned char)s[0]))
		die_usage("%s: not a number: '%s'", what, s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		die_usage("%s: bad value '%s' (0..%lu)", what, s, max);
	return v;
}

/* A signal by number or name (SEGV, SIGSEGV, segv). Real-time ones by number only. */
int parse_signal(const char *s)
{
	const char *name = s;

	if (!s)
		die_usage("signal: missing value");
	if (isdigit((unsigned char)s[0])) {
		unsigned long v = parse_num(s, "signal", (unsigned long)SIGRTMAX);

		if (v == 0)
			die_usage("signal: bad value '%s'", s);
		return (int)v;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcasecmp(abbrev, name) == 0)
			return sig;
	}
	die_usage("unknown signal '%s'", s);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* C escapes into out (NUL-terminated); a \x00 would end the string, so it is refused. */
void unescape(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	while (*in) {
		char c = *in++;

		if (c == '\\') {
			char e = *in++;

			switch (e) {
			case 'e':
				c = 0x1b;
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'a':
				c = '\a';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'v':
				c = '\v';
				break;
			case '\\':
				c = '\\';
				break;
			case 'x': {
				int hi = hexval(in[0]);
				int lo = hi < 0 ? -1 : hexval(in[1]);

				if (hi < 0)
					die_usage("comm: \\x needs hex digits");
				if (lo < 0) {
					c = (char)hi;
					in += 1;
				} else {
					c = (char)(hi * 16 + lo);
					in += 2;
				}
				if (c == 0)
					die_usage("comm: \\x00 is not allowed");
				break;
			}
			default:
				die_usage("comm: unknown escape '\\%c'", e ? e : '0');
			}
		}
		if (o + 1 >= outlen)
			die_usage("comm: too long");
		out[o++] = c;
	}
	out[o] = '\0';
}
