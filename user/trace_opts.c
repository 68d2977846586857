/* trace_opts.c - parsing the options `trace` and `replay` share (trace_opts.h). */
#include <errno.h>
#include <signal.h>
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

static int take_pid(struct zr_filters *f, const char *arg, bool live)
{
	uint32_t pid;

	if (cli_parse_pid(arg, &pid)) {
		zr_err("-p: '%s' is not a pid", cli_q(arg));
		return ZR_EXIT_USAGE;
	}
	if (live && kill((pid_t)pid, 0) && errno == ESRCH) {
		zr_err("-p %s: no such process", cli_q(arg));
		return ZR_EXIT_USAGE;
	}
	if (f->n_pids == ZR_FILTER_PIDS_MAX) {
		zr_err("-p: at most %d pids", ZR_FILTER_PIDS_MAX);
		return ZR_EXIT_USAGE;
	}
	f->pids[f->n_pids++] = pid;
	return 1;
}

int trace_opts_take(struct trace_opts *o, int c, const char *arg, bool live)
{
	struct zr_filters *f = &o->f;
	char badbuf[80];
	const char *bad;
	int err;

	switch (c) {
	case 'p':
		return take_pid(f, arg, live);
	case TOPT_TREE:
		f->tree = true;
		return 1;
	case 'n':
		if (!*arg || strlen(arg) > 15) {
			zr_err("-n '%s': a comm is 1 to 15 bytes", cli_q(arg));
			return ZR_EXIT_USAGE;
		}
		f->comm = arg;
		return 1;
	case 'u':
		err = cli_parse_uid(arg, &f->uid);
		if (err) {
			zr_err(err == -ENOENT ? "-u: no such user '%s'" : "-u: '%s' is not a uid",
			       cli_q(arg));
			return ZR_EXIT_USAGE;
		}
		f->has_uid = true;
		return 1;
	case 'x':
		f->failures_only = true;
		return 1;
	case TOPT_EVENTS:
		if (filter_parse_events(arg, &f->event_mask, &bad, badbuf, sizeof(badbuf))) {
			zr_err(
			    "--events: unknown event '%s' (known: fork exec exit wait reap orphan "
			    "zombie signal subreaper snapshot, or all)",
			    cli_q(bad));
			return ZR_EXIT_USAGE;
		}
		f->events_arg = arg;
		return 1;
	case TOPT_THREADS:
		f->threads = true;
		return 1;
	case TOPT_JSON:
		o->json = true;
		return 1;
	case TOPT_SUMMARY:
		o->want_summary = true;
		return 1;
	case TOPT_ZOMBIE_AFTER:
		if (cli_parse_duration(arg, &o->zombie_after_ns)) {
			zr_err("--zombie-after: '%s' is not a positive duration (e.g. 500ms, 1s)",
			       cli_q(arg));
			return ZR_EXIT_USAGE;
		}
		o->has_zombie_after = true;
		return 1;
	case 'v':
		log_verbosity++;
		return 1;
	default:
		return 0;
	}
}

int trace_opts_check(const struct trace_opts *o)
{
	if (o->f.tree && !o->f.n_pids) {
		zr_err("--tree needs -p PID");
		return ZR_EXIT_USAGE;
	}
	return 0;
}
