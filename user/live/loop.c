/* loop.c - epoll over the ring buffer, a signalfd and a timerfd, no polling; stdout watched
 * for EPOLLERR so `| head` ends the trace even when no event is due. The stop signals are
 * blocked (read from the signalfd) only while the loop sleeps: while the caller works they
 * reach a handler, so a write blocked on a reader that stopped reading cannot make a stop
 * signal wait forever (the reader gets STOP_GRACE_S to drain, then writes fail).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "loop.h"

/* Built-in fds carry a small tag in epoll's data; added ones carry their struct loop_fd's
 * address, which is never that small. */
enum { TAG_RING = 1, TAG_SIG, TAG_TIMER, TAG_OUT, TAG_LAST = TAG_OUT };

#define STOP_GRACE_S 2 /* after a stop signal, how long a stalled reader may hold a write */

static sigset_t saved_mask, stop_set;
static struct sigaction saved_act[4]; /* SIGINT, SIGTERM, SIGHUP, SIGALRM as we found them */
static const int handled[4] = { SIGINT, SIGTERM, SIGHUP, SIGALRM };
static bool is_installed;
static volatile sig_atomic_t stop_signo, is_grace_armed, is_gave_up;
static volatile int out_fd_watched = -1;
static bool is_out_nonblock; /* stdout was non-blocking before us: leave it so */

/* A stop signal while the caller works: remember it and start the reader's grace. Writes in
 * progress are restarted (SA_RESTART): a slow reader still gets every line. */
static void on_stop_signal(int sig)
{
	stop_signo = sig;
	if (!is_grace_armed) {
		is_grace_armed = 1;
		alarm(STOP_GRACE_S);
	}
}

/* The grace is over: stdout stops blocking, so a write still waiting fails (SIGALRM has no
 * SA_RESTART) and the trace ends. fcntl and alarm are async-signal-safe. */
static void on_grace_over(int sig)
{
	int fl, fd = out_fd_watched;

	(void)sig;
	if (fd < 0)
		return;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
		is_gave_up = 1;
}

static void install_handlers(void)
{
	struct sigaction sa = { 0 };
	int i;

	for (i = 0; i < 4; i++) {
		sigaction(handled[i], NULL, &saved_act[i]);
		/* nohup asked for SIGHUP to be ignored: leave it so. */
		if (handled[i] == SIGHUP && saved_act[i].sa_handler == SIG_IGN)
			continue;
		sa.sa_handler = handled[i] == SIGALRM ? on_grace_over : on_stop_signal;
		sa.sa_flags = handled[i] == SIGALRM ? 0 : SA_RESTART;
		sigfillset(&sa.sa_mask);
		sigaction(handled[i], &sa, NULL);
	}
	is_installed = true;
}

bool loop_gave_up(void)
{
	return is_gave_up;
}

static int watch(int epfd, int fd, uint32_t events, int tag)
{
	struct epoll_event e = { .events = events, .data.u64 = (uint64_t)tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

int loop_init(struct loop *l, int ring_fd, int out_fd, unsigned tick_ms)
{
	struct itimerspec its = { 0 };
	sigset_t mask;
	int err;

	l->epfd = l->sigfd = l->timerfd = -1;
	l->last_signal = 0;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	stop_set = mask;
	/* A write to a closed pipe returns EPIPE, which the sinks report as "reader gone". */
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &mask, &saved_mask))
		return -errno;
	/* Handlers replace an inherited SIG_IGN too: a script's background job starts with
	 * SIGINT ignored, yet `kill -INT` must still end the trace. */
	stop_signo = is_grace_armed = is_gave_up = 0;
	out_fd_watched = out_fd;
	is_out_nonblock = out_fd >= 0 && (fcntl(out_fd, F_GETFL) & O_NONBLOCK);
	install_handlers();
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->epfd < 0 || l->sigfd < 0 || l->timerfd < 0)
		goto fail;
	its.it_interval.tv_sec = tick_ms / 1000;
	its.it_interval.tv_nsec = (long)(tick_ms % 1000) * 1000000L;
	its.it_value = its.it_interval;
	if (timerfd_settime(l->timerfd, 0, &its, NULL))
		goto fail;
	if ((err = watch(l->epfd, l->sigfd, EPOLLIN, TAG_SIG)) ||
	    (err = watch(l->epfd, l->timerfd, EPOLLIN, TAG_TIMER)))
		goto fail_err;
	if (ring_fd >= 0 && (err = watch(l->epfd, ring_fd, EPOLLIN, TAG_RING)))
		goto fail_err;
	/* Regular files cannot be watched (EPERM): nothing to notice there. */
	(void)watch(l->epfd, out_fd, 0, TAG_OUT);
	sigprocmask(SIG_UNBLOCK, &stop_set, NULL); /* the caller works now */
	return 0;
fail:
	err = -errno;
fail_err:
	loop_close(l);
	return err;
}

int loop_add(struct loop *l, struct loop_fd *w, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = w };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &e) ? -errno : 0;
}

int loop_mod(struct loop *l, struct loop_fd *w, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = w };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &e) ? -errno : 0;
}

void loop_del(struct loop *l, struct loop_fd *w)
{
	if (l->epfd >= 0)
		(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

static enum loop_wake wait_blocked(struct loop *l)
{
	struct epoll_event e;
	struct loop_fd *w;
	int n;

	if (stop_signo) { /* it came while the caller worked */
		l->last_signal = stop_signo;
		return LOOP_SIGNAL;
	}
	for (;;) {
		do {
			n = epoll_wait(l->epfd, &e, 1, -1);
		} while (n < 0 && errno == EINTR);
		if (n <= 0)
			return LOOP_ERROR;
		if (e.data.u64 <= TAG_LAST)
			break;
		/* A module's fd: its handler does the work, the caller has nothing to do. */
		w = e.data.ptr;
		w->fn(w, e.events);
	}
	switch (e.data.u64) {
	case TAG_RING:
		return LOOP_RING;
	case TAG_SIG: {
		struct signalfd_siginfo si;

		if (read(l->sigfd, &si, sizeof(si)) == sizeof(si))
			l->last_signal = (int)si.ssi_signo;
		return LOOP_SIGNAL;
	}
	case TAG_TIMER: {
		uint64_t ticks;

		if (read(l->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			return LOOP_ERROR;
		return LOOP_TICK;
	}
	case TAG_OUT:
		return LOOP_OUT_CLOSED;
	default:
		return LOOP_ERROR;
	}
}

enum loop_wake loop_wait(struct loop *l)
{
	enum loop_wake w;

	sigprocmask(SIG_BLOCK, &stop_set, NULL);
	w = wait_blocked(l);
	if (w == LOOP_SIGNAL && !is_grace_armed) {
		is_grace_armed = 1; /* the last lines get the same grace as any write */
		alarm(STOP_GRACE_S);
	}
	sigprocmask(SIG_UNBLOCK, &stop_set, NULL);
	return w;
}

void loop_close(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->timerfd >= 0)
		close(l->timerfd);
	if (is_installed) {
		int i, fl, fd = out_fd_watched;

		alarm(0);
		sigprocmask(SIG_BLOCK, &stop_set, NULL);
		for (i = 0; i < 4; i++)
			sigaction(handled[i], &saved_act[i], NULL);
		/* The pipe's other writers (a shell's next command) must find it as it was. */
		if (is_gave_up && !is_out_nonblock && fd >= 0 && (fl = fcntl(fd, F_GETFL)) >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		out_fd_watched = -1;
		is_installed = false;
	}
	if (l->epfd >= 0 || l->sigfd >= 0)
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	l->epfd = l->sigfd = l->timerfd = -1;
}
