/* filter.c - the trace filters applied in user space to each event's subject: the exact ones
 * the kernel cannot do (comm, uid, failures, kinds, threads) and the pid/cgroup checks for
 * events the kernel let through for another reason.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "attrib.h"
#include "filter.h"
#include "pidset.h"
#include "sink.h"

/* Not process events: shown whatever --events says. */
#define ALWAYS_SHOWN                                                                               \
	(ZR_KIND_BIT(ZR_EV_START) | ZR_KIND_BIT(ZR_EV_STOP) | ZR_KIND_BIT(ZR_EV_LOST) |            \
	 ZR_KIND_BIT(ZR_EV_SUMMARY))

uint32_t filter_default_mask(void)
{
	return ((1u << ZR_EV__COUNT) - 1) & ~ZR_KIND_BIT(ZR_EV_SNAPSHOT);
}

int filter_parse_events(const char *list, uint32_t *mask, const char **bad, char *badbuf,
			unsigned badlen)
{
	const char *p = list, *end;
	uint32_t m = 0;

	do {
		size_t n;
		int k, found = -1;

		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		for (k = 0; k < ZR_EV__COUNT; k++) {
			const char *name = sink_kind_name((enum zr_kind)k);

			if (strlen(name) == n && !strncmp(name, p, n))
				found = k;
		}
		if (n == 3 && !strncmp(p, "all", 3)) {
			m |= (1u << ZR_EV__COUNT) - 1;
		} else if (found < 0) {
			snprintf(badbuf, badlen, "%.*s", (int)(n < 64 ? n : 64), p);
			*bad = badbuf;
			return -EINVAL;
		} else {
			m |= ZR_KIND_BIT(found);
		}
		p = end ? end + 1 : NULL;
	} while (p);
	*mask = m;
	return 0;
}

bool filter_is_failure(const struct zr_ev *ev)
{
	const struct zr_exit_status *st;

	switch (ev->kind) {
	case ZR_EV_EXEC:
		return ev->u.exec.error != 0;
	case ZR_EV_EXIT:
		st = &ev->u.exit.st;
		break;
	case ZR_EV_REAP:
		st = &ev->u.reap.st;
		break;
	case ZR_EV_WAIT:
		return ev->u.wait.result == ZR_WAIT_ERROR;
	case ZR_EV_ZOMBIE:
	case ZR_EV_ORPHAN:
		return true;
	case ZR_EV_START:
	case ZR_EV_STOP:
	case ZR_EV_FORK:
	case ZR_EV_SIGNAL:
	case ZR_EV_SUBREAPER:
	case ZR_EV_SNAPSHOT:
	case ZR_EV_LOST:
	case ZR_EV_ACTION:
	case ZR_EV_SUMMARY:
	case ZR_EV__COUNT:
	default:
		return false;
	}
	return st->is_known && (st->is_signaled || st->exit_code != 0);
}

bool filter_in_scope(const struct zr_filters *f, const struct zr_pidset *tracked,
		     const struct zr_ev *ev)
{
	if (ZR_KIND_BIT(ev->kind) & ALWAYS_SHOWN)
		return true;
	if (f->n_pids && !pidset_has(tracked, ev->pid))
		return false;
	/* The kernel checked the cgroup of every subject but these, and those it never saw (what
	 * the /proc snapshot found has no cgroup id: 0 is no cgroup's id) cannot be shown as in. */
	return !(f->cgroup_id && (ev->is_unmatched || !ev->cgroup_id));
}

bool filter_match(const struct zr_filters *f, const struct zr_pidset *tracked,
		  const struct zr_ev *ev)
{
	uint32_t bit = ZR_KIND_BIT(ev->kind);

	if (bit & ALWAYS_SHOWN)
		return true;
	if (!(f->event_mask & bit))
		return false;
	if (ev->is_thread && !f->threads)
		return false;
	if (!filter_in_scope(f, tracked, ev))
		return false;
	if (f->container && !attrib_match(ev->container_id, f->container))
		return false;
	if (f->comm && strcmp(ev->comm, f->comm) != 0)
		return false;
	if (f->has_uid && ev->uid != f->uid)
		return false;
	if (f->failures_only && !filter_is_failure(ev))
		return false;
	return true;
}
