/* trace_args.c - `zreaper trace`'s command line: the help text, the options into struct
 * trace_args (the shared ones through trace_opts.c), the checks of their combination.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "cli.h"
#include "cmd.h"
#include "log.h"
#include "output_metrics.h"
#include "trace_args.h"

#define RING_DEFAULT (32u * 1024 * 1024) /* 100k exits at once: 16 MiB lost events */

void trace_export_args_defaults(struct trace_export_args *x)
{
	memset(x, 0, sizeof(*x));
	x->interval_ns = OUTPUT_METRICS_INTERVAL_NS;
	x->output_max = 100ULL << 20;
	x->output_keep = 5;
}

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
static int parse_export_opt(struct trace_export_args *x, int c, const char *arg, char **argv)
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

int trace_args_parse(struct trace_args *t, int argc, char **argv)
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
	trace_export_args_defaults(&t->ex);
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

int trace_args_resolve_cgroup(struct zr_filters *f)
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
