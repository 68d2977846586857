/* tree_show.c - the process tree from any /proc source (tree_show.h): read every process,
 * link parents and children, mark the adopted ones and their adopters, then draw each root's
 * subtree as indented text or as one JSON object per root (through jsonw).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit_codes.h"
#include "escape.h"
#include "jsonw.h"
#include "log.h"
#include "procfs.h"
#include "proc_seen.h"
#include "sink.h"
#include "status.h"
#include "tree_show.h"
#include "names.h"

struct node {
	struct procfs_stat st;
	struct zombie_info zi; /* zombies: exit status and age */
	bool is_init;	       /* PID 1 of its pid namespace */
	int parent;	       /* index, -1 for a root */
	int first_child, next_sibling;
	const char *adopted_by; /* NULL, "subreaper" or "pidns_init" */
	bool is_subreaper;	/* has adopted a child (procfs shows no flag for it) */
};

struct tree {
	struct node *v;
	int n, cap;
	const struct procsrc *src;
	uint64_t now_ns;
};

static int add_proc(uint32_t pid, void *arg)
{
	struct tree *t = arg;
	struct proc_seen ps;
	struct node *nd;

	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 256;
		struct node *v = realloc(t->v, (size_t)cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	if (proc_seen_read(t->src, pid, PROC_SEEN_STATUS | PROC_SEEN_ZOMBIE, t->now_ns, &ps))
		return 0; /* gone meanwhile */
	nd = &t->v[t->n];
	memset(nd, 0, sizeof(*nd));
	nd->st = ps.st;
	if (ps.has_zombie)
		nd->zi = ps.zi;
	else
		zombie_info_set(&nd->zi, -1, ZR_AGE_UNKNOWN, 0);
	nd->is_init = proc_seen_is_init(&ps);
	nd->parent = nd->first_child = nd->next_sibling = -1;
	t->n++;
	return 0;
}

static int find(const struct tree *t, uint32_t pid)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].st.pid == pid)
			return i;
	return -1;
}

static bool is_ancestor(const struct tree *t, int anc, int i)
{
	int hops = 0;

	for (i = t->v[i].parent; i >= 0 && hops < 4096; i = t->v[i].parent, hops++)
		if (i == anc)
			return true;
	return false;
}

/* Links parents and children, then marks adopted processes: a parent younger than its child
 * cannot have forked it, and a session whose leader is alive but not an ancestor was left
 * behind by a parent that died. */
static void link_tree(struct tree *t)
{
	int i, *last = calloc((size_t)t->n + 1, sizeof(int));

	for (i = 0; i < t->n; i++) {
		int p = t->v[i].st.ppid ? find(t, t->v[i].st.ppid) : -1;

		t->v[i].parent = p;
		if (p < 0)
			continue;
		if (last && last[p])
			t->v[last[p] - 1].next_sibling = i;
		else
			t->v[p].first_child = i;
		if (last)
			last[p] = i + 1;
	}
	free(last);
	for (i = 0; i < t->n; i++) {
		struct node *nd = &t->v[i];
		int p = nd->parent, sl;

		if (p < 0)
			continue;
		sl = nd->st.session && nd->st.session != nd->st.pid ? find(t, nd->st.session) : -1;
		if (t->v[p].st.start_ticks > nd->st.start_ticks ||
		    (sl >= 0 && !is_ancestor(t, sl, i))) {
			nd->adopted_by = t->v[p].is_init ? "pidns_init" : "subreaper";
			if (!t->v[p].is_init)
				t->v[p].is_subreaper = true;
		}
	}
}

/* Walks the subtree under root depth-first without recursion (a fork chain can be deeper
 * than the stack), calling enter before a node's children and leave after them. */
static void walk(const struct tree *t, int root, void (*enter)(const struct tree *, int, void *),
		 void (*leave)(const struct tree *, int, void *), void *arg)
{
	int i = root;

	for (;;) {
		enter(t, i, arg);
		if (t->v[i].first_child >= 0) {
			i = t->v[i].first_child;
			continue;
		}
		for (;;) {
			leave(t, i, arg);
			if (i == root)
				return;
			if (t->v[i].next_sibling >= 0) {
				i = t->v[i].next_sibling;
				break;
			}
			i = t->v[i].parent;
		}
	}
}

struct text_walk {
	int root;
	char prefix[512];
	size_t len[256]; /* prefix length at each depth */
	int depth;
};

/* " ZOMBIE(exit 3, 2.50s)": its status and how long it has been dead. */
static void print_zombie(const struct zombie_info *zi)
{
	char st[64] = "status unknown", age[32] = "age unknown";

	if (zi->st.is_known)
		status_describe(&zi->st, st, sizeof(st));
	if (zi->source != ZR_AGE_UNKNOWN) {
		int n = snprintf(age, sizeof(age), "%s",
				 zi->source == ZR_AGE_START_BOUND ? "at most " : "");

		sink_format_duration(age + n, sizeof(age) - (size_t)n, zi->age_ns);
	}
	printf(" ZOMBIE(%s, %s)", st, age);
}

static void text_enter(const struct tree *t, int i, void *arg)
{
	struct text_walk *w = arg;
	const struct node *nd = &t->v[i];
	bool is_last = nd->next_sibling < 0;
	char comm[80];
	size_t len = w->depth < 256 ? w->len[w->depth] : w->len[255];

	escape_str(ESCAPE_TEXT, nd->st.comm, sizeof(nd->st.comm) - 1, comm, sizeof(comm));
	printf("%.*s%s%u %s [%c %s]", (int)len, w->prefix,
	       i == w->root ? "" : (is_last ? "`- " : "|- "), nd->st.pid, comm, nd->st.state,
	       names_state(nd->st.state));
	if (nd->st.threads > 1)
		printf(" threads=%d", nd->st.threads);
	if (nd->st.state == 'Z')
		print_zombie(&nd->zi);
	if (nd->adopted_by)
		printf(" orphan(adopted by %s)", nd->adopted_by);
	if (nd->is_subreaper)
		printf(" subreaper");
	putchar('\n');
	/* The children's prefix continues this node's line unless it was the last sibling. */
	if (i != w->root && len + 3 < sizeof(w->prefix)) {
		memcpy(w->prefix + len, is_last ? "   " : "|  ", 3);
		len += 3;
	}
	w->depth++;
	if (w->depth < 256)
		w->len[w->depth] = len;
}

static void text_leave(const struct tree *t, int i, void *arg)
{
	struct text_walk *w = arg;

	(void)t;
	(void)i;
	w->depth--;
}

/* A zombie's members as in a `zombie` event: exit status, zombie_ns, zombie_ns_source. */
static void json_zombie(struct jsonw *w, const struct zombie_info *zi)
{
	if (!zi->st.is_known) {
		jsonw_null(w, "exit_code");
		jsonw_null(w, "signal");
		jsonw_null(w, "core_dumped");
	} else if (zi->st.is_signaled) {
		jsonw_null(w, "exit_code");
		jsonw_named(w, "signal", status_signal_name(zi->st.signal));
		jsonw_bool(w, "core_dumped", zi->st.core_dumped);
	} else {
		jsonw_int(w, "exit_code", zi->st.exit_code);
		jsonw_null(w, "signal");
		jsonw_bool(w, "core_dumped", false);
	}
	if (names_age_source(zi->source)) {
		jsonw_u64(w, "zombie_ns", zi->age_ns);
		jsonw_named(w, "zombie_ns_source", names_age_source(zi->source));
	} else {
		jsonw_null(w, "zombie_ns");
		jsonw_null(w, "zombie_ns_source");
	}
}

static void json_enter(const struct tree *t, int i, void *arg)
{
	const struct node *nd = &t->v[i];
	struct jsonw *w = arg;
	char state[2] = { nd->st.state, '\0' };

	jsonw_obj_begin(w, NULL);
	jsonw_u64(w, "pid", nd->st.pid);
	jsonw_u64(w, "ppid", nd->st.ppid);
	jsonw_str(w, "comm", nd->st.comm, sizeof(nd->st.comm) - 1);
	jsonw_named(w, "state", state);
	jsonw_named(w, "state_name", names_state(nd->st.state));
	jsonw_int(w, "threads", nd->st.threads);
	jsonw_bool(w, "zombie", nd->st.state == 'Z');
	jsonw_bool(w, "orphan", nd->adopted_by != NULL);
	if (nd->adopted_by)
		jsonw_named(w, "adopted_by", nd->adopted_by);
	if (nd->st.state == 'Z')
		json_zombie(w, &nd->zi);
	jsonw_bool(w, "subreaper", nd->is_subreaper);
	jsonw_arr_begin(w, "children");
}

static void json_leave(const struct tree *t, int i, void *arg)
{
	(void)t;
	(void)i;
	jsonw_arr_end(arg);
	jsonw_obj_end(arg);
}

/* One root's subtree: as text, or as one JSON line built whole (a sink writes a line at once). */
static int print_root(const struct tree *t, int i, bool json)
{
	struct text_walk tw = { .root = i };
	struct jsonw w;
	int rc = 0;

	if (!json) {
		walk(t, i, text_enter, text_leave, &tw);
		return 0;
	}
	jsonw_init(&w);
	walk(t, i, json_enter, json_leave, &w);
	jsonw_append(&w, "\n", 1);
	if (jsonw_has_failed(&w))
		rc = -ENOMEM;
	else
		fwrite(jsonw_text(&w), 1, jsonw_len(&w), stdout);
	jsonw_release(&w);
	return rc;
}

int tree_show(const struct procsrc *src, uint32_t root_pid, uint64_t now_ns, bool json)
{
	struct tree t = { .src = src, .now_ns = now_ns };
	int i, err, rc = ZR_EXIT_OK;

	if ((err = procsrc_each_pid(src, add_proc, &t))) {
		zr_err("cannot read /proc: %s", strerror(-err));
		rc = ZR_EXIT_RUNTIME;
		goto out;
	}
	link_tree(&t);
	if (root_pid) {
		i = find(&t, root_pid);
		if (i < 0) {
			zr_err("-p %u: no such process", root_pid);
			rc = ZR_EXIT_RUNTIME;
			goto out;
		}
		err = print_root(&t, i, json);
		goto out;
	}
	for (i = 0; i < t.n && !err; i++)
		if (t.v[i].parent < 0)
			err = print_root(&t, i, json);
out:
	if (err == -ENOMEM) {
		zr_err("out of memory");
		rc = ZR_EXIT_RUNTIME;
	}
	free(t.v);
	return log_finish_stdout(rc, ZR_EXIT_RUNTIME);
}
