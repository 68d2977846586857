/* output_metrics.c - metrics.c behind the output interface, with what serves it: the HTTP
 * endpoint (http_metrics.c) and the periodic textfile.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "output_metrics.h"

static int metrics_out_observe(struct output *o, const struct zr_ev *ev, bool displayed)
{
	struct output_metrics *mo = o->ctx;

	(void)displayed; /* the whole scope: a filtered display must not hide the host's zombies */
	metrics_observe(mo->m, ev);
	return 0;
}

static void metrics_out_close(struct output *o)
{
	output_metrics_close(o->ctx);
}

static const struct output_ops metrics_ops = {
	.observe = metrics_out_observe,
	.close = metrics_out_close,
};

int output_metrics_open(struct output_metrics *mo, const struct output_metrics_conf *c)
{
	char why[256];
	int err;

	memset(mo, 0, sizeof(*mo));
	mo->out = (struct output){ &metrics_ops, mo };
	mo->textfile = c->textfile;
	mo->interval_ns = c->interval_ns;
	mo->next_write_ns = clock_ns(CLOCK_BOOTTIME);
	if (!c->addr && !c->textfile)
		return 0;
	mo->m = metrics_new(c->version, c->kernel);
	if (!mo->m) {
		zr_err("out of memory");
		return 1;
	}
	if (!c->addr)
		return 0;
	err = http_metrics_open(c->addr, &mo->http, why, sizeof(why));
	if (err == -EINVAL) {
		zr_err("--metrics: bad address: %s", why);
		return 2;
	}
	if (err) {
		zr_err("--metrics %s: cannot listen: %s", c->addr, why);
		return 1;
	}
	return 0;
}

static char *render(enum metrics_format fmt, size_t *len, void *arg)
{
	return metrics_render(arg, fmt, clock_ns(CLOCK_BOOTTIME), len);
}

int output_metrics_attach(struct output_metrics *mo, struct loop *l)
{
	return mo->http ? http_metrics_attach(mo->http, l, render, mo->m) : 0;
}

static void write_textfile(struct output_metrics *mo, uint64_t now)
{
	int err = metrics_write_file(mo->m, mo->textfile, now);

	if (err)
		zr_warn("--metrics-textfile %s: %s", mo->textfile, strerror(-err));
}

void output_metrics_tick(struct output_metrics *mo, uint64_t now_ns, uint64_t tracked)
{
	if (mo->m)
		metrics_set_tracked(mo->m, tracked);
	if (mo->http)
		http_metrics_tick(mo->http);
	if (mo->textfile && now_ns >= mo->next_write_ns) {
		write_textfile(mo, now_ns);
		mo->next_write_ns = now_ns + mo->interval_ns;
	}
}

void output_metrics_detach(struct output_metrics *mo, uint64_t now_ns, uint64_t tracked)
{
	http_metrics_close(mo->http);
	mo->http = NULL;
	if (mo->m)
		metrics_set_tracked(mo->m, tracked);
	if (mo->textfile)
		write_textfile(mo, now_ns);
}

void output_metrics_close(struct output_metrics *mo)
{
	http_metrics_close(mo->http);
	mo->http = NULL;
	metrics_free(mo->m);
	mo->m = NULL;
}
