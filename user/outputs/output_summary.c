/* output_summary.c - the summary (summary.c) behind the output interface. */
#include <string.h>

#include "output_summary.h"

static int summary_observe(struct output *o, const struct zr_ev *ev, bool displayed)
{
	struct output_summary *so = o->ctx;

	/* What the trace showed of processes; the run's own lines are not tallied. */
	if (displayed && ev->kind != ZR_EV_START && ev->kind != ZR_EV_STOP &&
	    ev->kind != ZR_EV_LOST && ev->kind != ZR_EV_SUMMARY)
		summary_add(&so->s, ev);
	return 0;
}

static bool summary_report(struct output *o, struct zr_ev *ev)
{
	struct output_summary *so = o->ctx;

	ev->u.summary.stats = &so->s;
	return true;
}

static void summary_close(struct output *o)
{
	struct output_summary *so = o->ctx;

	summary_free(&so->s);
}

static const struct output_ops summary_ops = {
	.observe = summary_observe,
	.close = summary_close,
	.report = summary_report,
};

void output_summary_init(struct output_summary *o)
{
	memset(o, 0, sizeof(*o));
	o->out = (struct output){ &summary_ops, o };
}
