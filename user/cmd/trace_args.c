/* trace_args.c - `zreaper trace`'s command line: the help text, the options into struct
 * trace_args (the shared ones through trace_opts.c), the checks of their combination.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "cli.h"
#include "cmd.h"
#include "cmd_common.h"
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

/* --rotate SIZE: at least 64K. */
static int take_rotate(void *dst, int key, const char *arg, char *err, size_t len)
{
	(void)key;
	(void)err;
	(void)len;
	return parse_size(arg, dst) || *(uint64_t *)dst < (64ULL << 10) ? -1 : 0;
}

static int take_ring_size(void *dst, int key, const char *arg, char *err, size_t len)
{
	(void)key;
	(void)err;
	(void)len;
	return parse_ring_size(arg, dst) ? -1 : 0;
}

/* --output-max-size SIZE: 4K to 1T. */
static int take_output_max(void *dst, int key, const char *arg, char *err, size_t len)
{
	(void)key;
	(void)err;
	(void)len;
	return parse_size(arg, dst) || *(uint64_t *)dst < 4096 ? -1 : 0;
}

/* --output-keep N: a plain count, 0 to 1000. */
static int take_output_keep(void *dst, int key, const char *arg, char *err, size_t len)
{
	uint64_t v;

	(void)key;
	(void)err;
	(void)len;
	if (parse_size(arg, &v) || v > 1000 || strpbrk(arg, "kKmMgG"))
		return -1;
	*(unsigned *)dst = (unsigned)v;
	return 0;
}

enum {
	K_DURATION = OPT_LONG_ONLY,
	K_RING_SIZE,
	K_RECORD,
	K_ROTATE,
	K_CONTAINER,
	K_QUIET,
	K_OUTPUT,
	K_OUTPUT_MAX,
	K_OUTPUT_KEEP,
	K_METRICS,
	K_METRICS_FILE,
	K_METRICS_INTERVAL
};

/* The combinations that cannot be: 0, or ZR_EXIT_USAGE after printing why. */
static int check_combination(const struct trace_args *t)
{
	const char *why = NULL;

	if (t->rotate_bytes && !t->record_path)
		why = "--rotate needs --record FILE";
	else if (t->rotate_bytes && !strcmp(t->record_path, "-"))
		why = "--rotate: cannot rotate stdout (--record -)";
	else if (t->ex.quiet && t->ex.output)
		why = "--quiet and --output exclude each other";
	else if (t->ex.output && t->record_path && !strcmp(t->record_path, "-"))
		why = "--output and --record - both want the event stream";
	if (why)
		return usage_error("%s", why);
	return trace_opts_check(&t->o);
}

int trace_args_parse(struct trace_args *t, int argc, char **argv)
{
	struct trace_export_args *x = &t->ex;
	int stop = 0, first, rc;
	const struct opt own[] = {
		{ "cgroup", 'c', OPT_TEXT, &t->o.f.cgroup_path, NULL, NULL, 0, NULL },
		{ "duration", K_DURATION, OPT_DURATION, &t->duration_ns,
		  "'%s' is not a positive duration (e.g. 500ms, 5s, 2m, 1h)", NULL, 0, NULL },
		{ "ring-size", K_RING_SIZE, OPT_CALL, &t->ring_bytes,
		  "'%s' is not a power of two from 1M to 1G (e.g. 16M, 64M)", NULL, 0,
		  take_ring_size },
		{ "record", K_RECORD, OPT_TEXT, &t->record_path, "an empty file name", NULL, 0,
		  NULL },
		{ "rotate", K_ROTATE, OPT_CALL, &t->rotate_bytes,
		  "'%s' is not a size of at least 64K (e.g. 64M, 1G)", NULL, 0, take_rotate },
		{ "container", K_CONTAINER, OPT_TEXT, &t->o.f.container, "an empty id", NULL, 0,
		  NULL },
		{ "quiet", K_QUIET, OPT_FLAG, &x->quiet, NULL, NULL, 0, NULL },
		{ "output", K_OUTPUT, OPT_TEXT, &x->output, NULL, NULL, 0, NULL },
		{ "output-max-size", K_OUTPUT_MAX, OPT_CALL, &x->output_max,
		  "'%s' is not a size from 4K to 1T (e.g. 100M)", NULL, 0, take_output_max },
		{ "output-keep", K_OUTPUT_KEEP, OPT_CALL, &x->output_keep,
		  "'%s' is not a count from 0 to 1000", NULL, 0, take_output_keep },
		{ "metrics", K_METRICS, OPT_TEXT, &x->metrics_addr, NULL, NULL, 0, NULL },
		{ "metrics-textfile", K_METRICS_FILE, OPT_TEXT, &x->textfile, "an empty path", NULL,
		  0, NULL },
		{ "metrics-interval", K_METRICS_INTERVAL, OPT_DURATION, &x->interval_ns,
		  "'%s' is not a positive duration (e.g. 15s)", NULL, 0, NULL },
		{ "help", 'h', OPT_STOP, &stop, NULL, NULL, 0, NULL },
	};
	static const struct opts_conf conf = { "try: zreaper trace --help", false, false, false };
	struct opt rows[TRACE_OPTS_ROWS + sizeof(own) / sizeof(own[0])];
	size_t n;

	trace_opts_init(&t->o);
	trace_export_args_defaults(x);
	t->ring_bytes = RING_DEFAULT;
	n = trace_opts_rows(&t->o, true, rows);
	memcpy(rows + n, own, sizeof(own));
	n += sizeof(own) / sizeof(own[0]);
	rc = cmd_options(rows, n, &conf, argc, argv, usage, &first);
	if (rc >= 0)
		return rc == ZR_EXIT_OK ? -1 : rc;
	return check_combination(t);
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
