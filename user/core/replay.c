/* replay.c - a recording's inputs fed to the pipeline in their order: the same calls the
 * trace made, with the clock values it used. */
#include "replay.h"

void replay_conf(struct pipeline_conf *pc, const struct record_meta *m, const struct procsrc *src)
{
	pc->zombie_after_ns = m->zombie_after_ns;
	pc->kernel = m->kernel;
	pc->src = src;
}

static void ensure_started(struct pipeline *p, struct replay_state *st, uint64_t now)
{
	if (pipeline_started(p))
		return;
	pipeline_start(p, now, false); /* a rotated file: the snapshot is in an older one */
	st->continued = true;
}

int replay_feed(struct pipeline *p, struct journal_reader *jr, struct replay_state *st)
{
	struct journal_item it;
	int rc;

	while ((rc = journal_next(jr, &it)) > 0) {
		if (it.type == JOURNAL_END)
			return 1;
		if (it.type == JOURNAL_ADAPT) { /* untimed, before START: for the start line */
			if (!pipeline_started(p))
				pipeline_set_kernel_report(p, it.report);
			continue;
		}
		if (st->after_ns && !pipeline_started(p))
			st->until_ns = it.now + st->after_ns; /* "+5s": from the start line */
		if (st->until_ns && it.now > st->until_ns)
			return 0;
		if (it.now > st->last_ns)
			st->last_ns = it.now;
		if (it.type == JOURNAL_START && !pipeline_started(p)) {
			pipeline_start(p, it.now, true);
			continue;
		}
		ensure_started(p, st, it.now);
		switch (it.type) {
		case JOURNAL_KERNEL:
			pipeline_record(p, it.data, it.size);
			break;
		case JOURNAL_TICK:
			pipeline_tick(p, it.now);
			break;
		case JOURNAL_LOST:
			pipeline_lost(p, it.now, it.value);
			break;
		case JOURNAL_FINISH:
			if (!st->finished)
				pipeline_finish(p, it.now, it.value, true);
			st->finished = true;
			break;
		case JOURNAL_START:
		case JOURNAL_CONT:
		case JOURNAL_END:
		case JOURNAL_ADAPT:
		case JOURNAL_STAT:
		case JOURNAL_STATUS:
		case JOURNAL_PID:
		case JOURNAL_PID_END:
		case JOURNAL_ZOMBIE:
		default:
			break;
		}
		if (pipeline_error(p))
			return 0;
	}
	return rc < 0 ? -1 : 0;
}

void replay_finish(struct pipeline *p, const struct replay_state *st, int end)
{
	bool at_until = end == 0 && st->until_ns && st->last_ns <= st->until_ns;

	if (!pipeline_started(p) || st->finished)
		return;
	/* Stopped by --until: the stop line at that time, and nothing settled that the trace
	 * only learnt later. */
	pipeline_finish(p, at_until ? st->until_ns : st->last_ns, pipeline_lost_total(p),
			!at_until);
}
