/* trace_opts.c - parsing the options `trace` and `replay` share (trace_opts.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "log.h"
#include "trace_opts.h"

void trace_opts_init(struct trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->f.event_mask = filter_default_mask();
	o->zombie_after_ns = 1000000000ULL;
}

/* -p PID, repeatable; live: it must exist now. */
static int take_pid(struct zr_filters *f, const char *arg, bool live, char *err, size_t len)
{
	uint32_t pid;

	if (cli_parse_pid(arg, &pid))
		return -1; /* the row's message */
	if (live && kill((pid_t)pid, 0) && errno == ESRCH) {
		snprintf(err, len, "-p %s: no such process", cli_q(arg));
		return -1;
	}
	if (f->n_pids == ZR_FILTER_PIDS_MAX) {
		snprintf(err, len, "-p: at most %d pids", ZR_FILTER_PIDS_MAX);
		return -1;
	}
	f->pids[f->n_pids++] = pid;
	return 0;
}

static int take_pid_live(void *dst, int key, const char *arg, char *err, size_t len)
{
	(void)key;
	return take_pid(dst, arg, true, err, len);
}

static int take_pid_past(void *dst, int key, const char *arg, char *err, size_t len)
{
	(void)key;
	return take_pid(dst, arg, false, err, len);
}

static int take_comm(void *dst, int key, const char *arg, char *err, size_t len)
{
	(void)key;
	if (!*arg || strlen(arg) > 15) {
		snprintf(err, len, "-n '%s': a comm is 1 to 15 bytes", cli_q(arg));
		return -1;
	}
	*(const char **)dst = arg;
	return 0;
}

static int take_uid(void *dst, int key, const char *arg, char *err, size_t len)
{
	struct zr_filters *f = dst;
	int rc = cli_parse_uid(arg, &f->uid);

	(void)key;
	if (rc) {
		opts_bad_value("-u", rc == -ENOENT ? "no such user '%s'" : "'%s' is not a uid", arg,
			       err, len);
		return -1;
	}
	f->has_uid = true;
	return 0;
}

static int take_events(void *dst, int key, const char *arg, char *err, size_t len)
{
	struct zr_filters *f = dst;
	char badbuf[80];
	const char *bad;

	(void)key;
	if (filter_parse_events(arg, &f->event_mask, &bad, badbuf, sizeof(badbuf))) {
		opts_bad_value("--events",
			       "unknown event '%s' (known: fork exec exit wait reap orphan zombie "
			       "signal subreaper snapshot, or all)",
			       bad, err, len);
		return -1;
	}
	f->events_arg = arg;
	return 0;
}

static int take_zombie_after(void *dst, int key, const char *arg, char *err, size_t len)
{
	struct trace_opts *o = dst;

	(void)key;
	(void)err;
	(void)len;
	if (cli_parse_duration(arg, &o->zombie_after_ns))
		return -1; /* the row's message */
	o->has_zombie_after = true;
	return 0;
}

enum { K_TREE = OPT_LONG_ONLY + 100, K_EVENTS, K_THREADS, K_JSON, K_ZOMBIE_AFTER, K_SUMMARY };

size_t trace_opts_rows(struct trace_opts *o, bool live, struct opt *rows)
{
	struct zr_filters *f = &o->f;
	const struct opt shared[TRACE_OPTS_ROWS] = {
		{ "pid", 'p', OPT_CALL, f, "'%s' is not a pid", "-p", 0,
		  live ? take_pid_live : take_pid_past },
		{ "tree", K_TREE, OPT_FLAG, &f->tree, NULL, NULL, 0, NULL },
		{ "name", 'n', OPT_CALL, &f->comm, NULL, NULL, 0, take_comm },
		{ "uid", 'u', OPT_CALL, f, NULL, NULL, 0, take_uid },
		{ "failed", 'x', OPT_FLAG, &f->failures_only, NULL, NULL, 0, NULL },
		{ "events", K_EVENTS, OPT_CALL, f, NULL, NULL, 0, take_events },
		{ "threads", K_THREADS, OPT_FLAG, &f->threads, NULL, NULL, 0, NULL },
		{ "json", K_JSON, OPT_FLAG, &o->json, NULL, NULL, 0, NULL },
		{ "zombie-after", K_ZOMBIE_AFTER, OPT_CALL, o,
		  "'%s' is not a positive duration (e.g. 500ms, 1s)", NULL, 0, take_zombie_after },
		{ "summary", K_SUMMARY, OPT_FLAG, &o->want_summary, NULL, NULL, 0, NULL },
		{ "verbose", 'v', OPT_COUNT, &log_verbosity, NULL, NULL, 0, NULL },
	};

	memcpy(rows, shared, sizeof(shared));
	return TRACE_OPTS_ROWS;
}

int trace_opts_check(const struct trace_opts *o)
{
	if (o->f.tree && !o->f.n_pids) {
		zr_err("--tree needs -p PID");
		return ZR_EXIT_USAGE;
	}
	return 0;
}
