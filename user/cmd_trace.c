/* cmd_trace.c - `zreaper trace`: options, then kernel records -> decode -> lifecycle ->
 * filters -> sink, until a signal, --duration, or the reader of stdout goes away.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "bpf_load.h"
#include "cgroup.h"
#include "cli.h"
#include "cmd.h"
#include "decode.h"
#include "filter.h"
#include "lifecycle.h"
#include "log.h"
#include "loop.h"
#include "pidset.h"
#include "sink.h"
#include "summary.h"
#include "trace_export.h"

#define SCHEMA_VERSION	  1
#define TICK_MS		  20 /* drain period: the kernel wakes us only for a full batch */
#define WAKEUP_BYTES	  (256ULL * 1024)
#define RING_DEFAULT	  (16u * 1024 * 1024)
#define AUTOREAP_GRACE_NS (250ULL * 1000 * 1000)

struct trace {
	struct zr_filters f;
	struct zr_pidset *tracked; /* -p pids and, with --tree, their descendants */
	struct sink sink;
	struct sink_run_info info;
	struct lifecycle *lc;
	struct zreaper_bpf *skel;
	struct ring_buffer *ring;
	uint64_t lost_total;
	int out_err; /* first sink error; -EPIPE: the reader is gone */
	bool json;
	uint64_t duration_ns;
	uint64_t zombie_after_ns;
	unsigned ring_bytes;
	bool want_summary;
	struct summary sum;
	struct trace_export ex; /* metrics, attribution, --output */
};

static void usage(FILE *f)
{
	fputs(
	    "Usage: zreaper trace [OPTIONS]\n"
	    "\n"
	    "Streams the life and death of processes from the kernel: fork, exec, exit, wait,\n"
	    "reap, signal and subreaper events. Needs root (CAP_BPF and CAP_PERFMON).\n"
	    "Columns for people on a terminal; --json gives one JSON object per line, flushed\n"
	    "per event when stdout is not a terminal.\n"
	    "\n"
	    "Filters (several combine with AND; each applies to the event's subject):\n"
	    "  -p, --pid PID        only this process (repeatable)\n"
	    "      --tree           with -p: also the descendants born after start\n"
	    "  -n, --name NAME      only processes whose comm is exactly NAME\n"
	    "  -u, --uid UID        only processes of this user (number or name)\n"
	    "  -c, --cgroup PATH    only processes in this cgroup v2 directory or below\n"
	    "      --container ID   only processes of this container: a prefix of its id, with\n"
	    "                       or without the runtime (containerd://, cri-o://, docker://)\n"
	    "  -x, --failed         only failures: non-zero exits, deaths by signal, failed execs\n"
	    "      --events LIST    only these kinds, comma-separated: fork exec exit wait reap\n"
	    "                       orphan zombie signal subreaper snapshot (start, stop and\n"
	    "                       lost are always shown; snapshot, the zombies that existed\n"
	    "                       before the trace, only when asked)\n"
	    "      --threads        also thread-level events (thread forks, exits, releases)\n"
	    "\n"
	    "Detection:\n"
	    "      --zombie-after D report a `zombie` when a process stays exited and unreaped\n"
	    "                       for D (default 1s); processes orphaned by their parent's\n"
	    "                       death are reported as `orphan` with the real adopter\n"
	    "\n"
	    "Output:\n"
	    "      --json           JSON lines instead of columns\n"
	    "      --duration D     stop after D (500ms, 5s, 2m, 1h) and exit 0\n"
	    "      --summary        at the end (also on SIGINT): counts per kind, lifetime and\n"
	    "                       zombie-time histograms, top zombie parents, exit codes\n"
	    "      --quiet          no event output (an agent that only exports metrics)\n"
	    "      --output FILE    events to FILE (appended) instead of stdout, rotated by size:\n"
	    "      --output-max-size SIZE  rotate at SIZE (default 100M; K, M, G suffixes)\n"
	    "      --output-keep N  keep FILE.1 .. FILE.N (default 5; 0: restart FILE)\n"
	    "\n"
	    "Metrics (Prometheus; counted from every event in the -p/--tree/-c scope, whatever\n"
	    "the other filters show):\n"
	    "      --metrics ADDR   serve /metrics over HTTP on ADDR (:9479, 127.0.0.1:9479,\n"
	    "                       [::1]:9479); OpenMetrics when the scraper asks for it\n"
	    "      --metrics-textfile PATH  write the same atomically to PATH (node_exporter's\n"
	    "                       textfile collector) every --metrics-interval and at exit\n"
	    "      --metrics-interval D  textfile period (default 15s)\n"
	    "  -v, --verbose        more diagnostics on stderr (-vv: libbpf's too)\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "SIGINT, SIGTERM and SIGHUP end the trace; so does closing the reader of stdout.\n"
	    "Exit status: 0 ok, 1 runtime failure (e.g. cannot load BPF), 2 usage error.\n",
	    f);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	zr_err("%s", line);
	return ZR_EXIT_USAGE;
}

/* A command-line value made safe to print (one call per message). */
static const char *q(const char *s)
{
	static char buf[128];

	return cli_printable(s, buf, sizeof(buf));
}

/* "16M", "64k", "1G", or bytes, at most 1 TiB. */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		mult = 1ULL << 10;
	else if (*end == 'M' || *end == 'm')
		mult = 1ULL << 20;
	else if (*end == 'G' || *end == 'g')
		mult = 1ULL << 30;
	if (mult != 1)
		end++;
	if (errno || *end || v > (1ULL << 40) || v * mult > (1ULL << 40))
		return -EINVAL;
	*out = v * mult;
	return 0;
}

/* A power of two from 1M to 1G: what the ring buffer accepts. */
static int parse_ring_size(const char *s, unsigned *out)
{
	uint64_t v;

	if (parse_size(s, &v) || v < (1ULL << 20) || v > (1ULL << 30) || (v & (v - 1)))
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

enum {
	OPT_TREE = 256,
	OPT_EVENTS,
	OPT_THREADS,
	OPT_JSON,
	OPT_DURATION,
	OPT_ZOMBIE_AFTER,
	OPT_SUMMARY,
	OPT_RING_SIZE,
	OPT_CONTAINER,
	OPT_QUIET,
	OPT_OUTPUT,
	OPT_OUTPUT_MAX,
	OPT_OUTPUT_KEEP,
	OPT_METRICS,
	OPT_METRICS_FILE,
	OPT_METRICS_INTERVAL,
};

/* The export options (metrics, --quiet, --output); anything else is a getopt error. Returns 0
 * or the usage exit code. */
static int parse_export_opt(struct trace_export *x, int c, const char *arg, char **argv)
{
	char m[256];
	uint64_t v;

	switch (c) {
	case OPT_QUIET:
		x->quiet = true;
		return 0;
	case OPT_OUTPUT:
		x->output = arg;
		return 0;
	case OPT_OUTPUT_MAX:
		if (parse_size(arg, &x->output_max) || x->output_max < 4096)
			return usage_error("--output-max-size: '%s' is not a size from 4K to 1T "
					   "(e.g. 100M)",
					   q(arg));
		return 0;
	case OPT_OUTPUT_KEEP:
		if (parse_size(arg, &v) || v > 1000 || strpbrk(arg, "kKmMgG"))
			return usage_error("--output-keep: '%s' is not a count from 0 to 1000",
					   q(arg));
		x->output_keep = (unsigned)v;
		return 0;
	case OPT_METRICS:
		x->metrics_addr = arg;
		return 0;
	case OPT_METRICS_FILE:
		if (!*arg)
			return usage_error("--metrics-textfile: an empty path%s", "");
		x->textfile = arg;
		return 0;
	case OPT_METRICS_INTERVAL:
		if (cli_parse_duration(arg, &x->interval_ns))
			return usage_error("--metrics-interval: '%s' is not a positive duration "
					   "(e.g. 15s)",
					   q(arg));
		return 0;
	default:
		break;
	}
	cli_option_error(c, argv, "try: zreaper trace --help", m, sizeof(m));
	return usage_error("%s", m);
}

static int parse_args(struct trace *t, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "name", required_argument, NULL, 'n' },
		{ "uid", required_argument, NULL, 'u' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "failed", no_argument, NULL, 'x' },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "zombie-after", required_argument, NULL, OPT_ZOMBIE_AFTER },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "output-max-size", required_argument, NULL, OPT_OUTPUT_MAX },
		{ "output-keep", required_argument, NULL, OPT_OUTPUT_KEEP },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "metrics-textfile", required_argument, NULL, OPT_METRICS_FILE },
		{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct zr_filters *f = &t->f;
	char badbuf[80];
	const char *bad;
	uint32_t pid;
	int c, err;

	export_defaults(&t->ex);
	f->event_mask = filter_default_mask();
	t->zombie_after_ns = 1000000000ULL;
	t->ring_bytes = RING_DEFAULT;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:n:u:c:xvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cli_parse_pid(optarg, &pid))
				return usage_error("-p: '%s' is not a pid", q(optarg));
			if (kill((pid_t)pid, 0) && errno == ESRCH)
				return usage_error("-p %s: no such process", q(optarg));
			if (f->n_pids == ZR_FILTER_PIDS_MAX)
				return usage_error("-p: at most 64 pids%s", "");
			f->pids[f->n_pids++] = pid;
			break;
		case OPT_TREE:
			f->tree = true;
			break;
		case 'n':
			if (!*optarg || strlen(optarg) > 15)
				return usage_error("-n '%s': a comm is 1 to 15 bytes", q(optarg));
			f->comm = optarg;
			break;
		case 'u':
			err = cli_parse_uid(optarg, &f->uid);
			if (err == -ENOENT)
				return usage_error("-u: no such user '%s'", q(optarg));
			if (err)
				return usage_error("-u: '%s' is not a uid", q(optarg));
			f->has_uid = true;
			break;
		case 'c':
			f->cgroup_path = optarg;
			break;
		case 'x':
			f->failures_only = true;
			break;
		case OPT_EVENTS:
			if (filter_parse_events(optarg, &f->event_mask, &bad, badbuf,
						sizeof(badbuf)))
				return usage_error("--events: unknown event '%s' (known: fork exec "
						   "exit wait reap orphan zombie signal "
						   "subreaper snapshot, or all)",
						   q(bad));
			f->events_arg = optarg;
			break;
		case OPT_THREADS:
			f->threads = true;
			break;
		case OPT_JSON:
			t->json = true;
			break;
		case OPT_DURATION:
			if (cli_parse_duration(optarg, &t->duration_ns))
				return usage_error("--duration: '%s' is not a positive duration "
						   "(e.g. 500ms, 5s, 2m, 1h)",
						   q(optarg));
			break;
		case OPT_RING_SIZE:
			if (parse_ring_size(optarg, &t->ring_bytes))
				return usage_error(
				    "--ring-size: '%s' is not a power of two from 1M to "
				    "1G (e.g. 16M, 64M)",
				    q(optarg));
			break;
		case OPT_SUMMARY:
			t->want_summary = true;
			break;
		case OPT_CONTAINER:
			if (!*optarg)
				return usage_error("--container: an empty id%s", "");
			f->container = optarg;
			break;
		default:
			err = parse_export_opt(&t->ex, c, optarg, argv);
			if (err)
				return err;
			break;
		case OPT_ZOMBIE_AFTER:
			if (cli_parse_duration(optarg, &t->zombie_after_ns))
				return usage_error(
				    "--zombie-after: '%s' is not a positive duration "
				    "(e.g. 500ms, 1s)",
				    q(optarg));
			break;
		case 'v':
			log_verbosity++;
			break;
		case 'h':
			usage(stdout);
			return -1;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", q(argv[optind]));
	if (f->tree && !f->n_pids)
		return usage_error("--tree needs -p PID%s", "");
	if (t->ex.quiet && t->ex.output)
		return usage_error("--quiet and --output exclude each other%s", "");
	return 0;
}

static uint64_t now_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int64_t boot_to_real_ns(void)
{
	struct timespec r;
	uint64_t b = now_boot_ns();

	clock_gettime(CLOCK_REALTIME, &r);
	return (int64_t)r.tv_sec * 1000000000LL + r.tv_nsec - (int64_t)b;
}

static int emit_line(struct trace *t, const struct zr_ev *ev)
{
	int err;

	if (t->out_err)
		return t->out_err;
	if (t->ex.quiet)
		return 0;
	if (t->ex.output) {
		err = export_before_emit(&t->ex);
		t->sink.out = t->ex.out.f; /* a rotation reopened it */
		if (err < 0) {
			t->out_err = err;
			return err;
		}
	}
	err = t->sink.ops->emit(&t->sink, ev);
	if (err < 0)
		t->out_err = err;
	return err;
}

/* Every event the lifecycle passes on: mirror --tree, apply the filters, print. */
static int on_event(const struct zr_ev *in, void *arg)
{
	struct trace *t = arg;
	struct zr_ev tmp;
	const struct zr_ev *ev = export_attribute(&t->ex, in, &tmp);
	bool shown;
	int err = 0;

	if (t->f.tree && ev->kind == ZR_EV_FORK && !ev->is_thread &&
	    pidset_has(t->tracked, ev->parent.pid))
		pidset_add(t->tracked, ev->pid);
	/* Metrics see the whole scope: a filtered display must not hide the host's zombies. */
	if (filter_in_scope(&t->f, t->tracked, ev))
		export_observe(&t->ex, ev);
	shown = filter_match(&t->f, t->tracked, ev);
	if (shown) {
		err = emit_line(t, ev);
		if (t->want_summary)
			summary_add(&t->sum, ev);
	}
	/* The reap is a life's last event: forget the pid before it is reused. */
	if (t->f.tree && ev->kind == ZR_EV_REAP && !ev->is_thread)
		pidset_del(t->tracked, ev->pid);
	return err;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct trace *t = ctx;
	struct zr_ev ev;

	if (decode_record(data, size, &ev))
		return 0; /* unknown kinds are skipped; short records cannot come from our BPF */
	return lifecycle_feed(t->lc, &ev);
}

static int report_lost(struct trace *t)
{
	uint64_t drops = bpf_load_drops(t->skel);
	struct zr_ev ev = { .kind = ZR_EV_LOST };

	if (drops <= t->lost_total)
		return 0;
	ev.ktime_ns = now_boot_ns();
	ev.u.lost.count = drops - t->lost_total;
	ev.u.lost.source = "ringbuf";
	t->lost_total = drops;
	zr_warn("%llu events lost: the ring buffer was full", (unsigned long long)ev.u.lost.count);
	export_observe(&t->ex, &ev);
	return emit_line(t, &ev);
}

static int emit_summary(struct trace *t)
{
	struct zr_ev ev = { .kind = ZR_EV_SUMMARY, .ktime_ns = now_boot_ns() };
	char *json = NULL, *text = NULL;
	int err;

	summary_render(&t->sum, t->lost_total, proctab_evicted(lifecycle_table(t->lc)), &json,
		       &text);
	ev.u.summary.json = json;
	ev.u.summary.text = text;
	err = emit_line(t, &ev);
	free(json);
	free(text);
	return err;
}

static int emit_simple(struct trace *t, enum zr_kind kind)
{
	struct zr_ev ev = { .kind = kind, .ktime_ns = now_boot_ns() };

	if (kind == ZR_EV_STOP) {
		ev.u.stop.events = t->sink.seq;
		ev.u.stop.lost = t->lost_total;
		ev.u.stop.tracked = proctab_count(lifecycle_table(t->lc));
	}
	return emit_line(t, &ev);
}

static int resolve_cgroup(struct zr_filters *f)
{
	int err;

	if (!f->cgroup_path)
		return 0;
	err = cgroup_resolve(f->cgroup_path, &f->cgroup_id, &f->cgroup_level);
	if (err == -ENOTDIR)
		return usage_error("-c %s: not a cgroup v2 directory", q(f->cgroup_path));
	if (err)
		return usage_error("-c %s: no such cgroup (paths are relative to the cgroup v2 "
				   "mount)",
				   q(f->cgroup_path));
	return 0;
}

/* Everything a wake-up produced goes out before the loop sleeps again: one write per batch
 * instead of one per event, and no event waits for the next one. */
static void flush_batch(struct trace *t)
{
	int err;

	if (t->out_err)
		return;
	err = t->sink.ops->flush(&t->sink); /* no write when nothing is buffered */
	if (err < 0)
		t->out_err = err;
}

/* Runs the loop until something ends it; returns the exit code. */
static int run_loop(struct trace *t)
{
	uint64_t deadline = t->duration_ns ? now_boot_ns() + t->duration_ns : 0;
	struct loop l;
	bool done = false;
	int err;

	err = loop_init(&l, ring_buffer__epoll_fd(t->ring), t->ex.output ? -1 : STDOUT_FILENO,
			TICK_MS);
	if (!err)
		err = export_attach(&t->ex, &l);
	if (err) {
		zr_err("cannot set up the event loop: %s", strerror(-err));
		return ZR_EXIT_RUNTIME;
	}
	emit_simple(t, ZR_EV_START);
	/* After attach, so nothing falls between what /proc shows and what the kernel sends. */
	err = lifecycle_snapshot(t->lc, now_boot_ns());
	if (err && err != -EPIPE)
		zr_warn("cannot read the existing processes from /proc: %s", strerror(-err));
	while (!done && !t->out_err) {
		flush_batch(t);
		switch (loop_wait(&l)) {
		case LOOP_RING:
			err = ring_buffer__consume(t->ring);
			if (err < 0 && err != -EPIPE && !t->out_err) {
				zr_err("reading the ring buffer: %s", strerror(-err));
				done = true;
			}
			/* Orphan checks are due milliseconds after an exit: do not wait a tick. */
			lifecycle_tick(t->lc, now_boot_ns());
			break;
		case LOOP_TICK:
			ring_buffer__consume(t->ring);
			lifecycle_tick(t->lc, now_boot_ns());
			report_lost(t);
			export_tick(&t->ex, now_boot_ns(), proctab_count(lifecycle_table(t->lc)));
			if (deadline && now_boot_ns() >= deadline)
				done = true;
			break;
		case LOOP_SIGNAL:
			zr_debug("stopping on signal %d", l.last_signal);
			done = true;
			break;
		case LOOP_OUT_CLOSED:
			t->out_err = -EPIPE;
			break;
		case LOOP_ERROR:
			zr_err("event loop failed: %s", strerror(errno));
			done = true;
			break;
		}
	}
	loop_close(&l);
	if (!t->out_err) {
		/* What the kernel already wrote is part of the run: drain it, settle, report. */
		ring_buffer__consume(t->ring);
		lifecycle_tick(t->lc, UINT64_MAX);
		report_lost(t);
		if (t->want_summary)
			emit_summary(t);
		emit_simple(t, ZR_EV_STOP);
		if (t->sink.ops->flush(&t->sink) && t->out_err != -EPIPE)
			t->out_err = -EIO;
	}
	export_detach(&t->ex, now_boot_ns(), proctab_count(lifecycle_table(t->lc)));
	if (t->out_err && t->out_err != -EPIPE) {
		zr_err("writing events: %s", strerror(-t->out_err));
		return ZR_EXIT_RUNTIME;
	}
	return ZR_EXIT_OK;
}

int cmd_trace(int argc, char **argv)
{
	struct trace t = { 0 };
	struct utsname un;
	FILE *out;
	char why[512];
	int rc, i, err;

	rc = parse_args(&t, argc, argv);
	if (rc)
		return rc < 0 ? ZR_EXIT_OK : rc;
	rc = resolve_cgroup(&t.f);
	if (rc)
		return rc;
	uname(&un);
	rc = export_open(&t.ex, ZR_VERSION, un.release);
	if (rc)
		goto out_export;
	out = t.ex.output ? t.ex.out.f : stdout;
	t.info = (struct sink_run_info){ SCHEMA_VERSION, ZR_VERSION, un.release, &t.f };
	if (t.json)
		sink_json_init(&t.sink, out, &t.info);
	else
		sink_text_init(&t.sink, out, &t.info);
	/* Flushed per wake-up (flush_batch), which keeps every event prompt on a pipe. */
	t.sink.flush_each = false;
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	t.sink.color = !t.json && out == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	t.sink.boot_to_real_ns = boot_to_real_ns();

	rc = ZR_EXIT_RUNTIME;
	t.tracked = pidset_new();
	t.lc = lifecycle_new(0, AUTOREAP_GRACE_NS, on_event, &t);
	if (!t.tracked || !t.lc) {
		zr_err("out of memory");
		goto out;
	}
	lifecycle_set_zombie_after(t.lc, t.zombie_after_ns);
	for (i = 0; i < t.f.n_pids; i++)
		pidset_add(t.tracked, t.f.pids[i]);
	bpf_load_set_print(log_verbosity - LOG_WARN);
	err = bpf_load_start(&t.f, t.ring_bytes, WAKEUP_BYTES, &t.skel, why, sizeof(why));
	if (err) {
		zr_err("%s", why);
		goto out;
	}
	t.ring = bpf_load_ring(t.skel, on_record, &t);
	if (!t.ring) {
		zr_err("cannot open the ring buffer: %s", strerror(errno));
		goto out;
	}
	rc = run_loop(&t);
out:
	ring_buffer__free(t.ring);
	bpf_load_stop(t.skel);
	lifecycle_free(t.lc);
	pidset_free(t.tracked);
	summary_free(&t.sum);
	t.sink.ops->close(&t.sink);
out_export:
	export_close(&t.ex);
	return rc;
}
