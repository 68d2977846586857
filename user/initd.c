/* initd.c - `zreaper run`'s init: starts the child with the caller's signal state, then a
 * blocking signalfd loop forwards every signal to it and reaps every child (its own and the
 * adopted orphans) until it exits; then ends what is left of its descendants and returns the
 * child's status. No BPF: this works unprivileged and as PID 1 of a pid namespace.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cli.h"
#include "escape.h"
#include "initd.h"
#include "jsonw.h"
#include "log.h"
#include "pidset.h"
#include "procfs.h"
#include "sink.h"
#include "status.h"

extern char **environ;

/* Raised by the kernel for a fault in the init itself: blocked, they would still kill it, but
 * without the core or the message that says why. They stay unblocked (tini, catatonit). */
static const int sync_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS };

/* Searched when PATH is unset: the usual container default. */
static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct initd {
	const struct initd_opts *o;
	pid_t self, child;
	bool is_pid1;
	bool is_log_reaps;   /* a line per reaped orphan (--log-reaps, -w, -v) */
	bool has_tty;	     /* the child was handed the terminal (stdin, we in front) */
	bool is_follow_stop; /* stop when the child stops, so the shell gets its prompt */
	bool is_child_done;
	int child_status;
	int sfd;
	sigset_t orig_mask;    /* what run was started with: the child gets it back */
	sigset_t orig_ignored; /* the signals run was started with ignored: likewise */
	/* Built before fork, so the child only calls execve (async-signal-safe). */
	char **paths;
	size_t n_paths;
	char **argv;
	char **sh_argv; /* /bin/sh PATH ARG...: for a file exec refuses with ENOEXEC */
};

/* ---- pure helpers (unit-tested) -------------------------------------------------------- */

void initd_opts_init(struct initd_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->grace_ns = INITD_DEFAULT_GRACE_NS;
}

int initd_remap_add(struct initd_opts *o, long code)
{
	if (code < 0 || code > 255)
		return -EINVAL;
	o->remap[code / 8] |= (uint8_t)(1u << (code % 8));
	return 0;
}

int initd_remap_parse(struct initd_opts *o, const char *list)
{
	const char *p = list;
	int n = 0;

	if (!list)
		return -EINVAL;
	while (*p) {
		char *end;
		long v;

		if (*p == ',' || *p == ' ') {
			p++;
			continue;
		}
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v = strtol(p, &end, 10);
		if (errno || (*end && *end != ',' && *end != ' ') || initd_remap_add(o, v) < 0)
			return -EINVAL;
		n++;
		p = end;
	}
	return n ? 0 : -EINVAL;
}

int initd_exit_code(int raw_status)
{
	if (WIFEXITED(raw_status))
		return WEXITSTATUS(raw_status);
	if (WIFSIGNALED(raw_status))
		return 128 + WTERMSIG(raw_status);
	return 1;
}

int initd_final_code(const struct initd_opts *o, int raw_status)
{
	int code = initd_exit_code(raw_status);

	if (code >= 0 && code <= 255 && (o->remap[code / 8] & (1u << (code % 8))))
		return 0;
	return code;
}

int initd_exec_failure_code(int err)
{
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

size_t initd_format_reap(char *buf, size_t len, const struct initd_opts *o,
			 const struct initd_reap *r)
{
	struct zr_exit_status st = status_decode(r->raw_status);
	char comm[ZR_COMM_BUF * 4 + 1], what[64];
	size_t n;

	if (o->is_json) {
		struct jsonw w;
		char ts[48];

		jsonw_init(&w);
		sink_format_rfc3339(ts, sizeof(ts), r->real_ns);
		jsonw_raw(&w, "{");
		jsonw_str(&w, "ts", ts, sizeof(ts));
		jsonw_str(&w, "event", "reap", 8);
		jsonw_int(&w, "pid", r->pid);
		jsonw_str(&w, "comm", r->comm, ZR_COMM_BUF);
		if (st.is_signaled) {
			jsonw_null(&w, "exit_code");
			jsonw_str(&w, "signal", status_signal_name(st.signal), 32);
		} else {
			jsonw_int(&w, "exit_code", st.exit_code);
			jsonw_null(&w, "signal");
		}
		jsonw_bool(&w, "core_dumped", st.core_dumped);
		if (r->lifetime_ns == UINT64_MAX)
			jsonw_null(&w, "lifetime_ns");
		else
			jsonw_u64(&w, "lifetime_ns", r->lifetime_ns);
		jsonw_raw(&w, "}");
		n = (size_t)snprintf(
		    buf, len, "%s", jsonw_has_failed(&w) ? "{\"event\":\"reap\"}" : jsonw_text(&w));
		jsonw_release(&w);
		return n;
	}
	if (r->comm)
		escape_str(ESCAPE_TEXT, r->comm, strnlen(r->comm, ZR_COMM_BUF), comm, sizeof(comm));
	else
		snprintf(comm, sizeof(comm), "?");
	status_describe(&st, what, sizeof(what));
	n = (size_t)snprintf(buf, len, "%s%d (%s): %s",
			     o->is_tini ? "Reaped zombie process with pid=" : "reaped orphan ",
			     r->pid, comm, what);
	if (r->lifetime_ns == UINT64_MAX || n >= len)
		return n;
	return n + (size_t)snprintf(buf + n, len - n, ", lived %llu.%03llus",
				    (unsigned long long)(r->lifetime_ns / 1000000000ULL),
				    (unsigned long long)(r->lifetime_ns / 1000000ULL % 1000));
}

/* ---- the child ------------------------------------------------------------------------- */

static void free_strv(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The candidate files for argv[0], as execvp would try them. Returns 0 or -ENOMEM. */
static int prepare_exec(struct initd *d, char **argv)
{
	const char *cmd = argv[0], *path, *p;
	size_t argc = 0, cap = 1, i;

	if (!cmd)
		return -EINVAL;
	d->argv = argv;
	while (argv[argc])
		argc++;
	d->sh_argv = calloc(argc + 2, sizeof(char *));
	if (!d->sh_argv)
		return -ENOMEM;
	d->sh_argv[0] = (char *)"/bin/sh";
	for (i = 1; i < argc; i++)
		d->sh_argv[i + 1] = argv[i];

	if (!*cmd)
		return 0; /* no candidate: ENOENT, as execvp("") */
	path = strchr(cmd, '/') ? NULL : getenv("PATH");
	if (!strchr(cmd, '/') && !path)
		path = default_path;
	for (p = path; p && *p; p++)
		cap += *p == ':';
	d->paths = calloc(cap, sizeof(char *));
	if (!d->paths)
		return -ENOMEM;
	if (!path) {
		d->paths[d->n_paths] = strdup(cmd);
		if (!d->paths[d->n_paths])
			return -ENOMEM;
		d->n_paths++;
		return 0;
	}
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int dlen = (int)(end - p);

		/* An empty PATH element is the current directory. */
		if (asprintf(&d->paths[d->n_paths], "%.*s%s%s", dlen, p, dlen ? "/" : "", cmd) < 0)
			return -ENOMEM;
		d->n_paths++;
		if (!*end)
			break;
		p = end;
	}
	return 0;
}

/* In the child after fork: async-signal-safe calls only. Reports exec's errno through errfd
 * (close-on-exec, so the parent reads EOF when exec works) and exits 126 or 127. */
static void child_start(struct initd *d, int errfd) __attribute__((noreturn));
static void child_start(struct initd *d, int errfd)
{
	struct sigaction ign;
	bool is_eacces = false;
	int sig, err = ENOENT;
	ssize_t n;
	size_t i;

	(void)setpgid(0, 0);
	/* SIGTTOU is still blocked here, so taking the terminal from the background works. */
	if (d->has_tty)
		(void)tcsetpgrp(STDIN_FILENO, getpid());
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&d->orig_ignored, sig) == 1)
			(void)sigaction(sig, &ign, NULL);
	(void)sigprocmask(SIG_SETMASK, &d->orig_mask, NULL);

	for (i = 0; i < d->n_paths; i++) {
		execve(d->paths[i], d->argv, environ);
		err = errno;
		if (err == ENOEXEC) {
			/* No #! line: the shell runs it, as execvp does. */
			d->sh_argv[1] = d->paths[i];
			execve(d->sh_argv[0], d->sh_argv, environ);
			err = ENOEXEC;
			break;
		}
		if (err == EACCES)
			is_eacces = true;
		else if (err != ENOENT && err != ENOTDIR && err != ESTALE && err != ENODEV &&
			 err != ETIMEDOUT)
			break;
	}
	if (is_eacces && (err == ENOENT || err == ENOTDIR || err == EACCES))
		err = EACCES;
	/* If this write fails, the exit code still says what happened. */
	n = write(errfd, &err, sizeof(err));
	(void)n;
	_exit(initd_exec_failure_code(err));
}

/* Forks and execs the child; prints the one line when exec fails (the child then exits 126
 * or 127 and is reaped as usual). Returns 0 or -errno when fork itself fails. */
static int spawn(struct initd *d)
{
	char quoted[128];
	int pfd[2], err;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	d->child = fork();
	if (d->child < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (d->child == 0) {
		close(pfd[0]);
		child_start(d, pfd[1]);
	}
	close(pfd[1]);
	/* EOF once exec succeeded (or the child died first): by then setpgid is done too. */
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(err))
		zr_err("cannot run '%s': %s", cli_printable(d->argv[0], quoted, sizeof(quoted)),
		       strerror(err));
	else
		zr_debug("started '%s' as pid %d%s",
			 cli_printable(d->argv[0], quoted, sizeof(quoted)), (int)d->child,
			 d->has_tty ? " in the foreground of the terminal" : "");
	return 0;
}

/* ---- signals ---------------------------------------------------------------------------- */

static bool is_sync_signal(int sig)
{
	size_t i;

	for (i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
		if (sync_signals[i] == sig)
			return true;
	return false;
}

/* Blocks every signal but the synchronous ones and opens the signalfd that reads them. Ignored
 * signals are set back to default (still blocked, so nothing happens) so they can be read and
 * forwarded; SIGCHLD ignored would even have the kernel reap our children for us. The job
 * control signals stay blocked too: the init never stops for them, it forwards them. */
static int setup_signals(struct initd *d)
{
	struct sigaction sa, dfl;
	sigset_t block;
	int sig;

	if (sigprocmask(SIG_SETMASK, NULL, &d->orig_mask) < 0)
		return -errno;
	sigfillset(&block);
	for (sig = 1; sig < NSIG; sig++)
		if (is_sync_signal(sig))
			sigdelset(&block, sig);
	if (sigprocmask(SIG_SETMASK, &block, NULL) < 0)
		return -errno;
	sigemptyset(&d->orig_ignored);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || is_sync_signal(sig))
			continue;
		if (sigaction(sig, NULL, &sa) < 0 || sa.sa_handler != SIG_IGN)
			continue; /* glibc's internal signals fail here */
		sigaddset(&d->orig_ignored, sig);
		(void)sigaction(sig, &dfl, NULL);
	}
	d->sfd = signalfd(-1, &block, SFD_CLOEXEC);
	return d->sfd < 0 ? -errno : 0;
}

/* Passes one signal on to the child (its group with -g). */
static void forward(struct initd *d, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	pid_t target = d->o->is_group ? -d->child : d->child;

	/* Never ours to pass on: a SIGPIPE our own stderr write raised, say. */
	if ((pid_t)si->ssi_pid == d->self && si->ssi_code == SI_USER)
		return;
	if (d->is_child_done) {
		zr_debug("%s received after the child exited: not forwarded",
			 status_signal_name(sig));
		return;
	}
	if (kill(target, sig) < 0)
		zr_debug("forwarding %s to %d: %s", status_signal_name(sig), (int)target,
			 strerror(errno));
	else
		zr_debug("forwarded %s to %d", status_signal_name(sig), (int)target);
}

/* The child stopped (Ctrl-Z at a terminal goes to its group, not to us): stop too, so the
 * shell that waits for us sees the job stopped and gets its prompt back. On `fg` or `bg` we
 * continue here: give the terminal back if we are in front again, and continue the child. */
static void follow_stop(struct initd *d)
{
	zr_info("the child stopped: stopping with it");
	(void)kill(d->self, SIGSTOP);
	if (tcgetpgrp(STDIN_FILENO) == getpgrp())
		(void)tcsetpgrp(STDIN_FILENO, d->child);
	(void)kill(-d->child, SIGCONT);
}

/* ---- reaping ----------------------------------------------------------------------------- */

static void log_reap(const struct initd *d, pid_t pid, const struct procfs_stat *st, int status)
{
	struct initd_reap r = {
		.pid = pid,
		.comm = st ? st->comm : NULL,
		.raw_status = status,
		.lifetime_ns = UINT64_MAX,
		.real_ns = (int64_t)clock_ns(CLOCK_REALTIME),
	};
	char line[640];
	size_t n;

	if (st) {
		uint64_t now = clock_ns(CLOCK_BOOTTIME),
			 start = procfs_ticks_to_ns(st->start_ticks);

		if (now >= start)
			r.lifetime_ns = now - start;
	}
	n = d->o->is_json ? 0 : (size_t)snprintf(line, sizeof(line), "zreaper: ");
	n += initd_format_reap(line + n, sizeof(line) - n - 1, d->o, &r);
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line; the lines bypass the verbosity: they were asked for. */
	fwrite(line, 1, n, stderr);
}

/* Reaps one child. Returns its pid, 0 when none is ready (never when is_blocking), -ECHILD
 * when there is no child at all. With reap logging, the zombie is peeked at first (WNOWAIT),
 * so its comm and start time are still in /proc when they are read. */
static pid_t reap_next(struct initd *d, bool is_blocking)
{
	int flags = is_blocking ? 0 : WNOHANG, status = 0;
	struct procfs_stat st;
	bool has_stat = false;
	pid_t pid;

	if (d->is_log_reaps) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si,
			   WEXITED | WNOWAIT | flags | (d->is_follow_stop ? WSTOPPED : 0)) < 0)
			return errno == EINTR ? 0 : -errno;
		if (si.si_pid == 0)
			return 0;
		if (si.si_code != CLD_STOPPED && si.si_pid != d->child)
			has_stat = procfs_read_stat(NULL, (uint32_t)si.si_pid, &st) == 0 &&
				   st.state == 'Z';
		pid = waitpid(si.si_pid, &status, WNOHANG | WUNTRACED);
	} else {
		pid = waitpid(-1, &status, flags | (d->is_follow_stop ? WUNTRACED : 0));
	}
	if (pid < 0)
		return errno == EINTR ? 0 : -errno;
	if (pid == 0)
		return 0;
	if (WIFSTOPPED(status)) {
		if (pid == d->child)
			follow_stop(d);
		return pid;
	}
	if (pid == d->child) {
		char what[64];
		struct zr_exit_status es = status_decode(status);

		d->child_status = status;
		d->is_child_done = true;
		status_describe(&es, what, sizeof(what));
		zr_info("child %d exited: %s", (int)pid, what);
	} else if (d->is_log_reaps) {
		log_reap(d, pid, has_stat ? &st : NULL, status);
	}
	return pid;
}

/* Reaps every child that is ready. Returns how many, or -ECHILD when none is left at all. */
static int drain(struct initd *d)
{
	pid_t pid;
	int n = 0;

	while ((pid = reap_next(d, false)) > 0)
		n++;
	return pid < 0 ? (int)pid : n;
}

/* ---- the end: descendants still running ------------------------------------------------- */

struct proc_ent {
	uint32_t pid, ppid;
	uint64_t start_ticks;
};

struct proc_list {
	struct proc_ent *v;
	size_t n, cap;
	bool has_failed;
};

static int collect_proc(uint32_t pid, void *arg)
{
	struct proc_list *l = arg;
	struct procfs_stat st;

	if (procfs_read_stat(NULL, pid, &st) < 0 || st.state == 'Z' || st.state == 'X')
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct proc_ent *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->has_failed = true;
			return 1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].pid = pid;
	l->v[l->n].ppid = st.ppid;
	l->v[l->n].start_ticks = st.start_ticks;
	l->n++;
	return 0;
}

/* Signals one process, through a pidfd after checking it is still the one the scan saw, so a
 * recycled pid is never hit. */
static int signal_proc(const struct proc_ent *e, int sig)
{
	struct procfs_stat st;
	int fd, rc = 0;

	fd = (int)syscall(SYS_pidfd_open, (pid_t)e->pid, 0);
	if (fd < 0)
		return errno == ENOSYS ? kill((pid_t)e->pid, sig) : -errno;
	if (procfs_read_stat(NULL, e->pid, &st) == 0 && st.start_ticks == e->start_ticks)
		rc = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
	close(fd);
	return rc;
}

/* Sends sig to every live descendant not in done (which gains them; NULL: all of them). As PID
 * 1 that is everything in the namespace but us: kill(-1). Returns how many were signalled, or
 * -1 when kill(-1) was used (the kernel does not say). */
static int signal_descendants(struct initd *d, int sig, struct zr_pidset *done)
{
	struct proc_list l = { 0 };
	struct zr_pidset *tree;
	bool is_changed = true;
	int n = 0;
	size_t i;

	if (d->is_pid1) {
		(void)kill(-1, sig);
		return -1;
	}
	tree = pidset_new();
	if (!tree || pidset_add(tree, (uint32_t)d->self) < 0 ||
	    procfs_each_pid(NULL, collect_proc, &l) < 0 || l.has_failed) {
		/* Without /proc, the grace period still ends in a kill of what we can see. */
		zr_debug("cannot list the descendants in /proc");
		pidset_free(tree);
		free(l.v);
		return 0;
	}
	/* A descendant's parent is us or another descendant: grow the set until it is stable. */
	while (is_changed) {
		is_changed = false;
		for (i = 0; i < l.n; i++) {
			if (!pidset_has(tree, l.v[i].pid) && pidset_has(tree, l.v[i].ppid)) {
				if (pidset_add(tree, l.v[i].pid) < 0)
					break;
				is_changed = true;
			}
		}
	}
	for (i = 0; i < l.n; i++) {
		if (l.v[i].pid == (uint32_t)d->self || !pidset_has(tree, l.v[i].pid))
			continue;
		if (done && pidset_has(done, l.v[i].pid))
			continue;
		if (signal_proc(&l.v[i], sig) == 0) {
			n++;
			if (sig == SIGTERM)
				(void)signal_proc(&l.v[i],
						  SIGCONT); /* a stopped one must run to exit */
			if (done)
				(void)pidset_add(done, l.v[i].pid);
		}
	}
	pidset_free(tree);
	free(l.v);
	return n;
}

/* Waits, reaping, until every descendant is gone or the grace period is over. Returns true when
 * none is left. */
static bool grace_wait(struct initd *d, struct zr_pidset *termed)
{
	struct itimerspec its;
	struct pollfd pfd[2];
	int tfd;
	bool is_gone = false;

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (tfd < 0)
		return false;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(d->o->grace_ns / 1000000000ULL);
	its.it_value.tv_nsec = (long)(d->o->grace_ns % 1000000000ULL);
	if (timerfd_settime(tfd, 0, &its, NULL) < 0)
		goto out;
	pfd[0].fd = d->sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = tfd;
	pfd[1].events = POLLIN;
	while (!is_gone) {
		struct signalfd_siginfo si[16];
		bool has_chld = false;
		ssize_t n, i;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			n = read(d->sfd, si, sizeof(si));
			for (i = 0; n > 0 && i < n / (ssize_t)sizeof(si[0]); i++) {
				if (si[i].ssi_signo == SIGCHLD)
					has_chld = true;
				else
					zr_debug("%s during the grace period: ignored",
						 status_signal_name((int)si[i].ssi_signo));
			}
		}
		if (has_chld) {
			if (drain(d) == -ECHILD)
				is_gone = true;
			else if (!d->is_pid1)
				(void)signal_descendants(d, SIGTERM,
							 termed); /* adopted meanwhile */
		}
		if (!is_gone && (pfd[1].revents & POLLIN))
			break;
	}
out:
	close(tfd);
	return is_gone;
}

/* After the child: leave the descendants (--no-kill), or SIGTERM them, SIGKILL them after the
 * grace period, and reap them all, so nothing is left running. */
static void end_descendants(struct initd *d)
{
	struct zr_pidset *termed;
	char grace[32];
	int n;

	if (drain(d) == -ECHILD)
		return;
	if (d->o->is_no_kill) {
		zr_info("the child is gone; leaving its descendants running (--no-kill)");
		return;
	}
	termed = pidset_new();
	n = signal_descendants(d, SIGTERM, termed);
	snprintf(grace, sizeof(grace), "%llu.%03llus",
		 (unsigned long long)(d->o->grace_ns / 1000000000ULL),
		 (unsigned long long)(d->o->grace_ns / 1000000ULL % 1000));
	if (n < 0)
		zr_info("the child is gone; sent SIGTERM to every process left, SIGKILL in %s",
			grace);
	else
		zr_info("the child is gone; sent SIGTERM to %d descendant(s), SIGKILL in %s", n,
			grace);
	if (grace_wait(d, termed))
		goto out;
	zr_info("grace period over: SIGKILL to what is left");
	for (;;) {
		(void)signal_descendants(d, SIGKILL, NULL);
		if (reap_next(d, true) == -ECHILD || drain(d) == -ECHILD)
			break;
	}
out:
	pidset_free(termed);
}

/* ---- the loop ---------------------------------------------------------------------------- */

/* Reads signals until the child has exited: SIGCHLD drains every ready child, anything else
 * is forwarded. A plain blocking read: no timeout, nothing to poll. */
static void wait_child(struct initd *d)
{
	struct signalfd_siginfo si[16];

	while (!d->is_child_done) {
		bool has_chld = false;
		ssize_t n, i;

		n = read(d->sfd, si, sizeof(si));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			zr_err("reading signals: %s; only reaping from now on", strerror(errno));
			while (!d->is_child_done && reap_next(d, true) >= 0)
				;
			return;
		}
		for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
			if (si[i].ssi_signo == SIGCHLD)
				has_chld = true;
			else
				forward(d, &si[i]);
		}
		if (has_chld)
			(void)drain(d);
	}
}

/* Not PID 1, `run` registers as a child subreaper by itself; as tini it follows tini's rule
 * (only with -s or TINI_SUBREAPER, or a bit inherited across exec) and gives tini's warning. */
static void become_reaper(const struct initd *d)
{
	int bit = 0;

	if (d->o->is_subreaper || (!d->is_pid1 && !d->o->is_tini)) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1UL) < 0)
			zr_warn("cannot become a child subreaper: %s; orphans will go to PID 1",
				strerror(errno));
		else if (!d->is_pid1)
			zr_info("not PID 1: registered as a child subreaper, so orphans of the "
				"child's descendants are reaped here");
	}
	if (d->is_pid1 || (prctl(PR_GET_CHILD_SUBREAPER, (unsigned long)&bit) == 0 && bit))
		return;
	zr_warn("not PID 1 and not a child subreaper: orphans go to PID 1, so zombie reaping "
		"won't work here (use -s or TINI_SUBREAPER=1, or run as PID 1)");
}

int initd_run(const struct initd_opts *o, char **argv)
{
	struct initd d;
	int rc = 1, err;

	memset(&d, 0, sizeof(d));
	d.o = o;
	d.sfd = -1;
	d.self = getpid();
	d.is_pid1 = d.self == 1;
	d.is_log_reaps = o->is_log_reaps || o->is_json || log_verbosity >= LOG_INFO;

	if (o->pdeathsig && prctl(PR_SET_PDEATHSIG, (unsigned long)o->pdeathsig) < 0) {
		zr_err("cannot set the parent-death signal %s: %s",
		       status_signal_name(o->pdeathsig), strerror(errno));
		return 1;
	}
	become_reaper(&d);
	err = setup_signals(&d);
	if (err < 0) {
		zr_err("cannot set up signal handling: %s", strerror(-err));
		goto out;
	}
	if (prepare_exec(&d, argv) < 0) {
		zr_err("out of memory");
		goto out;
	}
	d.has_tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	d.is_follow_stop = d.has_tty && !d.is_pid1;
	err = spawn(&d);
	if (err < 0) {
		zr_err("cannot fork: %s", strerror(-err));
		goto out;
	}
	wait_child(&d);
	end_descendants(&d);
	rc = initd_final_code(o, d.child_status);
out:
	if (d.sfd >= 0)
		close(d.sfd);
	free_strv(d.paths, d.n_paths);
	free(d.sh_argv);
	return rc;
}
