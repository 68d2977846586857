/* loop.c - epoll over the ring buffer, a signalfd and a timerfd: no signal handlers, no
 * polling; stdout watched for EPOLLERR so `| head` ends the trace even when no event is due.
 */
#include <errno.h>
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

static sigset_t saved_mask;

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
	/* A write to a closed pipe returns EPIPE, which the sinks report as "reader gone". */
	signal(SIGPIPE, SIG_IGN);
	/* An ignored signal never reaches a signalfd. A script's background job starts with
	 * SIGINT ignored, yet `kill -INT` must still end the trace; SIGHUP stays as inherited
	 * (nohup asked for it to be ignored). */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (sigprocmask(SIG_BLOCK, &mask, &saved_mask))
		return -errno;
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

enum loop_wake loop_wait(struct loop *l)
{
	struct epoll_event e;
	struct loop_fd *w;
	int n;

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

void loop_close(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->timerfd >= 0)
		close(l->timerfd);
	if (l->epfd >= 0 || l->sigfd >= 0)
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	l->epfd = l->sigfd = l->timerfd = -1;
}
