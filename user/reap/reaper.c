/* reaper.c - `reap`'s engine, driven by cmd_reap.c's loop: the table of zombies being looked
 * after (found and gone as trace's pipeline reports them, or as a /proc rescan finds them),
 * and the pass that decides, acts and judges (reaper_act.c) for each one that is due.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "proc_seen.h"
#include "reaper.h"
#include "reaper_int.h"

#define MS	 1000000ULL
#define SWEEP_NS (5000 * MS) /* settled entries are checked for gone-ness this often */

static struct zent *find(struct reaper *r, uint32_t pid, uint64_t start)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->z[i].pid == pid && r->z[i].start_ticks == start)
			return &r->z[i];
	return NULL;
}

/* Is a zombie of this age (or age bound) surely younger than --older-than? Then --once leaves
 * it at once: it is not old enough for this run. */
static bool is_too_young(const struct reaper *r, const struct zombie_found *f)
{
	return f->age_source != ZR_AGE_UNKNOWN && f->age_ns < r->pol.older_ns;
}

/* The source reports a zombie: a new candidate, old enough --older-than after it became one.
 * Only a bound on its age (START_BOUND), or none: --older-than after it was first seen. */
void reaper_found(struct reaper *r, const struct zombie_found *f)
{
	struct zent *z;
	char age[32];

	/* --once handles what exists now; later zombies are the next run's. */
	if (!r->is_accepting || find(r, f->pid, f->start_ticks))
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct zent *v = realloc(r->z, cap * sizeof(*v));

		if (!v) {
			zr_warn("out of memory: zombie %u is not looked after", f->pid);
			return;
		}
		r->z = v;
		r->cap = cap;
	}
	z = &r->z[r->n++];
	memset(z, 0, sizeof(*z));
	z->pid = f->pid;
	z->start_ticks = f->start_ticks;
	z->ppid = f->ppid;
	z->first_seen_ns =
	    zr_age_is_exact(f->age_source) && f->age_ns < r->now ? r->now - f->age_ns : r->now;
	z->pending = -1;
	if (r->is_once && is_too_young(r, f)) {
		sink_format_duration(age, sizeof(age), f->age_ns);
		zr_debug("zombie %u is %s%s old, younger than --older-than: left alone", f->pid,
			 f->age_source == ZR_AGE_START_BOUND ? "at most " : "", age);
		z->is_decided = z->is_done = true;
	}
}

void reaper_gone(struct reaper *r, uint32_t pid, uint64_t start_ticks)
{
	struct zent *z = find(r, pid, start_ticks);

	if (z)
		reaper_mark_gone(r, z);
}

/* The lifecycle's events: a `zombie` is a candidate, the `reap` of a process ends it. */
static int observe(struct output *o, const struct zr_ev *ev, bool displayed)
{
	struct reaper *r = o->ctx;
	struct zombie_found f = { 0 };

	(void)displayed; /* reap prints no event lines: every event in scope counts */
	if (ev->kind == ZR_EV_ZOMBIE) {
		f.pid = ev->pid;
		f.start_ticks = ev->start_ns / procfs_tick_ns();
		f.ppid = ev->ppid;
		f.age_source = ev->u.zombie.age_source;
		f.age_ns = ev->u.zombie.zombie_ns;
		reaper_found(r, &f);
	} else if (ev->kind == ZR_EV_REAP && !ev->is_thread && ev->start_ns) {
		/* Without a start time the pid is from another namespace: not a key. */
		reaper_gone(r, ev->pid, ev->start_ns / procfs_tick_ns());
	}
	return 0;
}

void reaper_output(struct reaper *r, struct output *o)
{
	static const struct output_ops ops = { .observe = observe };

	o->ops = &ops;
	o->ctx = r;
}

struct scan {
	struct reaper *r;
	uint64_t now; /* ages as of this; 0: unknown */
};

static int scan_one(uint32_t pid, void *arg)
{
	const struct scan *s = arg;
	struct zombie_found f = { 0 };
	struct proc_seen ps;

	if (proc_seen_zombie(&s->r->proc, pid, s->r->may_ptrace, s->now, &ps))
		return 0; /* alive, gone, or reaped meanwhile */
	f.pid = pid;
	f.start_ticks = ps.st.start_ticks;
	f.ppid = ps.st.ppid;
	if (ps.has_zombie) {
		f.age_source = ps.zi.source;
		f.age_ns = ps.zi.age_ns;
	}
	reaper_found(s->r, &f);
	return 0;
}

int reaper_rescan(struct reaper *r, uint64_t now_ns)
{
	struct scan s = { r, now_ns };

	return procsrc_each_pid(&r->proc, scan_one, &s);
}

uint64_t reaper_tick_ns(const struct reaper *r)
{
	const struct reap_policy *p = &r->pol;
	uint64_t t = (p->older_ns < p->step_ns ? p->older_ns : p->step_ns) / 4;

	if (t < 10 * MS)
		t = 10 * MS;
	if (t > 500 * MS)
		t = 500 * MS;
	return t;
}

/* The textfile after a pass: a failure is worth a warning, not the end of reaping. */
void reaper_write_textfile(struct reaper *r)
{
	int err = metrics_write_file(r->m, r->textfile, clock_ns(CLOCK_BOOTTIME));

	if (err)
		zr_warn("--metrics-textfile %s: %s", r->textfile, strerror(-err));
}

/* Every zombie old enough is decided before anything is done, so an action on one parent
 * can account for all of that parent's zombies. */
static void decide_due(struct reaper *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct zent *z = &r->z[i];

		if (z->is_decided || z->is_done || z->is_gone ||
		    r->now - z->first_seen_ns < r->pol.older_ns)
			continue;
		switch (reaper_zombie_state(r, z)) {
		case Z_GONE:
			reaper_mark_gone(r, z);
			break;
		case Z_THREADS:
			/* Its age counts from when the whole process is dead. */
			z->first_seen_ns = r->now;
			break;
		case Z_ZOMBIE:
		default:
			if (!reaper_decide(r, z))
				z->is_done = true; /* parent gone or exiting: nothing to do */
			break;
		}
	}
}

/* One pass: what is gone, what is due, what to do. */
void reaper_step(struct reaper *r)
{
	bool is_sweep = r->now >= r->sweep_due_ns;
	size_t i;

	/* Settled entries leave when a `reap` event says so; a lost event must not keep them
	 * forever, hence the occasional look. */
	if (is_sweep)
		r->sweep_due_ns = r->now + SWEEP_NS;
	decide_due(r);
	for (i = 0; i < r->n; i++) {
		struct zent *z = &r->z[i];

		if (z->is_gone)
			continue;
		if ((!z->is_done || is_sweep) && !reaper_zombie_present(r, z)) {
			reaper_mark_gone(r, z);
			continue;
		}
		if (z->is_done)
			continue;
		if (z->pending >= 0) {
			if (r->now >= z->check_ns)
				reaper_judge(r, z);
			continue;
		}
		if (r->now - z->first_seen_ns < r->pol.older_ns)
			continue;
		if (!z->is_decided)
			continue;
		if (r->pol.dry_run) {
			reaper_plan(r, z);
			continue;
		}
		if (z->stage >= r->pol.n_actions) {
			z->is_done = true;
			continue;
		}
		if (r->now >= z->due_ns)
			reaper_act(r, z);
	}
}

bool reaper_all_settled(const struct reaper *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!r->z[i].is_gone && !r->z[i].is_done)
			return false;
	return true;
}

int reaper_remaining(const struct reaper *r)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->n; i++)
		if (r->z[i].is_selected && !r->z[i].is_gone && reaper_zombie_present(r, &r->z[i]))
			n++;
	return n;
}

/* Forgets the zombies that are gone (daemon mode would otherwise grow without end). */
void reaper_compact(struct reaper *r)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++)
		if (!r->z[i].is_gone)
			r->z[k++] = r->z[i];
	r->n = k;
}

void reaper_init(struct reaper *r)
{
	reap_policy_rate_init(&r->rate, r->pol.max_per_min);
	r->own_pidns = reaper_pidns_inode("/proc/self/ns/pid");
	r->ops = &reaper_live_ops;
	r->proc = procsrc_live(NULL);
	r->may_ptrace = procfs_may_ptrace_all(NULL);
}

void reaper_free(struct reaper *r)
{
	free(r->z);
	r->z = NULL;
	r->n = r->cap = 0;
}
