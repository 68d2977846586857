/* zr-conns.c - test helper for the metrics server under load: clients that hold connections
 * without ever finishing a request, and a stream of short connections, on loopback.
 *
 * Usage: zr-conns [-s SLOW] [-r RATE] [-d MS] HOST PORT
 *
 *   -s SLOW  connections (200) that each send half a request ("GET /metrics HTTP/1.1" and one
 *            header, no blank line) and then wait; one the server drops is made again 50 ms
 *            later, as a reconnecting client would
 *   -r RATE  short connections a second (0): connect, send the same half request, close
 *   -d MS    how long to run (5000); then every socket is closed and the figures printed
 *
 * Output (stdout): "ready" once every slow client has been connected once, then at the end
 * "slow N connects C dropped D failed F short S failed G": connections made by the slow
 * clients, dropped by the server, refused or reset before connecting; short ones made and
 * failed. Exit status: 0, 2 usage, 1 when setting up failed.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SHORT_MAX    512 /* short connections in flight at once */
#define RECONNECT_MS 50
#define MS	     1000000ULL

static const char half_request[] = "GET /metrics HTTP/1.1\r\nHost: zr-conns\r\n";

struct client {
	int fd; /* < 0: not connected */
	bool is_slow, is_connected, was_ready;
	uint64_t retry_ns;
};

struct figures {
	unsigned long slow_connects, slow_dropped, slow_failed, short_made, short_failed;
};

static int epfd = -1;
static struct sockaddr_in to;
static struct figures fig;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void drop(struct client *c)
{
	if (c->fd < 0)
		return;
	(void)epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->is_connected = false;
}

/* Starts a non-blocking connect; its end is reported as EPOLLOUT. */
static void dial(struct client *c)
{
	struct epoll_event e = { .events = EPOLLOUT, .data.ptr = c };

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return;
	if ((connect(c->fd, (const struct sockaddr *)&to, sizeof(to)) && errno != EINPROGRESS) ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &e)) {
		close(c->fd);
		c->fd = -1;
	}
}

/* The connect ended: say half a request; a slow client then waits, a short one leaves. */
static void on_connected(struct client *c, uint64_t now)
{
	struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err ||
	    send(c->fd, half_request, sizeof(half_request) - 1, MSG_NOSIGNAL) < 0) {
		drop(c);
		if (c->is_slow) {
			fig.slow_failed++;
			c->retry_ns = now + RECONNECT_MS * MS;
		} else {
			fig.short_failed++;
		}
		return;
	}
	if (!c->is_slow) {
		fig.short_made++;
		drop(c);
		return;
	}
	fig.slow_connects++;
	c->is_connected = true;
	c->was_ready = true;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e))
		drop(c);
}

/* A slow client heard from the server: anything but data means it was dropped. */
static void on_readable(struct client *c, uint64_t now)
{
	char buf[512];
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

	if (n > 0 || (n < 0 && errno == EAGAIN))
		return;
	fig.slow_dropped++;
	drop(c);
	c->retry_ns = now + RECONNECT_MS * MS;
}

static int parse(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max ? -1 : 0;
}

static int run(struct client *slow, unsigned long n_slow, unsigned long rate, uint64_t end)
{
	static struct client shorts[SHORT_MAX];
	struct epoll_event ev[64];
	uint64_t start = mono_ns(), now;
	unsigned long i, started = 0;
	bool is_ready = false;
	int n, k;

	for (i = 0; i < SHORT_MAX; i++)
		shorts[i].fd = -1;
	while ((now = mono_ns()) < end) {
		unsigned long due = (unsigned long)((now - start) / 1000 * rate / 1000000);

		for (i = 0; i < n_slow; i++)
			if (slow[i].fd < 0 && now >= slow[i].retry_ns)
				dial(&slow[i]);
		for (i = 0; i < SHORT_MAX && started < due; i++) {
			if (shorts[i].fd >= 0)
				continue;
			dial(&shorts[i]);
			started++;
		}
		for (i = 0; i < n_slow && slow[i].was_ready; i++)
			;
		if (!is_ready && i == n_slow) {
			is_ready = true;
			printf("ready\n");
			fflush(stdout);
		}
		n = epoll_wait(epfd, ev, 64, 1);
		if (n < 0 && errno != EINTR)
			return -1;
		for (k = 0; k < n; k++) {
			struct client *c = ev[k].data.ptr;

			if (!c->is_connected)
				on_connected(c, now);
			else
				on_readable(c, now);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n_slow = 200, rate = 0, ms = 5000, port, i;
	struct client *slow;
	int opt, err;

	while ((opt = getopt(argc, argv, "s:r:d:")) != -1) {
		unsigned long *dst = opt == 's' ? &n_slow : opt == 'r' ? &rate : &ms;

		if (opt == '?' || parse(optarg, 100000, dst))
			goto usage;
	}
	if (argc - optind != 2 || parse(argv[optind + 1], 65535, &port))
		goto usage;
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, argv[optind], &to.sin_addr) != 1)
		goto usage;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	slow = calloc(n_slow ? n_slow : 1, sizeof(*slow));
	if (epfd < 0 || !slow) {
		perror("zr-conns: setting up");
		free(slow);
		return 1;
	}
	for (i = 0; i < n_slow; i++) {
		slow[i].fd = -1;
		slow[i].is_slow = true;
	}
	err = run(slow, n_slow, rate, mono_ns() + ms * MS);
	for (i = 0; i < n_slow; i++)
		drop(&slow[i]);
	free(slow);
	if (err) {
		perror("zr-conns: epoll_wait");
		return 1;
	}
	printf("slow %lu connects %lu dropped %lu failed %lu short %lu failed %lu\n", n_slow,
	       fig.slow_connects, fig.slow_dropped, fig.slow_failed, fig.short_made,
	       fig.short_failed);
	return 0;
usage:
	fprintf(stderr, "usage: zr-conns [-s SLOW] [-r RATE] [-d MS] HOST PORT\n");
	return 2;
}
