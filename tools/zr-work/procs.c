/* procs.c - what the scenarios share: forking, reaping and checking a child, waiting for a
 * death without wait, the --gate and --sync hand-offs, dying of a signal. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

void sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Blocks until pid has exited (zombie or gone) without calling wait: a pidfd polls readable
 * once the whole thread group has exited. A pid that is already gone counts as exited. */
void await_death(pid_t pid)
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

pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	return pid;
}

void describe(const struct death *d, char *buf, size_t len)
{
	if (d->signaled)
		snprintf(buf, len, "killed by signal %d%s", d->value,
			 d->core ? " (core dumped)" : "");
	else
		snprintf(buf, len, "exited with %d", d->value);
}

/* Reaps one child: pid > 0 that one, pid == -1 any. Returns false on ECHILD. */
bool reap(pid_t pid, bool use_waitid, struct death *d)
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

void reap_expect(pid_t pid, bool use_waitid, struct death *d)
{
	if (!reap(pid, use_waitid, d))
		die("%s(%d): no such child", use_waitid ? "waitid" : "wait4", (int)pid);
}

void expect_exit(const struct death *d, int code)
{
	char buf[64];

	if (d->signaled || d->value != code) {
		describe(d, buf, sizeof(buf));
		die("child %d %s, expected exit %d", (int)d->pid, buf, code);
	}
}

/* --gate: blocks until one line is written to the FIFO. It is opened once, read-write, so it
 * never reads EOF and each line written is exactly one pass, however fast lines arrive. */
static int gate_fd = -1; /* --gate FIFO */

void gate_open(const char *path)
{
	gate_fd = open(path, O_RDWR | O_CLOEXEC);
	if (gate_fd < 0)
		die("gate %s: %s", path, strerror(errno));
}

void gate_pass(void)
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
void sync_wait(const char *path)
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
void set_core_limit(bool core)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_CORE, &rl) < 0)
		_exit(124);
	rl.rlim_cur = core ? rl.rlim_max : 0;
	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		_exit(124);
}

/* Dies of sig with its default action, whatever mask and dispositions were inherited. */
void kill_self(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

/* True when orphans reparented away from our children come to us. */
bool adopts_orphans(void)
{
	int on = 0;

	if (getpid() == 1)
		return true;
	return prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0) == 0 && on;
}
