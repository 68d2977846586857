/* zr-initprobe.c - a child for the `zreaper run` tests (tests/e2e/run.bats): records the
 * signals it gets, makes orphans, starts a command with a signal blocked.
 *
 *   zr-initprobe signals FILE [N]   blocks every catchable signal, forks N helpers in its own
 *                                   process group, each appends "ready PID" to FILE, then
 *                                   "PID SIGNAME" per signal it gets; SIGTERM ends a process
 *                                   (the leader SIGKILLs the helpers left and waits for them)
 *   zr-initprobe orphans N          N double-fork orphans that exit at once
 *   zr-initprobe orphan COMM CODE   one orphan named COMM exiting CODE; prints its pid and
 *                                   returns once it has been reaped (by whoever adopted it)
 *   zr-initprobe blocked SIG CMD... execs CMD with SIG blocked
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A non-negative decimal, or -1. */
static int num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && !*end && v >= 0 && v <= 1000000 ? (int)v : -1;
}

static void die(const char *what)
{
	fprintf(stderr, "zr-initprobe: %s: %s\n", what, strerror(errno));
	exit(99);
}

static void append(int fd, const char *line)
{
	/* O_APPEND and one write: lines of several processes never mix. */
	if (write(fd, line, strlen(line)) < 0)
		die("write");
}

static void record_loop(int fd, const sigset_t *set, pid_t *kids, int n_kids)
{
	char line[64];
	int i;

	snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
	append(fd, line);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);
		const char *name;

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			die("sigwaitinfo");
		}
		if (sig == SIGCHLD)
			continue;
		name = sigabbrev_np(sig);
		if (name)
			snprintf(line, sizeof(line), "%d SIG%s\n", (int)getpid(), name);
		else
			snprintf(line, sizeof(line), "%d SIG%d\n", (int)getpid(), sig);
		append(fd, line);
		if (sig == SIGTERM)
			break;
	}
	for (i = 0; i < n_kids; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < n_kids; i++)
		waitpid(kids[i], NULL, 0);
	exit(0);
}

static int cmd_signals(const char *file, int n)
{
	pid_t kids[64];
	sigset_t set;
	int fd, i;

	if (n < 0 || n > 64)
		n = 0;
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die(file);
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			die("fork");
		if (kids[i] == 0)
			record_loop(fd, &set, NULL, 0);
	}
	record_loop(fd, &set, kids, n);
	return 0;
}

static int cmd_orphans(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		pid_t mid = fork();

		if (mid < 0)
			die("fork");
		if (mid == 0) {
			if (fork() < 0)
				_exit(1);
			_exit(0); /* the grandchild (or its parent) exits at once */
		}
		if (waitpid(mid, NULL, 0) < 0)
			die("waitpid");
	}
	return 0;
}

static int cmd_orphan(const char *comm, int code)
{
	struct timespec ms = { 0, 1000000 };
	int pfd[2], i;
	pid_t mid, pid = 0;

	if (pipe(pfd) < 0)
		die("pipe");
	mid = fork();
	if (mid < 0)
		die("fork");
	if (mid == 0) {
		pid_t self = getpid(), g = fork();

		if (g == 0) {
			prctl(PR_SET_NAME, comm);
			/* Lives until its parent is gone, so it is an orphan when it exits. */
			while (getppid() == self)
				nanosleep(&ms, NULL);
			_exit(code);
		}
		if (write(pfd[1], &g, sizeof(g)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		die("read");
	waitpid(mid, NULL, 0);
	printf("%d\n", (int)pid);
	fflush(stdout);
	for (i = 0; i < 10000 && kill(pid, 0) == 0; i++)
		nanosleep(&ms, NULL);
	return kill(pid, 0) == 0 ? 1 : 0;
}

static int cmd_blocked(const char *signame, char **argv)
{
	sigset_t set;
	int sig = num(signame) > 0 ? num(signame) : 0;

	for (int s = 1; !sig && s < 32; s++)
		if (sigabbrev_np(s) && !strcmp(signame, sigabbrev_np(s)))
			sig = s;
	if (sig <= 0)
		return 98;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	execvp(argv[0], argv);
	die(argv[0]);
	return 99;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "signals"))
		return cmd_signals(argv[2], argc > 3 ? num(argv[3]) : 0);
	if (argc == 3 && !strcmp(argv[1], "orphans"))
		return cmd_orphans(num(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "orphan"))
		return cmd_orphan(argv[2], num(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "blocked"))
		return cmd_blocked(argv[2], argv + 3);
	fprintf(stderr, "usage: zr-initprobe signals FILE [N] | orphans N | orphan COMM CODE | "
			"blocked SIG CMD...\n");
	return 2;
}
