/* cmd_zombies.c - `zreaper zombies`: the zombies that exist now, from procfs alone (no BPF,
 * zombie_scan.c), each with its exit status, age, parent's state and the reason it is not
 * reaped; --older-than from those ages. A health check: exit 0 none, 1 some, 2 usage, 3 could
 * not look.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cli.h"
#include "cmd.h"
#include "cmd_common.h"
#include "escape.h"
#include "log.h"
#include "sink.h"
#include "status.h"
#include "zombie_scan.h"

#define EXIT_CANNOT_LOOK 3

/* What --older-than makes of a zombie: listed or not at once when its age is known or its
 * bound too small; when procfs only bounds it (and the bound is large enough), listed if it is
 * still there after D: the second look. */
enum pick {
	PICK_NO,
	PICK_YES,
	PICK_LOOK_AGAIN,
};

static enum pick pick(const struct zscan_zombie *z, uint64_t older)
{
	if (!older)
		return PICK_YES; /* 0: any age */
	if (z->zi.source == ZR_AGE_UNKNOWN)
		return PICK_LOOK_AGAIN;
	if (z->zi.age_ns < older)
		return PICK_NO;
	return zr_age_is_exact(z->zi.source) ? PICK_YES : PICK_LOOK_AGAIN;
}

/* Sleeps D once, then keeps the zombies to look at again that are still there. */
static void look_again(const struct zombie_scan *s, enum pick *picks, uint64_t older)
{
	struct timespec d = { (time_t)(older / 1000000000ULL), (long)(older % 1000000000ULL) };
	size_t i;

	while (nanosleep(&d, &d) && errno == EINTR)
		;
	for (i = 0; i < s->n_zombies; i++)
		if (picks[i] == PICK_LOOK_AGAIN)
			picks[i] =
			    zombie_scan_still_there(NULL, &s->zombies[i]) ? PICK_YES : PICK_NO;
}

static void print_row(const struct zr_ev *ev)
{
	char comm[80], st[64], age[32] = "-";

	escape_str(ESCAPE_TEXT, ev->comm, sizeof(ev->comm) - 1, comm, sizeof(comm));
	if (ev->u.zombie.st.is_known)
		status_describe(&ev->u.zombie.st, st, sizeof(st));
	else
		snprintf(st, sizeof(st), "-");
	/* "<=" marks an age procfs only bounds: at most that. */
	if (ev->u.zombie.age_source != ZR_AGE_UNKNOWN) {
		int n = snprintf(age, sizeof(age), "%s",
				 ev->u.zombie.age_source == ZR_AGE_START_BOUND ? "<=" : "");

		sink_format_duration(age + n, sizeof(age) - (size_t)n, ev->u.zombie.zombie_ns);
	}
	printf("%-7u %-7u %-16s %-10s %-22s %s\n", ev->pid, ev->ppid, comm, age, st,
	       ev->u.zombie.reason);
}

static void usage(FILE *f)
{
	fputs("Usage: zreaper zombies [--json] [--older-than D]\n"
	      "\n"
	      "Lists the zombies that exist now, with their exit status, how long they have\n"
	      "been dead, their parent and the reason they are not reaped. Reads procfs only:\n"
	      "no BPF, no root needed (but other users' details may be hidden from non-root).\n"
	      "\n"
	      "  --json           one JSON object per zombie, fields as in a trace `zombie` event\n"
	      "  --older-than D   only zombies dead for at least D (0: any age), answered at\n"
	      "                   once: the age is the scheduler clock when the zombie last ran\n"
	      "                   (/proc/PID/sched) against ours on the same CPU, at most the\n"
	      "                   time since it started. Where procfs has no sched file, one\n"
	      "                   that started less than D ago is too young and any other is\n"
	      "                   listed if it is still there D later (zreaper looks twice)\n"
	      "  -h, --help       this text\n"
	      "\n"
	      "AGE: \"<=\" when procfs only bounds it (zombie_ns_source \"start_bound\" in JSON).\n"
	      "Exit status: 0 no zombie, 1 zombies found, 2 usage error, 3 could not look.\n",
	      f);
}

/* Reads the options into *json and *older. Returns -1 to go on, or the exit code (help, usage
 * error). */
static int parse_args(int argc, char **argv, bool *json, uint64_t *older)
{
	int stop = 0, first;
	const struct opt rows[] = {
		{ "json", OPT_LONG_ONLY, OPT_FLAG, json, NULL, NULL, 0, NULL },
		{ "older-than", OPT_LONG_ONLY + 1, OPT_AGE, older,
		  "'%s' is not a duration (e.g. 0, 500ms, 5s)", NULL, 0, NULL },
		{ "help", 'h', OPT_STOP, &stop, NULL, NULL, 0, NULL },
	};
	static const struct opts_conf conf = { "try: zreaper zombies --help", false, false, false };

	return cmd_options(rows, sizeof(rows) / sizeof(rows[0]), &conf, argc, argv, usage, &first);
}

/* Prints the picked zombies, as JSON events or as rows under a header. Returns how many. */
static size_t list(const struct zombie_scan *s, const enum pick *picks, bool json)
{
	struct sink sink;
	size_t i, listed = 0;

	if (json) {
		sink_json_init(&sink, stdout, NULL);
		sink.boot_to_real_ns = (int64_t)clock_ns(CLOCK_REALTIME) - (int64_t)s->now_ns;
		sink.flush_each = true;
	}
	for (i = 0; i < s->n_zombies; i++) {
		struct zr_ev ev;

		if (picks[i] != PICK_YES)
			continue;
		if (!json && !listed)
			printf("%-7s %-7s %-16s %-10s %-22s %s\n", "PID", "PPID", "COMM", "AGE",
			       "STATUS", "REASON");
		listed++;
		zombie_scan_event(s, &s->zombies[i], NULL, &ev);
		if (json)
			sink.ops->emit(&sink, &ev);
		else
			print_row(&ev);
	}
	return listed;
}

int cmd_zombies(int argc, char **argv)
{
	struct zombie_scan s;
	enum pick *picks = NULL;
	uint64_t older = 0;
	bool json = false, again = false;
	size_t i;
	int err, rc;

	rc = parse_args(argc, argv, &json, &older);
	if (rc >= 0)
		return rc;
	err = zombie_scan_run(&s, NULL);
	if (!err && !(picks = calloc(s.n_zombies ? s.n_zombies : 1, sizeof(*picks))))
		err = -ENOMEM;
	if (err) {
		zr_err("cannot read /proc: %s", strerror(-err));
		rc = EXIT_CANNOT_LOOK;
		goto out;
	}
	for (i = 0; i < s.n_zombies; i++) {
		picks[i] = pick(&s.zombies[i], older);
		again |= picks[i] == PICK_LOOK_AGAIN;
	}
	if (again)
		look_again(&s, picks, older);
	/* 3, "could not look": a monitor must not read a lost list as "no zombies". */
	rc = log_finish_stdout(list(&s, picks, json) ? ZR_EXIT_RUNTIME : ZR_EXIT_OK,
			       EXIT_CANNOT_LOOK);
out:
	free(picks);
	zombie_scan_free(&s);
	return rc;
}
