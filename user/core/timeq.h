/* timeq.h - a FIFO of processes with a due time. Items are pushed in due order (each queue
 * adds a constant to event times that arrive in order), so the head is always the next due.
 */
#ifndef ZR_TIMEQ_H
#define ZR_TIMEQ_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct timeq_item {
	struct zr_ref who; /* pid, start_ns, comm */
	uint64_t at_ns;	   /* ktime of the event that queued it */
	uint64_t due_ns;
	int tries;
};

struct timeq {
	struct timeq_item *v;
	size_t head, n, cap;
};

int timeq_push(struct timeq *q, const struct timeq_item *it); /* 0 or -ENOMEM */

/* The head if it is due at now (or any head when now is UINT64_MAX), else NULL. */
const struct timeq_item *timeq_due(const struct timeq *q, uint64_t now);

void timeq_pop(struct timeq *q);
void timeq_free(struct timeq *q);

#endif /* ZR_TIMEQ_H */
