/* proctab_src.c - the procsrc operations over a process table (proctab_src.h): stat, status,
 * the pid list and zombies, answered from what the state machine recorded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "procfs.h"
#include "proctab_src.h"
#include "zombie_read.h"

static void list_pid(struct zr_proc *p, void *arg)
{
	struct proctab_src *v = arg;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		uint32_t *np = realloc(v->pids, cap * sizeof(*np));

		if (!np) {
			v->err = -ENOMEM;
			return;
		}
		v->pids = np;
		v->cap = cap;
	}
	v->pids[v->n++] = p->pid;
}

static int cmp_pid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int view_each_pid(const struct procsrc *src, procsrc_pid_fn fn, void *arg)
{
	struct proctab_src *v = src->ctx;
	size_t i;
	int rc = 0;

	v->n = 0; /* each walk lists the table afresh */
	proctab_each(v->tab, list_pid, v);
	if (v->err)
		return v->err;
	qsort(v->pids, v->n, sizeof(*v->pids), cmp_pid); /* as /proc lists them */
	for (i = 0; i < v->n && !rc; i++)
		rc = fn(v->pids[i], arg);
	return rc;
}

static int view_stat(const struct procsrc *src, uint32_t pid, struct procfs_stat *st)
{
	struct proctab_src *v = src->ctx;
	const struct zr_proc *p = proctab_find(v->tab, pid);

	if (!p)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->pid = pid;
	memcpy(st->comm, p->comm, sizeof(st->comm));
	/* The trace knows alive or dead, not sleeping or running. */
	st->state = p->state == ZR_PROC_EXITED ? 'Z' : 'R';
	st->ppid = p->ppid;
	st->start_ticks = p->start_ns / procfs_tick_ns();
	st->threads = 1;
	st->exit_code = -1;
	return 0;
}

static int view_status(const struct procsrc *src, uint32_t pid, struct procfs_status *st)
{
	struct proctab_src *v = src->ctx;
	const struct zr_proc *p = proctab_find(v->tab, pid);

	if (!p)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->uid = p->uid;
	st->gid = p->gid;
	st->ns_pid = p->ns_level ? p->ns_pid : pid;
	st->ns_depth = p->ns_level;
	st->threads = 1;
	return 0;
}

/* A dead process as the trace knew it: its status, and its age when known. */
static int view_zombie(const struct procsrc *src, const struct procfs_stat *st, uint64_t now_ns,
		       struct zombie_info *zi)
{
	struct proctab_src *v = src->ctx;
	const struct zr_proc *p = proctab_find(v->tab, st->pid);
	enum zr_age_source age_src;
	uint64_t age;

	if (!p)
		return -ENOENT;
	age = lifecycle_dead_for(p, now_ns, &age_src);
	zombie_info_set(zi, -1, age_src, age);
	zi->st = p->st;
	return 0;
}

static const struct procsrc_ops view_ops = {
	.read_stat = view_stat,
	.read_status = view_status,
	.each_pid = view_each_pid,
	.read_zombie = view_zombie,
};

struct procsrc proctab_src_open(struct proctab_src *v, struct proctab *tab)
{
	memset(v, 0, sizeof(*v));
	v->tab = tab;
	return (struct procsrc){ &view_ops, v, NULL };
}

void proctab_src_close(struct proctab_src *v)
{
	free(v->pids);
	v->pids = NULL;
	v->n = v->cap = 0;
}
