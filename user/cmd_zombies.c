/* cmd_zombies.c - `zreaper zombies`: the zombies that exist now, from procfs alone (no BPF),
 * each with its parent's state and the reason it is not reaped. A health check: exit 0 none,
 * 1 some, 2 usage, 3 could not look.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "detect.h"
#include "escape.h"
#include "log.h"
#include "procfs.h"
#include "procsrc.h"
#include "sink.h"
#include "status.h"

#define EXIT_CANNOT_LOOK 3

struct zlist {
	struct procfs_stat *v;
	size_t n, cap;
};

static int collect(uint32_t pid, void *arg)
{
	struct zlist *l = arg;
	struct procfs_stat st;

	if (procfs_read_stat(NULL, pid, &st) || st.state != 'Z')
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct procfs_stat *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = st;
	return 0;
}

/* Keeps the zombies of a that are still the same zombies in b (same pid, same start). */
static void intersect(struct zlist *a, const struct zlist *b)
{
	size_t i, j, k = 0;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (a->v[i].pid == b->v[j].pid &&
			    a->v[i].start_ticks == b->v[j].start_ticks) {
				a->v[k++] = b->v[j];
				break;
			}
	a->n = k;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The zombie event for z, as `trace` would report it (age unknown: procfs has no exit time). */
static void zombie_event(const struct zlist *all, const struct procfs_stat *z, struct zr_ev *ev)
{
	struct procsrc live = procsrc_live(NULL);
	struct detect_case c = { 0 };
	struct procfs_status ss;
	bool is_init = false;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	ev->kind = ZR_EV_ZOMBIE;
	ev->ktime_ns = now_ns(CLOCK_BOOTTIME);
	ev->pid = ev->tid = z->pid;
	ev->ppid = z->ppid;
	ev->start_ns = procfs_ticks_to_ns(z->start_ticks);
	memcpy(ev->comm, z->comm, sizeof(ev->comm));
	if (procfs_read_status(NULL, z->pid, &ss) == 0) {
		ev->uid = ss.uid;
		ev->gid = ss.gid;
	}
	if (z->exit_code >= 0)
		ev->u.zombie.st = status_decode(z->exit_code);
	ev->parent.pid = z->ppid;
	c.parent_state =
	    detect_parent_procfs(&live, z->ppid, &ev->u.zombie.pinfo, &is_init, &ev->parent);
	for (i = 0; i < all->n; i++)
		if (all->v[i].ppid == z->ppid)
			ev->u.zombie.pinfo.zombies_held++;
	c.pid = z->pid;
	/* A leader whose threads still run shows as Z with a non-zero thread count. */
	c.threads_running = z->threads > 1 ? z->threads - 1 : 0;
	c.ppid = z->ppid;
	c.parent_comm = ev->parent.comm;
	c.parent_is_init = is_init;
	c.pinfo = &ev->u.zombie.pinfo;
	detect_reason(&c, &ev->u.zombie.reason_code, ev->u.zombie.reason,
		      sizeof(ev->u.zombie.reason));
}

static void print_row(const struct zr_ev *ev)
{
	char comm[80], st[64];

	escape_str(ESCAPE_TEXT, ev->comm, sizeof(ev->comm) - 1, comm, sizeof(comm));
	if (ev->u.zombie.st.is_known)
		status_describe(&ev->u.zombie.st, st, sizeof(st));
	else
		snprintf(st, sizeof(st), "-");
	printf("%-7u %-7u %-16s %-22s %s\n", ev->pid, ev->ppid, comm, st, ev->u.zombie.reason);
}

static void usage(FILE *f)
{
	fputs("Usage: zreaper zombies [--json] [--older-than D]\n"
	      "\n"
	      "Lists the zombies that exist now, with their parent and the reason they are not\n"
	      "reaped. Reads procfs only: no BPF, no root needed (but other users' details may\n"
	      "be hidden from non-root).\n"
	      "\n"
	      "  --json           one JSON object per zombie, fields as in a trace `zombie` event\n"
	      "  --older-than D   only zombies that are still there after D (procfs keeps no exit\n"
	      "                   time, so zreaper looks twice, D apart)\n"
	      "  -h, --help       this text\n"
	      "\n"
	      "Exit status: 0 no zombie, 1 zombies found, 2 usage error, 3 could not look.\n",
	      f);
}

int cmd_zombies(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct zlist now = { 0 }, later = { 0 };
	uint64_t older = 0;
	bool json = false;
	struct sink sink;
	char quoted[256];
	int c, err, rc = ZR_EXIT_OK;
	size_t i;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'o':
			if (cli_parse_duration(optarg, &older)) {
				zr_err("--older-than: '%s' is not a positive duration (e.g. 500ms, "
				       "5s)",
				       cli_printable(optarg, quoted, sizeof(quoted)));
				return ZR_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return ZR_EXIT_OK;
		default:
			cli_option_error(c, argv, "try: zreaper zombies --help", quoted,
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
	if ((err = procfs_each_pid(NULL, collect, &now))) {
		zr_err("cannot read /proc: %s", strerror(-err));
		rc = EXIT_CANNOT_LOOK;
		goto out;
	}
	if (older && now.n) {
		struct timespec d = { (time_t)(older / 1000000000ULL),
				      (long)(older % 1000000000ULL) };

		while (nanosleep(&d, &d) && errno == EINTR)
			;
		if ((err = procfs_each_pid(NULL, collect, &later))) {
			zr_err("cannot read /proc: %s", strerror(-err));
			rc = EXIT_CANNOT_LOOK;
			goto out;
		}
		intersect(&now, &later);
	}
	if (json) {
		sink_json_init(&sink, stdout, NULL);
		sink.boot_to_real_ns =
		    (int64_t)now_ns(CLOCK_REALTIME) - (int64_t)now_ns(CLOCK_BOOTTIME);
		sink.flush_each = true;
	} else if (now.n) {
		printf("%-7s %-7s %-16s %-22s %s\n", "PID", "PPID", "COMM", "STATUS", "REASON");
	}
	for (i = 0; i < now.n; i++) {
		struct zr_ev ev;

		zombie_event(&now, &now.v[i], &ev);
		if (json)
			sink.ops->emit(&sink, &ev);
		else
			print_row(&ev);
	}
	/* 3, "could not look": a monitor must not read a lost list as "no zombies". */
	rc = log_finish_stdout(now.n ? ZR_EXIT_RUNTIME : ZR_EXIT_OK, EXIT_CANNOT_LOOK);
out:
	free(now.v);
	free(later.v);
	return rc;
}
