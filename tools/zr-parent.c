/* zr-parent.c - test helper for `zreaper reap`: a live parent that holds zombies while doing one
 * particular thing, and reports what it observes, so a test can prove reaping changed nothing
 * else about it.
 *
 * Usage: zr-parent [-n ZOMBIES] [-t THREADS] [-r RATE] [-d MS] -c FIFO MODE
 *        zr-parent tracer PID
 *
 * Modes (each makes ZOMBIES (2) children that exit 7 and are never waited for, plus one live
 * "keeper" child, then):
 *   sleep     nanosleep(50 ms) in a loop; SIGCHLD default. Any EINTR is reported.
 *   read      blocked in read() on FIFO; commands arrive there. Any EINTR is reported.
 *   spin      counts in user code; looks at FIFO (non-blocking) every 50 ms by the vDSO clock.
 *   handler   a SIGCHLD handler that reaps with waitpid(-1, WNOHANG), but the SIGCHLD of the
 *             zombies was lost (blocked, then consumed): they stay until the next SIGCHLD.
 *   threads   THREADS (3) extra threads sleeping in nanosleep; half the zombies are forked by
 *             the first extra thread (so their real parent is that thread), half by main.
 *   leak      as sleep, until the command "leak": then a zombie factory gone wrong, RATE (200)
 *             children a second for MS (5000) ms, each exiting at once and never waited for,
 *             forked on a fixed schedule; how late each fork came (the loop's stalls, as when
 *             it is held in a ptrace stop) is measured. Prints "zombie PID BOOTTIME_NS" for
 *             each, then "leaked N late_max_us U late_over_10ms K"; then sleeps on.
 *   tracer    PTRACE_SEIZE PID and stay its tracer, passing every signal on, until killed.
 *
 * Output (stdout, one write per line): "parent PID", "zombie PID" each, "keeper PID", "ready";
 * then answers to commands, and "error WHAT ERRNO" whenever a call failed in a way it must not
 * (an EINTR where none was due). Commands, one per line on FIFO:
 *   echo WORD   -> "echo WORD"
 *   count       -> "count N reaped M": loop iterations (spin: the counter), handler reaps
 *   wait        -> kills the keeper and waitpid()s it: "waited PID STATUS" (or "error ...")
 *   threads     -> "threads N": threads alive in this process (/proc/self/status)
 *   quit        -> exits 0
 * Exit status: 0 on quit, 2 usage, 1 when setting up failed.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode { M_SLEEP, M_READ, M_SPIN, M_HANDLER, M_THREADS, M_LEAK };

static enum mode mode;
static int fifo = -1;
static pid_t keeper;
static volatile uint64_t counter;
static volatile sig_atomic_t handler_reaped;
static int n_zombies = 2, n_threads = 3, leak_rate = 200, leak_ms = 5000;
static bool is_leak_due;  /* the "leak" command came */
static sem_t thread_made; /* the first extra thread has made (and printed) its zombies */

/* One line, one write(2): lines from several threads never interleave. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
		_exit(1);
}

static void die(const char *what)
{
	fprintf(stderr, "zr-parent: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A non-negative decimal, or -1. */
static int number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return errno || end == s || *end || v < 0 || v > 0x7fffffff ? -1 : (int)v;
}

static void on_sigchld(int sig)
{
	int saved = errno, st;

	(void)sig;
	while (waitpid(-1, &st, WNOHANG) > 0)
		handler_reaped++;
	errno = saved;
}

/* A child that exits 7 at once; waited for with WNOWAIT, so it is a zombie on return. */
static pid_t make_zombie(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(7);
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			die("waitid WNOWAIT");
	return pid;
}

static void make_zombies(int n)
{
	int i;

	for (i = 0; i < n; i++)
		say("zombie %d", (int)make_zombie());
}

static void sleep_ms(long ms, const char *who)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	/* In handler mode a SIGCHLD may cut a sleep short: that is its handler working. */
	if (nanosleep(&ts, NULL) && !(errno == EINTR && mode == M_HANDLER))
		say("error nanosleep-%s %d", who, errno);
}

static int count_threads(void)
{
	char buf[4096];
	const char *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nThreads:");
	return p ? (int)strtol(p + 9, NULL, 10) : -1;
}

static void reap_keeper(void)
{
	sigset_t chld, old;
	int st;
	pid_t r;

	/* The handler must not take the keeper first: this tests waitpid itself. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	kill(keeper, SIGKILL);
	do
		r = waitpid(keeper, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r == keeper)
		say("waited %d %d", (int)r, st);
	else
		say("error waitpid %d", errno);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void command(char *line)
{
	line[strcspn(line, "\r\n")] = '\0';
	if (!strncmp(line, "echo ", 5))
		say("echo %s", line + 5);
	else if (!strcmp(line, "count"))
		say("count %llu reaped %d", (unsigned long long)counter, (int)handler_reaped);
	else if (!strcmp(line, "wait"))
		reap_keeper();
	else if (!strcmp(line, "threads"))
		say("threads %d", count_threads());
	else if (!strcmp(line, "quit"))
		exit(0);
	else if (!strcmp(line, "leak") && mode == M_LEAK)
		is_leak_due = true;
	else if (line[0])
		say("error unknown-command 0");
}

/* Reads what is in the FIFO; blocking in read mode, else non-blocking. */
static void poll_fifo(void)
{
	static char buf[1024];
	static size_t have;
	ssize_t n;
	char *nl;

	n = read(fifo, buf + have, sizeof(buf) - 1 - have);
	if (n < 0) {
		if (errno != EAGAIN && !(errno == EINTR && mode == M_HANDLER))
			say("error read %d", errno);
		return;
	}
	have += (size_t)n;
	buf[have] = '\0';
	while ((nl = strchr(buf, '\n'))) {
		size_t used = (size_t)(nl - buf) + 1;

		*nl = '\0';
		command(buf);
		memmove(buf, buf + used, have - used + 1);
		have -= used;
	}
	if (have == sizeof(buf) - 1)
		have = 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* the vDSO: no system call */
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The leak: a child every 1/leak_rate s on an absolute schedule, so a stall shows as lateness
 * and is not carried into the forks after it. Commands are still read in between. */
static void leak(void)
{
	uint64_t period = 1000000000ULL / (uint64_t)leak_rate, start = clock_ns(CLOCK_MONOTONIC);
	uint64_t n = (uint64_t)leak_rate * (uint64_t)leak_ms / 1000, i, late, late_max = 0;
	unsigned long late_over = 0;

	for (i = 0; i < n; i++) {
		uint64_t due = start + i * period;
		struct timespec ts = { (time_t)(due / 1000000000ULL), (long)(due % 1000000000ULL) };
		pid_t pid;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		late = clock_ns(CLOCK_MONOTONIC) - due;
		if (late > late_max)
			late_max = late;
		if (late > 10000000ULL)
			late_over++;
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		say("zombie %d %llu", (int)pid, (unsigned long long)clock_ns(CLOCK_BOOTTIME));
		counter++;
		poll_fifo();
	}
	say("leaked %llu late_max_us %llu late_over_10ms %lu", (unsigned long long)n,
	    (unsigned long long)(late_max / 1000), late_over);
}

static void *sleeper(void *arg)
{
	if (arg) { /* the first extra thread forks its share of zombies */
		make_zombies(n_zombies / 2);
		sem_post(&thread_made);
	}
	for (;;)
		sleep_ms(50, "thread");
	return NULL;
}

static void loop(void)
{
	uint64_t next = now_ms() + 50;
	uint64_t i;

	for (;;) {
		switch (mode) {
		case M_READ:
			poll_fifo(); /* blocks */
			counter++;
			break;
		case M_SPIN:
			for (i = 0; i < (1u << 16); i++)
				counter++;
			if (now_ms() >= next) {
				poll_fifo();
				next = now_ms() + 50;
			}
			break;
		case M_SLEEP:
		case M_HANDLER:
		case M_THREADS:
		case M_LEAK:
		default:
			sleep_ms(50, "main");
			counter++;
			poll_fifo();
			if (is_leak_due) {
				is_leak_due = false;
				leak();
			}
			break;
		}
	}
}

/* A signal number as ptrace's data argument. */
static void *sig_data(int sig)
{
	return (void *)(uintptr_t)sig; /* NOLINT(performance-no-int-to-ptr) */
}

/* Tracer mode: holds pid seized, passing on every signal, until killed (the kernel then
 * detaches). */
static int tracer(pid_t pid)
{
	int st;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL))
		die("PTRACE_SEIZE");
	say("tracing %d", (int)pid);
	for (;;) {
		pid_t r = waitpid(pid, &st, __WALL);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return 0;
		if (st >> 16 == PTRACE_EVENT_STOP)
			(void)ptrace(PTRACE_LISTEN, pid, NULL, NULL);
		else
			(void)ptrace(PTRACE_CONT, pid, NULL, sig_data(WSTOPSIG(st)));
	}
}

static void usage(FILE *f)
{
	fputs("Usage: zr-parent [-n ZOMBIES] [-t THREADS] [-r RATE] [-d MS] -c FIFO "
	      "sleep|read|spin|handler|threads|leak\n"
	      "       zr-parent tracer PID\n",
	      f);
}

int main(int argc, char **argv)
{
	static const char *const names[] = {
		"sleep", "read", "spin", "handler", "threads", "leak"
	};
	const char *ctl = NULL;
	pthread_t th;
	sigset_t chld;
	int c, i;

	while ((c = getopt(argc, argv, "+n:t:r:d:c:h")) != -1) {
		switch (c) {
		case 'n':
			n_zombies = number(optarg);
			break;
		case 't':
			n_threads = number(optarg);
			break;
		case 'r':
			leak_rate = number(optarg);
			break;
		case 'd':
			leak_ms = number(optarg);
			break;
		case 'c':
			ctl = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 2 == argc && !strcmp(argv[optind], "tracer"))
		return tracer((pid_t)number(argv[optind + 1]));
	if (optind + 1 != argc || !ctl || n_zombies < 0 || n_threads < 1 || leak_rate < 1 ||
	    leak_ms < 0) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (!strcmp(argv[optind], names[i]))
			break;
	if (i == (int)(sizeof(names) / sizeof(names[0]))) {
		usage(stderr);
		return 2;
	}
	mode = (enum mode)i;
	/* O_RDWR: opening never waits for a writer and reading never sees EOF. */
	fifo = open(ctl, O_RDWR | O_CLOEXEC | (mode == M_READ ? 0 : O_NONBLOCK));
	if (fifo < 0)
		die(ctl);
	say("parent %d", (int)getpid());

	keeper = fork();
	if (keeper < 0)
		die("fork");
	if (keeper == 0) {
		for (;;)
			pause();
	}

	if (mode == M_HANDLER) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigchld;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, NULL);
		if (sigaction(SIGCHLD, &sa, NULL))
			die("sigaction");
		make_zombies(n_zombies);
		/* The lost signal: consume the pending SIGCHLD before the handler sees it. */
		{
			struct timespec zero = { 0, 0 };

			while (sigtimedwait(&chld, NULL, &zero) == SIGCHLD)
				;
		}
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
	} else if (mode == M_THREADS) {
		sem_init(&thread_made, 0, 0);
		for (i = 0; i < n_threads; i++)
			if (pthread_create(&th, NULL, sleeper, i == 0 ? (void *)1 : NULL))
				die("pthread_create");
		make_zombies(n_zombies - n_zombies / 2);
		while (sem_wait(&thread_made) && errno == EINTR)
			;
	} else {
		make_zombies(n_zombies);
	}
	say("keeper %d", (int)keeper);
	say("ready");
	loop();
	return 0;
}
