/* pipeline.c - the part of a trace after its source, shared by `trace` (kernel ring buffer)
 * and `replay` (a recording): decode, lifecycle, --tree tracking, attribution, filters, then
 * every registered output; the journal of every input when recording.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "log.h"
#include "pidset.h"
#include "pipeline.h"

/* Hands ev to every output; the first error is the pipeline's, and the one returned. Once an
 * output failed, nothing more is displayed: the outputs that count still see every event. */
static int dispatch(struct pipeline *p, const struct zr_ev *ev, bool displayed)
{
	int err = 0;
	unsigned i;

	displayed = displayed && !p->err;
	if (displayed)
		p->lines++; /* counted without a line output too: the stop line says what was due */
	for (i = 0; i < p->n_outputs; i++) {
		int e = p->outputs[i]->ops->observe(p->outputs[i], ev, displayed);

		if (e < 0 && !err)
			err = e;
	}
	if (err && !p->err)
		p->err = err;
	return err;
}

/* Every event the lifecycle passes on: name its container, mirror --tree, apply the filters,
 * hand it to the outputs. */
static int on_event(const struct zr_ev *in, void *arg)
{
	struct pipeline *p = arg;
	struct zr_ev tmp;
	const struct zr_ev *ev = p->attrib ? attrib_enrich(p->attrib, in, &tmp) : in;
	int err = 0;

	if (p->f->tree && ev->kind == ZR_EV_FORK && !ev->is_thread &&
	    pidset_has(p->tracked, ev->parent.pid))
		pidset_add(p->tracked, ev->pid);
	/* Outputs see the whole scope: a filtered display must not hide the host's zombies. */
	if (filter_in_scope(p->f, p->tracked, ev)) {
		bool displayed = filter_match(p->f, p->tracked, ev);

		err = dispatch(p, ev, displayed);
		if (displayed && !err)
			err = p->err; /* a line that cannot be written stops the feed */
	}
	/* The reap is a life's last event: forget the pid before it is reused. */
	if (p->f->tree && ev->kind == ZR_EV_REAP && !ev->is_thread)
		pidset_del(p->tracked, ev->pid);
	return err;
}

int pipeline_init(struct pipeline *p, struct zr_filters *f, const struct pipeline_conf *c)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->f = f;
	p->journal = c->journal;
	p->attrib = c->attrib;
	p->warn_lost = c->warn_lost;
	p->info = (struct run_info){ PIPELINE_SCHEMA_VERSION, ZR_VERSION, c->kernel, f, NULL };
	p->tracked = pidset_new();
	p->lc = lifecycle_new(0, LIFECYCLE_AUTOREAP_GRACE_NS, on_event, p);
	if (!p->tracked || !p->lc) {
		pipeline_free(p);
		return -ENOMEM;
	}
	lifecycle_set_zombie_after(p->lc, c->zombie_after_ns);
	if (c->journal) {
		if (c->src)
			c->journal->inner = *c->src;
		p->rec_src = journal_recording_src(c->journal);
		lifecycle_set_procsrc(p->lc, &p->rec_src);
	} else if (c->src) {
		lifecycle_set_procsrc(p->lc, c->src);
	}
	for (i = 0; i < f->n_pids; i++)
		pidset_add(p->tracked, f->pids[i]);
	return 0;
}

int pipeline_add_output(struct pipeline *p, struct output *o)
{
	if (p->n_outputs == PIPELINE_OUTPUTS_MAX)
		return -ENOSPC;
	p->outputs[p->n_outputs++] = o;
	return 0;
}

void pipeline_free(struct pipeline *p)
{
	unsigned i;

	for (i = 0; i < p->n_outputs; i++)
		if (p->outputs[i]->ops->close)
			p->outputs[i]->ops->close(p->outputs[i]);
	p->n_outputs = 0;
	lifecycle_free(p->lc);
	pidset_free(p->tracked);
	p->lc = NULL;
	p->tracked = NULL;
}

const struct run_info *pipeline_run_info(const struct pipeline *p)
{
	return &p->info;
}

void pipeline_set_kernel_report(struct pipeline *p, const struct zr_kernel_report *r)
{
	p->info.kernel_report = r;
}

static void journal_op(struct pipeline *p, enum journal_type type, uint64_t now, uint64_t value)
{
	if (p->journal)
		journal_put_op(p->journal, type, now, value); /* errors are sticky: seen at flush */
}

int pipeline_start(struct pipeline *p, uint64_t now, bool with_snapshot)
{
	struct zr_ev ev = { .kind = ZR_EV_START, .ktime_ns = now };
	int err;

	/* The start line's kernel report, kept so a replay prints the same line. */
	if (with_snapshot && p->journal && p->info.kernel_report)
		journal_put_adapt(p->journal, p->info.kernel_report);
	journal_op(p, with_snapshot ? JOURNAL_START : JOURNAL_CONT, now, 0);
	p->started = true;
	dispatch(p, &ev, true);
	err = p->err;
	if (err || !with_snapshot)
		return err;
	/* After attach, so nothing falls between what /proc shows and what the kernel sends. */
	err = lifecycle_snapshot(p->lc, now);
	if (err && err != -EPIPE)
		zr_warn("cannot read the existing processes from /proc: %s", strerror(-err));
	return err == -EPIPE ? err : 0;
}

int pipeline_record(struct pipeline *p, const void *data, size_t size)
{
	struct zr_ev ev;

	if (p->journal)
		journal_put_kernel(p->journal, data, size);
	if (decode_record(data, size, &ev))
		return 0; /* unknown kinds are skipped; short records cannot come from our BPF */
	return lifecycle_feed(p->lc, &ev);
}

void pipeline_tick(struct pipeline *p, uint64_t now)
{
	if (!lifecycle_has_due(p->lc, now))
		return; /* nothing due: nothing to record either */
	journal_op(p, JOURNAL_TICK, now, 0);
	lifecycle_tick(p->lc, now);
}

/* The `lost` line for the drops since the last one (the journal has the count already). */
static void show_lost(struct pipeline *p, uint64_t now, uint64_t drops_total)
{
	struct zr_ev ev = { .kind = ZR_EV_LOST, .ktime_ns = now };

	ev.u.lost.count = drops_total - p->lost_total;
	ev.u.lost.source = "ringbuf";
	p->lost_total = drops_total;
	if (p->warn_lost)
		zr_warn("%llu events lost: the ring buffer was full",
			(unsigned long long)ev.u.lost.count);
	dispatch(p, &ev, true);
}

void pipeline_lost(struct pipeline *p, uint64_t now, uint64_t drops_total)
{
	if (drops_total <= p->lost_total)
		return;
	journal_op(p, JOURNAL_LOST, now, drops_total);
	show_lost(p, now, drops_total);
}

/* Each output's end-of-run report (the summary), shown as a line of its own. */
static void show_reports(struct pipeline *p, uint64_t now)
{
	unsigned i;

	for (i = 0; i < p->n_outputs; i++) {
		struct output *o = p->outputs[i];
		struct zr_ev ev = { .kind = ZR_EV_SUMMARY, .ktime_ns = now };

		ev.u.summary.lost = p->lost_total;
		ev.u.summary.evicted = proctab_evicted(lifecycle_table(p->lc));
		if (o->ops->report && o->ops->report(o, &ev))
			dispatch(p, &ev, true);
	}
}

void pipeline_finish(struct pipeline *p, uint64_t now, uint64_t drops_total, bool settle)
{
	struct zr_ev ev = { .kind = ZR_EV_STOP, .ktime_ns = now };

	journal_op(p, JOURNAL_FINISH, now, drops_total);
	if (p->err)
		return;
	if (settle)
		lifecycle_tick(p->lc, UINT64_MAX);
	if (drops_total > p->lost_total)
		show_lost(p, now, drops_total);
	show_reports(p, now);
	ev.u.stop.events = p->lines;
	ev.u.stop.lost = p->lost_total;
	ev.u.stop.tracked = pipeline_tracked(p);
	dispatch(p, &ev, true);
	pipeline_flush(p);
}

void pipeline_flush(struct pipeline *p)
{
	int err;
	unsigned i;

	for (i = 0; i < p->n_outputs; i++)
		if (p->outputs[i]->ops->flush &&
		    (err = p->outputs[i]->ops->flush(p->outputs[i])) < 0 && !p->err)
			p->err = err;
}

void pipeline_fail(struct pipeline *p, int err)
{
	if (!p->err)
		p->err = err;
}

int pipeline_error(const struct pipeline *p)
{
	return p->err;
}

unsigned pipeline_tracked(const struct pipeline *p)
{
	return proctab_count(lifecycle_table(p->lc));
}

uint64_t pipeline_lines(const struct pipeline *p)
{
	return p->lines;
}

bool pipeline_started(const struct pipeline *p)
{
	return p->started;
}

uint64_t pipeline_lost_total(const struct pipeline *p)
{
	return p->lost_total;
}

struct proctab *pipeline_table(struct pipeline *p)
{
	/* The lifecycle lends it read-only; the feed is over when this is asked. */
	return (struct proctab *)lifecycle_table(p->lc);
}
