/* bpf_log.c - libbpf's messages: into log.c, and the reason of a failed load kept. */
#define _GNU_SOURCE /* memmem */ /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) \
				  */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpf_log.h"
#include "escape.h"
#include "log.h"

static int print_verbosity;
static char last_error[256];	/* libbpf's last "prog '...': ..." line */
static char failed_prog[64];	/* the program that line names */
static char verifier_line[160]; /* the verifier's last meaningful line about it */

/* Lines at the end of a verifier log that say nothing about the rejection. */
static bool is_log_noise(const char *l, size_t n)
{
	static const char *const noise[] = { "processed ", "verification time", "stack depth",
					     "-- END PROG LOAD LOG", "max_states_per_insn" };
	size_t i;

	if (!n || memmem(l, n, "BEGIN PROG LOAD LOG", 19))
		return true;
	for (i = 0; i < sizeof(noise) / sizeof(noise[0]); i++)
		if (!strncmp(l, noise[i], strlen(noise[i])))
			return true;
	return false;
}

/* Keeps the last meaningful line of a verifier log (libbpf hands it over in one message). */
static void keep_verifier_line(const char *log)
{
	const char *l = log, *best = NULL;
	size_t best_n = 0;

	while (*l) {
		size_t n = strcspn(l, "\n");

		if (!is_log_noise(l, n)) {
			best = l;
			best_n = n;
		}
		l += n + (l[n] == '\n');
	}
	if (best)
		escape_str(ESCAPE_TEXT, best, best_n, verifier_line, sizeof(verifier_line));
}

/* The program a "prog 'NAME': ..." line names. */
static void keep_prog_name(const char *line)
{
	const char *p = strstr(line, "prog '"), *e;

	if (!p)
		return;
	p += 6;
	e = strchr(p, '\'');
	if (!e || (size_t)(e - p) >= sizeof(failed_prog))
		return;
	memcpy(failed_prog, p, (size_t)(e - p));
	failed_prog[e - p] = '\0';
}

/* Kept cut to size: the reason names the program and the first words. */
static void keep_last_error(const char *msg)
{
	size_t n;

	if (!strncmp(msg, "libbpf: ", 8))
		msg += 8;
	n = strnlen(msg, sizeof(last_error) - 1);
	memcpy(last_error, msg, n);
	last_error[n] = '\0';
}

/* Writes a long message (a whole verifier log) one line at a time. */
static void debug_lines(const char *msg)
{
	while (*msg) {
		size_t n = strcspn(msg, "\n");

		if (n)
			zr_debug("%.*s", (int)n, msg);
		msg += n + (msg[n] == '\n');
	}
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char small[1024], *msg = small;
	va_list aq;
	size_t n;
	int len;

	va_copy(aq, ap);
	len = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	/* A verifier log can be megabytes: format it whole when it does not fit. */
	if (len >= (int)sizeof(small) && (msg = malloc((size_t)len + 1)))
		vsnprintf(msg, (size_t)len + 1, fmt, ap);
	if (!msg)
		msg = small;
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (level == LIBBPF_WARN && strstr(msg, "prog '")) {
		keep_prog_name(msg);
		if (strstr(msg, "BEGIN PROG LOAD LOG"))
			keep_verifier_line(msg);
		else
			keep_last_error(msg);
	}
	if (print_verbosity >= (level == LIBBPF_DEBUG ? 2 : 1))
		debug_lines(msg);
	if (msg != small)
		free(msg);
	return 0;
}

void bpf_log_set_print(int verbosity)
{
	print_verbosity = verbosity;
	libbpf_set_print(libbpf_print);
}

void bpf_log_forget(void)
{
	last_error[0] = failed_prog[0] = verifier_line[0] = '\0';
}

const char *bpf_log_failed_prog(void)
{
	return failed_prog;
}

const char *bpf_log_verifier_line(void)
{
	return verifier_line;
}

const char *bpf_log_last_error(void)
{
	return last_error;
}
