/* status.c - interprets raw kernel exit statuses once, and names signals and errnos. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "status.h"

/* The kernel's real-time range; glibc keeps 32 and 33 for itself, so SIGRTMIN is 34 there. */
#define ZR_SIG_MAX   64
#define ZR_SIGRT_LO  34
#define ZR_WCOREFLAG 0x80

/* Indexed by the libc constants so the table follows the architecture's numbering. */
static const char *const sig_names[ZR_SIG_MAX + 1] = {
	[SIGHUP] = "SIGHUP",
	[SIGINT] = "SIGINT",
	[SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP",
	[SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",
	[SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1",
	[SIGSEGV] = "SIGSEGV",
	[SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE",
	[SIGALRM] = "SIGALRM",
	[SIGTERM] = "SIGTERM",
#ifdef SIGSTKFLT
	[SIGSTKFLT] = "SIGSTKFLT",
#endif
	[SIGCHLD] = "SIGCHLD",
	[SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP",
	[SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN",
	[SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG",
	[SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM",
	[SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO",
	[SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
	[32] = "SIG32",
	[33] = "SIG33",
	[34] = "SIGRTMIN",
	[35] = "SIGRTMIN+1",
	[36] = "SIGRTMIN+2",
	[37] = "SIGRTMIN+3",
	[38] = "SIGRTMIN+4",
	[39] = "SIGRTMIN+5",
	[40] = "SIGRTMIN+6",
	[41] = "SIGRTMIN+7",
	[42] = "SIGRTMIN+8",
	[43] = "SIGRTMIN+9",
	[44] = "SIGRTMIN+10",
	[45] = "SIGRTMIN+11",
	[46] = "SIGRTMIN+12",
	[47] = "SIGRTMIN+13",
	[48] = "SIGRTMIN+14",
	[49] = "SIGRTMIN+15",
	[50] = "SIGRTMIN+16",
	[51] = "SIGRTMIN+17",
	[52] = "SIGRTMIN+18",
	[53] = "SIGRTMIN+19",
	[54] = "SIGRTMIN+20",
	[55] = "SIGRTMIN+21",
	[56] = "SIGRTMIN+22",
	[57] = "SIGRTMIN+23",
	[58] = "SIGRTMIN+24",
	[59] = "SIGRTMIN+25",
	[60] = "SIGRTMIN+26",
	[61] = "SIGRTMIN+27",
	[62] = "SIGRTMIN+28",
	[63] = "SIGRTMIN+29",
	[64] = "SIGRTMAX",
};

/* Other spellings people type; accepted by status_signal_parse only. */
static const struct {
	const char *name;
	int sig;
} sig_aliases[] = {
	{ "SIGIOT", SIGABRT },
	{ "SIGPOLL", SIGIO },
	{ "SIGCLD", SIGCHLD },
};

static const char *const errno_names[] = {
	[EPERM] = "EPERM",
	[ENOENT] = "ENOENT",
	[ESRCH] = "ESRCH",
	[EINTR] = "EINTR",
	[EIO] = "EIO",
	[ENXIO] = "ENXIO",
	[E2BIG] = "E2BIG",
	[ENOEXEC] = "ENOEXEC",
	[EBADF] = "EBADF",
	[ECHILD] = "ECHILD",
	[EAGAIN] = "EAGAIN",
	[ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES",
	[EFAULT] = "EFAULT",
	[EBUSY] = "EBUSY",
	[EEXIST] = "EEXIST",
	[EXDEV] = "EXDEV",
	[ENODEV] = "ENODEV",
	[ENOTDIR] = "ENOTDIR",
	[EISDIR] = "EISDIR",
	[EINVAL] = "EINVAL",
	[ENFILE] = "ENFILE",
	[EMFILE] = "EMFILE",
	[ENOTTY] = "ENOTTY",
	[ETXTBSY] = "ETXTBSY",
	[EFBIG] = "EFBIG",
	[ENOSPC] = "ENOSPC",
	[ESPIPE] = "ESPIPE",
	[EROFS] = "EROFS",
	[EMLINK] = "EMLINK",
	[EPIPE] = "EPIPE",
	[EDOM] = "EDOM",
	[ERANGE] = "ERANGE",
	[EDEADLK] = "EDEADLK",
	[ENAMETOOLONG] = "ENAMETOOLONG",
	[ENOLCK] = "ENOLCK",
	[ENOSYS] = "ENOSYS",
	[ENOTEMPTY] = "ENOTEMPTY",
	[ELOOP] = "ELOOP",
	[ENODATA] = "ENODATA",
	[ETIME] = "ETIME",
	[ENOLINK] = "ENOLINK",
	[EPROTO] = "EPROTO",
	[EOVERFLOW] = "EOVERFLOW",
	[ELIBACC] = "ELIBACC",
	[ELIBBAD] = "ELIBBAD",
	[ELIBSCN] = "ELIBSCN",
	[ELIBMAX] = "ELIBMAX",
	[ELIBEXEC] = "ELIBEXEC",
	[EILSEQ] = "EILSEQ",
	[EUSERS] = "EUSERS",
	[ENOTSOCK] = "ENOTSOCK",
	[EOPNOTSUPP] = "EOPNOTSUPP",
	[EADDRINUSE] = "EADDRINUSE",
	[ECONNREFUSED] = "ECONNREFUSED",
	[ECONNRESET] = "ECONNRESET",
	[ETIMEDOUT] = "ETIMEDOUT",
	[EALREADY] = "EALREADY",
	[EINPROGRESS] = "EINPROGRESS",
	[ESTALE] = "ESTALE",
	[EDQUOT] = "EDQUOT",
	[ECANCELED] = "ECANCELED",
	[EOWNERDEAD] = "EOWNERDEAD",
	[ENOTRECOVERABLE] = "ENOTRECOVERABLE",
};

struct zr_exit_status status_decode(int raw)
{
	struct zr_exit_status st = { .is_known = true };
	int low = raw & 0x7f;

	if (low == 0) {
		st.exit_code = (raw >> 8) & 0xff;
	} else if (low == 0x7f) {
		/* A stop report is not a death: nothing here to call an exit status. */
		st.is_known = false;
	} else {
		st.is_signaled = true;
		st.signal = low;
		st.core_dumped = (raw & ZR_WCOREFLAG) != 0;
	}
	return st;
}

const char *status_signal_name(int sig)
{
	static _Thread_local char buf[16];

	if (sig > 0 && sig <= ZR_SIG_MAX && sig_names[sig])
		return sig_names[sig];
	snprintf(buf, sizeof(buf), "SIG%d", sig);
	return buf;
}

/* Parses a decimal in [0, max] filling all of s; -1 otherwise. */
static int parse_small(const char *s, int max)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v > max)
		return -1;
	return (int)v;
}

/* "RTMIN", "RTMIN+3", "RTMAX", "RTMAX-2" (after the SIG prefix is gone). */
static int parse_rt(const char *s)
{
	int base, n = 0, span = ZR_SIG_MAX - ZR_SIGRT_LO;

	if (!strncasecmp(s, "RTMIN", 5))
		base = ZR_SIGRT_LO;
	else if (!strncasecmp(s, "RTMAX", 5))
		base = ZR_SIG_MAX;
	else
		return -1;
	s += 5;
	if (*s == '\0')
		return base;
	if (*s != (base == ZR_SIGRT_LO ? '+' : '-'))
		return -1;
	n = parse_small(s + 1, span);
	if (n < 0)
		return -1;
	return base == ZR_SIGRT_LO ? base + n : base - n;
}

int status_signal_parse(const char *s)
{
	const char *bare;
	size_t i;
	int n;

	if (!s || !*s)
		return -1;
	if (isdigit((unsigned char)*s)) {
		n = parse_small(s, ZR_SIG_MAX);
		return n > 0 ? n : -1;
	}
	bare = strncasecmp(s, "SIG", 3) ? s : s + 3;
	for (n = 1; n <= ZR_SIG_MAX; n++) {
		if (sig_names[n] && !strcasecmp(bare, sig_names[n] + 3))
			return n;
	}
	for (i = 0; i < sizeof(sig_aliases) / sizeof(sig_aliases[0]); i++) {
		if (!strcasecmp(bare, sig_aliases[i].name + 3))
			return sig_aliases[i].sig;
	}
	return parse_rt(bare);
}

void status_describe(const struct zr_exit_status *st, char *buf, size_t len)
{
	if (!len)
		return;
	if (!st || !st->is_known)
		snprintf(buf, len, "unknown status");
	else if (!st->is_signaled)
		snprintf(buf, len, "exit %d", st->exit_code);
	else if (st->core_dumped)
		snprintf(buf, len, "%s (core dumped)", status_signal_name(st->signal));
	else
		snprintf(buf, len, "killed by %s%s", status_signal_name(st->signal),
			 st->oom_killed ? " (OOM)" : "");
}

const char *status_errno_name(int err, char *buf, size_t len)
{
	/* Callers hold errnos either way round (-errno from libbpf style returns). */
	long e = err < 0 ? -(long)err : err;

	if (e > 0 && (size_t)e < sizeof(errno_names) / sizeof(errno_names[0]) && errno_names[e])
		return errno_names[e];
	if (!buf || !len)
		return "EUNKNOWN";
	snprintf(buf, len, "E%ld", e);
	return buf;
}
