/* http_metrics.h - the /metrics endpoint: a small HTTP/1.x server living in the trace's event
 * loop (non-blocking sockets, no threads), so a scrape never holds up the ring buffer.
 */
#ifndef ZR_HTTP_METRICS_H
#define ZR_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "metrics.h"

#define HTTP_REQ_MAX	     4096  /* request line and headers; larger ones get 431 */
#define HTTP_CONN_MAX	     32	   /* connections at once; see room_for_one() for the next */
#define HTTP_BACKLOG	     1024  /* connections the kernel queues while every slot is taken */
#define HTTP_GRACE_MS	     100   /* a new connection is never dropped for another before this */
#define HTTP_HEAD_TIMEOUT_MS 2000  /* to send a whole request head: a scraper sends it at once */
#define HTTP_SEND_TIMEOUT_MS 10000 /* to take the response, once the request is complete */

/* Renders the page in fmt: malloc'd text and its length, or NULL. */
typedef char *(*http_render_fn)(enum metrics_format fmt, size_t *len, void *arg);

struct http_metrics;

/* Parses ADDR (":9479", "127.0.0.1:9479", "[::1]:9479", "host:port"), binds and listens.
 * Returns 0, -EINVAL for an ADDR that does not parse or resolve, or the bind/listen -errno
 * (EADDRINUSE...); why gets a one-line reason either way. */
int http_metrics_open(const char *addr, struct http_metrics **out, char *why, size_t whylen);

/* Starts serving in loop l; each GET /metrics calls render. Returns 0 or -errno. */
int http_metrics_attach(struct http_metrics *h, struct loop *l, http_render_fn render, void *arg);

/* Closes the connections past their deadline (HTTP_HEAD_TIMEOUT_MS while the request is
 * incomplete, HTTP_SEND_TIMEOUT_MS once it is answered); call it from the loop's tick. */
void http_metrics_tick(struct http_metrics *h);

/* Closes every socket; accepts NULL. */
void http_metrics_close(struct http_metrics *h);

#endif /* ZR_HTTP_METRICS_H */
