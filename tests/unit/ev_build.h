/* ev_build.h - builders of struct zr_ev for unit tests: one fixed subject, then per-kind payloads,
 * so each test states only what it checks.
 */
#ifndef ZR_TEST_EV_BUILD_H
#define ZR_TEST_EV_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "status.h"

/* ktime 6 s after boot; with EVB_BOOT_TO_REAL it is 2026-03-14T10:22:07.412339021Z. */
#define EVB_KTIME	 6000000000ULL
#define EVB_BOOT_TO_REAL 1773483721412339021LL
#define EVB_TS		 "2026-03-14T10:22:07.412339021Z"
#define EVB_PID		 4242
#define EVB_PPID	 100
#define EVB_START	 5000000000ULL
#define EVB_CGROUP	 77

static inline void evb_comm(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n > ZR_COMM_BUF - 1)
		n = ZR_COMM_BUF - 1;
	memset(dst, 0, ZR_COMM_BUF);
	memcpy(dst, src, n);
}

static inline struct zr_ref evb_ref(uint32_t pid, uint64_t start_ns, const char *comm,
				    const char *role)
{
	struct zr_ref r = { .pid = pid, .start_ns = start_ns, .role = role };

	evb_comm(r.comm, comm);
	return r;
}

/* The subject every builder starts from: "sleep" 4242, child of 100, uid/gid 1000. */
static inline struct zr_ev evb_base(enum zr_kind kind)
{
	struct zr_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.ktime_ns = EVB_KTIME;
	ev.pid = EVB_PID;
	ev.tid = EVB_PID;
	ev.ppid = EVB_PPID;
	ev.uid = 1000;
	ev.gid = 1000;
	ev.start_ns = EVB_START;
	ev.cgroup_id = EVB_CGROUP;
	evb_comm(ev.comm, "sleep");
	return ev;
}

static inline struct zr_ev evb_fork(const char *parent_comm)
{
	struct zr_ev ev = evb_base(ZR_EV_FORK);

	ev.parent = evb_ref(EVB_PPID, 1000, parent_comm, NULL);
	return ev;
}

static inline struct zr_ev evb_thread_fork(uint32_t tid)
{
	struct zr_ev ev = evb_fork("sleep");

	ev.tid = tid;
	ev.is_thread = true;
	ev.parent = evb_ref(EVB_PID, EVB_START, "sleep", "thread");
	return ev;
}

/* args: argc NUL-terminated strings back to back, as decode leaves them. */
static inline struct zr_ev evb_exec(const char *filename, const char *args, unsigned argc,
				    int error)
{
	struct zr_ev ev = evb_base(ZR_EV_EXEC);

	ev.u.exec.filename = filename;
	ev.u.exec.args = args;
	ev.u.exec.argc = argc;
	ev.u.exec.error = error;
	ev.u.exec.old_pid = EVB_PID;
	evb_comm(ev.u.exec.old_comm, "bash");
	return ev;
}

static inline struct zr_ev evb_exit(int raw, uint64_t lifetime_ns)
{
	struct zr_ev ev = evb_base(ZR_EV_EXIT);

	ev.u.exit.st = status_decode(raw);
	ev.u.exit.group_dead = true;
	ev.u.exit.lifetime_ns = lifetime_ns;
	return ev;
}

static inline struct zr_ev evb_wait(enum zr_wait_sys syscall, int target, int options,
				    enum zr_wait_result result, uint32_t reaped, int raw)
{
	struct zr_ev ev = evb_base(ZR_EV_WAIT);

	ev.u.wait.syscall = syscall;
	ev.u.wait.target = target;
	ev.u.wait.options = options;
	ev.u.wait.result = result;
	ev.u.wait.reaped_pid = reaped;
	ev.u.wait.st = status_decode(raw);
	return ev;
}

static inline struct zr_ev evb_reap(enum zr_reap_how how, struct zr_ref reaper, int raw,
				    uint64_t zombie_ns, uint64_t lifetime_ns)
{
	struct zr_ev ev = evb_base(ZR_EV_REAP);

	ev.u.reap.how = how;
	ev.u.reap.reaper = reaper;
	ev.u.reap.st = status_decode(raw);
	ev.u.reap.zombie_ns = zombie_ns;
	ev.u.reap.lifetime_ns = lifetime_ns;
	return ev;
}

static inline struct zr_ev evb_signal(int sig, int code, int result, struct zr_ref sender)
{
	struct zr_ev ev = evb_base(ZR_EV_SIGNAL);

	ev.u.signal.sig = sig;
	ev.u.signal.code = code;
	ev.u.signal.result = result;
	ev.u.signal.sender = sender;
	return ev;
}

static inline struct zr_ev evb_subreaper(bool is_set, bool is_now, int error)
{
	struct zr_ev ev = evb_base(ZR_EV_SUBREAPER);

	ev.u.subreaper.is_set = is_set;
	ev.u.subreaper.is_now = is_now;
	ev.u.subreaper.error = error;
	return ev;
}

static inline struct zr_ev evb_lost(uint64_t count, const char *source)
{
	struct zr_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ZR_EV_LOST;
	ev.ktime_ns = EVB_KTIME;
	ev.u.lost.count = count;
	ev.u.lost.source = source;
	return ev;
}

static inline struct zr_ev evb_plain(enum zr_kind kind)
{
	struct zr_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.ktime_ns = EVB_KTIME;
	return ev;
}

/* A zombie of 1 s under 100 (parent_comm), which sleeps, never waited and holds 14 zombies. */
static inline struct zr_ev evb_zombie(const char *parent_comm, const char *reason)
{
	struct zr_ev ev = evb_base(ZR_EV_ZOMBIE);

	ev.parent = evb_ref(EVB_PPID, 1000, parent_comm, "parent");
	ev.u.zombie.zombie_ns = 1000000000;
	ev.u.zombie.age_source = ZR_AGE_TRACE;
	ev.u.zombie.st = status_decode(0);
	ev.u.zombie.pinfo.state = "sleeping";
	ev.u.zombie.pinfo.sigchld = "default";
	ev.u.zombie.pinfo.zombies_held = 14;
	ev.u.zombie.reason_code = "parent_never_waits";
	snprintf(ev.u.zombie.reason, sizeof(ev.u.zombie.reason), "%s", reason);
	return ev;
}

static inline struct zr_ev evb_orphan(struct zr_ref old_parent, struct zr_ref new_parent)
{
	struct zr_ev ev = evb_base(ZR_EV_ORPHAN);

	ev.u.orphan.old_parent = old_parent;
	ev.u.orphan.new_parent = new_parent;
	ev.ppid = new_parent.pid;
	return ev;
}

static inline struct zr_ev evb_snapshot(char state)
{
	struct zr_ev ev = evb_base(ZR_EV_SNAPSHOT);

	ev.u.snapshot.state = state;
	return ev;
}

static inline struct zr_ev evb_summary(const struct summary *stats, uint64_t lost, uint64_t evicted)
{
	struct zr_ev ev = evb_plain(ZR_EV_SUMMARY);

	ev.u.summary.stats = stats;
	ev.u.summary.lost = lost;
	ev.u.summary.evicted = evicted;
	return ev;
}

#endif /* ZR_TEST_EV_BUILD_H */
