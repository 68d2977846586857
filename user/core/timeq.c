/* timeq.c - ring-array FIFO behind the lifecycle's three waits: autoreap grace, zombie age and
 * orphan verification. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "timeq.h"

#define TIMEQ_KEEP 1024 /* items an empty queue keeps room for */

/* Moves the items, in order, into an array of cap (>= n). 0 or -ENOMEM (q unchanged). */
static int resize(struct timeq *q, size_t cap)
{
	struct timeq_item *v = malloc(cap * sizeof(*v));
	size_t i;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < q->n; i++)
		v[i] = q->v[(q->head + i) % q->cap];
	free(q->v);
	q->v = v;
	q->cap = cap;
	q->head = 0;
	return 0;
}

int timeq_push(struct timeq *q, const struct timeq_item *it)
{
	if (q->n == q->cap && resize(q, q->cap ? q->cap * 2 : 64))
		return -ENOMEM;
	q->v[(q->head + q->n) % q->cap] = *it;
	q->n++;
	return 0;
}

const struct timeq_item *timeq_due(const struct timeq *q, uint64_t now)
{
	const struct timeq_item *it;

	if (!q->n)
		return NULL;
	it = &q->v[q->head];
	return now == UINT64_MAX || it->due_ns <= now ? it : NULL;
}

void timeq_pop(struct timeq *q)
{
	if (!q->n)
		return;
	q->head = (q->head + 1) % q->cap;
	q->n--;
	/* A storm leaves a large array behind: give it back as it drains (a busy host may never
	 * drain it to empty), keeping room for twice what is left; on ENOMEM keep it. */
	if (q->cap <= TIMEQ_KEEP)
		return;
	if (!q->n)
		timeq_free(q);
	else if (q->n < q->cap / 8)
		(void)resize(q, q->cap / 4 > TIMEQ_KEEP ? q->cap / 4 : TIMEQ_KEEP);
}

void timeq_free(struct timeq *q)
{
	free(q->v);
	memset(q, 0, sizeof(*q));
}
