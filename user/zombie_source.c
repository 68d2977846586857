/* zombie_source.c - the zombies `reap` acts on, from one of two places behind one interface:
 * trace's pipeline (ring buffer -> decode -> lifecycle with zombie_after = --older-than, whose
 * `zombie` and `reap` events become found/gone), or periodic rescans of /proc (zombie_read()
 * for the ages of those there at the start).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpf_load.h"
#include "bpf_log.h"
#include "decode.h"
#include "lifecycle.h"
#include "log.h"
#include "procfs.h"
#include "zombie_read.h"
#include "zombie_source.h"

#define WAKEUP_BYTES (64ULL * 1024) /* the timer drains the rest: no wake-up per fork */

struct zombie_source {
	const struct zombie_source_cbs *cbs;
	void *arg;
	/* trace's detector; all NULL when /proc is rescanned instead */
	struct zreaper_bpf *skel;
	struct ring_buffer *ring;
	struct lifecycle *lc;
	uint64_t lost;
	uint64_t scan_now; /* the rescan under way reads ages as of this (0: it does not) */
	bool may_ptrace;   /* a rescan skips the processes whose exe link resolves (alive) */
};

bool zombie_source_is_bpf(const struct zombie_source *zs)
{
	return zs->skel != NULL;
}

int zombie_source_fd(const struct zombie_source *zs)
{
	return zs->ring ? ring_buffer__epoll_fd(zs->ring) : -1;
}

static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / procfs_tick_ns();
}

/* The lifecycle's events: a `zombie` is a candidate, the `reap` of a process ends it. */
static int on_event(const struct zr_ev *ev, void *arg)
{
	struct zombie_source *zs = arg;
	struct zombie_found z = { 0 };

	if (ev->kind == ZR_EV_ZOMBIE) {
		z.pid = ev->pid;
		z.start_ticks = ns_to_ticks(ev->start_ns);
		z.ppid = ev->ppid;
		z.age_source = ev->u.zombie.age_source;
		z.age_ns = ev->u.zombie.zombie_ns;
		zs->cbs->found(&z, zs->arg);
	} else if (ev->kind == ZR_EV_REAP && !ev->is_thread && ev->start_ns) {
		/* Without a start time the pid is from another namespace: not a key. */
		zs->cbs->gone(ev->pid, ns_to_ticks(ev->start_ns), zs->arg);
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct zombie_source *zs = ctx;
	struct zr_ev ev;

	if (decode_record(data, size, &ev))
		return 0; /* unknown kinds are skipped */
	return lifecycle_feed(zs->lc, &ev);
}

static int scan_one(uint32_t pid, void *arg)
{
	struct zombie_source *zs = arg;
	struct zombie_found z = { 0 };
	struct zombie_info zi;
	struct procfs_stat st;

	if ((zs->may_ptrace && procfs_has_exe(NULL, pid)) || procfs_read_stat(NULL, pid, &st) ||
	    st.state != 'Z')
		return 0;
	z.pid = pid;
	z.start_ticks = st.start_ticks;
	z.ppid = st.ppid;
	if (zs->scan_now) {
		if (zombie_read(NULL, &st, zs->scan_now, &zi))
			return 0; /* reaped meanwhile */
		z.age_source = zi.source;
		z.age_ns = zi.age_ns;
	}
	zs->cbs->found(&z, zs->arg);
	return 0;
}

/* One pass over /proc: every zombie there is found (again). With now_ns (not 0), each with its
 * age: the first pass, and after lost events; the periodic passes find the zombies that are new
 * since the last one, where the pass is the age, and known ones the caller ignores. */
static int rescan(struct zombie_source *zs, uint64_t now_ns)
{
	int rc;

	zs->scan_now = now_ns;
	rc = procfs_each_pid(NULL, scan_one, zs);
	zs->scan_now = 0;
	return rc;
}

static int open_bpf(struct zombie_source *zs, uint64_t zombie_after_ns, char *why, size_t whylen)
{
	struct zr_filters f = { 0 }; /* every process, no thread events */
	struct zr_kernel_report report;
	int err;

	bpf_log_set_print(log_verbosity - LOG_WARN);
	err = bpf_load_start(&f, 0, WAKEUP_BYTES, &zs->skel, &report, why, whylen);
	if (err)
		return err;
	bpf_load_warn_degraded(&report);
	zs->lc = lifecycle_new(0, LIFECYCLE_AUTOREAP_GRACE_NS, on_event, zs);
	if (!zs->lc)
		return -ENOMEM;
	/* 0 would mean no zombie events at all: --older-than 0 wants every one at once. */
	lifecycle_set_zombie_after(zs->lc, zombie_after_ns ? zombie_after_ns : 1);
	zs->ring = bpf_load_ring(zs->skel, on_record, zs);
	if (!zs->ring) {
		err = -errno;
		snprintf(why, whylen, "cannot open the ring buffer: %s", strerror(-err));
		return err;
	}
	return 0;
}

static void close_bpf(struct zombie_source *zs)
{
	ring_buffer__free(zs->ring);
	lifecycle_free(zs->lc);
	bpf_load_stop(zs->skel);
	zs->ring = NULL;
	zs->lc = NULL;
	zs->skel = NULL;
}

struct zombie_source *zombie_source_open(bool want_bpf, uint64_t zombie_after_ns,
					 const struct zombie_source_cbs *cbs, void *arg, char *why,
					 size_t whylen)
{
	struct zombie_source *zs = calloc(1, sizeof(*zs));
	int err;

	if (!zs)
		return NULL;
	zs->cbs = cbs;
	zs->arg = arg;
	zs->may_ptrace = procfs_may_ptrace_all(NULL);
	why[0] = '\0';
	if (!want_bpf)
		goto out_procfs;
	err = open_bpf(zs, zombie_after_ns, why, whylen);
	if (!err)
		return zs;
	close_bpf(zs);
	if (err == -ENOMEM) {
		free(zs);
		errno = ENOMEM;
		return NULL;
	}
out_procfs:
	return zs;
}

int zombie_source_start(struct zombie_source *zs, uint64_t now_ns)
{
	/* After attach, so nothing falls between what /proc shows and what the kernel sends;
	 * the existing zombies come out of the next tick as `zombie` events of unknown age. */
	if (zs->lc)
		return lifecycle_snapshot(zs->lc, now_ns);
	return rescan(zs, now_ns);
}

/* Records the ring buffer dropped: the lifecycle may have missed exits, so one /proc pass
 * reports every zombie that exists (those already known are ignored by the caller). */
static int resync_after_loss(struct zombie_source *zs, uint64_t now_ns)
{
	uint64_t drops = bpf_load_drops(zs->skel);

	if (drops <= zs->lost)
		return 0;
	zr_warn("%llu kernel events lost (ring buffer full); looking for zombies in /proc",
		(unsigned long long)(drops - zs->lost));
	zs->lost = drops;
	return rescan(zs, now_ns);
}

int zombie_source_poll(struct zombie_source *zs, uint64_t now_ns)
{
	int err;

	if (!zs->lc)
		return rescan(zs, 0);
	err = ring_buffer__consume(zs->ring);
	if (err < 0)
		return err;
	err = lifecycle_tick(zs->lc, now_ns);
	if (err)
		return err;
	return resync_after_loss(zs, now_ns);
}

void zombie_source_free(struct zombie_source *zs)
{
	if (!zs)
		return;
	close_bpf(zs);
	free(zs);
}
