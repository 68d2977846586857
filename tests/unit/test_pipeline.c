/* test_pipeline.c - the pipeline and its registered outputs: what each output observes (scope,
 * displayed), the run's own events, the end-of-run report before the stop line, the stop line's
 * count, the first error, and the journal holding each input once. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "filter.h"
#include "journal.h"
#include "pipeline.h"
#include "rec_build.h"
#include "record.h"
#include "summary.h"

#define SEEN_MAX 16

/* An output that writes down what it is told. */
struct fake_out {
	struct output out;
	enum zr_kind kind[SEEN_MAX];
	bool displayed[SEEN_MAX];
	struct zr_ev ev[SEEN_MAX];
	int n;
	int fail_at; /* observe call (1-based) that returns -EPIPE; 0: never */
	bool has_report;
	int flushes, closes;
};

static int fake_observe(struct output *o, const struct zr_ev *ev, bool displayed)
{
	struct fake_out *f = o->ctx;

	if (f->n < SEEN_MAX) {
		f->kind[f->n] = ev->kind;
		f->displayed[f->n] = displayed;
		f->ev[f->n] = *ev;
	}
	f->n++;
	return f->n == f->fail_at ? -EPIPE : 0;
}

static int fake_flush(struct output *o)
{
	((struct fake_out *)o->ctx)->flushes++;
	return 0;
}

static void fake_close(struct output *o)
{
	((struct fake_out *)o->ctx)->closes++;
}

static struct summary fake_sum;

static bool fake_report(struct output *o, struct zr_ev *ev)
{
	if (!((struct fake_out *)o->ctx)->has_report)
		return false;
	ev->u.summary.stats = &fake_sum;
	return true;
}

static const struct output_ops fake_ops = {
	.observe = fake_observe,
	.flush = fake_flush,
	.close = fake_close,
	.report = fake_report,
};

static void fake_init(struct fake_out *f)
{
	memset(f, 0, sizeof(*f));
	f->out = (struct output){ &fake_ops, f };
}

struct rig {
	struct zr_filters f;
	struct procsrc src;
	struct pipeline p;
	struct fake_out a, b;
};

/* A pipeline with /proc answering nothing, and two fake outputs. */
static void rig_init(struct rig *r, struct journal_writer *j)
{
	struct pipeline_conf pc = { .src = &r->src, .journal = j };

	memset(&r->f, 0, sizeof(r->f));
	r->f.event_mask = filter_default_mask();
	r->src = procsrc_live("/nonexistent-proc");
	assert_int_equal(pipeline_init(&r->p, &r->f, &pc), 0);
	fake_init(&r->a);
	fake_init(&r->b);
	assert_int_equal(pipeline_add_output(&r->p, &r->a.out), 0);
	assert_int_equal(pipeline_add_output(&r->p, &r->b.out), 0);
}

static int feed_fork(struct pipeline *p)
{
	struct zr_rec_fork rec = rb_fork(0, RB_PPID, RB_PPID, 0, "sh");

	return pipeline_record(p, &rec, sizeof(rec));
}

/* Every output sees an event in scope; displayed says whether the display filters passed it. */
static void test_scope_and_display(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, NULL);
	r.f.comm = "other"; /* in scope, not shown */
	assert_int_equal(pipeline_start(&r.p, 1000, false), 0);
	assert_int_equal(feed_fork(&r.p), 0);
	r.f.comm = NULL;
	assert_int_equal(feed_fork(&r.p), 0);
	assert_int_equal(r.a.n, 3);
	assert_int_equal(r.a.kind[0], ZR_EV_START);
	assert_true(r.a.displayed[0]);
	assert_int_equal(r.a.kind[1], ZR_EV_FORK);
	assert_false(r.a.displayed[1]);
	assert_int_equal(r.a.kind[2], ZR_EV_FORK);
	assert_true(r.a.displayed[2]);
	assert_int_equal(r.b.n, 3);
	assert_int_equal(pipeline_lines(&r.p), 2);
	/* Out of the -p scope: no output sees it. */
	r.f.n_pids = 1;
	r.f.pids[0] = 1;
	assert_int_equal(feed_fork(&r.p), 0);
	assert_int_equal(r.a.n, 3);
	pipeline_free(&r.p);
	assert_int_equal(r.a.closes, 1);
	assert_int_equal(r.b.closes, 1);
}

/* The end: lost, the report, then the stop line counting every line before it. */
static void test_finish_order(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, NULL);
	r.b.has_report = true;
	pipeline_start(&r.p, 1000, false);
	pipeline_lost(&r.p, 2000, 5);
	pipeline_lost(&r.p, 2500, 5); /* no growth, no line */
	pipeline_finish(&r.p, 3000, 7, true);
	assert_int_equal(r.a.n, 5);
	assert_int_equal(r.a.kind[1], ZR_EV_LOST);
	assert_int_equal(r.a.ev[1].u.lost.count, 5);
	assert_int_equal(r.a.kind[2], ZR_EV_LOST);
	assert_int_equal(r.a.ev[2].u.lost.count, 2);
	assert_int_equal(r.a.kind[3], ZR_EV_SUMMARY);
	assert_ptr_equal(r.a.ev[3].u.summary.stats, &fake_sum);
	assert_int_equal(r.a.ev[3].u.summary.lost, 7);
	assert_int_equal(r.a.kind[4], ZR_EV_STOP);
	assert_int_equal(r.a.ev[4].u.stop.events, 4);
	assert_int_equal(r.a.ev[4].u.stop.lost, 7);
	assert_int_equal(r.a.ev[4].u.stop.tracked, pipeline_tracked(&r.p));
	assert_int_equal(pipeline_lost_total(&r.p), 7);
	assert_true(r.a.flushes >= 1);
	assert_int_equal(pipeline_error(&r.p), 0);
	pipeline_free(&r.p);
}

/* The first error is the pipeline's: nothing is displayed after it, nothing ends the run. */
static void test_first_error(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, NULL);
	r.a.fail_at = 2;
	pipeline_start(&r.p, 1000, false);
	assert_int_equal(feed_fork(&r.p),
			 -EPIPE); /* a line that cannot be written stops the feed */
	assert_int_equal(pipeline_error(&r.p), -EPIPE);
	pipeline_lost(&r.p, 2000, 3);
	assert_int_equal(r.b.n, 3);
	assert_false(r.b.displayed[2]); /* counted by whoever counts, shown by none */
	pipeline_fail(&r.p, -EIO);
	assert_int_equal(pipeline_error(&r.p), -EPIPE);
	pipeline_finish(&r.p, 3000, 3, true);
	assert_int_equal(r.b.n, 3);
	pipeline_free(&r.p);
}

/* Each input journaled once: the lost count the finish brings is in FINISH alone. */
static void test_journal_once(void **state)
{
	static const struct record_meta meta = { .host = "h", .kernel = "k", .version = "v" };
	char path[] = "/tmp/zr-pipe-test.XXXXXX";
	enum journal_type want[] = { JOURNAL_CONT, JOURNAL_LOST, JOURNAL_FINISH };
	struct journal_writer jw;
	struct journal_reader jr;
	struct journal_item it;
	struct record_reader *rr;
	struct record_writer *w;
	struct record_meta m;
	char why[256];
	struct rig r;
	int fd, err;
	size_t i;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	w = record_writer_open(path, &meta, 0, &err);
	assert_non_null(w);
	journal_writer_init(&jw, w, &(struct procsrc){ 0 });
	rig_init(&r, &jw);
	pipeline_start(&r.p, 1000, false);
	pipeline_lost(&r.p, 2000, 5);
	pipeline_finish(&r.p, 3000, 7, true);
	pipeline_free(&r.p);
	assert_int_equal(record_writer_close(w), 0);
	rr = record_reader_open(fd, &m, why, sizeof(why));
	assert_non_null(rr);
	journal_reader_init(&jr, rr);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(journal_next(&jr, &it), 1);
		assert_int_equal(it.type, want[i]);
	}
	assert_int_equal(it.value, 7);
	assert_int_equal(journal_next(&jr, &it), 0);
	record_reader_close(rr);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_and_display),
		cmocka_unit_test(test_finish_order),
		cmocka_unit_test(test_first_error),
		cmocka_unit_test(test_journal_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
