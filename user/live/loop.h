/* loop.h - the event loop: one epoll over the ring buffer, a signalfd (SIGINT, SIGTERM,
 * SIGHUP), a periodic timerfd, stdout's error state (a reader that went away), and any other fd
 * a module adds with its own handler (the metrics HTTP server's sockets).
 */
#ifndef ZR_LOOP_H
#define ZR_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum loop_wake {
	LOOP_RING,	 /* records are waiting */
	LOOP_TICK,	 /* the periodic timer fired */
	LOOP_SIGNAL,	 /* a stop signal arrived */
	LOOP_OUT_CLOSED, /* stdout's reader is gone */
	LOOP_ERROR,
};

/* An fd a module watches: embed it, fill fd and fn, loop_add it. fn runs inside loop_wait, which
 * then waits again: the caller's switch only ever sees the built-in wake-ups. */
struct loop_fd;
typedef void (*loop_fd_fn)(struct loop_fd *w, uint32_t events);
struct loop_fd {
	int fd;
	loop_fd_fn fn;
};

/* The struct that embeds w as member: what a loop_fd_fn handler works on. Through void *, as
 * the embedding struct is aligned for its own fields. */
#define LOOP_OWNER(w, type, member) ((type *)(void *)((char *)(w)-offsetof(type, member)))

struct loop {
	int epfd, sigfd, timerfd;
	int last_signal;
};

/* Blocks the stop signals (they are read from the signalfd), ignores SIGPIPE, and watches
 * ring_fd (may be -1) and out_fd. tick_ms: timer period. Returns 0 or -errno. */
int loop_init(struct loop *l, int ring_fd, int out_fd, unsigned tick_ms);

/* Waits for the next wake-up (EINTR is retried). */
enum loop_wake loop_wait(struct loop *l);

/* Watches w->fd for events (EPOLLIN, EPOLLOUT...), or changes what it waits for; loop_del
 * forgets it (before the caller closes the fd). Return 0 or -errno. */
int loop_add(struct loop *l, struct loop_fd *w, uint32_t events);
int loop_mod(struct loop *l, struct loop_fd *w, uint32_t events);
void loop_del(struct loop *l, struct loop_fd *w);

/* True once a stop signal's grace ran out with a write still blocked on stdout (its reader
 * stopped reading): what was still buffered is lost, and the caller says so. */
bool loop_gave_up(void);

/* Closes the fds and restores the signal mask; accepts a loop never initialised (zeroed). */
void loop_close(struct loop *l);

#endif /* ZR_LOOP_H */
