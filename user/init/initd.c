/* initd.c - `zreaper run`'s init: starts the child with the caller's signal state, then a
 * blocking signalfd loop forwards every signal to it and reaps every child (its own and the
 * adopted orphans) until it exits; then ends what is left of its descendants and returns the
 * child's status. No BPF: this works unprivileged and as PID 1 of a pid namespace.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
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

/* How `run` paces its reaping when thousands of orphans die at once. Each waitpid walks the
 * kernel's list of our children up to the first one that is ready (all of it when none is),
 * under the lock every exit takes: an init that reaps each orphan the moment it dies walks past
 * the living ones once per exit, O(children) each time, and slows the very exits it waits for.
 * So a drain spends at most DRAIN_SLICE_NS in waitpid, and the next one starts no sooner than
 * DRAIN_PACE times its walking later (DRAIN_GAP_MAX_NS at most): the walks take a bounded share
 * of the time, and each finds the zombies that piled up meanwhile near the front. Walking is the
 * time in waitpid beyond DRAIN_REAP_NS per child reaped: a reap of a zombie near the front of the
 * list costs less, so while the exits go on, cheap reaps go without pauses (pausing after those
 * too held a burst's tail to a fifth of the time: 15 to 20% slower drains of 10,000 orphans).
 * Once no child exits during a drain that was cut short, nothing is left to slow: the zombies
 * left are a backlog, reaped without pauses whatever a reap costs (on a busy machine a front
 * reap takes 10 to 15 us, and pausing for the excess tripled the time a backlog of 10,000
 * took). A lone exit is still reaped at once (its drain takes microseconds, so does the gap
 * after it); in a burst a zombie lives at most one gap longer. Other signals are forwarded
 * during a gap too. */
#define DRAIN_SLICE_NS	 1000000ULL
#define DRAIN_PACE	 4
#define DRAIN_GAP_MAX_NS 10000000ULL
#define DRAIN_REAP_NS	 5000ULL

uint64_t initd_drain_gap(uint64_t waited_ns, int reaped, bool is_backlog)
{
	uint64_t free_ns = reaped > 0 ? (uint64_t)reaped * DRAIN_REAP_NS : 0;
	uint64_t walked;

	if (is_backlog)
		return 0;
	walked = waited_ns > free_ns ? waited_ns - free_ns : 0;
	return walked >= DRAIN_GAP_MAX_NS / DRAIN_PACE ? DRAIN_GAP_MAX_NS : walked * DRAIN_PACE;
}

struct pace {
	uint64_t next; /* CLOCK_MONOTONIC: no drain starts before */
	bool is_due;   /* a SIGCHLD came, or the last drain was cut short: drain at next */
};

static bool read_signals(struct initd *d, bool is_blocking, struct pace *p);

/* Waits until p->next, forwarding any signal but SIGCHLD the moment it comes: the signalfd
 * stops reading SIGCHLD meanwhile, so the exits of the burst do not wake us one by one. */
static void wait_gap(struct initd *d, struct pace *p)
{
	struct pollfd pfd = { .fd = d->sfd, .events = POLLIN };
	bool is_quiet = initd_read_chld(d, false) == 0;
	uint64_t now;

	while ((now = clock_ns(CLOCK_MONOTONIC)) < p->next) {
		struct timespec left = { .tv_sec = (time_t)((p->next - now) / 1000000000ULL),
					 .tv_nsec = (long)((p->next - now) % 1000000000ULL) };

		if (!is_quiet) { /* SIGCHLD would wake us: just sleep */
			(void)nanosleep(&left, NULL);
			continue;
		}
		/* Readable, the read cannot block: we are the signalfd's only reader. */
		if (ppoll(&pfd, 1, &left, NULL) > 0 && !read_signals(d, true, p))
			break;
	}
	if (is_quiet)
		(void)initd_read_chld(d, true);
}

static void drain_paced(struct initd *d, struct pace *p)
{
	uint64_t waited_before = d->wait_ns, waited, gap;
	bool is_cut, is_backlog;
	int n;

	if (clock_ns(CLOCK_MONOTONIC) < p->next)
		wait_gap(d, p);
	(void)initd_take_chld(); /* this drain reaps whatever exited before it */
	n = initd_drain_for(d, DRAIN_SLICE_NS, &is_cut);
	/* Only waitpid counts: the lines of --log-reaps hold no lock an exit needs. */
	waited = d->wait_ns - waited_before;
	is_backlog = is_cut && !initd_take_chld();
	gap = initd_drain_gap(waited, n, is_backlog);
	p->next = clock_ns(CLOCK_MONOTONIC) + gap;
	p->is_due = is_cut;
	if (is_backlog)
		zr_debug("reaped %d in %llu us of waitpid, more may be ready, no child exited "
			 "meanwhile: next drain now",
			 n, (unsigned long long)waited / 1000);
	else if (is_cut)
		zr_debug(
		    "reaped %d in %llu us of waitpid, more may be ready: next drain in %llu us", n,
		    (unsigned long long)waited / 1000, (unsigned long long)gap / 1000);
}

/* Reads the pending signals (waits for one when is_blocking): forwards each but SIGCHLD, which
 * makes a drain due. Returns false when the signalfd cannot be read. */
static bool read_signals(struct initd *d, bool is_blocking, struct pace *p)
{
	struct signalfd_siginfo si[16];
	struct pollfd pfd = { .fd = d->sfd, .events = POLLIN };
	ssize_t n, i;

	if (!is_blocking && poll(&pfd, 1, 0) <= 0)
		return true;
	n = read(d->sfd, si, sizeof(si));
	if (n < 0)
		return errno == EINTR;
	for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
		if (si[i].ssi_signo == SIGCHLD)
			p->is_due = true;
		else
			initd_forward(d, &si[i]);
	}
	return true;
}

/* Reads signals until the child has exited: SIGCHLD drains the ready children (paced, above),
 * anything else is forwarded. A plain blocking read while nothing is due: no timeout, nothing
 * to poll. */
static void wait_child(struct initd *d)
{
	struct pace p = { 0, false };

	while (!d->is_child_done) {
		if (!read_signals(d, !p.is_due, &p)) {
			zr_err("reading signals: %s; only reaping from now on", strerror(errno));
			while (!d->is_child_done && initd_reap_next(d, true) >= 0)
				;
			return;
		}
		if (p.is_due)
			drain_paced(d, &p);
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
