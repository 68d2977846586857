/* injectbench.c - `make bench`: how long `reap --actions inject` holds a parent stopped.
 *
 * For each mode a parent is forked that makes N children (they exit at once and are never
 * waited for: N zombies), then sleeps in nanosleep, blocks in read() on a pipe, or spins in
 * user code. Then, N times, interleaved:
 *   - inject: inject_waitids() (user/core/inject.c, the code `reap` runs) reaps one zombie; its
 *     stopped_ns is the time from PTRACE_SEIZE to PTRACE_DETACH, retries included;
 *   - baseline: PTRACE_SEIZE + PTRACE_INTERRUPT + the stop + PTRACE_DETACH with nothing run,
 *     timed the same way: what any ptrace-based fix (gdb, a debugger script) pays at least.
 * Each zombie must be gone afterwards and the parent alive and not stopped; failures are
 * counted. Prints a table (median, p99, worst in ms, ratio of the medians) and writes the same
 * figures as JSON to -o FILE.
 *
 * Usage: injectbench [-n N] [-o FILE] [MODE...]    modes: sleep read spin (default: all)
 * Needs ptrace rights over its own children (root, or no Yama restriction).
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "inject.h"
#include "procfs.h"

#define N_MAX 10000

struct series {
	uint64_t *ns;
	int n;
};

struct figures {
	double median_ms, p99_ms, worst_ms;
};

/* The spinning parent's own view of a stop, in a page it shares with the bench: while armed it
 * keeps the longest gap between two turns of its loop, and it counts its turns. */
struct felt {
	uint64_t longest_ns, turns;
	int armed;
};

struct mode_result {
	const char *mode;
	struct series inject, base;
	/* spin: the longest gap the parent felt around each injection and each bare stop */
	struct series felt_inject, felt_base;
	struct series phase[INJECT_PHASES]; /* each injection's time in each phase */
	int failed;
	char first_failure[256];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "injectbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The spin mode's loop: a clock read a turn, the longest gap kept while armed. */
static void spin_feeling(struct felt *f)
{
	uint64_t prev = mono_ns(), now;

	for (;;) {
		now = mono_ns();
		if (__atomic_load_n(&f->armed, __ATOMIC_ACQUIRE) &&
		    now - prev > __atomic_load_n(&f->longest_ns, __ATOMIC_RELAXED))
			__atomic_store_n(&f->longest_ns, now - prev, __ATOMIC_RELAXED);
		prev = now;
		__atomic_store_n(&f->turns, f->turns + 1, __ATOMIC_RELEASE);
	}
}

/* The parent under test: N zombies, their pids on out_fd, then its mode until killed. */
static void parent_main(const char *mode, int n, int out_fd, int in_fd, struct felt *f)
{
	char c;
	int i;

	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			_exit(1);
		if (p == 0)
			_exit(0);
		if (write(out_fd, &p, sizeof(p)) != sizeof(p))
			_exit(1);
	}
	close(out_fd);
	if (!strcmp(mode, "sleep")) {
		struct timespec t = { 0, 50000000L };

		for (;;)
			nanosleep(&t, NULL);
	}
	if (!strcmp(mode, "read")) {
		while (read(in_fd, &c, 1) != 0)
			;
		_exit(0);
	}
	spin_feeling(f);
}

/* Waits until the spinning parent has turned its loop twice more: it runs, and whatever gap
 * came before is behind it. False if it has not within a second (it is stopped or gone). Yields
 * between looks: a plain busy wait would hold the CPU the parent may be queued on, and a sleep
 * would let this CPU go idle before the next stop (both seen to change the figures). */
static bool felt_two_turns(struct felt *f)
{
	uint64_t t = __atomic_load_n(&f->turns, __ATOMIC_ACQUIRE), t0 = mono_ns();

	while (__atomic_load_n(&f->turns, __ATOMIC_ACQUIRE) < t + 2) {
		if (mono_ns() - t0 > 1000000000ULL)
			return false;
		sched_yield();
	}
	return true;
}

static void felt_arm(struct felt *f)
{
	__atomic_store_n(&f->armed, 0, __ATOMIC_RELEASE);
	felt_two_turns(f);
	__atomic_store_n(&f->longest_ns, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->armed, 1, __ATOMIC_RELEASE);
	felt_two_turns(f);
}

/* The longest gap since felt_arm, once the parent has run on after it; adds it to s. */
static void felt_take(struct felt *f, struct series *s)
{
	if (felt_two_turns(f))
		s->ns[s->n++] = __atomic_load_n(&f->longest_ns, __ATOMIC_ACQUIRE);
	__atomic_store_n(&f->armed, 0, __ATOMIC_RELEASE);
}

static bool is_zombie(uint32_t pid)
{
	struct procfs_stat st;

	return procfs_read_stat(NULL, pid, &st) == 0 && st.state == 'Z';
}

/* The floor: seize, interrupt, wait for the stop, detach. 0 or -errno. */
static int bare_stop(pid_t pid, uint64_t *ns)
{
	uint64_t t0 = mono_ns();
	int status, rc = 0;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL))
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) || waitpid(pid, &status, __WALL) != pid)
		rc = -errno;
	else if (!WIFSTOPPED(status) || status >> 16 != PTRACE_EVENT_STOP)
		rc = -EPROTO; /* a signal came first: not a clean sample */
	(void)ptrace(PTRACE_DETACH, pid, NULL, NULL);
	*ns = mono_ns() - t0;
	return rc;
}

/* Counts a failure; the first one is kept to be shown. */
static void fail(struct mode_result *m, const char *what, uint32_t pid, const char *why)
{
	if (!m->failed++)
		snprintf(m->first_failure, sizeof(m->first_failure), "%s %u: %s", what, pid, why);
}

static void run_mode(struct mode_result *m, int n)
{
	int pids[2], in[2], i;
	pid_t parent, *z;
	struct procfs_stat st;
	bool is_spin = !strcmp(m->mode, "spin");
	struct felt *f =
	    mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (f == MAP_FAILED) /* an anonymous mapping starts zeroed: disarmed, no turns */
		die("mmap");
	z = calloc((size_t)n, sizeof(*z));
	m->inject.ns = calloc((size_t)n, sizeof(uint64_t));
	m->base.ns = calloc((size_t)n, sizeof(uint64_t));
	m->felt_inject.ns = calloc((size_t)n, sizeof(uint64_t));
	m->felt_base.ns = calloc((size_t)n, sizeof(uint64_t));
	if (!m->felt_inject.ns || !m->felt_base.ns)
		die("setting up");
	for (i = 0; i < INJECT_PHASES; i++)
		if (!(m->phase[i].ns = calloc((size_t)n, sizeof(uint64_t))))
			die("setting up");
	if (!z || !m->inject.ns || !m->base.ns || pipe(pids) || pipe(in))
		die("setting up");
	parent = fork();
	if (parent < 0)
		die("fork");
	if (parent == 0) {
		close(pids[0]);
		close(in[1]);
		parent_main(m->mode, n, pids[1], in[0], f);
	}
	close(pids[1]);
	close(in[0]);
	for (i = 0; i < n; i++)
		if (read(pids[0], &z[i], sizeof(z[i])) != sizeof(z[i]))
			die("reading the zombies' pids");
	close(pids[0]);
	for (i = 0; i < n; i++)
		while (!is_zombie((uint32_t)z[i]))
			usleep(1000);
	if (!strcmp(m->mode, "read"))
		while (procfs_read_stat(NULL, (uint32_t)parent, &st) == 0 && st.state != 'S')
			usleep(1000);

	for (i = 0; i < n; i++) {
		struct inject_result res;
		enum inject_outcome o;
		uint32_t zp = (uint32_t)z[i];
		uint64_t ns = 0;
		long ret = -1;
		int rc;

		if (is_spin)
			felt_arm(f);
		rc = bare_stop(parent, &ns);
		if (rc)
			fail(m, "baseline stop of", (uint32_t)parent, strerror(-rc));
		else
			m->base.ns[m->base.n++] = ns;
		if (is_spin) {
			felt_take(f, &m->felt_base);
			felt_arm(f);
		}
		o = inject_waitids((uint32_t)parent, &zp, &ret, 1, &res);
		if (is_spin)
			felt_take(f, &m->felt_inject);
		if (o != INJECT_RAN || ret != 0 || is_zombie(zp))
			fail(m, "inject for zombie", (uint32_t)z[i],
			     o == INJECT_RAN ? "ran, zombie still there" : res.why);
		else {
			int k;

			m->inject.ns[m->inject.n++] = res.stopped_ns;
			for (k = 0; k < INJECT_PHASES; k++)
				m->phase[k].ns[m->phase[k].n++] = res.phase_ns[k];
		}
	}
	if (procfs_read_stat(NULL, (uint32_t)parent, &st) || strchr("TtZX", st.state))
		fail(m, "parent", (uint32_t)parent, "stopped or gone afterwards");
	kill(parent, SIGKILL);
	close(in[1]);
	waitpid(parent, NULL, 0);
	munmap(f, sizeof(*f));
	free(z);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct figures figures_of(struct series *s)
{
	struct figures f = { 0, 0, 0 };
	int k, mid = s->n / 2;

	if (!s->n)
		return f;
	qsort(s->ns, (size_t)s->n, sizeof(*s->ns), cmp_u64);
	f.median_ms = s->n % 2 ? (double)s->ns[mid] / 1e6
			       : ((double)s->ns[mid - 1] + (double)s->ns[mid]) / 2e6;
	k = (s->n * 99 + 99) / 100 - 1; /* nearest rank */
	f.p99_ms = (double)s->ns[k] / 1e6;
	f.worst_ms = (double)s->ns[s->n - 1] / 1e6;
	return f;
}

/* Which series of a mode: the injections (-1), the baseline (-2), or phase k (0..). */
static struct series *series_of(struct mode_result *m, int which)
{
	return which == -1 ? &m->inject : which == -2 ? &m->base : &m->phase[which];
}

/* Every mode's samples of one series in one, for the headline rows. */
static struct series pooled(struct mode_result *m, int nm, int which)
{
	struct series all = { NULL, 0 };
	int i, total = 0;

	for (i = 0; i < nm; i++)
		total += series_of(&m[i], which)->n;
	all.ns = calloc((size_t)total + 1, sizeof(uint64_t));
	if (!all.ns)
		die("calloc");
	for (i = 0; i < nm; i++) {
		struct series *s = series_of(&m[i], which);

		memcpy(all.ns + all.n, s->ns, (size_t)s->n * sizeof(uint64_t));
		all.n += s->n;
	}
	return all;
}

/* Where the stop goes: each phase's median, p99 and worst over every mode's injections. */
static void phase_rows(FILE *json, struct mode_result *m, int nm)
{
	static const char *names[INJECT_PHASES] = {
		"seize until stopped",
		"registers read, instruction chosen",
		"waitid run (set, step, trap)",
		"registers restored, detach",
	};
	int k;

	printf("\nwhere the stop goes (all modes): median, p99 and worst per phase, ms\n");
	if (json)
		fprintf(json, ",\n  \"phases_ms\": [");
	for (k = 0; k < INJECT_PHASES; k++) {
		struct series all = pooled(m, nm, k);
		struct figures f = figures_of(&all);

		printf("  %-36s %9.3f %9.3f %9.3f\n", names[k], f.median_ms, f.p99_ms, f.worst_ms);
		if (json)
			fprintf(json,
				"%s\n    {\"phase\": \"%s\", \"median\": %.4f, \"p99\": %.4f, "
				"\"worst\": %.4f}",
				k ? "," : "", names[k], f.median_ms, f.p99_ms, f.worst_ms);
		free(all.ns);
	}
	if (json)
		fprintf(json, "\n  ]");
}

static void row(FILE *json, bool is_first, const char *mode, struct series *inj,
		struct series *base, int failed)
{
	int n = inj->n;
	struct figures fi = figures_of(inj), fb = figures_of(base);
	double ratio = fb.median_ms > 0 ? fi.median_ms / fb.median_ms : 0;

	printf("%-6s %6d %9.3f %9.3f %9.3f   %9.3f %9.3f %9.3f %8.2f %7d\n", mode, n, fi.median_ms,
	       fi.p99_ms, fi.worst_ms, fb.median_ms, fb.p99_ms, fb.worst_ms, ratio, failed);
	if (json)
		fprintf(json,
			"%s\n    {\"mode\": \"%s\", \"injections\": %d, \"failed\": %d, "
			"\"stopped_ms\": {\"median\": %.4f, \"p99\": %.4f, \"worst\": %.4f}, "
			"\"baseline_ms\": {\"median\": %.4f, \"p99\": %.4f, \"worst\": %.4f}, "
			"\"median_over_baseline\": %.3f, \"target_median_ms\": 1, "
			"\"meets_target\": %s}",
			is_first ? "" : ",", mode, n, failed, fi.median_ms, fi.p99_ms, fi.worst_ms,
			fb.median_ms, fb.p99_ms, fb.worst_ms, ratio,
			n && fi.median_ms < 1.0 ? "true" : "false");
}

int main(int argc, char **argv)
{
	static const char *all_modes[] = { "sleep", "read", "spin" };
	struct mode_result m[8];
	struct series ai, ab;
	const char *out = NULL;
	int n = 1000, nm = 0, c, i, failed = 0;
	FILE *json = NULL;
	char *end;

	while ((c = getopt(argc, argv, "n:o:")) != -1) {
		if (c == 'n') {
			n = (int)strtol(optarg, &end, 10);
			if (*end)
				n = 0;
		} else if (c == 'o') {
			out = optarg;
		} else {
			fprintf(stderr,
				"usage: injectbench [-n N] [-o FILE] [sleep|read|spin...]\n");
			return 2;
		}
	}
	if (n < 1 || n > N_MAX || argc - optind > 8) {
		fprintf(stderr, "injectbench: -n is 1 to %d, at most 8 modes\n", N_MAX);
		return 2;
	}
	memset(m, 0, sizeof(m));
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "sleep") != 0 && strcmp(argv[i], "read") != 0 &&
		    strcmp(argv[i], "spin") != 0) {
			fprintf(stderr, "injectbench: unknown mode '%s'\n", argv[i]);
			return 2;
		}
		m[nm++].mode = argv[i];
	}
	if (!nm)
		for (; nm < 3; nm++)
			m[nm].mode = all_modes[nm];
	/* Zombies of a parent killed mid-way come back here, not to the host's PID 1. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (i = 0; i < nm; i++)
		run_mode(&m[i], n);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;

	if (out && !(json = fopen(out, "we")))
		die(out);
	printf("inject: how long the parent is held stopped (PTRACE_SEIZE to PTRACE_DETACH), %d "
	       "injections per mode;\nbaseline: seize + interrupt + stop + detach with nothing "
	       "run, interleaved with them. Target: median < 1 ms.\nfelt: the same stops of the "
	       "spin mode as the spinning parent felt them, the longest gap in its loop\n(from "
	       "its last turn before the stop to its first after, waiting for a CPU included).\n\n",
	       n);
	printf("%-6s %6s %9s %9s %9s   %9s %9s %9s %8s %7s\n", "mode", "n", "median", "p99",
	       "worst", "base med", "base p99", "base wst", "ratio", "failed");
	printf("%-6s %6s %9s %9s %9s   %9s %9s %9s %8s %7s\n", "", "", "ms", "ms", "ms", "ms", "ms",
	       "ms", "med/base", "");
	if (json)
		fprintf(json,
			"{\"benchmark\": \"inject-pause\", \"injections_per_mode\": %d, "
			"\"results\": [",
			n);
	for (i = 0; i < nm; i++) {
		row(json, i == 0, m[i].mode, &m[i].inject, &m[i].base, m[i].failed);
		failed += m[i].failed;
	}
	ai = pooled(m, nm, -1);
	ab = pooled(m, nm, -2);
	row(json, false, "all", &ai, &ab, failed);
	for (i = 0; i < nm; i++)
		if (m[i].felt_inject.n)
			row(json, false, "felt", &m[i].felt_inject, &m[i].felt_base, 0);
	if (json)
		fprintf(json, "\n  ]");
	phase_rows(json, m, nm);
	if (json) {
		fprintf(json, "}\n");
		if (fclose(json))
			die(out);
	}
	for (i = 0; i < nm; i++) {
		if (m[i].failed)
			fprintf(stderr, "injectbench: %s: %d failure(s), first: %s\n", m[i].mode,
				m[i].failed, m[i].first_failure);
		free(m[i].inject.ns);
		free(m[i].base.ns);
		free(m[i].felt_inject.ns);
		free(m[i].felt_base.ns);
		for (c = 0; c < INJECT_PHASES; c++)
			free(m[i].phase[c].ns);
	}
	free(ai.ns);
	free(ab.ns);
	return failed ? 1 : 0;
}
