/* trace_export.c - the trace's exports for fleets: metrics counted from every event in scope,
 * served over HTTP and/or written to a textfile, attribution of events to containers and pods,
 * and the size-rotated output file. Thin glue over metrics.c, http_metrics.c, attrib.c and
 * outfile.c, so cmd_trace.c only calls hooks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "trace_export.h"

void export_defaults(struct trace_export *x)
{
	memset(x, 0, sizeof(*x));
	x->interval_ns = EXPORT_INTERVAL_NS;
	x->output_max = 100ULL << 20;
	x->output_keep = 5;
}

int export_open(struct trace_export *x, const char *version, const char *kernel)
{
	char why[256];
	int err;

	/* Attribution costs a hash lookup per event and one path read per new cgroup. */
	x->attr = attrib_new(0, NULL);
	if (!x->attr) {
		zr_err("out of memory");
		return 1;
	}
	if (x->metrics_addr || x->textfile) {
		x->m = metrics_new(version, kernel);
		if (!x->m) {
			zr_err("out of memory");
			return 1;
		}
	}
	if (x->metrics_addr) {
		err = http_metrics_open(x->metrics_addr, &x->http, why, sizeof(why));
		if (err == -EINVAL) {
			zr_err("--metrics: bad address: %s", why);
			return 2;
		}
		if (err) {
			zr_err("--metrics %s: cannot listen: %s", x->metrics_addr, why);
			return 1;
		}
	}
	if (x->output) {
		err = outfile_open(&x->out, x->output, x->output_max, x->output_keep);
		if (err) {
			zr_err("--output %s: %s", x->output, strerror(-err));
			return 1;
		}
	}
	x->next_write_ns = clock_ns(CLOCK_BOOTTIME);
	return 0;
}

static char *render(enum metrics_format fmt, size_t *len, void *arg)
{
	return metrics_render(arg, fmt, clock_ns(CLOCK_BOOTTIME), len);
}

int export_attach(struct trace_export *x, struct loop *l)
{
	/* Said once tracing works, so a failed load stays a one-line error. */
	if (attrib_probe(x->attr) == -EPERM)
		zr_warn("no CAP_DAC_READ_SEARCH: container_id and pod_uid are read from "
			"/proc/PID/cgroup, so a process gone before its first event stays "
			"unattributed");
	return x->http ? http_metrics_attach(x->http, l, render, x->m) : 0;
}

const struct zr_ev *export_attribute(struct trace_export *x, const struct zr_ev *ev,
				     struct zr_ev *tmp)
{
	const char *cid, *pod;

	if (!x->attr)
		return ev;
	/* No id: a process known from /proc only. Worth a read for the zombies it reports, so
	 * the gauge names their container; not for every event. */
	if (!ev->cgroup_id && ev->kind != ZR_EV_SNAPSHOT && ev->kind != ZR_EV_ZOMBIE)
		return ev;
	attrib_lookup(x->attr, ev->cgroup_id, ev->pid, &cid, &pod);
	if (!cid && !pod)
		return ev;
	*tmp = *ev;
	tmp->container_id = cid;
	tmp->pod_uid = pod;
	return tmp;
}

void export_observe(struct trace_export *x, const struct zr_ev *ev)
{
	if (x->m)
		metrics_observe(x->m, ev);
}

static void write_textfile(struct trace_export *x, uint64_t now)
{
	int err = metrics_write_file(x->m, x->textfile, now);

	if (err)
		zr_warn("--metrics-textfile %s: %s", x->textfile, strerror(-err));
}

void export_tick(struct trace_export *x, uint64_t now_ns, uint64_t tracked)
{
	if (x->m)
		metrics_set_tracked(x->m, tracked);
	if (x->http)
		http_metrics_tick(x->http);
	if (x->textfile && now_ns >= x->next_write_ns) {
		write_textfile(x, now_ns);
		x->next_write_ns = now_ns + x->interval_ns;
	}
}

int export_before_emit(struct trace_export *x)
{
	return x->output ? outfile_rotate_if_full(&x->out) : 0;
}

void export_detach(struct trace_export *x, uint64_t now_ns, uint64_t tracked)
{
	http_metrics_close(x->http);
	x->http = NULL;
	if (x->m)
		metrics_set_tracked(x->m, tracked);
	if (x->textfile)
		write_textfile(x, now_ns);
}

void export_close(struct trace_export *x)
{
	http_metrics_close(x->http);
	x->http = NULL;
	metrics_free(x->m);
	x->m = NULL;
	attrib_free(x->attr);
	x->attr = NULL;
	outfile_close(&x->out);
}
