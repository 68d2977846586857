/* detect.h - why a zombie is not reaped: its parent's state read from procfs, and the
 * reason_code + sentence a person can act on. Shared by `trace` and `zombies`.
 */
#ifndef ZR_DETECT_H
#define ZR_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "procfs.h"

/* What is known about a zombie and its parent when the reason is chosen. */
struct detect_case {
	uint32_t pid;
	uint64_t zombie_ns;
	bool is_age_known;
	int threads_running; /* > 0: the leader exited, these threads still run */
	uint32_t ppid;
	const char *parent_comm;
	char parent_state;   /* ps letter, 0 when the parent could not be read */
	bool parent_is_init; /* PID 1 of its pid namespace */
	const struct zr_parent_info *pinfo;
	bool has_wait_history;	/* the tracer watched the parent's waits */
	uint64_t since_wait_ns; /* since its last wait; valid when pinfo->last_wait_ns */
	bool waited_since_exit;
	int last_wait_target; /* pid argument of that wait */
};

/* Reads the parent's state and SIGCHLD disposition from procfs (through src) into *pi (state
 * "unknown" when it cannot) and returns its ps letter (0 when unreadable); *is_init and ref (pid,
 * comm, start at clock-tick precision) are set too. */
struct procsrc;
char detect_parent_procfs(const struct procsrc *src, uint32_t ppid, struct zr_parent_info *pi,
			  bool *is_init, struct zr_ref *ref);

/* The same from the parent's stat and status already read (NULL: unreadable). */
char detect_parent_from(uint32_t ppid, const struct procfs_stat *st, const struct procfs_status *ss,
			struct zr_parent_info *pi, bool *is_init, struct zr_ref *ref);

/* Chooses the reason: *code gets a static machine key, buf the sentence. */
void detect_reason(const struct detect_case *c, const char **code, char *buf, size_t len);

#endif /* ZR_DETECT_H */
