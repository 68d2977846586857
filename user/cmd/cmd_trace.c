/* cmd_trace.c - `zreaper trace`: options (trace_args.c), then the kernel's ring buffer feeding
 * the pipeline (pipeline.c) and its outputs (lines, metrics, summary) until a signal,
 * --duration, or the reader of stdout goes away; --record journals the pipeline's inputs to a
 * file for `zreaper replay`.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "attrib.h"
#include "bpf_load.h"
#include "bpf_log.h"
#include "cli.h"
#include "clock.h"
#include "cmd.h"
#include "log.h"
#include "loop.h"
#include "outfile.h"
#include "output_lines.h"
#include "output_metrics.h"
#include "output_summary.h"
#include "pipeline.h"
#include "procfs.h"
#include "record.h"
#include "trace_args.h"

/* Drain period; the kernel wakes us sooner only for a full batch. A wake-up starts on caches the
 * traced processes ran over since the last one, so a batch costs a cold start of its own: under
 * a fork storm, 50 ms batches took 15% less user and 35% less kernel CPU a line than 20 ms ones,
 * and 5 ms ones 50% more. 50 ms stays below what a person watching sees as a delay. */
#define TICK_MS		50
#define WAKEUP_BYTES	(1024ULL * 1024)
#define RECORD_FLUSH_NS (1000ULL * 1000 * 1000) /* a killed recorder loses at most this */

struct trace {
	struct trace_args a;
	struct pipeline p;
	struct zreaper_bpf *skel;
	struct ring_buffer *ring;
	struct record_writer *rec;
	struct journal_writer journal;
	uint64_t flushed_ns;   /* when the recording was last flushed */
	struct attrib *attrib; /* container and pod of each event */
	struct outfile file;   /* --output */
	struct output_metrics metrics;
	struct output_lines lines;
	struct output_summary sum;
	struct zr_kernel_report kreport; /* how the BPF side adapted to this kernel */
};

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

/* One wake-up of the loop; returns true when the trace is to end. */
static bool step(struct trace *t, struct loop *l, uint64_t deadline)
{
	int err;

	switch (loop_wait(l)) {
	case LOOP_RING:
		err = drain(t);
		if (err < 0 && err != -EPIPE && !pipeline_error(&t->p)) {
			zr_err("reading the ring buffer: %s", strerror(-err));
			return true;
		}
		return false;
	case LOOP_TICK:
		drain(t);
		pipeline_lost(&t->p, clock_ns(CLOCK_BOOTTIME), bpf_load_drops(t->skel));
		output_metrics_tick(&t->metrics, clock_ns(CLOCK_BOOTTIME), pipeline_tracked(&t->p));
		return deadline && clock_ns(CLOCK_BOOTTIME) >= deadline;
	case LOOP_SIGNAL:
		zr_debug("stopping on signal %d", l->last_signal);
		return true;
	case LOOP_OUT_CLOSED:
		pipeline_fail(&t->p, -EPIPE);
		return false;
	case LOOP_ERROR:
		zr_err("event loop failed: %s", strerror(errno));
		return true;
	}
	return false;
}

/* The loop over the ring buffer, stdout and the metrics endpoint. 0 or -errno. */
static int open_loop(struct trace *t, struct loop *l)
{
	/* With --output, stdout is not ours to watch. */
	int err = loop_init(l, ring_buffer__epoll_fd(t->ring), t->a.ex.output ? -1 : STDOUT_FILENO,
			    TICK_MS);

	if (err)
		return err;
	/* Said once tracing works, so a failed load stays a one-line error. */
	if (attrib_probe(t->attrib) == -EPERM)
		zr_warn("no CAP_DAC_READ_SEARCH: container_id and pod_uid are read from "
			"/proc/PID/cgroup, so a process gone before its first event stays "
			"unattributed");
	return output_metrics_attach(&t->metrics, l);
}

/* After the loop: the end mark of the recording, then the exit code. */
static int end_trace(struct trace *t)
{
	int err = pipeline_error(&t->p);

	if (t->rec) {
		journal_put_op(&t->journal, JOURNAL_END, clock_ns(CLOCK_BOOTTIME), 0);
		err = record_writer_close(t->rec);
		t->rec = NULL;
		if (err) {
			zr_err("writing the recording %s: %s", cli_q(t->a.record_path),
			       strerror(-err));
			return ZR_EXIT_RUNTIME;
		}
		err = pipeline_error(&t->p);
	}
	if (err && err != -EPIPE) {
		if (loop_gave_up())
			zr_err("stopped on a signal while the reader of standard output was not "
			       "reading: the events still buffered were dropped");
		else
			zr_err("writing events: %s", strerror(-err));
		return ZR_EXIT_RUNTIME;
	}
	return ZR_EXIT_OK;
}

/* Runs the loop until something ends it; returns the exit code. */
static int run_loop(struct trace *t)
{
	uint64_t deadline = t->a.duration_ns ? clock_ns(CLOCK_BOOTTIME) + t->a.duration_ns : 0;
	struct loop l;
	bool done = false;
	int err;

	err = open_loop(t, &l);
	if (err) {
		zr_err("cannot set up the event loop: %s", strerror(-err));
		return ZR_EXIT_RUNTIME;
	}
	t->flushed_ns = clock_ns(CLOCK_BOOTTIME);
	pipeline_start(&t->p, t->flushed_ns, true);
	while (!done && !pipeline_error(&t->p)) {
		flush_batch(t, clock_ns(CLOCK_BOOTTIME));
		done = step(t, &l, deadline);
	}
	/* What the kernel already wrote is part of the run: drain it, settle, report. */
	if (!pipeline_error(&t->p))
		ring_buffer__consume(t->ring);
	pipeline_finish(&t->p, clock_ns(CLOCK_BOOTTIME), bpf_load_drops(t->skel), true);
	output_metrics_detach(&t->metrics, clock_ns(CLOCK_BOOTTIME), pipeline_tracked(&t->p));
	loop_close(&l);
	return end_trace(t);
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
	m.zombie_after_ns = t->a.o.zombie_after_ns;
	t->rec = record_writer_open(t->a.record_path, &m, t->a.rotate_bytes, &err);
	if (!t->rec) {
		zr_err("cannot create the recording %s: %s", cli_q(t->a.record_path),
		       strerror(-err));
		return -1;
	}
	journal_writer_init(&t->journal, t->rec, &(struct procsrc){ 0 });
	return 0;
}

/* What the trace exports besides its lines: attribution, metrics, the --output file. Returns
 * 0 or an exit code after printing one line. */
static int open_exports(struct trace *t, const char *kernel)
{
	const struct trace_export_args *x = &t->a.ex;
	struct output_metrics_conf mc = { x->metrics_addr, x->textfile, x->interval_ns, ZR_VERSION,
					  kernel };
	int rc, err;

	/* Attribution costs a hash lookup per event and one path read per new cgroup. */
	t->attrib = attrib_new(0, NULL);
	if (!t->attrib) {
		zr_err("out of memory");
		return 1;
	}
	rc = output_metrics_open(&t->metrics, &mc);
	if (rc || !x->output)
		return rc;
	err = outfile_open(&t->file, x->output, x->output_max, x->output_keep);
	if (err) {
		zr_err("--output %s: %s", x->output, strerror(-err));
		return 1;
	}
	return 0;
}

/* The outputs, in the order they see each event: metrics, lines, summary. */
static void add_outputs(struct trace *t, int64_t b2r)
{
	const char *rec = t->a.record_path;
	struct output_lines_conf lc = { .json = t->a.o.json, .f = stdout, .boot_to_real_ns = b2r };

	if (t->metrics.m)
		pipeline_add_output(&t->p, &t->metrics.out);
	/* --record - : stdout is the file, so no lines. */
	if (!t->a.ex.quiet && !(rec && !strcmp(rec, "-"))) {
		lc.file = t->a.ex.output ? &t->file : NULL;
		lc.color = !t->a.o.json && !lc.file && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		lc.info = pipeline_run_info(&t->p);
		output_lines_init(&t->lines, &lc);
		pipeline_add_output(&t->p, &t->lines.out);
	}
	if (t->a.o.want_summary) {
		output_summary_init(&t->sum);
		pipeline_add_output(&t->p, &t->sum.out);
	}
}

/* The recording (with --record) and the pipeline with its outputs. 0 or an exit code. */
static int open_pipeline(struct trace *t, const char *kernel)
{
	struct procsrc live = procsrc_live(NULL);
	struct pipeline_conf pc = { .zombie_after_ns = t->a.o.zombie_after_ns,
				    .kernel = kernel,
				    .src = &live,
				    .attrib = t->attrib,
				    .warn_lost = true };
	int64_t b2r;

	/* glibc ignores the size when it picks the buffer (it takes st_blksize, 4 KiB): give
	 * it one, or a storm costs a write(2) every dozen lines. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	b2r = boot_to_real_ns();
	if (t->a.record_path) {
		if (open_record(t, kernel, b2r))
			return ZR_EXIT_RUNTIME;
		pc.journal = &t->journal;
	}
	if (pipeline_init(&t->p, &t->a.o.f, &pc)) {
		zr_err("out of memory");
		return ZR_EXIT_RUNTIME;
	}
	add_outputs(t, b2r);
	return 0;
}

/* Loads the BPF side and opens its ring buffer. 0 or an exit code. */
static int load(struct trace *t)
{
	char why[512];
	int err;

	bpf_log_set_print(log_verbosity - LOG_WARN);
	err = bpf_load_start(&t->a.o.f, t->a.ring_bytes, WAKEUP_BYTES, &t->skel, &t->kreport, why,
			     sizeof(why));
	if (err) {
		zr_err("%s", why);
		return ZR_EXIT_RUNTIME;
	}
	bpf_load_warn_degraded(&t->kreport);
	pipeline_set_kernel_report(&t->p, &t->kreport);
	t->ring = bpf_load_ring(t->skel, on_record, t);
	if (!t->ring) {
		zr_err("cannot open the ring buffer: %s", strerror(errno));
		return ZR_EXIT_RUNTIME;
	}
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct trace t = { 0 };
	struct utsname un;
	int rc;

	rc = trace_args_parse(&t.a, argc, argv);
	if (rc)
		return rc < 0 ? ZR_EXIT_OK : rc;
	rc = trace_args_resolve_cgroup(&t.a.o.f);
	if (rc)
		return rc;
	uname(&un);
	rc = open_exports(&t, un.release);
	if (!rc)
		rc = open_pipeline(&t, un.release);
	if (!rc)
		rc = load(&t);
	if (!rc)
		rc = run_loop(&t);
	ring_buffer__free(t.ring);
	bpf_load_stop(t.skel);
	pipeline_free(&t.p);
	record_writer_close(t.rec);
	output_metrics_close(&t.metrics);
	attrib_free(t.attrib);
	outfile_close(&t.file);
	return rc;
}
