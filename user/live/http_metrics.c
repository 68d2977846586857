/* http_metrics.c - GET/HEAD /metrics over HTTP/1.x in the event loop: every socket is
 * non-blocking, a request is bounded in size and a connection in time, one response per
 * connection (Connection: close), so a slow or hostile client costs a slot, never the loop;
 * and a full house of clients that never finish asking makes room for a newcomer, so a scrape
 * is answered however many of them there are.
 */
#define _GNU_SOURCE /* accept4, memmem */ /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) \
					   */
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "clock.h"
#include "http_metrics.h"

struct conn {
	struct loop_fd w; /* w.fd < 0: slot free */
	struct http_metrics *h;
	char req[HTTP_REQ_MAX];
	size_t rlen;
	char *resp; /* set once the request is answered */
	size_t resp_len, sent;
	uint64_t accepted_ns, deadline_ns;
};

struct http_metrics {
	struct loop_fd lw; /* the listening socket */
	struct loop *loop;
	http_render_fn render;
	void *arg;
	bool is_paused; /* every slot is sending a response: new ones wait in the backlog */
	struct conn conns[HTTP_CONN_MAX];
};

/* Splits "host:port", "[v6]:port" or ":port" (host "" = every address). */
static int split_addr(const char *addr, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *p;
	size_t n;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		n = (size_t)(close - addr - 1);
		colon = close + 1;
		addr++;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
			return -EINVAL; /* a bare IPv6 address needs brackets */
		n = (size_t)(colon - addr);
	}
	if (n >= hlen || !colon[1] || strlen(colon + 1) > 5)
		return -EINVAL;
	for (p = colon + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	if (strtol(colon + 1, NULL, 10) > 65535)
		return -EINVAL;
	memcpy(host, addr, n);
	host[n] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

static int listen_on(const struct addrinfo *ai, int *out)
{
	int fd, one = 1, zero = 0, err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* ":port" means IPv4 too. */
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, HTTP_BACKLOG)) {
		err = -errno;
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

int http_metrics_open(const char *addr, struct http_metrics **out, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL, *ai;
	char host[256], port[8];
	struct http_metrics *h;
	int err, fd = -1, i;

	if (split_addr(addr, host, sizeof(host), port, sizeof(port))) {
		snprintf(why, whylen, "not HOST:PORT, [IPV6]:PORT or :PORT");
		return -EINVAL;
	}
	/* Every address: IPv6 with IPv4 mapped when the host has IPv6, else IPv4. */
	hints.ai_family = host[0] ? AF_UNSPEC : AF_INET6;
	err = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (err && !host[0]) {
		hints.ai_family = AF_INET;
		err = getaddrinfo(NULL, port, &hints, &res);
	}
	if (err) {
		snprintf(why, whylen, "%s", gai_strerror(err));
		return -EINVAL;
	}
	err = -EADDRNOTAVAIL;
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		err = listen_on(ai, &fd);
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(-err));
		return err;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		close(fd);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	h->lw.fd = fd;
	for (i = 0; i < HTTP_CONN_MAX; i++)
		h->conns[i].w.fd = -1;
	*out = h;
	return 0;
}

/* Accepts again once a slot is free (or stops while none is). */
static void listen_pause(struct http_metrics *h, bool pause)
{
	if (h->is_paused == pause)
		return;
	if (!loop_mod(h->loop, &h->lw, pause ? 0 : EPOLLIN))
		h->is_paused = pause;
}

static void conn_close(struct conn *c)
{
	if (c->w.fd < 0)
		return;
	loop_del(c->h->loop, &c->w);
	close(c->w.fd);
	c->w.fd = -1;
	free(c->resp);
	c->resp = NULL;
	listen_pause(c->h, false);
}

/* Sends what the socket takes now; closes once everything is out. */
static void conn_send(struct conn *c)
{
	while (c->sent < c->resp_len) {
		ssize_t n = send(c->w.fd, c->resp + c->sent, c->resp_len - c->sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (loop_mod(c->h->loop, &c->w, EPOLLOUT))
				conn_close(c);
			return;
		}
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->sent += (size_t)n;
	}
	shutdown(c->w.fd, SHUT_WR);
	conn_close(c);
}

static void respond(struct conn *c, const char *status, const char *type, const char *extra,
		    const char *body, size_t blen, bool head)
{
	char hdr[512];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
			 "Connection: close\r\n\r\n",
			 status, type, blen, extra);
	size_t hl = (size_t)n;

	c->resp = malloc(hl + (head ? 0 : blen));
	if (!c->resp) {
		conn_close(c);
		return;
	}
	memcpy(c->resp, hdr, hl);
	if (!head)
		memcpy(c->resp + hl, body, blen);
	c->resp_len = hl + (head ? 0 : blen);
	c->sent = 0;
	c->deadline_ns = clock_ns(CLOCK_MONOTONIC) + HTTP_SEND_TIMEOUT_MS * 1000000ULL;
	conn_send(c);
}

static void respond_text(struct conn *c, const char *status, const char *extra)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "%s\n", status);

	respond(c, status, "text/plain; charset=utf-8", extra, body, (size_t)n, false);
}

/* Does a header line (case-insensitive name) exist whose value contains needle? */
static bool header_has(const char *headers, const char *name, const char *needle)
{
	size_t nl = strlen(name);
	const char *line = headers;

	while (line && *line) {
		const char *eol = strstr(line, "\r\n");
		size_t len = eol ? (size_t)(eol - line) : strlen(line);

		if (len > nl && !strncasecmp(line, name, nl) && line[nl] == ':' &&
		    memmem(line + nl + 1, len - nl - 1, needle, strlen(needle)))
			return true;
		line = eol ? eol + 2 : NULL;
	}
	return false;
}

/* A complete request head is in c->req (NUL-terminated): answer it. */
static void handle(struct conn *c)
{
	char method[16], target[1024], version[16];
	const char *headers = strstr(c->req, "\r\n");
	enum metrics_format fmt = METRICS_PROMETHEUS;
	bool head;
	size_t blen;
	char *body;
	const char *m;

	if (sscanf(c->req, "%15[A-Za-z] %1023[^ \r\n] %15[^ \r\n]", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0 || !version[7] || version[8] || target[0] != '/' ||
	    !headers ||
	    (size_t)(headers - c->req) != strlen(method) + strlen(target) + strlen(version) + 2) {
		respond_text(c, "400 Bad Request", "");
		return;
	}
	for (m = method; *m; m++) {
		if (*m < 'A' || *m > 'Z') {
			respond_text(c, "400 Bad Request", "");
			return;
		}
	}
	head = strcmp(method, "HEAD") == 0;
	if (!head && strcmp(method, "GET") != 0) {
		respond_text(c, "405 Method Not Allowed", "Allow: GET, HEAD\r\n");
		return;
	}
	if (strcmp(target, "/metrics") != 0 && strncmp(target, "/metrics?", 9) != 0) {
		respond_text(c, "404 Not Found", "");
		return;
	}
	if (header_has(headers + 2, "Accept", "application/openmetrics-text"))
		fmt = METRICS_OPENMETRICS;
	body = c->h->render(fmt, &blen, c->h->arg);
	if (!body) {
		respond_text(c, "500 Internal Server Error", "");
		return;
	}
	respond(c, "200 OK", metrics_content_type(fmt), "", body, blen, head);
	free(body);
}

/* Takes what the client has sent of its request and answers once the head is complete (or
 * can never be). Reads until the socket is drained, so a client that said its part and left is
 * let go at once. Returns true while the connection is still waiting for the rest. */
static bool conn_read(struct conn *c)
{
	ssize_t n;

	while (c->w.fd >= 0 && !c->resp) {
		n = recv(c->w.fd, c->req + c->rlen, sizeof(c->req) - 1 - c->rlen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0) {
			conn_close(c); /* gone before asking anything */
			break;
		}
		c->rlen += (size_t)n;
		c->req[c->rlen] = '\0';
		/* A bare-LF request is not HTTP/1.x as we speak it: 400 now, not at the timeout. */
		if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
			handle(c);
		else if (c->rlen == sizeof(c->req) - 1)
			respond_text(c, "431 Request Header Fields Too Large", "");
		else if (memchr(c->req, '\0', c->rlen))
			respond_text(c, "400 Bad Request", ""); /* a NUL: not HTTP */
	}
	return false;
}

static void on_conn(struct loop_fd *w, uint32_t events)
{
	struct conn *c = LOOP_OWNER(w, struct conn, w);

	if (!c->resp)
		(void)conn_read(c);
	else if (events & (EPOLLERR | EPOLLHUP))
		conn_close(c);
	else
		conn_send(c);
}

/* The slot a new connection takes: a free one, else that of the oldest connection still
 * short of a complete request after HTTP_GRACE_MS (read once more first: its request may have
 * just arrived), which the caller then closes. NULL while there is none: a well-formed request
 * is never cut short for a newcomer, nor is a connection whose request may be on its way; the
 * newcomer waits in the backlog. So slow clients that reconnect as fast as they are dropped
 * push each other out, at most HTTP_CONN_MAX per grace period, and a scraper's turn comes. */
static struct conn *room_for_one(struct http_metrics *h)
{
	uint64_t born_before = clock_ns(CLOCK_MONOTONIC) - HTTP_GRACE_MS * 1000000ULL;
	struct conn *oldest;
	int i;

	for (;;) {
		oldest = NULL;
		for (i = 0; i < HTTP_CONN_MAX; i++) {
			struct conn *c = &h->conns[i];

			if (c->w.fd < 0)
				return c;
			if (!c->resp && c->accepted_ns < born_before &&
			    (!oldest || c->accepted_ns < oldest->accepted_ns))
				oldest = c;
		}
		/* Each read that does not return it frees its slot or answers it. */
		if (!oldest || conn_read(oldest))
			return oldest;
	}
}

/* Accepts at most a house-full per wake-up, so the open connections are read in between
 * (the listening socket, level-triggered, comes back with the rest). */
static void on_listen(struct loop_fd *w, uint32_t events)
{
	struct http_metrics *h = LOOP_OWNER(w, struct http_metrics, lw);
	int fd, i;

	(void)events;
	for (i = 0; i < HTTP_CONN_MAX; i++) {
		struct conn *c = room_for_one(h);

		if (!c) {
			listen_pause(h, true);
			return;
		}
		fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		conn_close(c);
		c->w = (struct loop_fd){ fd, on_conn };
		c->h = h;
		c->rlen = 0;
		c->resp = NULL;
		c->accepted_ns = clock_ns(CLOCK_MONOTONIC);
		c->deadline_ns = c->accepted_ns + HTTP_HEAD_TIMEOUT_MS * 1000000ULL;
		if (loop_add(h->loop, &c->w, EPOLLIN)) {
			close(fd);
			c->w.fd = -1;
			continue;
		}
		(void)conn_read(
		    c); /* a scraper sends its request at once: often it is here already */
	}
}

int http_metrics_attach(struct http_metrics *h, struct loop *l, http_render_fn render, void *arg)
{
	h->loop = l;
	h->render = render;
	h->arg = arg;
	h->lw.fn = on_listen;
	return loop_add(l, &h->lw, EPOLLIN);
}

void http_metrics_tick(struct http_metrics *h)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	int i;

	for (i = 0; i < HTTP_CONN_MAX; i++)
		if (h->conns[i].w.fd >= 0 && now >= h->conns[i].deadline_ns)
			conn_close(&h->conns[i]);
	listen_pause(h, false); /* a grace may have run out: on_listen looks again */
}

void http_metrics_close(struct http_metrics *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < HTTP_CONN_MAX; i++)
		if (h->loop)
			conn_close(&h->conns[i]);
		else if (h->conns[i].w.fd >= 0)
			close(h->conns[i].w.fd);
	if (h->loop)
		loop_del(h->loop, &h->lw);
	close(h->lw.fd);
	free(h);
}
