/* ev_kind.c - the table of event kinds (see ev_kind.h) and the failure rules it points to. */
#include <stddef.h>

#include "ev_kind.h"

static bool exit_failed(const struct zr_exit_status *st)
{
	return st->is_known && (st->is_signaled || st->exit_code != 0);
}

static bool exec_failed(const struct zr_ev *ev)
{
	return ev->u.exec.error != 0;
}

static bool exit_is_failure(const struct zr_ev *ev)
{
	return exit_failed(&ev->u.exit.st);
}

static bool reap_is_failure(const struct zr_ev *ev)
{
	return exit_failed(&ev->u.reap.st);
}

static bool wait_failed(const struct zr_ev *ev)
{
	return ev->u.wait.result == ZR_WAIT_ERROR;
}

/* Zombies and orphans are what zreaper is for: always worth a look. */
static bool always(const struct zr_ev *ev)
{
	(void)ev;
	return true;
}

/* Run events: about the trace itself, shown whatever the filters, no subject. */
#define RUN(n)                                                                                     \
	{                                                                                          \
		.name = (n), .is_always_shown = true                                               \
	}
/* Process events: about one subject, a line each. */
#define PROC(n, fail, col)                                                                         \
	{                                                                                          \
		.name = (n), .has_subject = true, .has_line = true, .is_failure = (fail),          \
		.color = (col)                                                                     \
	}

static const struct zr_kind_info kinds[] = {
	[ZR_EV_START] = RUN("start"),
	[ZR_EV_STOP] = RUN("stop"),
	[ZR_EV_FORK] = PROC("fork", NULL, ZR_COLOR_NONE),
	[ZR_EV_EXEC] = PROC("exec", exec_failed, ZR_COLOR_RED_IF_FAILED),
	[ZR_EV_EXIT] = PROC("exit", exit_is_failure, ZR_COLOR_RED_IF_FAILED),
	[ZR_EV_WAIT] = PROC("wait", wait_failed, ZR_COLOR_RED_IF_FAILED),
	[ZR_EV_REAP] = PROC("reap", reap_is_failure, ZR_COLOR_GREEN),
	[ZR_EV_ORPHAN] = PROC("orphan", always, ZR_COLOR_YELLOW),
	[ZR_EV_ZOMBIE] = PROC("zombie", always, ZR_COLOR_YELLOW),
	[ZR_EV_SIGNAL] = PROC("signal", NULL, ZR_COLOR_NONE),
	[ZR_EV_SUBREAPER] = PROC("subreaper", NULL, ZR_COLOR_NONE),
	[ZR_EV_SNAPSHOT] = { .name = "snapshot",
			     .is_opt_in = true,
			     .has_subject = true,
			     .has_line = true },
	/* Lost events are about the trace, yet a line in red: a gap people must see. */
	[ZR_EV_LOST] = { .name = "lost",
			 .is_always_shown = true,
			 .has_line = true,
			 .color = ZR_COLOR_RED },
	[ZR_EV_ACTION] = PROC("action", NULL, ZR_COLOR_NONE),
	[ZR_EV_SUMMARY] = RUN("summary"),
};

_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == ZR_EV__COUNT, "a row per enum zr_kind");

static const struct zr_kind_info unknown = { .name = "unknown" };

const struct zr_kind_info *ev_kind_info(enum zr_kind k)
{
	if ((unsigned)k >= ZR_EV__COUNT || !kinds[k].name)
		return &unknown;
	return &kinds[k];
}

const char *ev_kind_name(enum zr_kind k)
{
	return ev_kind_info(k)->name;
}

bool ev_kind_is_failure(const struct zr_ev *ev)
{
	const struct zr_kind_info *k = ev_kind_info(ev->kind);

	return k->is_failure && k->is_failure(ev);
}

enum zr_color ev_kind_color(const struct zr_ev *ev)
{
	enum zr_color c = ev_kind_info(ev->kind)->color;

	if (c == ZR_COLOR_RED_IF_FAILED)
		return ev_kind_is_failure(ev) ? ZR_COLOR_RED : ZR_COLOR_NONE;
	return c;
}
