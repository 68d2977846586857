/* inject.h - `reap --actions inject`: makes a live parent reap its zombies itself, by running
 * waitid(P_PID, zombie, NULL, WEXITED|WNOHANG|__WALL, NULL) for each, one after the other, in
 * one of its threads during one ptrace stop, then putting every register back. x86_64 and
 * aarch64; elsewhere a clear refusal.
 */
#ifndef ZR_INJECT_H
#define ZR_INJECT_H

#include <stddef.h>
#include <stdint.h>

enum inject_outcome {
	INJECT_RAN,	/* waitid ran in the parent; its return value is in ret */
	INJECT_REFUSED, /* not attempted, or undone before anything ran: see why */
	INJECT_FAILED,	/* an error; the parent was left as it was: see why */
};

#define INJECT_BATCH_MAX 1024 /* waitids run in one stop: bounds how long a parent is held */

/* The parts of a stop, in order: seized until stopped; registers read and the system call
 * instruction chosen; the waitids run (registers set, single step, trap collected); the
 * registers put back and the thread let go. */
enum inject_phase { INJECT_PHASE_STOP, INJECT_PHASE_PREP, INJECT_PHASE_RUN, INJECT_PHASE_END };
#define INJECT_PHASES 4

struct inject_result {
	int n_ran;	     /* how many waitids ran, in order; their returns are in rets[] */
	uint32_t tid;	     /* the thread that ran them */
	uint64_t stopped_ns; /* how long that thread was held in ptrace-stops */
	uint64_t phase_ns[INJECT_PHASES]; /* of which each phase, over every attempt that ran */
	int attempts; /* 1 unless signals arriving meanwhile made it stop and resume */
	char why[200];
};

/* Checks what can be checked without touching the parent (for --dry-run and before acting):
 * architecture, tracer, state, kernel thread. Returns INJECT_RAN when injection may go ahead,
 * INJECT_REFUSED (why set) when not, INJECT_FAILED when the parent cannot be read. */
enum inject_outcome inject_check(uint32_t pid, char *why, size_t len);

/* The pid of zombie as its parent sees it (its NSpid entry at the parent's namespace depth).
 * Returns 0 or -errno (-ESRCH: either is gone; -EXDEV: not visible from the parent). */
int inject_ns_pid(uint32_t zombie, uint32_t parent, uint32_t *ns_pid);

/* Runs waitid(P_PID, ns_zombies[i], NULL, WEXITED|WNOHANG|__WALL, NULL) for i < n (at most
 * INJECT_BATCH_MAX) in a thread of pid, all in one stop, each return (0, or -errno) into
 * rets[i]. A signal arriving meanwhile is handed back and the rest run after it, in another
 * stop. INJECT_RAN when all n ran; else why says what went wrong, and the first n_ran ran.
 * The caller must not be the parent's tracer already, and must block SIGCHLD (a ptrace-stop
 * of the tracee is announced with one; it is waited for with sigtimedwait). */
enum inject_outcome inject_waitids(uint32_t pid, const uint32_t *ns_zombies, long *rets, int n,
				   struct inject_result *res);

#endif /* ZR_INJECT_H */
