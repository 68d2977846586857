/* cmd_reap.c - `zreaper reap`: the command line, then zombies of live parents reported by
 * zombie_source.c (trace's detector, or /proc) are handed to reap_engine.c, pass after pass in
 * the event loop, and every decision goes to stdout as an `action` event.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cgroup.h"
#include "cli.h"
#include "cmd.h"
#include "log.h"
#include "loop.h"
#include "reap_engine.h"

#define MS	    1000000ULL
#define BPF_TICK_MS 100 /* the ring buffer is drained at least this often */

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

static int usage_err(const char *opt, const char *val, const char *what)
{
	char quoted[128];

	zr_err("%s: '%s' %s", opt, cli_printable(val, quoted, sizeof(quoted)), what);
	return ZR_EXIT_USAGE;
}

/* cgroup=/sys/fs/cgroup/unified/x is taken as cgroup=/x. */
static const char *strip_cgroup_mount(const char *kv, char *buf, size_t len)
{
	char root[1024];
	size_t n;

	if (strncmp(kv, "cgroup=", 7) != 0 || cgroup_v2_mount(root, sizeof(root)))
		return kv;
	n = strlen(root);
	if (strncmp(kv + 7, root, n) != 0 || (kv[7 + n] != '/' && kv[7 + n] != '\0'))
		return kv;
	snprintf(buf, len, "cgroup=%s", kv[7 + n] ? kv + 7 + n : "/");
	return buf;
}

static int parse_args(struct reaper *r, int argc, char **argv, bool *json, uint64_t *duration)
{
	static const struct option longopts[] = {
		{ "actions", required_argument, NULL, 'a' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "step", required_argument, NULL, 's' },
		{ "once", no_argument, NULL, '1' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "only", required_argument, NULL, 'O' },
		{ "except", required_argument, NULL, 'E' },
		{ "max-per-minute", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "duration", required_argument, NULL, 'd' },
		{ "metrics-textfile", required_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char quoted[128], bad[64], buf[1100];
	unsigned long v;
	char *end;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (reap_policy_parse_actions(&r->pol, optarg, bad, sizeof(bad))) {
				zr_err("--actions: unknown or repeated action '%s' (choose from "
				       "nudge, inject, kill-parent)",
				       cli_printable(bad, quoted, sizeof(quoted)));
				return ZR_EXIT_USAGE;
			}
			break;
		case 'o':
			if (cli_parse_age(optarg, &r->pol.older_ns))
				return usage_err("--older-than", optarg,
						 "is not a duration (e.g. 0, 500ms, 30s)");
			break;
		case 's':
			if (cli_parse_duration(optarg, &r->pol.step_ns))
				return usage_err("--step", optarg,
						 "is not a positive duration (e.g. 500ms, 2s)");
			break;
		case 'M':
			if (!*optarg)
				return usage_err("--metrics-textfile", optarg, "is not a path");
			r->textfile = optarg;
			break;
		case 'd':
			if (cli_parse_duration(optarg, duration))
				return usage_err("--duration", optarg,
						 "is not a positive duration (e.g. 10s, 1h)");
			break;
		case '1':
			r->is_once = true;
			break;
		case 'n':
			r->pol.dry_run = true;
			break;
		case 'O':
		case 'E':
			rc = reap_policy_add_match(&r->pol, c == 'O',
						   strip_cgroup_mount(optarg, buf, sizeof(buf)),
						   cli_parse_uid);
			if (rc == -ENOENT)
				return usage_err(c == 'O' ? "--only" : "--except", optarg,
						 "names no such user");
			if (rc == -E2BIG)
				return usage_err(c == 'O' ? "--only" : "--except", optarg,
						 "is one too many (at most 32)");
			if (rc)
				return usage_err(
				    c == 'O' ? "--only" : "--except", optarg,
				    "is not KEY=VALUE with KEY pid, uid, comm or cgroup "
				    "(an absolute path)");
			break;
		case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v > 1000000)
				return usage_err("--max-per-minute", optarg,
						 "is not a number from 0 to 1000000");
			r->pol.max_per_min = (unsigned)v;
			break;
		case 'j':
			*json = true;
			break;
		case 'v':
			log_verbosity++;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			cli_option_error(c, argv, "try: zreaper reap --help", buf, sizeof(buf));
			zr_err("%s", buf);
			return ZR_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		zr_err("unexpected argument '%s'",
		       cli_printable(argv[optind], quoted, sizeof(quoted)));
		return ZR_EXIT_USAGE;
	}
	if (*duration && r->is_once) {
		zr_err("--duration: not with --once, which ends by itself");
		return ZR_EXIT_USAGE;
	}
	return 0;
}

/* The pause between passes: fine enough for --step and --older-than, at most 500 ms. */
static uint64_t tick_ns(const struct reap_policy *p)
{
	uint64_t t = (p->older_ns < p->step_ns ? p->older_ns : p->step_ns) / 4;

	if (t < 10 * MS)
		t = 10 * MS;
	if (t > 500 * MS)
		t = 500 * MS;
	return t;
}

/* Passes until --once is settled, --duration is up, a stop signal, or stdout's reader left. */
static int run_passes(struct reaper *r, uint64_t duration)
{
	unsigned tick_ms = (unsigned)(tick_ns(&r->pol) / MS);
	uint64_t start;
	struct loop l;
	bool done = false;
	int err, rc = ZR_EXIT_OK;

	/* The ring buffer is drained often (it fills while we sleep); /proc is read per pass. */
	if (zombie_source_is_bpf(r->src) && tick_ms > BPF_TICK_MS)
		tick_ms = BPF_TICK_MS;
	err = loop_init(&l, zombie_source_fd(r->src), STDOUT_FILENO, tick_ms);
	if (err) {
		zr_err("cannot set up the event loop: %s", strerror(-err));
		return ZR_EXIT_RUNTIME;
	}
	r->now = start = clock_ns(CLOCK_BOOTTIME);
	r->is_accepting = true;
	err = zombie_source_start(r->src, r->now);
	if (err) {
		zr_err("cannot read /proc: %s", strerror(-err));
		loop_close(&l);
		return ZR_EXIT_RUNTIME;
	}
	/* --once handles what exists now; later zombies are the next run's. */
	r->is_accepting = !r->is_once;
	while (!done && !err) {
		reap_engine_step(r);
		if (r->out_err)
			break;
		if (r->m && r->now - r->textfile_ns >= 1000 * MS) {
			reap_engine_write_textfile(r);
			r->textfile_ns = r->now;
		}
		if (!r->is_once)
			reap_engine_compact(r);
		if ((r->is_once && reap_engine_all_settled(r)) ||
		    (duration && r->now - start >= duration))
			break;
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
			if (r->is_accepting || zombie_source_is_bpf(r->src))
				err = zombie_source_poll(r->src, r->now);
			break;
		}
	}
	if (err && err != -EPIPE) {
		zr_err("%s: %s",
		       zombie_source_is_bpf(r->src) ? "reading kernel events" : "cannot read /proc",
		       strerror(-err));
		rc = ZR_EXIT_RUNTIME;
	}
	loop_close(&l);
	return rc;
}

/* trace's detector, unless --once (a snapshot is all it needs: no BPF, works without
 * CAP_BPF) or ZREAPER_NO_BPF is set; /proc when BPF cannot load, said once on stderr. */
static int open_source(struct reaper *r)
{
	static const struct zombie_source_cbs cbs = { reap_engine_found, reap_engine_gone };
	const char *no_bpf = getenv("ZREAPER_NO_BPF");
	bool want_bpf = !r->is_once && !(no_bpf && *no_bpf && strcmp(no_bpf, "0") != 0);
	char why[512];

	r->src = zombie_source_open(want_bpf, r->pol.older_ns, &cbs, r, why, sizeof(why));
	if (!r->src) {
		zr_err("out of memory");
		return ZR_EXIT_RUNTIME;
	}
	if (zombie_source_is_bpf(r->src))
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
	uint64_t duration = 0;
	bool json = false;
	int rc;

	memset(&r, 0, sizeof(r));
	reap_policy_init(&r.pol);
	rc = parse_args(&r, argc, argv, &json, &duration);
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
	reap_engine_init(&r);

	if (json)
		sink_json_init(&r.sink, stdout, NULL);
	else
		sink_text_init(&r.sink, stdout, NULL);
	r.sink.boot_to_real_ns =
	    (int64_t)clock_ns(CLOCK_REALTIME) - (int64_t)clock_ns(CLOCK_BOOTTIME);
	r.sink.flush_each = !isatty(STDOUT_FILENO);

	/* No handlers: loop.c reads the stop signals from a signalfd. SIGCHLD is blocked by
	 * inject while it waits for its tracee's stops. */
	rc = open_source(&r);
	if (!rc)
		rc = run_passes(&r, duration);
	if (!r.out_err)
		r.out_err = r.sink.ops->flush(&r.sink);
	if (r.m)
		reap_engine_write_textfile(&r);
	metrics_free(r.m);
	if (r.out_err && r.out_err != -EPIPE) {
		zr_err("cannot write events: %s", strerror(-r.out_err));
		rc = ZR_EXIT_RUNTIME;
	} else if (rc == ZR_EXIT_OK && r.is_once && !r.out_err && reap_engine_remaining(&r) > 0) {
		rc = ZR_EXIT_RUNTIME;
	}
	zombie_source_free(r.src);
	r.sink.ops->close(&r.sink);
	reap_engine_free(&r);
	return rc;
}
