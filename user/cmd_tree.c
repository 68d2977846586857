/* cmd_tree.c - `zreaper tree`: the process tree now, from procfs, with each process's state,
 * zombies, adopted orphans (and who adopted them), subreapers and thread counts. tree_show()
 * draws it from any /proc source: `replay --tree --at` gives it the recorded table.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "escape.h"
#include "log.h"
#include "procfs.h"
#include "procsrc.h"
#include "sink.h"
#include "status.h"
#include "tree_show.h"

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
	struct procfs_status ss;
	struct node *nd;

	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 256;
		struct node *v = realloc(t->v, (size_t)cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	nd = &t->v[t->n];
	memset(nd, 0, sizeof(*nd));
	if (procsrc_stat(t->src, pid, &nd->st))
		return 0; /* gone meanwhile */
	if (nd->st.state == 'Z' && procsrc_zombie(t->src, &nd->st, t->now_ns, &nd->zi))
		zombie_info_set(&nd->zi, -1, ZR_AGE_UNKNOWN, 0);
	nd->is_init = pid == 1 || (procsrc_status(t->src, pid, &ss) == 0 && ss.ns_pid == 1);
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
	       procfs_state_name(nd->st.state));
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
static void json_zombie(const struct zombie_info *zi)
{
	const char *src = zombie_age_source_name(zi->source);

	if (!zi->st.is_known)
		printf("\"exit_code\":null,\"signal\":null,\"core_dumped\":null,");
	else if (zi->st.is_signaled)
		printf("\"exit_code\":null,\"signal\":\"%s\",\"core_dumped\":%s,",
		       status_signal_name(zi->st.signal), zi->st.core_dumped ? "true" : "false");
	else
		printf("\"exit_code\":%d,\"signal\":null,\"core_dumped\":false,", zi->st.exit_code);
	if (src)
		printf("\"zombie_ns\":%" PRIu64 ",\"zombie_ns_source\":\"%s\",", zi->age_ns, src);
	else
		printf("\"zombie_ns\":null,\"zombie_ns_source\":null,");
}

static void json_enter(const struct tree *t, int i, void *arg)
{
	const struct node *nd = &t->v[i];
	char comm[128];

	(void)arg;
	escape_str(ESCAPE_JSON, nd->st.comm, sizeof(nd->st.comm) - 1, comm, sizeof(comm));
	printf("{\"pid\":%u,\"ppid\":%u,\"comm\":\"%s\",\"state\":\"%c\",\"state_name\":\"%s\","
	       "\"threads\":%d,\"zombie\":%s,\"orphan\":%s,",
	       nd->st.pid, nd->st.ppid, comm, nd->st.state, procfs_state_name(nd->st.state),
	       nd->st.threads, nd->st.state == 'Z' ? "true" : "false",
	       nd->adopted_by ? "true" : "false");
	if (nd->adopted_by)
		printf("\"adopted_by\":\"%s\",", nd->adopted_by);
	if (nd->st.state == 'Z')
		json_zombie(&nd->zi);
	printf("\"subreaper\":%s,\"children\":[", nd->is_subreaper ? "true" : "false");
}

static void json_leave(const struct tree *t, int i, void *arg)
{
	int root = *(int *)arg;

	printf("]}");
	if (i != root && t->v[i].next_sibling >= 0)
		putchar(',');
}

static void print_root(const struct tree *t, int i, bool json)
{
	if (json) {
		walk(t, i, json_enter, json_leave, &i);
		putchar('\n');
	} else {
		struct text_walk w = { .root = i };

		walk(t, i, text_enter, text_leave, &w);
	}
}

static void usage(FILE *f)
{
	fputs("Usage: zreaper tree [-p PID] [--json]\n"
	      "\n"
	      "Shows the process tree now, from procfs: each process's state (R running,\n"
	      "S sleeping, D disk sleep, T stopped, t traced, Z zombie, I idle...), thread\n"
	      "count, zombies (with their exit status and how long they have been dead, as\n"
	      "`zombies` reads it), orphans with the role of their adopter, and subreapers.\n"
	      "\n"
	      "  -p, --pid PID   only the subtree under PID (exit 1 if it does not exist)\n"
	      "      --json      one JSON object per root: pid ppid comm state state_name\n"
	      "                  threads zombie orphan subreaper children[]; a zombie adds\n"
	      "                  exit_code signal core_dumped zombie_ns zombie_ns_source\n"
	      "  -h, --help      this text\n",
	      f);
}

int cmd_tree(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct procsrc live;
	char quoted[256];
	uint32_t root_pid = 0;
	bool json = false;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cli_parse_pid(optarg, &root_pid)) {
				zr_err("-p: '%s' is not a pid",
				       cli_printable(optarg, quoted, sizeof(quoted)));
				return ZR_EXIT_USAGE;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return ZR_EXIT_OK;
		default:
			cli_option_error(c, argv, "try: zreaper tree --help", quoted,
					 sizeof(quoted));
			zr_err("%s", quoted);
			return ZR_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		zr_err("unexpected argument '%s'",
		       cli_printable(argv[optind], quoted, sizeof(quoted)));
		return ZR_EXIT_USAGE;
	}
	live = procsrc_live(NULL);
	rc = tree_show(&live, root_pid, procfs_now_ns(), json);
	if (fflush(stdout) && rc == ZR_EXIT_OK)
		rc = ZR_EXIT_RUNTIME;
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
		print_root(&t, i, json);
		goto out;
	}
	for (i = 0; i < t.n; i++) {
		if (t.v[i].parent >= 0)
			continue;
		print_root(&t, i, json);
	}
out:
	free(t.v);
	return log_finish_stdout(rc, ZR_EXIT_RUNTIME);
}
