/* zombie_scan.c - one pass over /proc for `zombies` (zombie_scan.h): each process is shown
 * not to be a zombie as cheaply as procfs allows (its exe link resolves, when we may look;
 * else its stat line), zombie_read() runs for each zombie as it is met, then the zombies are
 * grouped by parent: each parent is read once (stat, status), and its group's size is the
 * number of zombies it holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zombie_scan.h"

struct scan_ctx {
	struct zombie_scan *s;
	struct procsrc src;
	bool may_ptrace; /* exe links are ours to read */
	bool is_sorted;	 /* /proc lists pids in increasing order; checked, not assumed */
};

static int collect(uint32_t pid, void *arg)
{
	struct scan_ctx *c = arg;
	struct zombie_scan *s = c->s;
	struct zscan_zombie *z;
	struct proc_seen ps;

	if (proc_seen_zombie(&c->src, pid, c->may_ptrace, s->now_ns, &ps))
		return 0; /* alive, gone, or reaped meanwhile */
	if (s->n_zombies == s->cap_zombies) {
		size_t cap = s->cap_zombies ? s->cap_zombies * 2 : 64;
		struct zscan_zombie *v = realloc(s->zombies, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->zombies = v;
		s->cap_zombies = cap;
	}
	z = &s->zombies[s->n_zombies];
	memset(z, 0, sizeof(*z));
	z->st = ps.st;
	z->zi = ps.zi;
	if (s->n_zombies && s->zombies[s->n_zombies - 1].st.pid > pid)
		c->is_sorted = false;
	s->n_zombies++;
	return 0;
}

static int cmp_zombie_pid(const void *a, const void *b)
{
	uint32_t x = ((const struct zscan_zombie *)a)->st.pid,
		 y = ((const struct zscan_zombie *)b)->st.pid;

	return (x > y) - (x < y);
}

/* A zombie's place in the scan, sorted by parent. */
struct by_parent {
	uint32_t ppid;
	size_t i;
};

static int cmp_by_parent(const void *a, const void *b)
{
	uint32_t x = ((const struct by_parent *)a)->ppid, y = ((const struct by_parent *)b)->ppid;

	return (x > y) - (x < y);
}

/* Groups the zombies by parent: one zscan_parent per parent, read once. */
static int find_parents(struct zombie_scan *s, const char *root)
{
	struct procsrc src = procsrc_live(root);
	size_t n = s->n_zombies ? s->n_zombies : 1, i, j;
	struct by_parent *order = malloc(n * sizeof(*order));

	s->parents = calloc(n, sizeof(*s->parents));
	if (!order || !s->parents) {
		free(order);
		return -ENOMEM;
	}
	for (i = 0; i < s->n_zombies; i++)
		order[i] = (struct by_parent){ s->zombies[i].st.ppid, i };
	qsort(order, s->n_zombies, sizeof(*order), cmp_by_parent);
	for (i = 0; i < s->n_zombies; i = j) {
		struct zscan_parent *p = &s->parents[s->n_parents];

		p->pid = order[i].ppid;
		for (j = i; j < s->n_zombies && order[j].ppid == p->pid; j++)
			s->zombies[order[j].i].parent = s->n_parents;
		p->held = (uint32_t)(j - i);
		/* A zombie whose parent is in another pid namespace shows ppid 0: none to read. */
		proc_parent_read(&src, p->pid, &p->par);
		p->par.pinfo.zombies_held = p->held;
		s->n_parents++;
	}
	free(order);
	return 0;
}

int zombie_scan_run(struct zombie_scan *s, const char *root)
{
	struct scan_ctx c;
	int err;

	memset(s, 0, sizeof(*s));
	c = (struct scan_ctx){ s, procsrc_live(root), procfs_may_ptrace_all(root), true };
	s->now_ns = procfs_now_ns();
	err = procfs_each_pid(root, collect, &c);
	if (err)
		return err;
	if (!c.is_sorted)
		qsort(s->zombies, s->n_zombies, sizeof(*s->zombies), cmp_zombie_pid);
	return find_parents(s, root);
}

void zombie_scan_free(struct zombie_scan *s)
{
	free(s->zombies);
	free(s->parents);
	memset(s, 0, sizeof(*s));
}

bool zombie_scan_still_there(const char *root, const struct zscan_zombie *z)
{
	struct procfs_stat st;

	return procfs_read_stat(root, z->st.pid, &st) == 0 && st.state == 'Z' &&
	       st.start_ticks == z->st.start_ticks;
}

void zombie_scan_event(const struct zombie_scan *s, const struct zscan_zombie *z, const char *root,
		       struct zr_ev *ev)
{
	struct procsrc src = procsrc_live(root);
	struct proc_seen ps = { .st = z->st, .zi = z->zi, .has_zombie = true };
	struct detect_case c = { 0 };

	/* The uid is read now, for the zombies listed only. */
	ps.has_status = procsrc_status(&src, z->st.pid, &ps.ss) == 0;
	proc_seen_event(&ps, ZR_EV_ZOMBIE, s->now_ns, ev);
	/* A leader whose threads still run shows as Z with a non-zero thread count. */
	c.threads_running = z->st.threads > 1 ? z->st.threads - 1 : 0;
	proc_seen_zombie_report(ev, &z->zi, &s->parents[z->parent].par, &c);
}
