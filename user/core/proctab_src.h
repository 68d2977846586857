/* proctab_src.h - a process table read as a /proc source: what a replay knew at some moment,
 * drawn by tree_show() as `zreaper tree` draws the live /proc. Alive or dead is all it knows.
 */
#ifndef ZR_PROCTAB_SRC_H
#define ZR_PROCTAB_SRC_H

#include <stddef.h>
#include <stdint.h>

#include "procsrc.h"
#include "proctab.h"

struct proctab_src {
	struct proctab *tab; /* only read (proctab_each wants it writable) */
	uint32_t *pids;	     /* the table's pids, sorted as /proc lists them */
	size_t n, cap;
	int err;
};

/* A source answering from tab, which must outlive it and stay unchanged while it is used. */
struct procsrc proctab_src_open(struct proctab_src *v, struct proctab *tab);

/* Releases what the source gathered; accepts one never opened (zeroed). */
void proctab_src_close(struct proctab_src *v);

#endif /* ZR_PROCTAB_SRC_H */
