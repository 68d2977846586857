/* summary.c - statistics gathered from the events a trace shows, rendered once at its end as
 * the members of a JSON line or a report for people.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "ev_kind.h"
#include "jsonw.h"
#include "sink.h"
#include "status.h"
#include "summary.h"

#define TOP_PARENTS 10

static int log2_bucket(uint64_t v)
{
	return v ? 63 - __builtin_clzll(v) : 0;
}

static void tally_parent(struct summary *s, const struct zr_ref *p)
{
	size_t i;

	for (i = 0; i < s->nparents; i++) {
		if (s->parents[i].pid == p->pid) {
			s->parents[i].zombies++;
			return;
		}
	}
	if (s->nparents == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct summary_parent *v = realloc(s->parents, cap * sizeof(*v));

		if (!v)
			return; /* a summary short of one parent beats none */
		s->parents = v;
		s->cap = cap;
	}
	s->parents[s->nparents] = (struct summary_parent){ .pid = p->pid, .zombies = 1 };
	memcpy(s->parents[s->nparents].comm, p->comm, ZR_COMM_BUF);
	s->nparents++;
}

static void tally_status(struct summary *s, const struct zr_exit_status *st)
{
	if (!st->is_known)
		return;
	if (st->is_signaled && st->signal > 0 && st->signal <= 64)
		s->signals[st->signal]++;
	else if (!st->is_signaled)
		s->exit_codes[st->exit_code & 0xff]++;
}

void summary_add(struct summary *s, const struct zr_ev *ev)
{
	if (ev->kind >= ZR_EV__COUNT)
		return;
	s->kinds[ev->kind]++;
	if (ev->kind == ZR_EV_EXIT && ev->u.exit.group_dead) {
		s->life_hist[log2_bucket(ev->u.exit.lifetime_ns)]++;
		tally_status(s, &ev->u.exit.st);
	} else if (ev->kind == ZR_EV_REAP && ev->u.reap.how != ZR_HOW_SELF) {
		s->zombie_hist[log2_bucket(ev->u.reap.zombie_ns)]++;
	} else if (ev->kind == ZR_EV_ZOMBIE && ev->parent.pid) {
		tally_parent(s, &ev->parent);
	}
}

static int by_zombies(const void *a, const void *b)
{
	const struct summary_parent *x = a, *y = b;

	return x->zombies < y->zombies ? 1 : x->zombies > y->zombies ? -1 : 0;
}

static void hist_json(struct jsonw *j, const char *key, const uint64_t *h)
{
	int i;

	jsonw_arr_begin(j, key);
	for (i = 0; i < 64; i++) {
		if (!h[i])
			continue;
		jsonw_obj_begin(j, NULL);
		jsonw_u64(j, "min_ns", i ? 1ULL << i : 0);
		jsonw_u64(j, "max_ns", (i < 63 ? (1ULL << (i + 1)) : ~0ULL) - 1);
		jsonw_u64(j, "count", h[i]);
		jsonw_obj_end(j);
	}
	jsonw_arr_end(j);
}

static void hist_text(struct jsonw *b, const char *title, const uint64_t *h)
{
	uint64_t max = 0;
	int i;

	for (i = 0; i < 64; i++)
		max = h[i] > max ? h[i] : max;
	jsonw_printf(b, "%s\n", title);
	if (!max) {
		jsonw_printf(b, "  (none)\n");
		return;
	}
	for (i = 0; i < 64; i++) {
		char lo[32];
		int bar;

		if (!h[i])
			continue;
		sink_format_duration(lo, sizeof(lo), i ? 1ULL << i : 0);
		bar = (int)(h[i] * 40 / max);
		jsonw_printf(b, "  >= %-9s %10llu |%.*s\n", lo, (unsigned long long)h[i],
			     bar ? bar : 1, "########################################");
	}
}

/* The parents with the most zombies, most first, at most TOP_PARENTS of them. */
static size_t top_parents(const struct summary *s, struct summary_parent *top)
{
	struct summary_parent *all;
	size_t n = s->nparents < TOP_PARENTS ? s->nparents : TOP_PARENTS;

	if (!n)
		return 0;
	all = malloc(s->nparents * sizeof(*all));
	if (!all)
		return 0;
	memcpy(all, s->parents, s->nparents * sizeof(*all));
	qsort(all, s->nparents, sizeof(*all), by_zombies);
	memcpy(top, all, n * sizeof(*top));
	free(all);
	return n;
}

void summary_put_json(struct jsonw *w, const struct zr_ev *ev)
{
	const struct summary *s = ev->u.summary.stats;
	struct summary_parent top[TOP_PARENTS];
	size_t ntop, i;
	char key[12];
	int k;

	if (!s)
		return;
	jsonw_obj_begin(w, "counts");
	for (k = 0; k < ZR_EV__COUNT; k++)
		if (s->kinds[k])
			jsonw_u64(w, ev_kind_name((enum zr_kind)k), s->kinds[k]);
	jsonw_obj_end(w);
	hist_json(w, "lifetime_hist", s->life_hist);
	hist_json(w, "zombie_hist", s->zombie_hist);
	ntop = top_parents(s, top);
	jsonw_arr_begin(w, "top_zombie_parents");
	for (i = 0; i < ntop; i++) {
		jsonw_obj_begin(w, NULL);
		jsonw_u64(w, "pid", top[i].pid);
		jsonw_str(w, "comm", top[i].comm, ZR_COMM_BUF - 1);
		jsonw_u64(w, "zombies", top[i].zombies);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_begin(w, "exit_codes");
	for (k = 0; k < 256; k++) {
		if (!s->exit_codes[k])
			continue;
		snprintf(key, sizeof(key), "%d", k);
		jsonw_u64(w, key, s->exit_codes[k]);
	}
	jsonw_obj_end(w);
	jsonw_obj_begin(w, "signals");
	for (k = 1; k <= 64; k++)
		if (s->signals[k])
			jsonw_u64(w, status_signal_name(k), s->signals[k]);
	jsonw_obj_end(w);
	jsonw_u64(w, "lost", ev->u.summary.lost);
	jsonw_u64(w, "evicted", ev->u.summary.evicted);
}

/* Exit codes and signals as "exit codes: 0 x3 1 x1\nsignals: SIGKILL x2\n". */
static void statuses_text(struct jsonw *t, const struct summary *s)
{
	int k, n;

	jsonw_printf(t, "exit codes:");
	for (k = 0, n = 0; k < 256; k++) {
		if (!s->exit_codes[k])
			continue;
		jsonw_printf(t, " %d x%llu", k, (unsigned long long)s->exit_codes[k]);
		n++;
	}
	jsonw_printf(t, "%s\nsignals:", n ? "" : " none");
	for (k = 1, n = 0; k <= 64; k++) {
		if (!s->signals[k])
			continue;
		jsonw_printf(t, " %s x%llu", status_signal_name(k),
			     (unsigned long long)s->signals[k]);
		n++;
	}
	jsonw_printf(t, "%s\n", n ? "" : " none");
}

int summary_put_text(FILE *f, const struct zr_ev *ev)
{
	const struct summary *s = ev->u.summary.stats;
	struct summary_parent top[TOP_PARENTS];
	struct jsonw t; /* plain text: jsonw only as a growing buffer */
	size_t ntop, i;
	int k, rc;

	if (!s)
		return 0;
	jsonw_init(&t);
	jsonw_printf(&t, "zreaper summary\nevents:");
	for (k = 0; k < ZR_EV__COUNT; k++)
		if (s->kinds[k])
			jsonw_printf(&t, " %s %llu", ev_kind_name((enum zr_kind)k),
				     (unsigned long long)s->kinds[k]);
	jsonw_printf(&t, "\n");
	hist_text(&t, "process lifetimes (exits):", s->life_hist);
	hist_text(&t, "zombie times (reaps):", s->zombie_hist);
	ntop = top_parents(s, top);
	jsonw_printf(&t, "parents with the most zombies:%s\n", ntop ? "" : " none");
	for (i = 0; i < ntop; i++) {
		char ct[80];

		escape_str(ESCAPE_TEXT, top[i].comm, ZR_COMM_BUF - 1, ct, sizeof(ct));
		jsonw_printf(&t, "  %u (%s) %llu\n", top[i].pid, ct,
			     (unsigned long long)top[i].zombies);
	}
	statuses_text(&t, s);
	jsonw_printf(&t, "lost %llu, evicted %llu\n", (unsigned long long)ev->u.summary.lost,
		     (unsigned long long)ev->u.summary.evicted);
	/* zreaper's own report, built from escaped pieces: printed as it is. */
	rc = jsonw_has_failed(&t) ? 0 : fputs(jsonw_text(&t), f);
	jsonw_release(&t);
	return rc < 0 ? -1 : 0;
}

void summary_free(struct summary *s)
{
	free(s->parents);
	s->parents = NULL;
	s->nparents = s->cap = 0;
}
