/* filter.h - which events the user asked for: the trace filters, applied to each event's
 * subject after the kernel's coarse pre-filter (pid, cgroup). Several filters combine with AND.
 */
#ifndef ZR_FILTER_H
#define ZR_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

#define ZR_FILTER_PIDS_MAX 64

struct zr_filters {
	uint32_t pids[ZR_FILTER_PIDS_MAX]; /* -p, as given */
	int n_pids;
	bool tree;	  /* --tree: descendants born after start match too */
	const char *comm; /* -n: exact comm */
	bool has_uid;	  /* -u */
	uint32_t uid;
	const char *cgroup_path; /* -c, as given */
	uint64_t cgroup_id;	 /* its cgroup v2 id, resolved before start */
	int cgroup_level;	 /* its depth below the v2 root */
	const char *container;	 /* --container: a container_id prefix (user space only) */
	bool failures_only;	 /* -x */
	bool threads;		 /* --threads: show thread-level events */
	uint32_t event_mask;	 /* bit (1u << enum zr_kind) per kind shown */
	const char *events_arg;	 /* --events as given, NULL for the default */
};

/* Bit for one kind in event_mask. */
#define ZR_KIND_BIT(k) (1u << (k))

/* The kinds shown when --events is not given. */
uint32_t filter_default_mask(void);

/* Parses "fork,exec,exit" into a mask; returns 0 or -EINVAL with *bad set to the bad name. */
int filter_parse_events(const char *list, uint32_t *mask, const char **bad, char *badbuf,
			unsigned badlen);

/* Does the event's subject pass every filter? tracked: the pid set for -p/--tree (may be NULL
 * when no -p was given). */
struct zr_pidset;
bool filter_match(const struct zr_filters *f, const struct zr_pidset *tracked,
		  const struct zr_ev *ev);

/* Is the subject inside what the kernel was told to watch (-p, --tree, -c)? The part of
 * filter_match the metrics apply: they count the whole scope, whatever is displayed. */
bool filter_in_scope(const struct zr_filters *f, const struct zr_pidset *tracked,
		     const struct zr_ev *ev);

#endif /* ZR_FILTER_H */
