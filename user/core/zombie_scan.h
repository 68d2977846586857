/* zombie_scan.h - every zombie /proc shows now, each with what `zombies` reports of it: exit
 * status and age (zombie_read.c), its parent as procfs shows it and how many zombies that
 * parent holds. Costs one look per process (its exe link with CAP_SYS_PTRACE, else its stat
 * line), then stat, sched and status (the uid) per zombie and stat and status per parent.
 */
#ifndef ZR_ZOMBIE_SCAN_H
#define ZR_ZOMBIE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "proc_seen.h"

/* A parent of zombies, read once however many it holds. */
struct zscan_parent {
	uint32_t pid;
	uint32_t held;
	struct proc_parent par; /* par.pinfo.zombies_held is held */
};

struct zscan_zombie {
	struct procfs_stat st;
	struct zombie_info zi;
	size_t parent; /* index in zombie_scan.parents */
};

struct zombie_scan {
	uint64_t now_ns; /* CLOCK_BOOTTIME at the start of the scan */
	struct zscan_zombie *zombies;
	size_t n_zombies, cap_zombies;
	struct zscan_parent *parents;
	size_t n_parents;
};

/* Scans the procfs at root (NULL: /proc) into *s (zeroed first); zombies in pid order. Returns
 * 0 or -errno (/proc unreadable, out of memory). zombie_scan_free() either way. */
int zombie_scan_run(struct zombie_scan *s, const char *root);

void zombie_scan_free(struct zombie_scan *s);

/* Is z still that zombie (same pid and start, still dead)? The second look of --older-than
 * for a zombie whose age procfs only bounds. */
bool zombie_scan_still_there(const char *root, const struct zscan_zombie *z);

/* The `zombie` event for z, as `trace` would report it (its uid read now). */
void zombie_scan_event(const struct zombie_scan *s, const struct zscan_zombie *z, const char *root,
		       struct zr_ev *ev);

#endif /* ZR_ZOMBIE_SCAN_H */
