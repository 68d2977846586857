/* reaper_int.h - what reaper.c's pass and reaper_act.c's actions share; not for other files. */
#ifndef ZR_REAPER_INT_H
#define ZR_REAPER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "reaper.h"

enum zstate {
	Z_GONE,	   /* reaped, or the pid is another life now */
	Z_THREADS, /* the leader is dead but threads still run: not reapable yet */
	Z_ZOMBIE,
};

/* The inode of the pid namespace at path (/proc/PID/ns/pid), 0 when it cannot be read. */
uint64_t reaper_pidns_inode(const char *path);

enum zstate reaper_zombie_state(const struct reaper *r, const struct zent *z);

/* Is the zombie still there: same pid, same start, still a zombie? */
bool reaper_zombie_present(const struct reaper *r, const struct zent *z);

/* The zombie was reaped: a pending nudge or kill worked (or its parent got there first). */
void reaper_mark_gone(struct reaper *r, struct zent *z);

/* Fills the event template (the zombie as subject, its parent nested) and applies the policy.
 * Returns false when the zombie is not ours to handle (parent gone or exiting). */
bool reaper_decide(struct reaper *r, struct zent *z);

/* z is due for an action: one action on its parent for all of the parent's zombies due. */
void reaper_act(struct reaper *r, struct zent *z);

/* A pending nudge or kill whose time is up and whose zombie is still there. */
void reaper_judge(struct reaper *r, struct zent *z);

/* --dry-run: every action that would be taken, as `planned` (or why not). */
void reaper_plan(struct reaper *r, struct zent *z);

#endif /* ZR_REAPER_INT_H */
