/* summary.h - end-of-run statistics for `trace --summary`: counts per kind, log2 histograms of
 * lifetimes and zombie times, the parents that made the most zombies, exit codes and signals.
 */
#ifndef ZR_SUMMARY_H
#define ZR_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "jsonw.h"

struct summary_parent {
	uint32_t pid;
	char comm[ZR_COMM_BUF];
	uint64_t zombies;
};

struct summary {
	uint64_t kinds[ZR_EV__COUNT];
	uint64_t life_hist[64];	  /* bucket i: [2^i, 2^(i+1)) ns */
	uint64_t zombie_hist[64]; /* zombie time of reaped processes */
	uint64_t exit_codes[256];
	uint64_t signals[65];
	struct summary_parent *parents;
	size_t nparents, cap;
};

void summary_add(struct summary *s, const struct zr_ev *ev);

/* The members of a `summary` line (ev: ZR_EV_SUMMARY, its stats as an output reported them)
 * after those w holds: counts, histograms, top parents, exit codes, signals, lost, evicted.
 * Nothing without stats. */
void summary_put_json(struct jsonw *w, const struct zr_ev *ev);

/* The same as a report for people, on f. Returns 0, or -1 with f's error indicator set. */
int summary_put_text(FILE *f, const struct zr_ev *ev);

void summary_free(struct summary *s);

#endif /* ZR_SUMMARY_H */
