/* cmd_reap.c - `zreaper reap`: the command line, then the wiring: trace's pipeline on the
 * kernel's events (quiet, with the engine of reaper.c as its output), or /proc rescans when
 * BPF cannot load, pass after pass in the event loop; every decision goes to stdout as an
 * `action` event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpf_load.h"
#include "bpf_log.h"
#include "clock.h"
#include "cgroup.h"
#include "cli.h"
#include "cmd.h"
#include "cmd_common.h"
#include "log.h"
#include "opts.h"
#include "loop.h"
#include "pipeline.h"
#include "reaper.h"

#define MS	     1000000ULL
#define BPF_TICK_MS  100	    /* the ring buffer is drained at least this often */
#define WAKEUP_BYTES (64ULL * 1024) /* the timer drains the rest: no wake-up per fork */

/* Where the engine learns of zombies: trace's pipeline on the kernel's events, or (is_bpf
 * false) rescans of /proc. */
struct reap_src {
	bool is_bpf;
	bool has_pipeline;
	struct zr_filters f; /* every process, no thread events */
	struct pipeline p;
	struct output out;
	struct zreaper_bpf *skel;
	struct ring_buffer *ring;
	uint64_t lost; /* the kernel's drop count when last looked at */
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: zreaper reap [--actions LIST] [--older-than D] [--step D] [--once]\n"
	    "                    [--dry-run] [--only KEY=VALUE]... [--except KEY=VALUE]...\n"
	    "                    [--max-per-minute N] [--json] [--duration D] [-v]\n"
	    "\n"
	    "Cleans up zombies whose parents are alive, under an explicit policy. Zombies are\n"
	    "found by trace's detector (kernel events; needs CAP_BPF and CAP_PERFMON), or by\n"
	    "rescanning /proc when BPF cannot load (a warning says so) or with --once. For each\n"
	    "one older than --older-than that the policy selects, the allowed actions are tried\n"
	    "in order, --step apart, until it is gone. Every decision is an `action` event on\n"
	    "stdout (columns, or JSON lines with --json); a refusal is printed once per parent\n"
	    "and reason, however many zombies it holds.\n"
	    "\n"
	    "  --actions LIST      comma-separated, tried in this order (default: nudge):\n"
	    "                        nudge        SIGCHLD to the parent (for handlers that\n"
	    "                                     missed a signal)\n"
	    "                        inject       ptrace the parent and run waitid(P_PID,\n"
	    "                                     zombie, WEXITED|WNOHANG) in it; registers and\n"
	    "                                     interrupted system calls restored (x86_64)\n"
	    "                        kill-parent  SIGTERM, then SIGKILL after --step, to the\n"
	    "                                     parent, so its zombies pass to a reaper\n"
	    "  --older-than D      act on zombies older than D (default 30s; 0: any age),\n"
	    "                      counted from the exit. The age of a zombie older than\n"
	    "                      zreaper is read from procfs (/proc/PID/sched against our\n"
	    "                      own on that CPU), so --once answers at once; where procfs\n"
	    "                      has only its start time, one that started less than D ago\n"
	    "                      is too young, and any other is old enough D after it was\n"
	    "                      first seen\n"
	    "  --step D            wait between actions, and for a nudge or kill to work\n"
	    "                      (default 2s)\n"
	    "  --once              handle the zombies that exist now (one look at /proc, no\n"
	    "                      BPF), then exit: 0 when every selected zombie is gone, 1\n"
	    "                      when some remain\n"
	    "  --dry-run           change nothing; log each action that would be taken\n"
	    "                      (outcome planned)\n"
	    "  --only KEY=VALUE    act only on zombies whose PARENT matches; keys pid, uid (a\n"
	    "                      number or a name), comm (a glob), cgroup (a v2 path and\n"
	    "                      below). Repeatable: values of one key OR, keys AND\n"
	    "  --except KEY=VALUE  never act on zombies whose parent matches (repeatable)\n"
	    "  --max-per-minute N  at most N actions on parents per minute (default 60; 0: no\n"
	    "                      cap). One action covers all of a parent's zombies due for\n"
	    "                      it: one injection (one stop) reaps them all, one SIGCHLD\n"
	    "                      nudges for all; each counts once\n"
	    "  --json              JSON lines instead of columns\n"
	    "  --duration D        without --once: stop after D (default: until SIGINT/SIGTERM)\n"
	    "  --metrics-textfile PATH  write zreaper_reap_actions_total{action,outcome} "
	    "(Prometheus\n"
	    "                      text, atomically) to PATH after every pass and at exit\n"
	    "  -v, --verbose       more diagnostics on stderr\n"
	    "  -h, --help          this text\n"
	    "\n"
	    "Protected, never acted on unless named with --only pid=N (kernel threads never):\n"
	    "  %s.\n"
	    "A container's PID 1 is not protected: it is the usual culprit.\n"
	    "\n"
	    "ZREAPER_NO_BPF=1 in the environment: never load BPF, rescan /proc.\n"
	    "Exit status: 0 ok, 1 runtime failure (--once: some selected zombies remain), 2 "
	    "usage.\n",
	    reap_policy_protected_list());
}

/* cgroup=/sys/fs/cgroup/unified/x is taken as cgroup=/x. */
static const char *strip_cgroup_mount(const char *kv, char *buf, size_t len)
{
	char root[1024];
	const char *rel;

	if (strncmp(kv, "cgroup=", 7) != 0 || cgroup_v2_mount(root, sizeof(root)))
		return kv;
	rel = cgroup_strip_mount(kv + 7, root);
	if (rel == kv + 7)
		return kv;
	snprintf(buf, len, "cgroup=%s", *rel ? rel : "/");
	return buf;
}

/* --actions LIST: OPT_CALL into the policy. */
static int take_actions(void *dst, int key, const char *value, char *err, size_t len)
{
	char bad[64], quoted[128];

	(void)key;
	if (!reap_policy_parse_actions(dst, value, bad, sizeof(bad)))
		return 0;
	snprintf(err, len,
		 "--actions: unknown or repeated action '%s' (choose from nudge, inject, "
		 "kill-parent)",
		 cli_printable(bad, quoted, sizeof(quoted)));
	return -1;
}

enum {
	K_ACTIONS = OPT_LONG_ONLY,
	K_OLDER,
	K_STEP,
	K_ONCE,
	K_DRY,
	K_ONLY,
	K_EXCEPT,
	K_RATE,
	K_JSON,
	K_DURATION,
	K_TEXTFILE
};

/* --only / --except KEY=VALUE: OPT_CALL into the policy. */
static int take_match(void *dst, int key, const char *value, char *err, size_t len)
{
	const char *opt = key == K_ONLY ? "--only" : "--except";
	char buf[1100];
	int rc = reap_policy_add_match(dst, key == K_ONLY,
				       strip_cgroup_mount(value, buf, sizeof(buf)), cli_parse_uid);

	if (!rc)
		return 0;
	opts_bad_value(opt,
		       rc == -ENOENT  ? "'%s' names no such user"
		       : rc == -E2BIG ? "'%s' is one too many (at most 32)"
				      : "'%s' is not KEY=VALUE with KEY pid, uid, comm or cgroup "
					"(an absolute path)",
		       value, err, len);
	return -1;
}

/* What the command line sets besides the reaper. */
struct reap_args {
	bool json;
	uint64_t duration;
	int stop; /* 'h' for --help */
};

/* 0, -1 after --help (printed), or ZR_EXIT_USAGE after the one-line error. */
static int parse_args(struct reaper *r, int argc, char **argv, struct reap_args *a)
{
	unsigned long per_min = r->pol.max_per_min;
	const struct opt rows[] = {
		{ "actions", K_ACTIONS, OPT_CALL, &r->pol, NULL, NULL, 0, take_actions },
		{ "older-than", K_OLDER, OPT_AGE, &r->pol.older_ns,
		  "'%s' is not a duration (e.g. 0, 500ms, 30s)", NULL, 0, NULL },
		{ "step", K_STEP, OPT_DURATION, &r->pol.step_ns,
		  "'%s' is not a positive duration (e.g. 500ms, 2s)", NULL, 0, NULL },
		{ "once", K_ONCE, OPT_FLAG, &r->is_once, NULL, NULL, 0, NULL },
		{ "dry-run", K_DRY, OPT_FLAG, &r->pol.dry_run, NULL, NULL, 0, NULL },
		{ "only", K_ONLY, OPT_CALL, &r->pol, NULL, NULL, 0, take_match },
		{ "except", K_EXCEPT, OPT_CALL, &r->pol, NULL, NULL, 0, take_match },
		{ "max-per-minute", K_RATE, OPT_ULONG, &per_min,
		  "'%s' is not a number from 0 to 1000000", NULL, 1000000, NULL },
		{ "json", K_JSON, OPT_FLAG, &a->json, NULL, NULL, 0, NULL },
		{ "duration", K_DURATION, OPT_DURATION, &a->duration,
		  "'%s' is not a positive duration (e.g. 10s, 1h)", NULL, 0, NULL },
		{ "metrics-textfile", K_TEXTFILE, OPT_TEXT, &r->textfile, "'%s' is not a path",
		  NULL, 0, NULL },
		{ "verbose", 'v', OPT_COUNT, &log_verbosity, NULL, NULL, 0, NULL },
		{ "help", 'h', OPT_STOP, &a->stop, NULL, NULL, 0, NULL },
	};
	static const struct opts_conf conf = { "try: zreaper reap --help", false, false, false };
	int first, rc;

	rc = cmd_options(rows, sizeof(rows) / sizeof(rows[0]), &conf, argc, argv, usage, &first);
	if (rc >= 0)
		return rc == ZR_EXIT_OK ? -1 : rc;
	r->pol.max_per_min = (unsigned)per_min;
	if (a->duration && r->is_once) {
		zr_err("--duration: not with --once, which ends by itself");
		return ZR_EXIT_USAGE;
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct reap_src *s = ctx;

	return pipeline_record(&s->p, data, size);
}

static void close_src(struct reap_src *s)
{
	ring_buffer__free(s->ring);
	bpf_load_stop(s->skel);
	if (s->has_pipeline)
		pipeline_free(&s->p);
	s->ring = NULL;
	s->skel = NULL;
	s->has_pipeline = false;
	s->is_bpf = false;
}

/* trace's pipeline, quiet, its zombie events due --older-than after the exit, the engine as
 * its output; then BPF. 0 or -errno (why set). */
static int open_bpf(struct reap_src *s, struct reaper *r, char *why, size_t whylen)
{
	struct pipeline_conf pc = { 0 };
	struct zr_kernel_report report;
	int err;

	/* 0 would mean no zombie events at all: --older-than 0 wants every one at once. */
	pc.zombie_after_ns = r->pol.older_ns ? r->pol.older_ns : 1;
	if (pipeline_init(&s->p, &s->f, &pc))
		return -ENOMEM;
	s->has_pipeline = true;
	reaper_output(r, &s->out);
	pipeline_add_output(&s->p, &s->out);
	bpf_log_set_print(log_verbosity - LOG_WARN);
	err = bpf_load_start(&s->f, 0, WAKEUP_BYTES, &s->skel, &report, why, whylen);
	if (err)
		return err;
	bpf_load_warn_degraded(&report);
	s->ring = bpf_load_ring(s->skel, on_record, s);
	if (!s->ring) {
		err = -errno;
		snprintf(why, whylen, "cannot open the ring buffer: %s", strerror(-err));
		return err;
	}
	s->is_bpf = true;
	return 0;
}

/* What exists now. After attach, so nothing falls between what /proc shows and what the
 * kernel sends; the existing zombies come out of the next tick as `zombie` events. */
static int start_src(struct reap_src *s, struct reaper *r)
{
	if (s->is_bpf)
		return pipeline_start(&s->p, r->now, true);
	return reaper_rescan(r, r->now);
}

/* Records the ring buffer dropped: the lifecycle may have missed exits, so one /proc pass
 * finds every zombie that exists (the engine ignores those it knows). */
static int resync_after_loss(struct reap_src *s, struct reaper *r)
{
	uint64_t drops = bpf_load_drops(s->skel);

	if (drops <= s->lost)
		return 0;
	zr_warn("%llu kernel events lost (ring buffer full); looking for zombies in /proc",
		(unsigned long long)(drops - s->lost));
	pipeline_lost(&s->p, r->now, drops);
	s->lost = drops;
	return reaper_rescan(r, r->now);
}

/* What changed: the kernel's events and the due timers, or a rescan of /proc (a zombie found
 * there is new since the last pass: its age is left UNKNOWN, under a pass). */
static int poll_src(struct reap_src *s, struct reaper *r)
{
	int err;

	if (!s->is_bpf)
		return reaper_rescan(r, 0);
	err = ring_buffer__consume(s->ring);
	if (err < 0)
		return err;
	pipeline_tick(&s->p, r->now);
	return resync_after_loss(s, r);
}

/* One pass of the engine, the textfile at most once a second; true when the run is over
 * (a sink error, --once settled, --duration up). */
static bool pass(struct reaper *r, uint64_t start, uint64_t duration)
{
	reaper_step(r);
	if (r->out_err)
		return true;
	if (r->m && r->now - r->textfile_ns >= 1000 * MS) {
		reaper_write_textfile(r);
		r->textfile_ns = r->now;
	}
	if (!r->is_once)
		reaper_compact(r);
	return (r->is_once && reaper_all_settled(r)) || (duration && r->now - start >= duration);
}

/* Passes until --once is settled, --duration is up, a stop signal, or stdout's reader left. */
static int run_passes(struct reaper *r, struct reap_src *s, uint64_t duration)
{
	unsigned tick_ms = (unsigned)(reaper_tick_ns(r) / MS);
	uint64_t start;
	struct loop l;
	bool done = false;
	int err, rc = ZR_EXIT_OK;

	/* The ring buffer is drained often (it fills while we sleep); /proc is read per pass. */
	if (s->is_bpf && tick_ms > BPF_TICK_MS)
		tick_ms = BPF_TICK_MS;
	err =
	    loop_init(&l, s->is_bpf ? ring_buffer__epoll_fd(s->ring) : -1, STDOUT_FILENO, tick_ms);
	if (err) {
		zr_err("cannot set up the event loop: %s", strerror(-err));
		return ZR_EXIT_RUNTIME;
	}
	r->now = start = clock_ns(CLOCK_BOOTTIME);
	r->is_accepting = true;
	err = start_src(s, r);
	if (err) {
		zr_err("cannot read /proc: %s", strerror(-err));
		loop_close(&l);
		return ZR_EXIT_RUNTIME;
	}
	/* --once handles what exists now; later zombies are the next run's. */
	r->is_accepting = !r->is_once;
	while (!done && !err && !pass(r, start, duration)) {
		switch (loop_wait(&l)) {
		case LOOP_SIGNAL:
			zr_debug("stopping on signal %d", l.last_signal);
			done = true;
			break;
		case LOOP_OUT_CLOSED:
			r->out_err = -EPIPE;
			done = true;
			break;
		case LOOP_ERROR:
			zr_err("event loop failed: %s", strerror(errno));
			rc = ZR_EXIT_RUNTIME;
			done = true;
			break;
		case LOOP_RING:
		case LOOP_TICK:
		default:
			r->now = clock_ns(CLOCK_BOOTTIME);
			/* --once looks at its candidates only: no new ones to find. */
			if (r->is_accepting || s->is_bpf)
				err = poll_src(s, r);
			break;
		}
	}
	if (err && err != -EPIPE) {
		zr_err("%s: %s", s->is_bpf ? "reading kernel events" : "cannot read /proc",
		       strerror(-err));
		rc = ZR_EXIT_RUNTIME;
	}
	loop_close(&l);
	return rc;
}

/* trace's detector, unless --once (a snapshot is all it needs: no BPF, works without
 * CAP_BPF) or ZREAPER_NO_BPF is set; /proc when BPF cannot load, said once on stderr. */
static int open_src(struct reap_src *s, struct reaper *r)
{
	const char *no_bpf = getenv("ZREAPER_NO_BPF");
	bool want_bpf = !r->is_once && !(no_bpf && *no_bpf && strcmp(no_bpf, "0") != 0);
	char why[512] = "";
	int err = 0;

	if (want_bpf)
		err = open_bpf(s, r, why, sizeof(why));
	if (err)
		close_src(s);
	if (err == -ENOMEM) {
		zr_err("out of memory");
		return ZR_EXIT_RUNTIME;
	}
	if (s->is_bpf)
		zr_info("watching zombies through kernel events (trace's detector)");
	else if (r->is_once)
		zr_info("--once: the zombies that exist now, from /proc");
	else
		zr_warn("%s; watching zombies by rescanning /proc instead",
			want_bpf ? why : "ZREAPER_NO_BPF is set, BPF not loaded");
	return 0;
}

int cmd_reap(int argc, char **argv)
{
	struct reaper r;
	struct reap_src src = { 0 };
	struct reap_args a = { 0 };
	int rc;

	memset(&r, 0, sizeof(r));
	reap_policy_init(&r.pol);
	rc = parse_args(&r, argc, argv, &a);
	if (rc)
		return rc < 0 ? ZR_EXIT_OK : rc;
	if (r.textfile) {
		struct utsname un;

		uname(&un);
		r.m = metrics_new(ZR_VERSION, un.release);
		if (!r.m) {
			zr_err("out of memory");
			return ZR_EXIT_RUNTIME;
		}
	}
	reaper_init(&r);

	if (a.json)
		sink_json_init(&r.sink, stdout, NULL);
	else
		sink_text_init(&r.sink, stdout, NULL);
	r.sink.boot_to_real_ns =
	    (int64_t)clock_ns(CLOCK_REALTIME) - (int64_t)clock_ns(CLOCK_BOOTTIME);
	r.sink.flush_each = !isatty(STDOUT_FILENO);

	/* No handlers: loop.c reads the stop signals from a signalfd. SIGCHLD is blocked by
	 * inject while it waits for its tracee's stops. */
	rc = open_src(&src, &r);
	if (!rc)
		rc = run_passes(&r, &src, a.duration);
	if (!r.out_err)
		r.out_err = r.sink.ops->flush(&r.sink);
	if (r.m)
		reaper_write_textfile(&r);
	metrics_free(r.m);
	if (r.out_err && r.out_err != -EPIPE) {
		zr_err("cannot write events: %s", strerror(-r.out_err));
		rc = ZR_EXIT_RUNTIME;
	} else if (rc == ZR_EXIT_OK && r.is_once && !r.out_err && reaper_remaining(&r) > 0) {
		rc = ZR_EXIT_RUNTIME;
	}
	close_src(&src);
	r.sink.ops->close(&r.sink);
	reaper_free(&r);
	return rc;
}
