/* summary.c - statistics gathered from the events a trace shows, rendered once at its end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
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

void summary_render(const struct summary *s, uint64_t lost, uint64_t evicted, char **json,
		    char **text)
{
	struct summary_parent top[TOP_PARENTS];
	size_t ntop = top_parents(s, top), i;
	struct jsonw j, t; /* t is plain text: jsonw only as a growing buffer */
	int k, n;

	jsonw_init(&j);
	jsonw_init(&t);
	jsonw_obj_begin(&j, "counts");
	jsonw_printf(&t, "zreaper summary\nevents:");
	for (k = 0; k < ZR_EV__COUNT; k++) {
		if (!s->kinds[k])
			continue;
		jsonw_u64(&j, sink_kind_name((enum zr_kind)k), s->kinds[k]);
		jsonw_printf(&t, " %s %llu", sink_kind_name((enum zr_kind)k),
			     (unsigned long long)s->kinds[k]);
	}
	jsonw_obj_end(&j);
	jsonw_printf(&t, "\n");
	hist_json(&j, "lifetime_hist", s->life_hist);
	hist_json(&j, "zombie_hist", s->zombie_hist);
	hist_text(&t, "process lifetimes (exits):", s->life_hist);
	hist_text(&t, "zombie times (reaps):", s->zombie_hist);

	jsonw_arr_begin(&j, "top_zombie_parents");
	jsonw_printf(&t, "parents with the most zombies:%s\n", ntop ? "" : " none");
	for (i = 0; i < ntop; i++) {
		char ct[80];

		jsonw_obj_begin(&j, NULL);
		jsonw_u64(&j, "pid", top[i].pid);
		jsonw_str(&j, "comm", top[i].comm, ZR_COMM_BUF - 1);
		jsonw_u64(&j, "zombies", top[i].zombies);
		jsonw_obj_end(&j);
		escape_str(ESCAPE_TEXT, top[i].comm, ZR_COMM_BUF - 1, ct, sizeof(ct));
		jsonw_printf(&t, "  %u (%s) %llu\n", top[i].pid, ct,
			     (unsigned long long)top[i].zombies);
	}
	jsonw_arr_end(&j);

	jsonw_obj_begin(&j, "exit_codes");
	jsonw_printf(&t, "exit codes:");
	for (k = 0, n = 0; k < 256; k++) {
		char key[12];

		if (!s->exit_codes[k])
			continue;
		snprintf(key, sizeof(key), "%d", k);
		jsonw_u64(&j, key, s->exit_codes[k]);
		jsonw_printf(&t, " %d x%llu", k, (unsigned long long)s->exit_codes[k]);
		n++;
	}
	jsonw_obj_end(&j);
	jsonw_obj_begin(&j, "signals");
	jsonw_printf(&t, "%s\nsignals:", n ? "" : " none");
	for (k = 1, n = 0; k <= 64; k++) {
		if (!s->signals[k])
			continue;
		jsonw_u64(&j, status_signal_name(k), s->signals[k]);
		jsonw_printf(&t, " %s x%llu", status_signal_name(k),
			     (unsigned long long)s->signals[k]);
		n++;
	}
	jsonw_obj_end(&j);
	jsonw_u64(&j, "lost", lost);
	jsonw_u64(&j, "evicted", evicted);
	jsonw_printf(&t, "%s\nlost %llu, evicted %llu\n", n ? "" : " none",
		     (unsigned long long)lost, (unsigned long long)evicted);
	*json = jsonw_detach(&j);
	*text = jsonw_detach(&t);
}

void summary_free(struct summary *s)
{
	free(s->parents);
	s->parents = NULL;
	s->nparents = s->cap = 0;
}
