/* ev_kind.h - what each event kind is, in one table: its name, whether the display filters
 * apply to it, whether it is about one process, when it is a failure, its colour. Adding a
 * kind means event.h's enum zr_kind and a row in ev_kind.c.
 */
#ifndef ZR_EV_KIND_H
#define ZR_EV_KIND_H

#include <stdbool.h>

#include "event.h"

/* Colour of an event for people; the text output maps it to ANSI. */
enum zr_color {
	ZR_COLOR_NONE,
	ZR_COLOR_RED,
	ZR_COLOR_YELLOW,
	ZR_COLOR_GREEN,
	ZR_COLOR_RED_IF_FAILED, /* red when ev_kind_is_failure(), else none */
};

struct zr_kind_info {
	const char *name;     /* in JSON "event", --events, the columns and the summary */
	bool is_always_shown; /* about the run, not a process: passes every display filter */
	bool is_opt_in;	      /* shown only when --events names it */
	bool has_subject;     /* about one process: the subject's fields are printed */
	bool has_line;	      /* a line in the columns (start, stop, summary have none) */
	/* Is this event a failure (-x, red)? NULL: never. */
	bool (*is_failure)(const struct zr_ev *ev);
	enum zr_color color;
};

/* The row of kind k; out of range, a row named "unknown" that nothing shows. */
const struct zr_kind_info *ev_kind_info(enum zr_kind k);

/* ev_kind_info(k)->name. */
const char *ev_kind_name(enum zr_kind k);

/* Failures for -x and the red colour: non-zero exits, signal deaths, failed execs, failed
 * waits, zombies, orphans. */
bool ev_kind_is_failure(const struct zr_ev *ev);

/* The event's colour, ZR_COLOR_RED_IF_FAILED resolved. */
enum zr_color ev_kind_color(const struct zr_ev *ev);

#endif /* ZR_EV_KIND_H */
