/* zr-work.c - workload helper for the e2e tests: makes exact fork/exec/exit/wait/reap scenarios
 * and prints every process or thread it made, so tests assert on exact pids and counts.
 *
 * Usage: zr-work [GLOBAL...] SCENARIO [ARGS...]
 *
 * Output (stdout): one line per process or thread made, "<role> <pid>", written with one write(2)
 * each (never buffered). Roles: self subreaper child zombie middle orphan thread adopted; sigstate
 * prints "blocked <list>" and "ignored <list>". Errors: one line "zr-work: ..." on stderr; exit 2
 * on a usage error, 1 when a scenario did not go exactly as planned, else 0 (run: the child's).
 *
 * Global options (before SCENARIO):
 *   --self          print "self PID" first (before --sync, so a test can filter on it)
 *   --sync FILE     wait (inotify, no polling) until FILE exists before the scenario
 *   --subreaper     prctl(PR_SET_CHILD_SUBREAPER, 1) on zr-work, then print "subreaper PID"
 *   --gate FIFO     fork: after each reaped child, block until one line is written to FIFO
 *   -h, --help      this text on stdout
 *
 * Scenarios:
 *   fork N [--exit K | --signal S [--core] | --exec PATH [ARG...] | --exec-fail PATH]
 *          [--parallel] [--waitid]
 *       N children; each exits with K (default 0), kills itself with S, or execs PATH with
 *       argv {PATH, ARG...} (--exec takes the rest of the line). Sequential: each child is
 *       reaped with wait4(pid) / waitid(P_PID) before the next fork. --parallel: all forked,
 *       then N reaps with wait4(-1) / waitid(P_ALL). Prints "child PID" each. The status is
 *       checked: K, signal S, 127 for --exec-fail (anything but 127 for --exec).
 *   zombie MS [--count N] [--never] [--stop] [--waitid]
 *       N (1) children exit at once; once all are zombies (seen through pidfds, no wait call),
 *       optionally SIGSTOP itself (--stop; continue it with SIGCONT), then sleep MS ms, then
 *       reap each by pid. --never: exit 0 after MS without reaping. Prints "zombie PID".
 *   orphan [--linger MS] [--count N]
 *       double fork: the middle child forks N (1) grandchildren and exits; zr-work reaps the
 *       middle; only then (pipe EOF) do the grandchildren, now orphans, live MS (0) ms and exit.
 *       If zr-work is their new parent (--subreaper, or PID 1) it reaps them with wait4(pid);
 *       else it waits for their death through pidfds. Prints "middle PID", "orphan PID".
 *   threads N [--leader-exits-first] [--linger MS]
 *       N pthreads that exit at once, joined, then the process exits. --leader-exits-first:
 *       the main thread calls pthread_exit first; thread i exits after thread i-1 (thread 0
 *       after main), so the last thread ends the group. Prints "thread TID" in creation order.
 *   comm STRING
 *       prctl(PR_SET_NAME) to STRING after C escapes (\e \n \t \r \a \b \f \v \xNN \\), then
 *       forks one child that exits 0 (inherits the comm), reaped. Prints "child PID".
 *   hostile-exec [--path PATH]
 *       one child execs PATH (/bin/true) with an argv of control bytes, invalid UTF-8, quotes
 *       and backslashes; reaped, must exit 0. Prints "child PID".
 *   autoreap N
 *       SIGCHLD set to SIG_IGN; N children exit at once; the kernel reaps them (zr-work waits
 *       for each death with a pidfd, never with wait). Prints "child PID".
 *   signal-self S [--core]
 *       zr-work kills itself with S (default action restored, S unblocked).
 *   wait-nohang [--waitid]    child blocked on a pipe: WNOHANG (would_block), release it,
 *                              reap it (reaped), wait on any child again (no_child, ECHILD)
 *   wait-nowait [--exit K]    child exits: waitid(WEXITED|WNOWAIT) peek, then wait4 reap
 *                              (--waitid: waitid reap)
 *   wait-stop [--waitid]      child blocked on a pipe: SIGSTOP + WUNTRACED (stopped), SIGCONT +
 *                              WCONTINUED (continued), release it, reap it (reaped)
 *   subreaper                 PR_SET_CHILD_SUBREAPER 1, then 0
 *   sigstate                  prints "blocked <list>" and "ignored <list>": comma-separated
 *                              signal names (SIGRTMIN+n for real-time ones), "-" when empty
 *   run CMD [ARG...]          fork+exec CMD (PATH search), then reap every child, its own and
 *                              adopted ("adopted PID"), until none is left; exits with CMD's
 *                              status (128+N for a signal). With --subreaper: a mini init.
 *
 * Signals S: a number, or a name with or without "SIG" (SEGV, SIGSEGV, segv). --core sets
 * RLIMIT_CORE to its hard limit (else 0, so core_dumped is deterministic); cores go to the
 * current directory when core_pattern is "core". Every count is exact: fork 10000 makes 10000
 * children, reaps 10000 and prints 10000 lines. Forked children make async-signal-safe calls only.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define MAX_COUNT 100000

extern char **environ;

/* ---------------------------------------------------------------- output and errors */

__attribute__((format(printf, 1, 2), noreturn)) static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("zr-work: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see zr-work --help)\n", stderr);
	exit(2);
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("zr-work: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Writes all of buf; async-signal-safe, so forked children and threads may call it. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* "<role> <id>\n" in one write(2), formatted without stdio (callable after fork, in threads). */
static void emit(const char *role, long id)
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
	if (write_all(STDOUT_FILENO, buf, len) < 0)
		_exit(1); /* stdout gone: the caller can no longer learn what was made */
}

/* ---------------------------------------------------------------- argument parsing */

static unsigned long parse_num(const char *s, const char *what, unsigned long max)
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
static int parse_signal(const char *s)
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
static void unescape(const char *in, char *out, size_t outlen)
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

/* ---------------------------------------------------------------- small helpers */

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Blocks until pid has exited (zombie or gone) without calling wait: a pidfd polls readable
 * once the whole thread group has exited. A pid that is already gone counts as exited. */
static void await_death(pid_t pid)
{
	struct pollfd pfd;
	int fd = pidfd_open(pid);

	if (fd < 0) {
		if (errno == ESRCH)
			return;
		die("pidfd_open(%d): %s", (int)pid, strerror(errno));
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, -1) < 0) {
		if (errno != EINTR)
			die("poll(pidfd %d): %s", (int)pid, strerror(errno));
	}
	close(fd);
}

static pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	return pid;
}

/* What a child's death looked like, from wait4 or waitid alike. */
struct death {
	pid_t pid;
	bool signaled;
	int value; /* exit code, or signal number */
	bool core;
};

static void describe(const struct death *d, char *buf, size_t len)
{
	if (d->signaled)
		snprintf(buf, len, "killed by signal %d%s", d->value,
			 d->core ? " (core dumped)" : "");
	else
		snprintf(buf, len, "exited with %d", d->value);
}

/* Reaps one child: pid > 0 that one, pid == -1 any. Returns false on ECHILD. */
static bool reap(pid_t pid, bool use_waitid, struct death *d)
{
	if (use_waitid) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		while (waitid(pid > 0 ? P_PID : P_ALL, pid > 0 ? (id_t)pid : 0, &si, WEXITED) < 0) {
			if (errno == ECHILD)
				return false;
			if (errno != EINTR)
				die("waitid: %s", strerror(errno));
		}
		d->pid = si.si_pid;
		d->signaled = si.si_code != CLD_EXITED;
		d->value = si.si_status;
		d->core = si.si_code == CLD_DUMPED;
	} else {
		int st;
		pid_t r;

		while ((r = wait4(pid, &st, 0, NULL)) < 0) {
			if (errno == ECHILD)
				return false;
			if (errno != EINTR)
				die("wait4: %s", strerror(errno));
		}
		d->pid = r;
		d->signaled = WIFSIGNALED(st);
		d->value = d->signaled ? WTERMSIG(st) : WEXITSTATUS(st);
		d->core = d->signaled && WCOREDUMP(st);
	}
	return true;
}

static void reap_expect(pid_t pid, bool use_waitid, struct death *d)
{
	if (!reap(pid, use_waitid, d))
		die("%s(%d): no such child", use_waitid ? "waitid" : "wait4", (int)pid);
}

static void expect_exit(const struct death *d, int code)
{
	char buf[64];

	if (d->signaled || d->value != code) {
		describe(d, buf, sizeof(buf));
		die("child %d %s, expected exit %d", (int)d->pid, buf, code);
	}
}

/* --gate: blocks until one line is written to the FIFO. It is opened once, read-write, so it
 * never reads EOF and each line written is exactly one pass, however fast lines arrive. */
static int gate_fd = -1;

static void gate_open(const char *path)
{
	gate_fd = open(path, O_RDWR | O_CLOEXEC);
	if (gate_fd < 0)
		die("gate %s: %s", path, strerror(errno));
}

static void gate_pass(void)
{
	char c = 0;
	ssize_t n;

	if (gate_fd < 0)
		return;
	do {
		n = read(gate_fd, &c, 1);
		if (n < 0 && errno != EINTR)
			die("gate: read: %s", strerror(errno));
	} while (n != 1 || c != '\n');
}

/* --sync: returns once path exists. The watch is set before the check, so no creation is missed. */
static void sync_wait(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0)
		die("inotify_init1: %s", strerror(errno));
	if (inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO | IN_ATTRIB) < 0)
		die("sync: watch %s: %s", dir, strerror(errno));
	while (access(path, F_OK) < 0) {
		if (read(fd, buf, sizeof(buf)) < 0 && errno != EINTR)
			die("sync: read inotify: %s", strerror(errno));
	}
	close(fd);
}

/* RLIMIT_CORE: the hard limit with --core, else 0 so no core is ever dumped by accident. */
static void set_core_limit(bool core)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_CORE, &rl) < 0)
		_exit(124);
	rl.rlim_cur = core ? rl.rlim_max : 0;
	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		_exit(124);
}

/* Dies of sig with its default action, whatever mask and dispositions were inherited. */
static void kill_self(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

/* True when orphans reparented away from our children come to us. */
static bool adopts_orphans(void)
{
	int on = 0;

	if (getpid() == 1)
		return true;
	return prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0) == 0 && on;
}

/* ---------------------------------------------------------------- scenario: fork */

enum child_action { ACT_EXIT, ACT_SIGNAL, ACT_EXEC, ACT_EXEC_FAIL };

struct child_spec {
	enum child_action action;
	int code;
	int sig;
	bool core;
	char **exec_argv; /* {PATH, ARG..., NULL} */
};

__attribute__((noreturn)) static void child_run(const struct child_spec *c)
{
	switch (c->action) {
	case ACT_EXIT:
		_exit(c->code);
	case ACT_SIGNAL:
		set_core_limit(c->core);
		kill_self(c->sig);
		_exit(125);
	case ACT_EXEC:
	case ACT_EXEC_FAIL:
		execve(c->exec_argv[0], c->exec_argv, environ);
		_exit(127);
	}
	_exit(126);
}

static void check_child(const struct child_spec *c, const struct death *d)
{
	char buf[64];

	describe(d, buf, sizeof(buf));
	switch (c->action) {
	case ACT_EXIT:
		expect_exit(d, c->code);
		break;
	case ACT_SIGNAL:
		if (!d->signaled || d->value != c->sig)
			die("child %d %s, expected signal %d", (int)d->pid, buf, c->sig);
		break;
	case ACT_EXEC:
		if (!d->signaled && d->value == 127)
			die("child %d: exec %s failed (exit 127)", (int)d->pid, c->exec_argv[0]);
		break;
	case ACT_EXEC_FAIL:
		expect_exit(d, 127);
		break;
	}
}

static int scen_fork(int argc, char **argv)
{
	struct child_spec c = { .action = ACT_EXIT };
	unsigned long n;
	bool parallel = false, use_waitid = false, has_action = false;
	char *fail_argv[2] = { NULL, NULL };
	unsigned long made = 0, reaped = 0;
	int fork_err = 0;
	struct death d;

	n = parse_num(argc > 1 ? argv[1] : NULL, "fork N", MAX_COUNT);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		bool is_action = false;

		if (strcmp(a, "--parallel") == 0) {
			parallel = true;
		} else if (strcmp(a, "--waitid") == 0) {
			use_waitid = true;
		} else if (strcmp(a, "--core") == 0) {
			c.core = true;
		} else if (strcmp(a, "--exit") == 0) {
			c.action = ACT_EXIT;
			c.code = (int)parse_num(i + 1 < argc ? argv[++i] : NULL, "--exit", 255);
			is_action = true;
		} else if (strcmp(a, "--signal") == 0) {
			c.action = ACT_SIGNAL;
			c.sig = parse_signal(i + 1 < argc ? argv[++i] : NULL);
			if (c.sig == SIGSTOP || c.sig == SIGTSTP || c.sig == SIGTTIN ||
			    c.sig == SIGTTOU)
				die_usage("--signal: %s stops instead of killing", a);
			is_action = true;
		} else if (strcmp(a, "--exec") == 0) {
			if (i + 1 >= argc)
				die_usage("--exec: missing PATH");
			c.action = ACT_EXEC;
			c.exec_argv = &argv[i + 1]; /* argv is NULL-terminated */
			is_action = true;
			i = argc;
		} else if (strcmp(a, "--exec-fail") == 0) {
			if (i + 1 >= argc)
				die_usage("--exec-fail: missing PATH");
			c.action = ACT_EXEC_FAIL;
			fail_argv[0] = argv[++i];
			c.exec_argv = fail_argv;
			is_action = true;
		} else {
			die_usage("fork: unknown option '%s'", a);
		}
		if (is_action) {
			if (has_action)
				die_usage("fork: --exit, --signal, --exec and --exec-fail exclude "
					  "each other");
			has_action = true;
		}
	}
	if (c.core && c.action != ACT_SIGNAL)
		die_usage("fork: --core needs --signal");

	for (made = 0; made < n; made++) {
		pid_t pid = fork();

		if (pid < 0) {
			fork_err = errno;
			break;
		}
		if (pid == 0)
			child_run(&c);
		emit("child", pid);
		if (!parallel) {
			reap_expect(pid, use_waitid, &d);
			check_child(&c, &d);
			reaped++;
			gate_pass();
		}
	}
	while (parallel && reaped < made) {
		reap_expect(-1, use_waitid, &d);
		check_child(&c, &d);
		reaped++;
		gate_pass();
	}
	if (fork_err)
		die("fork %lu of %lu: %s", made + 1, n, strerror(fork_err));
	return 0;
}

/* ---------------------------------------------------------------- scenario: zombie */

static int scen_zombie(int argc, char **argv)
{
	unsigned long ms, count = 1;
	bool never = false, stop = false, use_waitid = false;
	pid_t *pids;
	struct death d;

	ms = parse_num(argc > 1 ? argv[1] : NULL, "zombie MS", 86400000UL);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0)
			count = parse_num(i + 1 < argc ? argv[++i] : NULL, "--count", MAX_COUNT);
		else if (strcmp(argv[i], "--never") == 0)
			never = true;
		else if (strcmp(argv[i], "--stop") == 0)
			stop = true;
		else if (strcmp(argv[i], "--waitid") == 0)
			use_waitid = true;
		else
			die_usage("zombie: unknown option '%s'", argv[i]);
	}
	pids = calloc(count ? count : 1, sizeof(*pids));
	if (!pids)
		die("out of memory");
	for (unsigned long i = 0; i < count; i++) {
		pids[i] = xfork();
		if (pids[i] == 0)
			_exit(0);
		emit("zombie", pids[i]);
	}
	for (unsigned long i = 0; i < count; i++)
		await_death(pids[i]);
	if (stop)
		raise(SIGSTOP);
	sleep_ms(ms);
	if (!never) {
		for (unsigned long i = 0; i < count; i++) {
			reap_expect(pids[i], use_waitid, &d);
			expect_exit(&d, 0);
		}
	}
	free(pids);
	return 0;
}

/* ---------------------------------------------------------------- scenario: orphan */

static int scen_orphan(int argc, char **argv)
{
	unsigned long linger = 0, count = 1;
	int release[2], report[2];
	pid_t middle;
	pid_t *orphans;
	struct death d;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--linger") == 0)
			linger = parse_num(i + 1 < argc ? argv[++i] : NULL, "--linger", 86400000UL);
		else if (strcmp(argv[i], "--count") == 0)
			count = parse_num(i + 1 < argc ? argv[++i] : NULL, "--count", 10000);
		else
			die_usage("orphan: unknown option '%s'", argv[i]);
	}
	orphans = calloc(count ? count : 1, sizeof(*orphans));
	if (!orphans)
		die("out of memory");
	/* release: EOF tells the orphans their middle parent has been reaped (so they are
	 * reparented); report: the middle sends the orphans' pids back. */
	if (pipe2(release, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	middle = xfork();
	if (middle == 0) {
		close(report[0]);
		for (unsigned long i = 0; i < count; i++) {
			pid_t g = fork();
			char c;

			if (g < 0)
				_exit(1);
			if (g == 0) {
				close(release[1]);
				close(report[1]);
				while (read(release[0], &c, 1) != 0) {
					if (errno != EINTR)
						break;
				}
				sleep_ms(linger);
				_exit(0);
			}
			if (write_all(report[1], (const char *)&g, sizeof(g)) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(release[0]);
	close(report[1]);
	emit("middle", middle);
	reap_expect(middle, false, &d);
	expect_exit(&d, 0);
	for (unsigned long i = 0; i < count; i++) {
		ssize_t n;

		do {
			n = read(report[0], &orphans[i], sizeof(orphans[i]));
		} while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(orphans[i]))
			die("orphan: middle reported %lu of %lu orphans", i, count);
		emit("orphan", orphans[i]);
	}
	close(report[0]);
	close(release[1]); /* the middle is reaped: let the orphans go on */
	for (unsigned long i = 0; i < count; i++) {
		if (adopts_orphans()) {
			reap_expect(orphans[i], false, &d);
			expect_exit(&d, 0);
		} else {
			await_death(orphans[i]);
		}
	}
	free(orphans);
	return 0;
}

/* ---------------------------------------------------------------- scenario: threads */

struct thread_arg {
	pthread_t wait_for; /* joined before exiting (--leader-exits-first) */
	bool has_wait_for;
	unsigned long linger_ms; /* stays this long before exiting (--linger) */
	int report; /* write end: the thread sends its tid, so lines come in creation order */
};

static void *thread_main(void *p)
{
	struct thread_arg *t = p;
	pid_t tid = gettid();

	if (write_all(t->report, (const char *)&tid, sizeof(tid)) < 0)
		die("thread: write: %s", strerror(errno));
	if (t->linger_ms)
		sleep_ms(t->linger_ms);
	if (t->has_wait_for) {
		int err = pthread_join(t->wait_for, NULL);

		if (err)
			die("pthread_join: %s", strerror(err));
	}
	return NULL;
}

static int scen_threads(int argc, char **argv)
{
	unsigned long n, linger = 0;
	bool leader_first = false;
	pthread_t *tids;
	struct thread_arg *args;
	int report[2];

	n = parse_num(argc > 1 ? argv[1] : NULL, "threads N", 10000);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--leader-exits-first") == 0)
			leader_first = true;
		else if (strcmp(argv[i], "--linger") == 0)
			linger = parse_num(i + 1 < argc ? argv[++i] : NULL, "--linger", 86400000UL);
		else
			die_usage("threads: unknown option '%s'", argv[i]);
	}
	if (leader_first && n == 0)
		die_usage("threads: --leader-exits-first needs N >= 1");
	tids = calloc(n ? n : 1, sizeof(*tids));
	args = calloc(n ? n : 1, sizeof(*args));
	if (!tids || !args)
		die("out of memory");
	if (pipe2(report, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	for (unsigned long i = 0; i < n; i++) {
		pid_t tid;
		ssize_t got;
		int err;

		args[i].report = report[1];
		args[i].linger_ms = linger;
		if (leader_first) {
			/* thread 0 joins main, thread i joins thread i-1: a fixed exit order */
			args[i].wait_for = i == 0 ? pthread_self() : tids[i - 1];
			args[i].has_wait_for = true;
		}
		err = pthread_create(&tids[i], NULL, thread_main, &args[i]);
		if (err)
			die("pthread_create: %s", strerror(err));
		do {
			got = read(report[0], &tid, sizeof(tid));
		} while (got < 0 && errno == EINTR);
		if (got != (ssize_t)sizeof(tid))
			die("thread %lu did not report its tid", i);
		emit("thread", tid);
	}
	if (leader_first)
		pthread_exit(NULL); /* the last thread's exit ends the process with status 0 */
	for (unsigned long i = 0; i < n; i++) {
		int err = pthread_join(tids[i], NULL);

		if (err)
			die("pthread_join: %s", strerror(err));
	}
	free(tids);
	free(args);
	return 0;
}

/* ---------------------------------------------------------------- scenarios: comm, hostile-exec */

static int scen_comm(int argc, char **argv)
{
	char name[256];
	pid_t pid;
	struct death d;

	if (argc != 2)
		die_usage("comm: expects exactly one STRING");
	unescape(argv[1], name, sizeof(name));
	if (prctl(PR_SET_NAME, name, 0, 0, 0) < 0)
		die("prctl(PR_SET_NAME): %s", strerror(errno));
	pid = xfork();
	if (pid == 0)
		_exit(0);
	emit("child", pid);
	reap_expect(pid, false, &d);
	expect_exit(&d, 0);
	return 0;
}

static int scen_hostile_exec(int argc, char **argv)
{
	/* Every kind of text a terminal or a JSON parser can choke on. */
	char *hostile[] = {
		(char *)"/bin/true",
		(char *)"esc\x1b[31mred\x1b[0m",
		(char *)"new\nline",
		(char *)"tab\tcr\rbell\a",
		(char *)"del\x7f",
		(char *)"bad\xff\xfeutf8",
		(char *)"cut\xe2\x82",
		(char *)"dq\"sq'bs\\end",
		(char *)"\\x41 not an escape",
		(char *)"caf\xc3\xa9 \xe2\x9c\x93",
		(char *)"",
		(char *)"ctl\x01\x02\x1f",
		NULL,
	};
	pid_t pid;
	struct death d;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--path") == 0) {
			if (i + 1 >= argc)
				die_usage("--path: missing value");
			hostile[0] = argv[++i];
		} else {
			die_usage("hostile-exec: unknown option '%s'", argv[i]);
		}
	}
	pid = xfork();
	if (pid == 0) {
		execve(hostile[0], hostile, environ);
		_exit(127);
	}
	emit("child", pid);
	reap_expect(pid, false, &d);
	expect_exit(&d, 0);
	return 0;
}

/* ---------------------------------------------------------------- scenario: autoreap */

static int scen_autoreap(int argc, char **argv)
{
	unsigned long n;

	n = parse_num(argc > 1 ? argv[1] : NULL, "autoreap N", MAX_COUNT);
	if (argc > 2)
		die_usage("autoreap: unknown option '%s'", argv[2]);
	if (signal(SIGCHLD, SIG_IGN) == SIG_ERR)
		die("signal(SIGCHLD): %s", strerror(errno));
	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = xfork();
		int fd;

		if (pid == 0)
			_exit(0);
		/* opened at once, so the pid cannot have been reused yet */
		fd = pidfd_open(pid);
		emit("child", pid);
		if (fd < 0) {
			if (errno != ESRCH)
				die("pidfd_open(%d): %s", (int)pid, strerror(errno));
			continue;
		}
		{
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			while (poll(&pfd, 1, -1) < 0) {
				if (errno != EINTR)
					die("poll: %s", strerror(errno));
			}
		}
		close(fd);
	}
	return 0;
}

/* ---------------------------------------------------------------- scenario: signal-self */

static int scen_signal_self(int argc, char **argv)
{
	int sig;
	bool core = false;

	sig = parse_signal(argc > 1 ? argv[1] : NULL);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--core") == 0)
			core = true;
		else
			die_usage("signal-self: unknown option '%s'", argv[i]);
	}
	set_core_limit(core);
	kill_self(sig);
	die("signal %d did not kill zr-work", sig);
}

/* ---------------------------------------------------------------- scenarios: wait-* */

/* A child blocked reading a pipe until the parent closes *release. */
static pid_t blocked_child(int *release)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid = xfork();
	if (pid == 0) {
		char c;

		close(p[1]);
		while (read(p[0], &c, 1) != 0) {
			if (errno != EINTR)
				break;
		}
		_exit(0);
	}
	close(p[0]);
	*release = p[1];
	emit("child", pid);
	return pid;
}

static bool parse_waitid_only(int argc, char **argv)
{
	bool use_waitid = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--waitid") == 0)
			use_waitid = true;
		else
			die_usage("%s: unknown option '%s'", argv[0], argv[i]);
	}
	return use_waitid;
}

static int scen_wait_nohang(int argc, char **argv)
{
	bool use_waitid = parse_waitid_only(argc, argv);
	int release;
	pid_t pid = blocked_child(&release);
	struct death d;

	if (use_waitid) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) < 0 || si.si_pid != 0)
			die("waitid(WNOHANG) on a live child did not report 'nothing yet'");
	} else {
		int st;

		if (wait4(pid, &st, WNOHANG, NULL) != 0)
			die("wait4(WNOHANG) on a live child did not return 0");
	}
	close(release);
	reap_expect(pid, use_waitid, &d);
	expect_exit(&d, 0);
	if (reap(-1, use_waitid, &d))
		die("wait with no child left reaped %d", (int)d.pid);
	return 0;
}

static int scen_wait_nowait(int argc, char **argv)
{
	bool use_waitid = false;
	int code = 0;
	pid_t pid;
	siginfo_t si;
	struct death d;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--waitid") == 0)
			use_waitid = true;
		else if (strcmp(argv[i], "--exit") == 0)
			code = (int)parse_num(i + 1 < argc ? argv[++i] : NULL, "--exit", 255);
		else
			die_usage("wait-nowait: unknown option '%s'", argv[i]);
	}
	pid = xfork();
	if (pid == 0)
		_exit(code);
	emit("child", pid);
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0) {
		if (errno != EINTR)
			die("waitid(WNOWAIT): %s", strerror(errno));
	}
	if (si.si_pid != pid || si.si_code != CLD_EXITED || si.si_status != code)
		die("waitid(WNOWAIT) peeked pid %d code %d status %d", (int)si.si_pid, si.si_code,
		    si.si_status);
	reap_expect(pid, use_waitid, &d);
	expect_exit(&d, code);
	return 0;
}

static void wait_state(pid_t pid, bool use_waitid, bool stopped)
{
	if (use_waitid) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		while (waitid(P_PID, (id_t)pid, &si, stopped ? WSTOPPED : WCONTINUED) < 0) {
			if (errno != EINTR)
				die("waitid: %s", strerror(errno));
		}
		if (si.si_code != (stopped ? CLD_STOPPED : CLD_CONTINUED))
			die("waitid reported si_code %d", si.si_code);
	} else {
		int st;

		while (wait4(pid, &st, stopped ? WUNTRACED : WCONTINUED, NULL) < 0) {
			if (errno != EINTR)
				die("wait4: %s", strerror(errno));
		}
		if (stopped ? !WIFSTOPPED(st) : !WIFCONTINUED(st))
			die("wait4 reported status 0x%x", st);
	}
}

static int scen_wait_stop(int argc, char **argv)
{
	bool use_waitid = parse_waitid_only(argc, argv);
	int release;
	pid_t pid = blocked_child(&release);
	struct death d;

	if (kill(pid, SIGSTOP) < 0)
		die("kill(SIGSTOP): %s", strerror(errno));
	wait_state(pid, use_waitid, true);
	if (kill(pid, SIGCONT) < 0)
		die("kill(SIGCONT): %s", strerror(errno));
	wait_state(pid, use_waitid, false);
	close(release);
	reap_expect(pid, use_waitid, &d);
	expect_exit(&d, 0);
	return 0;
}

/* ---------------------------------------------------------------- scenarios: subreaper, sigstate
 */

static int scen_subreaper(int argc, char **argv)
{
	int on = -1;

	if (argc > 1)
		die_usage("subreaper: unknown option '%s'", argv[1]);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER, 1): %s", strerror(errno));
	if (prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0) < 0 || on != 1)
		die("subreaper flag did not stick");
	if (prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER, 0): %s", strerror(errno));
	return 0;
}

static void print_sigset(const char *label, unsigned long long mask)
{
	char line[2048];
	size_t len = (size_t)snprintf(line, sizeof(line), "%s ", label);
	bool any = false;

	for (int sig = 1; sig <= 64; sig++) {
		char name[32];
		const char *abbrev;

		if (!(mask & (1ULL << (sig - 1))))
			continue;
		abbrev = sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;
		if (abbrev)
			snprintf(name, sizeof(name), "SIG%s", abbrev);
		else if (sig >= SIGRTMIN)
			snprintf(name, sizeof(name), "SIGRTMIN+%d", sig - SIGRTMIN);
		else
			snprintf(name, sizeof(name), "SIG%d", sig);
		len +=
		    (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", any ? "," : "", name);
		any = true;
	}
	if (!any)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "-");
	len += (size_t)snprintf(line + len, sizeof(line) - len, "\n");
	if (write_all(STDOUT_FILENO, line, len) < 0)
		die("write: %s", strerror(errno));
}

static int scen_sigstate(int argc, char **argv)
{
	FILE *f;
	char line[256];
	unsigned long long blk = 0, ign = 0;
	int found = 0;

	if (argc > 1)
		die_usage("sigstate: unknown option '%s'", argv[1]);
	f = fopen("/proc/self/status", "re");
	if (!f)
		die("/proc/self/status: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "SigBlk:", 7) == 0) {
			blk = strtoull(line + 7, NULL, 16);
			found |= 1;
		} else if (strncmp(line, "SigIgn:", 7) == 0) {
			ign = strtoull(line + 7, NULL, 16);
			found |= 2;
		}
	}
	fclose(f);
	if (found != 3)
		die("/proc/self/status: no SigBlk/SigIgn");
	print_sigset("blocked", blk);
	print_sigset("ignored", ign);
	return 0;
}

/* ---------------------------------------------------------------- scenario: run */

static int scen_run(int argc, char **argv)
{
	pid_t child, r;
	int st, result = 0;
	bool child_done = false;

	if (argc < 2)
		die_usage("run: missing CMD");
	child = xfork();
	if (child == 0) {
		execvp(argv[1], &argv[1]);
		fprintf(stderr, "zr-work: run: exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	emit("child", child);
	for (;;) {
		r = wait4(-1, &st, 0, NULL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			die("wait4: %s", strerror(errno));
		}
		if (r == child) {
			child_done = true;
			result = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
		} else {
			emit("adopted", r);
		}
	}
	if (!child_done)
		die("run: child %d was never reaped", (int)child);
	return result;
}

/* ---------------------------------------------------------------- main */

struct scenario {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct scenario scenarios[] = {
	{ "fork", scen_fork },
	{ "zombie", scen_zombie },
	{ "orphan", scen_orphan },
	{ "threads", scen_threads },
	{ "comm", scen_comm },
	{ "hostile-exec", scen_hostile_exec },
	{ "autoreap", scen_autoreap },
	{ "signal-self", scen_signal_self },
	{ "wait-nohang", scen_wait_nohang },
	{ "wait-nowait", scen_wait_nowait },
	{ "wait-stop", scen_wait_stop },
	{ "subreaper", scen_subreaper },
	{ "sigstate", scen_sigstate },
	{ "run", scen_run },
};

static void usage(FILE *out)
{
	fputs(
	    "Usage: zr-work [--self] [--sync FILE] [--subreaper] [--gate FIFO] SCENARIO [ARGS...]\n"
	    "\n"
	    "Makes exact process scenarios for zreaper's tests and prints each process or thread\n"
	    "it made as \"<role> <pid>\" on stdout, one write per line.\n"
	    "\n"
	    "Global options:\n"
	    "  --self          print \"self PID\" first (before --sync)\n"
	    "  --sync FILE     wait until FILE exists before the scenario\n"
	    "  --subreaper     become a child subreaper first; prints \"subreaper PID\"\n"
	    "  --gate FIFO     fork: after each reap, wait for a line written to FIFO\n"
	    "  -h, --help      show this help\n"
	    "\n"
	    "Scenarios:\n"
	    "  fork N [--exit K | --signal S [--core] | --exec PATH [ARG...] | --exec-fail PATH]\n"
	    "         [--parallel] [--waitid]           N children, each reaped before the next\n"
	    "                                           fork (--parallel: all reaped at the end)\n"
	    "  zombie MS [--count N] [--never] [--stop] [--waitid]\n"
	    "                                           N zombies held MS ms, then reaped\n"
	    "  orphan [--linger MS] [--count N]         double fork; orphans live MS ms after the\n"
	    "                                           middle is reaped\n"
	    "  threads N [--leader-exits-first] [--linger MS]\n"
	    "                                           N pthreads (each lives MS ms)\n"
	    "  comm STRING                              set comm (C escapes), fork one child\n"
	    "  hostile-exec [--path PATH]               exec /bin/true with a hostile argv\n"
	    "  autoreap N                               SIGCHLD ignored, N children autoreaped\n"
	    "  signal-self S [--core]                   die of signal S\n"
	    "  wait-nohang [--waitid]                   would_block, reaped, no_child\n"
	    "  wait-nowait [--exit K] [--waitid]        WNOWAIT peek, then reap\n"
	    "  wait-stop [--waitid]                     stopped, continued, reaped\n"
	    "  subreaper                                set, then clear PR_SET_CHILD_SUBREAPER\n"
	    "  sigstate                                 print blocked and ignored signals\n"
	    "  run CMD [ARG...]                         run CMD, reap all children and adoptees\n"
	    "\n"
	    "Roles printed: self subreaper child zombie middle orphan thread adopted.\n"
	    "Signals by number or name (SEGV, SIGSEGV). Exit: 0 ok, 1 scenario failed, 2 usage.\n",
	    out);
}

int main(int argc, char **argv)
{
	const char *sync_path = NULL, *gate_path = NULL;
	bool subreaper = false, self = false;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--self") == 0) {
			self = true;
		} else if (strcmp(a, "--subreaper") == 0) {
			subreaper = true;
		} else if (strcmp(a, "--sync") == 0 || strcmp(a, "--gate") == 0) {
			if (i + 1 >= argc)
				die_usage("%s: missing value", a);
			if (a[2] == 's')
				sync_path = argv[++i];
			else
				gate_path = argv[++i];
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else {
			die_usage("unknown option '%s'", a);
		}
	}
	if (i >= argc)
		die_usage("missing SCENARIO");
	for (size_t s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		if (strcmp(argv[i], scenarios[s].name) != 0)
			continue;
		if (self)
			emit("self", getpid());
		if (gate_path)
			gate_open(gate_path);
		if (sync_path)
			sync_wait(sync_path);
		if (subreaper) {
			if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
				die("prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
			emit("subreaper", getpid());
		}
		return scenarios[s].fn(argc - i, argv + i);
	}
	die_usage("unknown scenario '%s'", argv[i]);
}
