/* loop.h - the event loop: one epoll over the ring buffer, a signalfd (SIGINT, SIGTERM,
 * SIGHUP), a periodic timerfd and stdout's error state (a reader that went away).
 */
#ifndef ZR_LOOP_H
#define ZR_LOOP_H

enum loop_wake {
	LOOP_RING,	 /* records are waiting */
	LOOP_TICK,	 /* the periodic timer fired */
	LOOP_SIGNAL,	 /* a stop signal arrived */
	LOOP_OUT_CLOSED, /* stdout's reader is gone */
	LOOP_ERROR,
};

struct loop {
	int epfd, sigfd, timerfd;
	int last_signal;
};

/* Blocks the stop signals (they are read from the signalfd), ignores SIGPIPE, and watches
 * ring_fd (may be -1) and out_fd. tick_ms: timer period. Returns 0 or -errno. */
int loop_init(struct loop *l, int ring_fd, int out_fd, unsigned tick_ms);

/* Waits for the next wake-up (EINTR is retried). */
enum loop_wake loop_wait(struct loop *l);

/* Closes the fds and restores the signal mask; accepts a loop never initialised (zeroed). */
void loop_close(struct loop *l);

#endif /* ZR_LOOP_H */
