/* procfs.h - what /proc says about a process now: state, parent, start, signal masks. */
#ifndef ZR_PROCFS_H
#define ZR_PROCFS_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

struct procfs_stat {
	uint32_t pid;
	char comm[ZR_COMM_BUF];
	char state; /* ps letter: R S D T t Z X I ... */
	uint32_t ppid, pgrp, session;
	uint64_t start_ticks; /* clock ticks since boot */
	int threads;
	int exit_code; /* raw wait status of a zombie (stat field 52), -1 when absent */
};

struct procfs_status {
	uint64_t sig_blk, sig_ign, sig_cgt; /* masks: bit (n - 1) for signal n */
	uint32_t uid, gid;
	uint32_t ns_pid; /* innermost NSpid */
	int ns_depth;	 /* number of NSpid entries - 1 */
	int threads;
};

/* Reads /proc/<pid>/stat; root (may be NULL) selects another procfs mount ("/proc" default).
 * Returns 0 or -errno (-ENOENT: gone). */
int procfs_read_stat(const char *root, uint32_t pid, struct procfs_stat *st);

/* Reads /proc/<pid>/status. Returns 0 or -errno. */
int procfs_read_status(const char *root, uint32_t pid, struct procfs_status *st);

/* Start of the process in ns since boot, at clock-tick precision. */
uint64_t procfs_ticks_to_ns(uint64_t ticks);

/* Nanoseconds per clock tick (what /proc's start times are rounded to). */
uint64_t procfs_tick_ns(void);

/* "running" "sleeping" "disk_sleep" "stopped" "traced" "zombie" "dead" "idle"... */
const char *procfs_state_name(char state);

/* Calls fn for every numeric entry of /proc; stops when fn returns non-zero and returns that. */
int procfs_each_pid(const char *root, int (*fn)(uint32_t pid, void *arg), void *arg);

#endif /* ZR_PROCFS_H */
