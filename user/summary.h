/* summary.h - end-of-run statistics for `trace --summary`: counts per kind, log2 histograms of
 * lifetimes and zombie times, the parents that made the most zombies, exit codes and signals.
 */
#ifndef ZR_SUMMARY_H
#define ZR_SUMMARY_H

#include <stdint.h>

#include "event.h"

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

/* Renders the summary: *json gets the members of a `summary` JSON object, *text a report for
 * people; both malloc'd (NULL on ENOMEM). */
void summary_render(const struct summary *s, uint64_t lost, uint64_t evicted, char **json,
		    char **text);

void summary_free(struct summary *s);

#endif /* ZR_SUMMARY_H */
