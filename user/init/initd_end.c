/* initd_end.c - what `run` does once its child has exited: the descendants left (found in
 * /proc, or everything as PID 1) get SIGTERM, SIGKILL after the grace period, and are reaped.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "initd_int.h"
#include "log.h"
#include "pidset.h"
#include "procfs.h"
#include "status.h"

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
			if (initd_drain(d) == -ECHILD)
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
void initd_end_descendants(struct initd *d)
{
	struct zr_pidset *termed;
	char grace[32];
	int n;

	if (initd_drain(d) == -ECHILD)
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
		if (initd_reap_next(d, true) == -ECHILD || initd_drain(d) == -ECHILD)
			break;
	}
out:
	pidset_free(termed);
}
