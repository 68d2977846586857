/* initd.h - `zreaper run`: the init loop (signalfd, forward, reap-all, 128+N, descendant
 * termination) and the pure helpers cmd_run.c and the unit tests share.
 */
#ifndef ZR_INITD_H
#define ZR_INITD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INITD_DEFAULT_GRACE_NS 5000000000ULL

struct initd_opts {
	bool is_subreaper;	/* -s: also when PID 1 (always on when not PID 1) */
	bool is_group;		/* -g: forward to the child's process group */
	bool is_no_kill;	/* --no-kill: leave descendants running after the child exits */
	bool is_log_reaps;	/* --log-reaps, -w: one line per reaped orphan */
	bool is_json;		/* --json: those lines as JSON */
	bool is_tini;		/* started as tini: tini's subreaper rule and reap wording */
	int pdeathsig;		/* -p: 0 for none */
	uint64_t grace_ns;	/* --grace: SIGTERM to SIGKILL */
	uint8_t remap[256 / 8]; /* -e: bit n set maps exit code n to 0 */
};

/* One reaped orphan, as the reap log line shows it. */
struct initd_reap {
	int pid;
	const char *comm;     /* NULL when it could not be read before the reap */
	int raw_status;	      /* wait status */
	uint64_t lifetime_ns; /* UINT64_MAX when unknown */
	int64_t real_ns;      /* wall clock of the reap */
};

/* Sets the defaults (grace 5 s, nothing else). */
void initd_opts_init(struct initd_opts *o);

/* Marks exit code code (0..255) for mapping to 0. Returns 0 or -EINVAL. */
int initd_remap_add(struct initd_opts *o, long code);

/* Parses "143", "143,130" or "143 130" into o's remap set. Returns 0 or -EINVAL. */
int initd_remap_parse(struct initd_opts *o, const char *list);

/* A wait status as a shell reports it: the exit code, or 128+N for death by signal N. */
int initd_exit_code(int raw_status);

/* The code `run` exits with for the child's wait status: initd_exit_code, then -e. */
int initd_final_code(const struct initd_opts *o, int raw_status);

/* 127 when exec failed with ENOENT (or ENOTDIR), 126 otherwise (the shell's conventions). */
int initd_exec_failure_code(int err);

/* Formats one reap line without the trailing newline: text ("reaped orphan 12 (sleep): exit
 * 0, lived 1.500s"; as tini, tini's "Reaped zombie process with pid=12", which scripts grep
 * for, then the same details) or, with o->is_json, a JSON object. Returns the length snprintf would
 * (truncated to fit). */
size_t initd_format_reap(char *buf, size_t len, const struct initd_opts *o,
			 const struct initd_reap *r);

/* Runs argv[0] as the child and acts as its init until it and, unless --no-kill, every
 * descendant are gone. Returns the exit code for `run` (never 0..255 unless the child said so,
 * 1 when the init itself could not start: the one-line reason is already printed). */
int initd_run(const struct initd_opts *o, char **argv);

#endif /* ZR_INITD_H */
