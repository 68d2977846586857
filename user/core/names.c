/* names.c - the words of the event vocabulary (see names.h): tables indexed by the decoded
 * value, so a new value is one more row.
 */
#include <stdio.h>
#include <string.h>

#include "names.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A name from a table indexed by value; fallback for values outside it or without a name. */
static const char *pick(const char *const *names, size_t n, long v, const char *fallback)
{
	if (v < 0 || (size_t)v >= n || !names[v])
		return fallback;
	return names[v];
}

const char *names_state(char state)
{
	static const struct {
		char letter;
		const char *name;
	} states[] = {
		{ 'R', "running" }, { 'S', "sleeping" }, { 'D', "disk_sleep" }, { 'T', "stopped" },
		{ 't', "traced" },  { 'Z', "zombie" },	 { 'X', "dead" },	{ 'I', "idle" },
		{ 'P', "parked" },  { 'W', "waking" },	 { 'K', "wakekill" },
	};
	size_t i;

	for (i = 0; i < N_OF(states); i++)
		if (states[i].letter == state)
			return states[i].name;
	return "unknown";
}

/* TRACE_SIGNAL_* from include/trace/events/signal.h, in order. */
static const char *const signal_results[] = { "delivered", "ignored", "already_pending",
					      "overflow_fail", "lose_info" };
static const char *const signal_result_words[] = { NULL, "ignored", "already pending", "queue full",
						   "info lost" };

const char *names_signal_result(int result)
{
	return pick(signal_results, N_OF(signal_results), result, "unknown");
}

const char *names_signal_result_words(int result)
{
	return pick(signal_result_words, N_OF(signal_result_words), result, NULL);
}

const char *names_wait_result(enum zr_wait_result r)
{
	static const char *const names[] = {
		[ZR_WAIT_REAPED] = "reaped",
		[ZR_WAIT_NO_CHILD] = "no_child",
		[ZR_WAIT_WOULD_BLOCK] = "would_block",
		[ZR_WAIT_STOPPED] = "stopped",
		[ZR_WAIT_CONTINUED] = "continued",
		[ZR_WAIT_PEEKED] = "peeked",
		[ZR_WAIT_ERROR] = "error",
	};

	/* An out-of-range value can only come from a bad record: call it what it is. */
	return pick(names, N_OF(names), r, "error");
}

const char *names_wait_syscall(enum zr_wait_sys s)
{
	return s == ZR_SYS_WAITID ? "waitid" : "wait4";
}

void names_wait_options(int options, char *buf, size_t len)
{
	/* include/uapi/linux/wait.h: the flags people look for; the rest stay a number. */
	static const struct {
		unsigned bit;
		const char *name;
	} flags[] = {
		{ 0x1, "WNOHANG" },    { 0x2, "WUNTRACED" },	  { 0x4, "WEXITED" },
		{ 0x8, "WCONTINUED" }, { 0x01000000, "WNOWAIT" },
	};
	unsigned rest = (unsigned)options;
	const char *sep = "";
	size_t i, at = 0;
	int n;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < N_OF(flags) && at < len; i++) {
		if (!(rest & flags[i].bit))
			continue;
		n = snprintf(buf + at, len - at, "%s%s", sep, flags[i].name);
		at += n > 0 ? (size_t)n : 0;
		rest &= ~flags[i].bit;
		sep = "|";
	}
	if (rest && at < len)
		snprintf(buf + at, len - at, "%s0x%x", sep, rest);
}

const char *names_reap_how(enum zr_reap_how h)
{
	static const char *const names[] = {
		[ZR_HOW_WAIT4] = "wait4",
		[ZR_HOW_WAITID] = "waitid",
		[ZR_HOW_AUTOREAP] = "autoreap",
		[ZR_HOW_SELF] = "self",
	};

	return pick(names, N_OF(names), h, "unknown");
}

const char *names_age_source(enum zr_age_source s)
{
	static const char *const names[] = {
		[ZR_AGE_TRACE] = "trace",
		[ZR_AGE_SCHED] = "sched",
		[ZR_AGE_START_BOUND] = "start_bound",
	};

	return pick(names, N_OF(names), s, NULL);
}

static const char *const roles[ZR_ROLE__COUNT] = {
	[ZR_ROLE_PARENT] = "parent",	     [ZR_ROLE_SUBREAPER] = "subreaper",
	[ZR_ROLE_PIDNS_INIT] = "pidns_init", [ZR_ROLE_THREAD] = "thread",
	[ZR_ROLE_KERNEL] = "kernel",
};

const char *names_role(enum zr_role r)
{
	return pick(roles, N_OF(roles), r, NULL);
}
