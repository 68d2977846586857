/* log.c - diagnostics for people: one "zreaper: ..." line per message on stderr, never stdout. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

int log_verbosity = LOG_WARN;

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char prefix[] = "zreaper: ";
	/* Big enough for a verifier line; longer messages are cut rather than split. */
	char line[2048];
	size_t n = sizeof(prefix) - 1;
	int saved = errno, len;
	va_list ap;

	if ((int)lvl > log_verbosity)
		return;
	memcpy(line, prefix, n);
	va_start(ap, fmt);
	len = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	n += (size_t)len < sizeof(line) - n - 1 ? (size_t)len : sizeof(line) - n - 2;
	line[n++] = '\n';
	/* One write per message, so lines from several processes never interleave mid-line. */
	fwrite(line, 1, n, stderr);
	errno = saved;
}

int log_finish_stdout(int rc, int fail_rc)
{
	int failed = fflush(stdout) != 0 || ferror(stdout);

	if (!failed)
		return rc;
	zr_err("writing to standard output: %s", strerror(errno ? errno : EIO));
	return fail_rc;
}
