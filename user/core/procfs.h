/* procfs.h - what /proc says about a process now: state, parent, start, signal masks, the
 * scheduler clock when it last ran. */
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
	int cpu;       /* the CPU it last ran on (field 39); zombies only, else -1 */
	int exit_code; /* raw wait status of a zombie (field 52); zombies only, else -1 */
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

/* Reads <root>/<dir>/<name> (dir: a pid, "self", "thread-self") into buf, NUL-terminated, in
 * one read. Returns the length or -errno. */
int procfs_read_file(const char *root, const char *dir, const char *name, char *buf, size_t len);

/* se.exec_start of <root>/<dir>/sched (CONFIG_SCHED_DEBUG): the scheduler clock, in ns, of
 * the CPU the task last ran on, when it last ran (or last had its clock updated while
 * running). Returns 0, -EINVAL when the file has no such line, or -errno. */
int procfs_read_exec_start(const char *root, const char *dir, uint64_t *ns);

/* The se.exec_start line of a sched file's text. 0 or -EINVAL. */
int procfs_parse_exec_start(const char *text, uint64_t *ns);

/* Does <root>/<pid>/exe resolve? Then the process has a memory map, so it is no zombie (they
 * have none): a test at half the cost of reading its stat. The link is behind a ptrace access
 * check whose refusals an LSM may log, so ask only with procfs_may_ptrace_all(). */
bool procfs_has_exe(const char *root, uint32_t pid);

/* CAP_SYS_PTRACE in our effective set (<root>/self/status CapEff): every process's exe link
 * and exit code are ours to read. */
bool procfs_may_ptrace_all(const char *root);

/* Reads /proc/<pid>/status. Returns 0 or -errno. */
int procfs_read_status(const char *root, uint32_t pid, struct procfs_status *st);

/* Start of the process in ns since boot, at clock-tick precision. */
uint64_t procfs_ticks_to_ns(uint64_t ticks);

/* CLOCK_BOOTTIME now, in ns: the clock /proc's start times count from. */
uint64_t procfs_now_ns(void);

/* Nanoseconds per clock tick (what /proc's start times are rounded to). */
uint64_t procfs_tick_ns(void);

/* Calls fn for every numeric entry of /proc; stops when fn returns non-zero and returns that. */
int procfs_each_pid(const char *root, int (*fn)(uint32_t pid, void *arg), void *arg);

#endif /* ZR_PROCFS_H */
