/* filter.c - the trace filters applied in user space to each event's subject: the exact ones
 * the kernel cannot do (comm, uid, failures, kinds, threads) and the pid/cgroup checks for
 * events the kernel let through for another reason.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "attrib.h"
#include "ev_kind.h"
#include "filter.h"
#include "pidset.h"

uint32_t filter_default_mask(void)
{
	uint32_t m = 0;
	int k;

	for (k = 0; k < ZR_EV__COUNT; k++)
		if (!ev_kind_info((enum zr_kind)k)->is_opt_in)
			m |= ZR_KIND_BIT(k);
	return m;
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
			const char *name = ev_kind_name((enum zr_kind)k);

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

bool filter_in_scope(const struct zr_filters *f, const struct zr_pidset *tracked,
		     const struct zr_ev *ev)
{
	if (ev_kind_info(ev->kind)->is_always_shown)
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
	const struct zr_kind_info *k = ev_kind_info(ev->kind);

	if (k->is_always_shown)
		return true;
	/* A kind this build does not know has no bit: not shown. */
	if ((unsigned)ev->kind >= ZR_EV__COUNT || !(f->event_mask & ZR_KIND_BIT(ev->kind)))
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
	if (f->failures_only && !ev_kind_is_failure(ev))
		return false;
	return true;
}
