/* lc_build.h - subject events for the lifecycle tests: a process pid (tid = pid), child of
 * ppid, started at start; and its group exit. Shared by test_lifecycle*.c. */
#ifndef ZR_TEST_LC_BUILD_H
#define ZR_TEST_LC_BUILD_H

#include <string.h>

#include "event.h"
#include "status.h"

static inline void set_comm(char *dst, const char *src)
{
	memset(dst, 0, ZR_COMM_BUF);
	strncpy(dst, src, ZR_COMM_BUF - 1);
}

static inline struct zr_ev ev_base(enum zr_kind kind, uint64_t ts, uint32_t pid, uint32_t ppid,
				   uint64_t start, const char *comm)
{
	struct zr_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.ktime_ns = ts;
	ev.pid = pid;
	ev.tid = pid;
	ev.ppid = ppid;
	ev.uid = 1000;
	ev.gid = 1000;
	ev.start_ns = start;
	ev.cgroup_id = 77;
	set_comm(ev.comm, comm);
	return ev;
}

/* Group exit of pid at ts with a raw wait status. */
static inline struct zr_ev ev_exit(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
				   const char *comm, int raw)
{
	struct zr_ev ev = ev_base(ZR_EV_EXIT, ts, pid, ppid, start, comm);

	ev.u.exit.group_dead = true;
	ev.u.exit.st = status_decode(raw);
	ev.u.exit.lifetime_ns = ts - start;
	ev.u.exit.ns_nr[0] = pid;
	return ev;
}

#endif /* ZR_TEST_LC_BUILD_H */
