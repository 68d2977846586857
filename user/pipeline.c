/* pipeline.c - the part of a trace after its source, shared by `trace` (kernel ring buffer)
 * and `replay` (a recording): decode, lifecycle, --tree tracking, filters, summary, sink, and
 * the journal of every input when recording.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "log.h"
#include "pidset.h"
#include "pipeline.h"

static int emit_line(struct pipeline *p, const struct zr_ev *ev)
{
	int err;

	if (p->out_err)
		return p->out_err;
	if (p->quiet) {
		p->sink.seq++; /* seq still counts: the stop line says how many were due */
		return 0;
	}
	if (p->export && p->export->output) {
		err = export_before_emit(p->export);
		p->sink.out = p->export->out.f; /* a rotation reopened it */
		if (err < 0) {
			p->out_err = err;
			return err;
		}
	}
	err = p->sink.ops->emit(&p->sink, ev);
	if (err < 0)
		p->out_err = err;
	return err;
}

/* Every event the lifecycle passes on: mirror --tree, apply the filters, print, then hand it
 * to the registered outputs. */
static int on_event(const struct zr_ev *in, void *arg)
{
	struct pipeline *p = arg;
	struct zr_ev tmp;
	const struct zr_ev *ev = p->export ? export_attribute(p->export, in, &tmp) : in;
	bool in_scope, displayed;
	int err = 0;
	unsigned i;

	if (p->f->tree && ev->kind == ZR_EV_FORK && !ev->is_thread &&
	    pidset_has(p->tracked, ev->parent.pid))
		pidset_add(p->tracked, ev->pid);
	in_scope = filter_in_scope(p->f, p->tracked, ev);
	displayed = filter_match(p->f, p->tracked, ev);
	/* Metrics see the whole scope: a filtered display must not hide the host's zombies. */
	if (p->export && in_scope)
		export_observe(p->export, ev);
	if (displayed) {
		err = emit_line(p, ev);
		if (p->want_summary)
			summary_add(&p->sum, ev);
	}
	for (i = 0; in_scope && i < p->n_outputs; i++) {
		int e = p->outputs[i]->ops->observe(p->outputs[i], ev, displayed);

		if (e < 0 && !err)
			err = e;
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
	p->quiet = c->quiet;
	p->want_summary = c->want_summary;
	p->journal = c->journal;
	p->export = c->export;
	p->warn_lost = c->warn_lost;
	p->info = (struct sink_run_info){ PIPELINE_SCHEMA_VERSION, ZR_VERSION, c->kernel, f, NULL };
	if (c->json)
		sink_json_init(&p->sink, c->out, &p->info);
	else
		sink_text_init(&p->sink, c->out, &p->info);
	/* Flushed per batch (pipeline_flush), which keeps every event prompt on a pipe. */
	p->sink.flush_each = false;
	p->sink.color = c->color;
	p->sink.boot_to_real_ns = c->boot_to_real_ns;
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
	summary_free(&p->sum);
	if (p->sink.ops)
		p->sink.ops->close(&p->sink);
	p->lc = NULL;
	p->tracked = NULL;
	p->sink.ops = NULL;
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
	err = emit_line(p, &ev);
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

void pipeline_lost(struct pipeline *p, uint64_t now, uint64_t drops_total)
{
	struct zr_ev ev = { .kind = ZR_EV_LOST, .ktime_ns = now };

	if (drops_total <= p->lost_total)
		return;
	journal_op(p, JOURNAL_LOST, now, drops_total);
	ev.u.lost.count = drops_total - p->lost_total;
	ev.u.lost.source = "ringbuf";
	p->lost_total = drops_total;
	if (p->warn_lost)
		zr_warn("%llu events lost: the ring buffer was full",
			(unsigned long long)ev.u.lost.count);
	if (p->export)
		export_observe(p->export, &ev);
	emit_line(p, &ev);
}

static void emit_summary(struct pipeline *p, uint64_t now)
{
	struct zr_ev ev = { .kind = ZR_EV_SUMMARY, .ktime_ns = now };
	char *json = NULL, *text = NULL;

	summary_render(&p->sum, p->lost_total, proctab_evicted(lifecycle_table(p->lc)), &json,
		       &text);
	ev.u.summary.json = json;
	ev.u.summary.text = text;
	emit_line(p, &ev);
	free(json);
	free(text);
}

void pipeline_finish(struct pipeline *p, uint64_t now, uint64_t drops_total, bool settle)
{
	struct zr_ev ev = { .kind = ZR_EV_STOP, .ktime_ns = now };

	journal_op(p, JOURNAL_FINISH, now, drops_total);
	if (p->out_err)
		return;
	if (settle)
		lifecycle_tick(p->lc, UINT64_MAX);
	if (drops_total > p->lost_total) {
		struct journal_writer *j = p->journal;

		p->journal = NULL; /* FINISH carries the count already */
		pipeline_lost(p, now, drops_total);
		p->journal = j;
	}
	if (p->want_summary)
		emit_summary(p, now);
	ev.u.stop.events = p->sink.seq;
	ev.u.stop.lost = p->lost_total;
	ev.u.stop.tracked = proctab_count(lifecycle_table(p->lc));
	emit_line(p, &ev);
	pipeline_flush(p);
}

void pipeline_flush(struct pipeline *p)
{
	int err;
	unsigned i;

	for (i = 0; i < p->n_outputs; i++)
		if (p->outputs[i]->ops->flush &&
		    (err = p->outputs[i]->ops->flush(p->outputs[i])) < 0 && !p->out_err)
			p->out_err = err;
	if (p->out_err || p->quiet)
		return;
	err = p->sink.ops->flush(&p->sink); /* no write when nothing is buffered */
	if (err < 0)
		p->out_err = err;
}
