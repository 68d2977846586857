/* proctab.c - process table storage: a chained hash on pid plus an insertion-order list that
 * gives the eviction victim when the cap is reached.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proctab.h"

#define DEFAULT_CAP 1000000u
#define MIN_BUCKETS 4096u

struct proctab {
	struct zr_proc **buckets;
	unsigned nbuckets; /* power of two */
	unsigned count;
	unsigned cap;
	uint64_t evicted;
	struct zr_proc *oldest, *newest;
};

/* The pid's low bits: the kernel hands out pids in turn, so a burst of new processes fills
 * neighbouring buckets, whose heads share cache lines (a scattering hash made each lookup of a
 * fork storm a cache miss). Only root can choose a global pid (ns_last_pid, clone3 set_tid), so
 * chains stay even. */
static unsigned bucket_of(const struct proctab *t, uint32_t pid)
{
	return pid & (t->nbuckets - 1);
}

struct proctab *proctab_new(unsigned cap)
{
	struct proctab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cap = cap ? cap : DEFAULT_CAP;
	t->nbuckets = MIN_BUCKETS;
	t->buckets = calloc(t->nbuckets, sizeof(struct zr_proc *));
	if (!t->buckets) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void proctab_free(struct proctab *t)
{
	struct zr_proc *p, *next;

	if (!t)
		return;
	for (p = t->oldest; p; p = next) {
		next = p->newer;
		free(p);
	}
	free(t->buckets);
	free(t);
}

struct zr_proc *proctab_find(const struct proctab *t, uint32_t pid)
{
	struct zr_proc *p;

	for (p = t->buckets[bucket_of(t, pid)]; p; p = p->hnext)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* Moves every entry into a bucket array of n; on ENOMEM keeps the old one (still correct). */
static void rehash(struct proctab *t, unsigned n)
{
	struct zr_proc **nb = calloc(n, sizeof(struct zr_proc *));
	struct zr_proc *p;
	unsigned i;

	if (!nb)
		return;
	t->nbuckets = n;
	free(t->buckets);
	t->buckets = nb;
	for (p = t->oldest; p; p = p->newer) {
		i = bucket_of(t, p->pid);
		p->hnext = nb[i];
		nb[i] = p;
	}
}

/* Doubles the bucket array when the load passes 2. */
static void maybe_grow(struct proctab *t)
{
	if (t->count >= t->nbuckets * 2)
		rehash(t, t->nbuckets * 2);
}

/* Quarters it once the table holds under an eighth of it (a crowd has gone), so that memory
 * can go back to the system. */
static void maybe_shrink(struct proctab *t)
{
	if (t->nbuckets > MIN_BUCKETS && t->count < t->nbuckets / 8)
		rehash(t, t->nbuckets / 4 > MIN_BUCKETS ? t->nbuckets / 4 : MIN_BUCKETS);
}

void proctab_remove(struct proctab *t, struct zr_proc *p)
{
	struct zr_proc **pp = &t->buckets[bucket_of(t, p->pid)];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
	if (p->older)
		p->older->newer = p->newer;
	else
		t->oldest = p->newer;
	if (p->newer)
		p->newer->older = p->older;
	else
		t->newest = p->older;
	t->count--;
	maybe_shrink(t);
	free(p);
}

struct zr_proc *proctab_insert(struct proctab *t, uint32_t pid, uint64_t start_ns)
{
	struct zr_proc *p = proctab_find(t, pid);
	unsigned i;

	if (p)
		proctab_remove(t, p);
	if (t->count >= t->cap && t->oldest) {
		proctab_remove(t, t->oldest);
		t->evicted++;
	}
	/* malloc, not calloc: glibc's calloc never takes a chunk from the thread cache, where
	 * the entry of the process that just went lies, and its slow path cost a tenth of a
	 * fork's lines. */
	p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->start_ns = start_ns;
	i = bucket_of(t, pid);
	p->hnext = t->buckets[i];
	t->buckets[i] = p;
	p->older = t->newest;
	if (t->newest)
		t->newest->newer = p;
	else
		t->oldest = p;
	t->newest = p;
	t->count++;
	maybe_grow(t);
	return p;
}

void proctab_each(struct proctab *t, void (*fn)(struct zr_proc *p, void *arg), void *arg)
{
	struct zr_proc *p, *next;

	for (p = t->oldest; p; p = next) {
		next = p->newer;
		fn(p, arg);
	}
}

unsigned proctab_count(const struct proctab *t)
{
	return t->count;
}

uint64_t proctab_evicted(const struct proctab *t)
{
	return t->evicted;
}
