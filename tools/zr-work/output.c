/* output.c - zr-work's errors and the "<role> <pid>" lines it prints. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

/* "zr-work: <message>" on stderr, the line's end left to the caller. */
__attribute__((format(printf, 1, 0))) static void say(const char *fmt, va_list ap)
{
	fputs("zr-work: ", stderr);
	vfprintf(stderr, fmt, ap);
}

__attribute__((format(printf, 1, 2), noreturn)) void die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	fputs(" (see zr-work --help)\n", stderr);
	exit(2);
}

__attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* "<role> <id>\n" in one write(2), formatted without stdio (callable after fork, in threads). */
void emit(const char *role, long id)
{
	char buf[64];
	char num[24];
	size_t len = 0, nlen = 0;
	unsigned long v = id < 0 ? 0 : (unsigned long)id;

	while (*role && len < 32)
		buf[len++] = *role++;
	buf[len++] = ' ';
	do {
		num[nlen++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (nlen)
		buf[len++] = num[--nlen];
	buf[len++] = '\n';
	if (fd_write_all(STDOUT_FILENO, buf, len) < 0)
		_exit(1); /* stdout gone: the caller can no longer learn what was made */
}
