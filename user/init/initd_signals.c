/* initd_signals.c - `run`'s signal state: everything but the synchronous signals blocked and
 * read from a signalfd, each passed on to the child; a stopped child stops us too.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "initd_int.h"
#include "log.h"
#include "status.h"

/* Raised by the kernel for a fault in the init itself: blocked, they would still kill it, but
 * without the core or the message that says why. They stay unblocked (tini, catatonit). */
static const int sync_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS };

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
int initd_setup_signals(struct initd *d)
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
	d->sfd_mask = block;
	d->sfd = signalfd(-1, &block, SFD_CLOEXEC);
	return d->sfd < 0 ? -errno : 0;
}

int initd_read_chld(struct initd *d, bool is_on)
{
	sigset_t mask = d->sfd_mask;

	if (!is_on)
		sigdelset(&mask, SIGCHLD); /* still blocked: it stays pending */
	return signalfd(d->sfd, &mask, 0) < 0 ? -errno : 0;
}

bool initd_take_chld(void)
{
	static const struct timespec now = { 0, 0 };
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	/* Blocked, so it waits in the pending set until read: here, or from the signalfd. */
	return sigtimedwait(&chld, NULL, &now) == SIGCHLD;
}

/* Passes one signal on to the child (its group with -g). */
void initd_forward(struct initd *d, const struct signalfd_siginfo *si)
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
void initd_follow_stop(struct initd *d)
{
	zr_info("the child stopped: stopping with it");
	(void)kill(d->self, SIGSTOP);
	if (tcgetpgrp(STDIN_FILENO) == getpgrp())
		(void)tcsetpgrp(STDIN_FILENO, d->child);
	(void)kill(-d->child, SIGCONT);
}
