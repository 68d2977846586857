/* initd.c - `zreaper run`'s init: starts the child with the caller's signal state, then a
 * blocking signalfd loop forwards every signal to it and reaps every child (its own and the
 * adopted orphans) until it exits; then ends what is left of its descendants and returns the
 * child's status. No BPF: this works unprivileged and as PID 1 of a pid namespace.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initd_int.h"
#include "log.h"
#include "status.h"

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
			while (!d->is_child_done && initd_reap_next(d, true) >= 0)
				;
			return;
		}
		for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
			if (si[i].ssi_signo == SIGCHLD)
				has_chld = true;
			else
				initd_forward(d, &si[i]);
		}
		if (has_chld)
			(void)initd_drain(d);
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
	err = initd_setup_signals(&d);
	if (err < 0) {
		zr_err("cannot set up signal handling: %s", strerror(-err));
		goto out;
	}
	if (initd_prepare_exec(&d, argv) < 0) {
		zr_err("out of memory");
		goto out;
	}
	d.has_tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	d.is_follow_stop = d.has_tty && !d.is_pid1;
	err = initd_spawn(&d);
	if (err < 0) {
		zr_err("cannot fork: %s", strerror(-err));
		goto out;
	}
	wait_child(&d);
	initd_end_descendants(&d);
	rc = initd_final_code(o, d.child_status);
out:
	if (d.sfd >= 0)
		close(d.sfd);
	initd_exec_free(&d);
	return rc;
}
