/* lifecycle.h - the state machine fed by decoded events: running -> exited -> reaped, with
 * exec on the way. It passes each event on and derives new ones: a reap per process (by a
 * wait, or by the kernel when the parent does not want it). Drivable without the kernel.
 */
#ifndef ZR_LIFECYCLE_H
#define ZR_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "proctab.h"

/* Receives every event to show; a negative return (e.g. -EPIPE) stops the feed and is returned. */
typedef int (*lifecycle_emit_fn)(const struct zr_ev *ev, void *arg);

struct lifecycle;

/* The grace both `trace` and `reap` give a release before calling it an autoreap. */
#define LIFECYCLE_AUTOREAP_GRACE_NS (250ULL * 1000 * 1000)

/* grace_ns: how long a release waits for the wait that may have reaped it before it is
 * called an autoreap (the wait's syscall exit can be seen after the task's release). */
struct lifecycle *lifecycle_new(unsigned cap, uint64_t grace_ns, lifecycle_emit_fn emit, void *arg);
void lifecycle_free(struct lifecycle *lc);

/* Feeds one decoded event; may rewrite it (wait's reaped_pid becomes the initial-namespace pid). */
int lifecycle_feed(struct lifecycle *lc, struct zr_ev *ev);

/* Settles releases older than grace at ktime now (now = UINT64_MAX settles all). */
int lifecycle_tick(struct lifecycle *lc, uint64_t now);

/* Would lifecycle_tick(now) have anything to do? (a tick without work need not be recorded) */
bool lifecycle_has_due(const struct lifecycle *lc, uint64_t now);

const struct proctab *lifecycle_table(const struct lifecycle *lc);

/* Report a `zombie` when a process stays exited and unreaped this long (0: never, the default). */
void lifecycle_set_zombie_after(struct lifecycle *lc, uint64_t ns);

/* Where procfs is mounted (NULL: /proc); tests point it elsewhere. */
void lifecycle_set_procfs(struct lifecycle *lc, const char *root);

/* Where the /proc observations come from instead (recording or replay); *src is copied. */
struct procsrc;
void lifecycle_set_procsrc(struct lifecycle *lc, const struct procsrc *src);

/* How long p (exited, or a leader whose threads run on) has been dead at now, and how that is
 * known (*src ZR_AGE_UNKNOWN: not at all, 0 returned). */
uint64_t lifecycle_dead_for(const struct zr_proc *p, uint64_t now, enum zr_age_source *src);

/* Fills the table from procfs (processes that exist before tracing) and emits one `snapshot`
 * event per existing zombie, whose exit status and age come from zombie_read(). Call before
 * the first feed. */
int lifecycle_snapshot(struct lifecycle *lc, uint64_t now);

#endif /* ZR_LIFECYCLE_H */
