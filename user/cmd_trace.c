/* cmd_trace.c - `zreaper trace`: options, then the kernel's ring buffer feeding the pipeline
 * (pipeline.c) until a signal, --duration, or the reader of stdout goes away; --record journals
 * the pipeline's inputs to a file for `zreaper replay`.
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

#include "clock.h"
#include "bpf_load.h"
#include "bpf_log.h"
#include "cgroup.h"
#include "cli.h"
#include "cmd.h"
#include "decode.h"
#include "filter.h"
#include "lifecycle.h"
#include "log.h"
#include "loop.h"
#include "pipeline.h"
#include "procfs.h"
#include "record.h"
#include "trace_export.h"
#include "trace_opts.h"

#define TICK_MS		20 /* drain period: the kernel wakes us only for a full batch */
#define WAKEUP_BYTES	(256ULL * 1024)
#define RING_DEFAULT	(32u * 1024 * 1024)	/* 100k exits at once: 16 MiB lost events */
#define RECORD_FLUSH_NS (1000ULL * 1000 * 1000) /* a killed recorder loses at most this */

struct trace {
	struct trace_opts o;
	struct pipeline p;
	struct zreaper_bpf *skel;
	struct ring_buffer *ring;
	uint64_t duration_ns;
	unsigned ring_bytes;
	const char *record_path;
	uint64_t rotate_bytes;
	struct record_writer *rec;
	struct journal_writer journal;
	uint64_t flushed_ns;		 /* when the recording was last flushed */
	struct trace_export ex;		 /* metrics, attribution, --output */
	struct zr_kernel_report kreport; /* how the BPF side adapted to this kernel */
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
	    "                       or without the runtime (containerd://, cri-o://, docker://,\n"
	    "                       podman://)\n"
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
	    "      --ring-size SIZE kernel ring buffer, a power of two from 1M to 1G (default\n"
	    "                       32M); raise it if lost events appear under storms\n"
	    "      --record FILE    also write every kernel record and what /proc said to FILE\n"
	    "                       (zlib, flushed every second) for `zreaper replay`; FILE -\n"
	    "                       writes it to stdout instead of the lines\n"
	    "      --rotate SIZE    with --record: past SIZE (e.g. 64M) FILE becomes FILE.1,\n"
	    "                       FILE.1 FILE.2 ..., keeping 5 files\n"
	    "      --summary        at the end (also on SIGINT): counts per kind, lifetime and\n"
	    "                       zombie-time histograms, top zombie parents, exit codes\n"
	    "      --quiet          no event output (an agent that only exports metrics)\n"
	    "      --output FILE    events to FILE (appended) instead of stdout, rotated by size:\n"
	    "      --output-max-size SIZE  rotate at SIZE (default 100M; K, M, G suffixes)\n"
	    "      --output-keep N  keep FILE.1 .. FILE.N (default 5; 0: restart FILE)\n"
	    "  -v, --verbose        more diagnostics on stderr (-vv: libbpf's too)\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "Metrics (Prometheus; counted from every event in the -p/--tree/-c scope, whatever\n"
	    "the other filters show):\n"
	    "      --metrics ADDR   serve /metrics over HTTP on ADDR (:9479, 127.0.0.1:9479,\n"
	    "                       [::1]:9479); OpenMetrics when the scraper asks for it\n"
	    "      --metrics-textfile PATH  write the same atomically to PATH (node_exporter's\n"
	    "                       textfile collector) every --metrics-interval and at exit\n"
	    "      --metrics-interval D  textfile period (default 15s)\n"
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

/* "16M", "64k", "1G", or bytes, at most 1 TiB: --ring-size, --rotate, --output-max-size. */
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
	if (errno || *end || v > (1ULL << 40) / mult)
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
	OPT_DURATION = TOPT__NEXT,
	OPT_RING_SIZE,
	OPT_RECORD,
	OPT_ROTATE,
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
					   cli_q(arg));
		return 0;
	case OPT_OUTPUT_KEEP:
		if (parse_size(arg, &v) || v > 1000 || strpbrk(arg, "kKmMgG"))
			return usage_error("--output-keep: '%s' is not a count from 0 to 1000",
					   cli_q(arg));
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
					   cli_q(arg));
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
		TRACE_OPTS_LONG,
		{ "cgroup", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "rotate", required_argument, NULL, OPT_ROTATE },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "output-max-size", required_argument, NULL, OPT_OUTPUT_MAX },
		{ "output-keep", required_argument, NULL, OPT_OUTPUT_KEEP },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "metrics-textfile", required_argument, NULL, OPT_METRICS_FILE },
		{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	trace_opts_init(&t->o);
	export_defaults(&t->ex);
	t->ring_bytes = RING_DEFAULT;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":" TRACE_OPTS_SHORT "c:h", longopts, NULL)) != -1) {
		rc = trace_opts_take(&t->o, c, optarg, true);
		if (rc == 1)
			continue;
		if (rc)
			return rc;
		switch (c) {
		case 'c':
			t->o.f.cgroup_path = optarg;
			break;
		case OPT_DURATION:
			if (cli_parse_duration(optarg, &t->duration_ns))
				return usage_error("--duration: '%s' is not a positive duration "
						   "(e.g. 500ms, 5s, 2m, 1h)",
						   cli_q(optarg));
			break;
		case OPT_RING_SIZE:
			if (parse_ring_size(optarg, &t->ring_bytes))
				return usage_error(
				    "--ring-size: '%s' is not a power of two from 1M to "
				    "1G (e.g. 16M, 64M)",
				    cli_q(optarg));
			break;
		case OPT_RECORD:
			if (!*optarg)
				return usage_error("--record: an empty file name%s", "");
			t->record_path = optarg;
			break;
		case OPT_ROTATE:
			if (parse_size(optarg, &t->rotate_bytes) || t->rotate_bytes < (64ULL << 10))
				return usage_error("--rotate: '%s' is not a size of at least 64K "
						   "(e.g. 64M, 1G)",
						   cli_q(optarg));
			break;
		case OPT_CONTAINER:
			if (!*optarg)
				return usage_error("--container: an empty id%s", "");
			t->o.f.container = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			rc = parse_export_opt(&t->ex, c, optarg, argv);
			if (rc)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", cli_q(argv[optind]));
	if (t->rotate_bytes && !t->record_path)
		return usage_error("--rotate needs --record FILE%s", "");
	if (t->rotate_bytes && !strcmp(t->record_path, "-"))
		return usage_error("--rotate: cannot rotate stdout (--record -)%s", "");
	if (t->ex.quiet && t->ex.output)
		return usage_error("--quiet and --output exclude each other%s", "");
	if (t->ex.output && t->record_path && !strcmp(t->record_path, "-"))
		return usage_error("--output and --record - both want the event stream%s", "");
	return trace_opts_check(&t->o);
}

static int64_t boot_to_real_ns(void)
{
	struct timespec r;
	uint64_t b = clock_ns(CLOCK_BOOTTIME);

	clock_gettime(CLOCK_REALTIME, &r);
	return (int64_t)r.tv_sec * 1000000000LL + r.tv_nsec - (int64_t)b;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct trace *t = ctx;

	return pipeline_record(&t->p, data, size);
}

static int resolve_cgroup(struct zr_filters *f)
{
	int err;

	if (!f->cgroup_path)
		return 0;
	err = cgroup_resolve(f->cgroup_path, &f->cgroup_id, &f->cgroup_level);
	if (err == -ENOTDIR)
		return usage_error("-c %s: not a cgroup v2 directory", cli_q(f->cgroup_path));
	if (err)
		return usage_error("-c %s: no such cgroup (paths are relative to the cgroup v2 "
				   "mount)",
				   cli_q(f->cgroup_path));
	return 0;
}

static char stdout_buf[1 << 16];

/* Everything a wake-up produced goes out before the loop sleeps again: one write per batch
 * instead of one per event, and no event waits for the next one. The recording goes out at
 * least once a second. */
static void flush_batch(struct trace *t, uint64_t now)
{
	pipeline_flush(&t->p);
	if (t->rec && now - t->flushed_ns >= RECORD_FLUSH_NS) {
		journal_flush(&t->journal, now);
		t->flushed_ns = now;
	}
}

/* Runs the ring buffer's callbacks, then the timers that are due. */
static int drain(struct trace *t)
{
	int err = ring_buffer__consume(t->ring);

	pipeline_tick(&t->p, clock_ns(CLOCK_BOOTTIME));
	return err;
}

/* Runs the loop until something ends it; returns the exit code. */
static int run_loop(struct trace *t)
{
	uint64_t deadline = t->duration_ns ? clock_ns(CLOCK_BOOTTIME) + t->duration_ns : 0;
	struct loop l;
	bool done = false;
	int err;

	/* With --output, stdout is not ours to watch. */
	err = loop_init(&l, ring_buffer__epoll_fd(t->ring), t->ex.output ? -1 : STDOUT_FILENO,
			TICK_MS);
	if (!err)
		err = export_attach(&t->ex, &l);
	if (err) {
		zr_err("cannot set up the event loop: %s", strerror(-err));
		return ZR_EXIT_RUNTIME;
	}
	t->flushed_ns = clock_ns(CLOCK_BOOTTIME);
	pipeline_start(&t->p, t->flushed_ns, true);
	while (!done && !t->p.out_err) {
		flush_batch(t, clock_ns(CLOCK_BOOTTIME));
		switch (loop_wait(&l)) {
		case LOOP_RING:
			err = drain(t);
			if (err < 0 && err != -EPIPE && !t->p.out_err) {
				zr_err("reading the ring buffer: %s", strerror(-err));
				done = true;
			}
			break;
		case LOOP_TICK:
			drain(t);
			pipeline_lost(&t->p, clock_ns(CLOCK_BOOTTIME), bpf_load_drops(t->skel));
			export_tick(&t->ex, clock_ns(CLOCK_BOOTTIME),
				    proctab_count(lifecycle_table(t->p.lc)));
			if (deadline && clock_ns(CLOCK_BOOTTIME) >= deadline)
				done = true;
			break;
		case LOOP_SIGNAL:
			zr_debug("stopping on signal %d", l.last_signal);
			done = true;
			break;
		case LOOP_OUT_CLOSED:
			t->p.out_err = -EPIPE;
			break;
		case LOOP_ERROR:
			zr_err("event loop failed: %s", strerror(errno));
			done = true;
			break;
		}
	}
	/* What the kernel already wrote is part of the run: drain it, settle, report. */
	if (!t->p.out_err)
		ring_buffer__consume(t->ring);
	pipeline_finish(&t->p, clock_ns(CLOCK_BOOTTIME), bpf_load_drops(t->skel), true);
	export_detach(&t->ex, clock_ns(CLOCK_BOOTTIME), proctab_count(lifecycle_table(t->p.lc)));
	loop_close(&l);
	if (t->rec) {
		journal_put_op(&t->journal, JOURNAL_END, clock_ns(CLOCK_BOOTTIME), 0);
		err = record_writer_close(t->rec);
		t->rec = NULL;
		if (err) {
			zr_err("writing the recording %s: %s", cli_q(t->record_path),
			       strerror(-err));
			return ZR_EXIT_RUNTIME;
		}
	}
	if (t->p.out_err && t->p.out_err != -EPIPE) {
		if (loop_gave_up())
			zr_err("stopped on a signal while the reader of standard output was not "
			       "reading: the events still buffered were dropped");
		else
			zr_err("writing events: %s", strerror(-t->p.out_err));
		return ZR_EXIT_RUNTIME;
	}
	return ZR_EXIT_OK;
}

/* Opens the recording; its header holds what replay needs to print the same lines. */
static int open_record(struct trace *t, const char *kernel, int64_t b2r)
{
	struct record_meta m = { 0 };
	int err;

	gethostname(m.host, sizeof(m.host) - 1);
	snprintf(m.kernel, sizeof(m.kernel), "%s", kernel);
	snprintf(m.version, sizeof(m.version), "%s", ZR_VERSION);
	m.boot_to_real_ns = b2r;
	m.start_ns = clock_ns(CLOCK_BOOTTIME);
	m.tick_ns = procfs_tick_ns();
	m.zombie_after_ns = t->o.zombie_after_ns;
	t->rec = record_writer_open(t->record_path, &m, t->rotate_bytes, &err);
	if (!t->rec) {
		zr_err("cannot create the recording %s: %s", cli_q(t->record_path), strerror(-err));
		return -1;
	}
	journal_writer_init(&t->journal, t->rec, &(struct procsrc){ 0 });
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct trace t = { 0 };
	struct pipeline_conf pc = { 0 };
	struct procsrc live = procsrc_live(NULL);
	struct utsname un;
	char why[512];
	int rc, err;

	rc = parse_args(&t, argc, argv);
	if (rc)
		return rc < 0 ? ZR_EXIT_OK : rc;
	rc = resolve_cgroup(&t.o.f);
	if (rc)
		return rc;
	uname(&un);
	rc = export_open(&t.ex, ZR_VERSION, un.release);
	if (rc) {
		export_close(&t.ex);
		return rc;
	}
	pc.json = t.o.json;
	pc.want_summary = t.o.want_summary;
	pc.out = t.ex.output ? t.ex.out.f : stdout;
	pc.export = &t.ex;
	pc.warn_lost = true;
	pc.quiet = t.ex.quiet || (t.record_path && !strcmp(t.record_path, "-"));
	/* glibc ignores the size when it picks the buffer (it takes st_blksize, 4 KiB): give
	 * it one, or a storm costs a write(2) every dozen lines. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	pc.color = !t.o.json && pc.out == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	pc.boot_to_real_ns = boot_to_real_ns();
	pc.zombie_after_ns = t.o.zombie_after_ns;
	pc.kernel = un.release;
	pc.src = &live;

	rc = ZR_EXIT_RUNTIME;
	if (t.record_path) {
		if (open_record(&t, un.release, pc.boot_to_real_ns)) {
			export_close(&t.ex);
			return ZR_EXIT_RUNTIME;
		}
		pc.journal = &t.journal;
	}
	if (pipeline_init(&t.p, &t.o.f, &pc)) {
		zr_err("out of memory");
		goto out;
	}
	bpf_log_set_print(log_verbosity - LOG_WARN);
	err = bpf_load_start(&t.o.f, t.ring_bytes, WAKEUP_BYTES, &t.skel, &t.kreport, why,
			     sizeof(why));
	if (err) {
		zr_err("%s", why);
		goto out;
	}
	bpf_load_warn_degraded(&t.kreport);
	t.p.info.kernel_report = &t.kreport;
	t.ring = bpf_load_ring(t.skel, on_record, &t);
	if (!t.ring) {
		zr_err("cannot open the ring buffer: %s", strerror(errno));
		goto out;
	}
	rc = run_loop(&t);
out:
	ring_buffer__free(t.ring);
	bpf_load_stop(t.skel);
	pipeline_free(&t.p);
	record_writer_close(t.rec);
	export_close(&t.ex);
	return rc;
}
