/* metrics.c - the Prometheus families of the README's "Metrics", counted from the lifecycle's
 * events (no /proc scan per scrape) and rendered as text 0.0.4 or OpenMetrics 1.0.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "file_atomic.h"
#include "jsonw.h"
#include "metrics.h"
#include "status.h"

#define NSEC_PER_SEC   1000000000ULL
#define ZOMBIE_BUCKETS 4096	  /* hash chains of the zombie set, by pid */
#define ZOMBIES_MAX    (1u << 20) /* beyond this a zombie is counted as created, not tracked */
#define PAIRS_MAX      64	  /* distinct {action,outcome} and lost sources kept */
#define LABEL_MAX      160	  /* container ids are 64 hex + runtime prefix */

/* Roles of reapers and adopters, in the order the families list them. */
static const char *const roles[] = { "parent", "subreaper", "pidns_init",
				     "thread", "kernel",    "unknown" };
#define N_ROLES (sizeof(roles) / sizeof(roles[0]))

enum outcome { OUT_SUCCESS, OUT_FAILURE, OUT_SIGNAL, OUT_UNKNOWN, N_OUTCOMES };
static const char *const outcomes[] = { "success", "failure", "signal", "unknown" };

/* zreaper_zombie_duration_seconds upper bounds, in ns (+Inf is implied). */
static const uint64_t bucket_ns[] = { 1000000ULL,	  10000000ULL,	      100000000ULL,
				      NSEC_PER_SEC,	  10 * NSEC_PER_SEC,  60 * NSEC_PER_SEC,
				      600 * NSEC_PER_SEC, 3600 * NSEC_PER_SEC };
static const char *const bucket_le[] = { "0.001", "0.01", "0.1", "1", "10", "60", "600", "3600" };
#define N_BUCKETS (sizeof(bucket_ns) / sizeof(bucket_ns[0]))

/* One zreaper_zombies series: a parent comm and a container. */
struct series {
	char parent_comm[ZR_COMM_BUF];
	char container_id[LABEL_MAX];
	uint64_t count;
};

/* A zombie counted in the gauge, until its reap. */
struct zombie {
	uint32_t pid;
	uint64_t start_ns;
	uint64_t since_ns; /* when it died (first seen, when only a bound on that is known) */
	bool is_age_known;
	size_t series; /* index in m->series */
	struct zombie *next;
};

/* A label pair counted as one series: {action,outcome}, or {source}. */
struct pair {
	char a[32], b[32];
	uint64_t count;
};

struct metrics {
	char version[64], kernel[128];
	uint64_t forks[2]; /* process, thread */
	uint64_t execs;
	uint64_t exits[N_OUTCOMES];
	uint64_t exit_signals[65];
	uint64_t reaps[N_ROLES];
	uint64_t orphans[N_ROLES];
	uint64_t zombies_created;
	uint64_t tracked;
	uint64_t hist[N_BUCKETS + 1]; /* per bucket, not cumulative; last: above every bound */
	uint64_t hist_sum_ns, hist_count;
	struct pair lost[PAIRS_MAX], actions[PAIRS_MAX];
	size_t n_lost, n_actions;
	struct series *series;
	size_t n_series, cap_series;
	struct zombie *zombies[ZOMBIE_BUCKETS];
	uint64_t n_zombies;
};

struct metrics *metrics_new(const char *version, const char *kernel)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	snprintf(m->version, sizeof(m->version), "%s", version ? version : "");
	snprintf(m->kernel, sizeof(m->kernel), "%s", kernel ? kernel : "");
	return m;
}

void metrics_free(struct metrics *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < ZOMBIE_BUCKETS; i++) {
		while (m->zombies[i]) {
			struct zombie *z = m->zombies[i];

			m->zombies[i] = z->next;
			free(z);
		}
	}
	free(m->series);
	free(m);
}

void metrics_set_tracked(struct metrics *m, uint64_t n)
{
	m->tracked = n;
}

uint64_t metrics_zombies(const struct metrics *m)
{
	return m->n_zombies;
}

static size_t role_index(const char *role)
{
	size_t i;

	for (i = 0; role && i < N_ROLES - 1; i++)
		if (!strcmp(role, roles[i]))
			return i;
	return N_ROLES - 1;
}

static void count_pair(struct pair *v, size_t *n, const char *a, const char *b, uint64_t by)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (!strcmp(v[i].a, a) && !strcmp(v[i].b, b)) {
			v[i].count += by;
			return;
		}
	}
	if (*n == PAIRS_MAX)
		return; /* the names come from our own code: more than this is a bug, not load */
	snprintf(v[*n].a, sizeof(v[*n].a), "%s", a);
	snprintf(v[*n].b, sizeof(v[*n].b), "%s", b);
	v[*n].count = by;
	(*n)++;
}

static void count_exit(struct metrics *m, const struct zr_exit_status *st)
{
	enum outcome o = OUT_UNKNOWN;

	if (st->is_known && st->is_signaled) {
		o = OUT_SIGNAL;
		if (st->signal > 0 && st->signal <= 64)
			m->exit_signals[st->signal]++;
	} else if (st->is_known) {
		o = st->exit_code ? OUT_FAILURE : OUT_SUCCESS;
	}
	m->exits[o]++;
}

/* The series of (comm, container): an existing one, else a slot freed at 0, else a new one.
 * Slots are never moved, so zombies keep their index without a rescan. */
static size_t series_for(struct metrics *m, const char *comm, const char *container)
{
	size_t i, free_slot = SIZE_MAX;

	for (i = 0; i < m->n_series; i++) {
		if (!m->series[i].count) {
			free_slot = free_slot == SIZE_MAX ? i : free_slot;
			continue;
		}
		if (!strcmp(m->series[i].parent_comm, comm) &&
		    !strcmp(m->series[i].container_id, container))
			return i;
	}
	if (free_slot == SIZE_MAX) {
		if (m->n_series == m->cap_series) {
			size_t cap = m->cap_series ? m->cap_series * 2 : 16;
			struct series *v = realloc(m->series, cap * sizeof(*v));

			if (!v)
				return SIZE_MAX;
			m->series = v;
			m->cap_series = cap;
		}
		free_slot = m->n_series++;
	}
	i = free_slot;
	memset(&m->series[i], 0, sizeof(m->series[i]));
	snprintf(m->series[i].parent_comm, sizeof(m->series[i].parent_comm), "%s", comm);
	snprintf(m->series[i].container_id, sizeof(m->series[i].container_id), "%s", container);
	return i;
}

static struct zombie **zombie_slot(struct metrics *m, uint32_t pid, uint64_t start_ns)
{
	struct zombie **pp = &m->zombies[pid % ZOMBIE_BUCKETS];

	while (*pp && ((*pp)->pid != pid || (*pp)->start_ns != start_ns))
		pp = &(*pp)->next;
	return pp;
}

static void zombie_add(struct metrics *m, const struct zr_ev *ev, uint64_t since_ns,
		       bool is_age_known)
{
	struct zombie **pp = zombie_slot(m, ev->pid, ev->start_ns);
	struct zombie *z;
	size_t s;

	if (*pp || m->n_zombies >= ZOMBIES_MAX)
		return;
	s = series_for(m, ev->parent.comm, ev->container_id ? ev->container_id : "");
	z = calloc(1, sizeof(*z));
	if (s == SIZE_MAX || !z) {
		free(z);
		return;
	}
	*z = (struct zombie){ ev->pid, ev->start_ns, since_ns, is_age_known, s, NULL };
	*pp = z;
	m->series[s].count++;
	m->n_zombies++;
}

/* Drops a reaped zombie; its series vanishes when it was the last. Returns whether it was one
 * whose age is known (so its zombie time is worth observing). */
static bool zombie_remove(struct metrics *m, uint32_t pid, uint64_t start_ns, bool *was_zombie)
{
	struct zombie **pp = zombie_slot(m, pid, start_ns), *z = *pp;
	bool known;
	size_t s;

	*was_zombie = z != NULL;
	if (!z)
		return true;
	*pp = z->next;
	known = z->is_age_known;
	s = z->series;
	free(z);
	m->n_zombies--;
	m->series[s].count--; /* at 0 the series is no longer rendered: it vanishes */
	return known;
}

static void observe_reap(struct metrics *m, const struct zr_ev *ev)
{
	bool was_zombie, known;
	size_t i;

	m->reaps[role_index(ev->u.reap.reaper.role)]++;
	known = zombie_remove(m, ev->pid, ev->start_ns, &was_zombie);
	/* Time spent dead before a wait: autoreaped processes never wait, and a zombie older than
	 * the trace has no known start of death. */
	if (ev->u.reap.how == ZR_HOW_AUTOREAP || !known || (ev->is_unmatched && !was_zombie))
		return;
	for (i = 0; i < N_BUCKETS && ev->u.reap.zombie_ns > bucket_ns[i]; i++)
		;
	m->hist[i]++;
	m->hist_sum_ns += ev->u.reap.zombie_ns;
	m->hist_count++;
}

void metrics_observe(struct metrics *m, const struct zr_ev *ev)
{
	bool exact = ev->kind == ZR_EV_ZOMBIE && zr_age_is_exact(ev->u.zombie.age_source);

	switch (ev->kind) {
	case ZR_EV_FORK:
		m->forks[ev->is_thread ? 1 : 0]++;
		break;
	case ZR_EV_EXEC:
		if (!ev->u.exec.error && !ev->is_thread)
			m->execs++;
		break;
	case ZR_EV_EXIT:
		if (!ev->is_thread && ev->u.exit.group_dead)
			count_exit(m, &ev->u.exit.st);
		break;
	case ZR_EV_REAP:
		if (!ev->is_thread)
			observe_reap(m, ev);
		break;
	case ZR_EV_ORPHAN:
		m->orphans[role_index(ev->u.orphan.new_parent.role)]++;
		break;
	case ZR_EV_ZOMBIE:
		/* Zombies older than the trace come after a snapshot event, with an age read
		 * from procfs (or only a bound on it): in the gauge, not created during it. */
		if (ev->u.zombie.age_source == ZR_AGE_TRACE)
			m->zombies_created++;
		zombie_add(m, ev, exact ? ev->ktime_ns - ev->u.zombie.zombie_ns : ev->ktime_ns,
			   exact);
		break;
	case ZR_EV_LOST:
		count_pair(m->lost, &m->n_lost, ev->u.lost.source ? ev->u.lost.source : "unknown",
			   "", ev->u.lost.count);
		break;
	case ZR_EV_ACTION:
		if (ev->u.action.action && ev->u.action.outcome)
			count_pair(m->actions, &m->n_actions, ev->u.action.action,
				   ev->u.action.outcome, 1);
		break;
	case ZR_EV_START:
	case ZR_EV_STOP:
	case ZR_EV_SNAPSHOT:
	case ZR_EV_WAIT:
	case ZR_EV_SIGNAL:
	case ZR_EV_SUBREAPER:
	case ZR_EV_SUMMARY:
	case ZR_EV__COUNT:
	default:
		break;
	}
}

/* ---- rendering ------------------------------------------------------------------------ */

struct out {
	struct jsonw b;
	enum metrics_format fmt;
};

/* HELP and TYPE. name: the family; a counter's samples add _total, and in the 0.0.4 format its
 * family is named with the suffix too. */
static void family(struct out *o, const char *name, const char *type, const char *help)
{
	const char *sfx = !strcmp(type, "counter") && o->fmt == METRICS_PROMETHEUS ? "_total" : "";

	jsonw_printf(&o->b, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, sfx, help, name, sfx, type);
}

/* A label value: the JSON escaper turns '"' '\\' and control bytes into escapes the exposition
 * formats accept, and invalid UTF-8 into U+FFFD (comm is untrusted). */
static const char *lv(const char *s, char *buf, size_t len)
{
	escape_str(ESCAPE_JSON, s, strlen(s), buf, len);
	return buf;
}

static void sample_u64(struct out *o, const char *name, const char *labels, uint64_t v)
{
	jsonw_printf(&o->b, "%s%s%s%s %llu\n", name, labels ? "{" : "", labels ? labels : "",
		     labels ? "}" : "", (unsigned long long)v);
}

/* name{key="value"} v for each value of a fixed list. */
static void labelled(struct out *o, const char *name, const char *key, const char *const *vals,
		     const uint64_t *counts, size_t n)
{
	char l[128];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(l, sizeof(l), "%s=\"%s\"", key, vals[i]);
		sample_u64(o, name, l, counts[i]);
	}
}

static void render_hist(const struct metrics *m, struct out *o)
{
	uint64_t cum = 0;
	char l[32];
	size_t i;

	family(o, "zreaper_zombie_duration_seconds", "histogram",
	       "Time reaped processes spent dead before a wait reaped them.");
	for (i = 0; i <= N_BUCKETS; i++) {
		cum += m->hist[i];
		snprintf(l, sizeof(l), "le=\"%s\"", i < N_BUCKETS ? bucket_le[i] : "+Inf");
		sample_u64(o, "zreaper_zombie_duration_seconds_bucket", l, cum);
	}
	jsonw_printf(&o->b, "zreaper_zombie_duration_seconds_sum %llu.%09llu\n",
		     (unsigned long long)(m->hist_sum_ns / NSEC_PER_SEC),
		     (unsigned long long)(m->hist_sum_ns % NSEC_PER_SEC));
	sample_u64(o, "zreaper_zombie_duration_seconds_count", NULL, m->hist_count);
}

static void render_zombies(const struct metrics *m, struct out *o, uint64_t now_ns)
{
	char comm[ZR_COMM_BUF * 6], cid[LABEL_MAX * 6], l[sizeof(comm) + sizeof(cid) + 40];
	uint64_t oldest = 0;
	size_t i;

	family(o, "zreaper_zombies", "gauge",
	       "Zombies now (exited, not reaped after --zombie-after), by parent comm and "
	       "container.");
	for (i = 0; i < m->n_series; i++) {
		if (!m->series[i].count)
			continue;
		snprintf(l, sizeof(l), "parent_comm=\"%s\",container_id=\"%s\"",
			 lv(m->series[i].parent_comm, comm, sizeof(comm)),
			 lv(m->series[i].container_id, cid, sizeof(cid)));
		sample_u64(o, "zreaper_zombies", l, m->series[i].count);
	}
	for (i = 0; i < ZOMBIE_BUCKETS; i++)
		for (const struct zombie *z = m->zombies[i]; z; z = z->next)
			if (now_ns > z->since_ns && now_ns - z->since_ns > oldest)
				oldest = now_ns - z->since_ns;
	family(o, "zreaper_zombie_oldest_age_seconds", "gauge",
	       "Age of the oldest zombie now (since its death, or since the trace began for "
	       "older ones); 0 when none.");
	jsonw_printf(&o->b, "zreaper_zombie_oldest_age_seconds %llu.%09llu\n",
		     (unsigned long long)(oldest / NSEC_PER_SEC),
		     (unsigned long long)(oldest % NSEC_PER_SEC));
}

static void render_pairs(struct out *o, const char *name, const char *ka, const char *kb,
			 const struct pair *v, size_t n)
{
	char a[200], b[200], l[440];
	size_t i;

	for (i = 0; i < n; i++) {
		if (kb)
			snprintf(l, sizeof(l), "%s=\"%s\",%s=\"%s\"", ka, lv(v[i].a, a, sizeof(a)),
				 kb, lv(v[i].b, b, sizeof(b)));
		else
			snprintf(l, sizeof(l), "%s=\"%s\"", ka, lv(v[i].a, a, sizeof(a)));
		sample_u64(o, name, l, v[i].count);
	}
}

char *metrics_render(const struct metrics *m, enum metrics_format fmt, uint64_t now_ns, size_t *len)
{
	static const char *const kinds[] = { "process", "thread" };
	struct out o = { .fmt = fmt };
	char v[sizeof(m->version) * 6], k[sizeof(m->kernel) * 6], l[sizeof(v) + sizeof(k) + 40];
	int sig;

	jsonw_init(&o.b);
	family(&o, "zreaper_forks", "counter", "Processes and threads created, by kind.");
	labelled(&o, "zreaper_forks_total", "kind", kinds, m->forks, 2);
	family(&o, "zreaper_execs", "counter", "Successful execs.");
	sample_u64(&o, "zreaper_execs_total", NULL, m->execs);
	family(&o, "zreaper_exits", "counter",
	       "Processes that exited, by outcome (success: exit 0, failure: another code, "
	       "signal: killed).");
	labelled(&o, "zreaper_exits_total", "outcome", outcomes, m->exits, N_OUTCOMES);
	family(&o, "zreaper_exit_signals", "counter", "Processes killed by a signal, by signal.");
	for (sig = 1; sig <= 64; sig++) {
		if (!m->exit_signals[sig])
			continue;
		snprintf(l, sizeof(l), "signal=\"%s\"", status_signal_name(sig));
		sample_u64(&o, "zreaper_exit_signals_total", l, m->exit_signals[sig]);
	}
	family(&o, "zreaper_reaps", "counter",
	       "Processes reaped, by how the reaper came to own them (kernel: autoreap).");
	labelled(&o, "zreaper_reaps_total", "reaper_role", roles, m->reaps, N_ROLES);
	family(&o, "zreaper_orphans", "counter", "Processes orphaned, by the role of the adopter.");
	labelled(&o, "zreaper_orphans_total", "adopter_role", roles, m->orphans, N_ROLES);
	family(&o, "zreaper_zombies_created", "counter",
	       "Processes reported as zombies (unreaped past --zombie-after).");
	sample_u64(&o, "zreaper_zombies_created_total", NULL, m->zombies_created);
	render_zombies(m, &o, now_ns);
	render_hist(m, &o);
	family(&o, "zreaper_events_lost", "counter", "Kernel events lost, by source.");
	render_pairs(&o, "zreaper_events_lost_total", "source", NULL, m->lost, m->n_lost);
	if (!m->n_lost)
		sample_u64(&o, "zreaper_events_lost_total", "source=\"ringbuf\"", 0);
	family(&o, "zreaper_tracked_processes", "gauge", "Processes in the process table.");
	sample_u64(&o, "zreaper_tracked_processes", NULL, m->tracked);
	family(&o, "zreaper_reap_actions", "counter",
	       "zreaper reap decisions, by action and outcome.");
	render_pairs(&o, "zreaper_reap_actions_total", "action", "outcome", m->actions,
		     m->n_actions);
	family(&o, "zreaper_build_info", "gauge", "zreaper's version and the kernel it runs on.");
	snprintf(l, sizeof(l), "version=\"%s\",kernel=\"%s\"", lv(m->version, v, sizeof(v)),
		 lv(m->kernel, k, sizeof(k)));
	sample_u64(&o, "zreaper_build_info", l, 1);
	if (fmt == METRICS_OPENMETRICS)
		jsonw_raw(&o.b, "# EOF\n");
	if (jsonw_has_failed(&o.b)) {
		jsonw_release(&o.b);
		errno = ENOMEM;
		return NULL;
	}
	*len = jsonw_len(&o.b);
	return jsonw_detach(&o.b);
}

int metrics_write_file(const struct metrics *m, const char *path, uint64_t now_ns)
{
	size_t len;
	char *text = metrics_render(m, METRICS_PROMETHEUS, now_ns, &len);
	int err = text ? file_atomic_write(path, text, len) : -ENOMEM;

	free(text);
	return err;
}

const char *metrics_content_type(enum metrics_format fmt)
{
	return fmt == METRICS_OPENMETRICS
		   ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
		   : "text/plain; version=0.0.4; charset=utf-8";
}
