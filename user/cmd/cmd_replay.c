/* cmd_replay.c - `zreaper replay FILE`: a recording (trace --record) fed through the same
 * pipeline as `trace`, at full speed, /proc answers and clock steps taken from the file; or,
 * with --tree --at TIME, the process table at that moment drawn as `zreaper tree` draws it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "cmd_common.h"
#include "journal.h"
#include "log.h"
#include "output_lines.h"
#include "output_summary.h"
#include "pipeline.h"
#include "proctab_src.h"
#include "record.h"
#include "replay.h"
#include "trace_opts.h"
#include "tree_show.h"

struct replay {
	struct trace_opts o;
	const char *path;
	const char *until_arg, *at_arg;
	bool show_tree;
	struct record_meta meta;
	struct record_reader *r;
	struct journal_reader jr;
	struct procsrc src;
	struct pipeline p;
	struct output_lines lines;
	struct output_summary sum;
	struct replay_state st;
};

static void usage(FILE *f)
{
	fputs("Usage: zreaper replay FILE [OPTIONS]\n"
	      "\n"
	      "Feeds a recording made by `zreaper trace --record FILE` (FILE - reads stdin)\n"
	      "through the same state machine, detectors and outputs as `trace`, at full\n"
	      "speed: with the same options it prints the lines the trace printed, timestamps\n"
	      "included. Needs no privileges.\n"
	      "\n"
	      "Filters and output: -p PID, --tree, -n NAME, -u UID, -x, --events LIST,\n"
	      "--threads, --json, --summary, --zombie-after D (default: the recorded one),\n"
	      "-v, as for `zreaper trace` (see zreaper trace --help).\n"
	      "\n"
	      "      --until TIME     stop at TIME: RFC 3339 UTC (2026-03-14T10:22:07.5Z) or a\n"
	      "                       duration after the start line (+90s, 2m)\n"
	      "      --tree --at TIME print the process tree as the trace knew it at TIME\n"
	      "                       (with -p PID: the subtree under PID; --json as `tree`)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Exit status: 0 ok (a recording cut short by a killed recorder replays up to the\n"
	      "cut, with a warning), 1 bad or unreadable file (one line naming the byte offset),\n"
	      "2 usage error.\n",
	      f);
}

/* n decimal digits at *p, then the character sep (0: none); advances *p. 0 or -EINVAL. */
static int digits(const char **p, int n, char sep, int *out)
{
	int v = 0;

	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -EINVAL;
		v = v * 10 + (**p - '0');
	}
	if (sep && *(*p)++ != sep)
		return -EINVAL;
	*out = v;
	return 0;
}

/* RFC 3339 in UTC ("Z"), fraction optional: the ktime it names in *ktime; or a duration since
 * the start ("+5s", "5s") in *after. 0 or -EINVAL. */
static int parse_time(const char *s, const struct record_meta *m, uint64_t *ktime, uint64_t *after)
{
	struct tm tm = { 0 };
	uint64_t d, frac = 0, scale = 100000000;
	const char *p;
	int64_t real;

	if (*s == '+')
		s++;
	if (!cli_parse_duration(s, &d)) {
		*after = d;
		return 0;
	}
	p = s;
	if (digits(&p, 4, '-', &tm.tm_year) || digits(&p, 2, '-', &tm.tm_mon) ||
	    digits(&p, 2, 'T', &tm.tm_mday) || digits(&p, 2, ':', &tm.tm_hour) ||
	    digits(&p, 2, ':', &tm.tm_min) || digits(&p, 2, 0, &tm.tm_sec))
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			frac += (uint64_t)(*p - '0') * scale;
			scale /= 10;
		}
	}
	if (strcmp(p, "Z") != 0)
		return -EINVAL;
	real = (int64_t)timegm(&tm) * 1000000000LL + (int64_t)frac;
	if (real - m->boot_to_real_ns < 0)
		return -EINVAL;
	*ktime = (uint64_t)(real - m->boot_to_real_ns);
	return 0;
}

/* The checks that span options, once they are read: 0 or ZR_EXIT_USAGE (printed). */
static int check_combination(struct replay *rp)
{
	const char *why = NULL;

	rp->show_tree = rp->at_arg != NULL;
	if (rp->at_arg && !rp->o.f.tree)
		why = "--at needs --tree (replay FILE --tree --at TIME)";
	else if (rp->at_arg && rp->until_arg)
		why = "--at and --until: give one of them";
	else if (rp->o.f.tree && !rp->show_tree && !rp->o.f.n_pids)
		why = "--tree needs -p PID, or --at TIME to draw the tree";
	if (!why)
		return 0;
	zr_err("%s", why);
	return ZR_EXIT_USAGE;
}

/* 0, -1 after --help (printed), or ZR_EXIT_USAGE after the one-line error. */
static int parse_args(struct replay *rp, int argc, char **argv)
{
	int stop = 0, first, rc;
	const struct opt own[] = {
		{ "until", OPT_LONG_ONLY, OPT_TEXT, &rp->until_arg, NULL, NULL, 0, NULL },
		{ "at", OPT_LONG_ONLY + 1, OPT_TEXT, &rp->at_arg, NULL, NULL, 0, NULL },
		{ "help", 'h', OPT_STOP, &stop, NULL, NULL, 0, NULL },
	};
	static const struct opts_conf conf = { "try: zreaper replay --help", false, true, false };
	struct opt rows[TRACE_OPTS_ROWS + sizeof(own) / sizeof(own[0])];
	size_t n;

	trace_opts_init(&rp->o);
	n = trace_opts_rows(&rp->o, false, rows);
	memcpy(rows + n, own, sizeof(own));
	n += sizeof(own) / sizeof(own[0]);
	rc = cmd_options(rows, n, &conf, argc, argv, usage, &first);
	if (rc >= 0)
		return rc == ZR_EXIT_OK ? -1 : rc;
	if (first >= argc) {
		zr_err("replay: missing FILE (try: zreaper replay --help)");
		return ZR_EXIT_USAGE;
	}
	rp->path = argv[first];
	if (first + 1 < argc) {
		zr_err("unexpected argument '%s'", cli_q(argv[first + 1]));
		return ZR_EXIT_USAGE;
	}
	return check_combination(rp);
}

static int show_tree(struct replay *rp)
{
	struct proctab_src v;
	struct procsrc src = proctab_src_open(&v, pipeline_table(&rp->p));
	uint32_t root = rp->o.f.n_pids ? rp->o.f.pids[0] : 0;
	int rc =
	    tree_show(&src, root, rp->st.until_ns ? rp->st.until_ns : rp->st.last_ns, rp->o.json);

	proctab_src_close(&v);
	if (fflush(stdout) && rc == ZR_EXIT_OK)
		rc = ZR_EXIT_RUNTIME;
	return rc;
}

static int open_input(struct replay *rp, int *fd)
{
	char why[512];

	if (!strcmp(rp->path, "-")) {
		*fd = STDIN_FILENO;
	} else {
		*fd = open(rp->path, O_RDONLY | O_CLOEXEC);
		if (*fd < 0) {
			zr_err("cannot open %s: %s", cli_q(rp->path), strerror(errno));
			return -1;
		}
	}
	rp->r = record_reader_open(*fd, &rp->meta, why, sizeof(why));
	if (!rp->r) {
		zr_err("%s: %s", cli_q(rp->path), why);
		return -1;
	}
	return 0;
}

/* The lines on stdout (none when drawing the tree), and the summary when asked. */
static void add_outputs(struct replay *rp)
{
	struct output_lines_conf lc = {
		.json = rp->o.json,
		.color = !rp->o.json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
		.f = stdout,
		.boot_to_real_ns = rp->meta.boot_to_real_ns,
		.info = pipeline_run_info(&rp->p),
	};

	if (!rp->show_tree) {
		output_lines_init(&rp->lines, &lc);
		pipeline_add_output(&rp->p, &rp->lines.out);
	}
	if (rp->o.want_summary) {
		output_summary_init(&rp->sum);
		pipeline_add_output(&rp->p, &rp->sum.out);
	}
}

static int run(struct replay *rp)
{
	struct pipeline_conf pc = { 0 };
	int end;

	journal_reader_init(&rp->jr, rp->r);
	rp->src = journal_replay_src(&rp->jr);
	if (rp->until_arg &&
	    parse_time(rp->until_arg, &rp->meta, &rp->st.until_ns, &rp->st.after_ns)) {
		zr_err("--until: '%s' is not a time (RFC 3339 UTC, or +DURATION)",
		       cli_q(rp->until_arg));
		return ZR_EXIT_USAGE;
	}
	if (rp->at_arg && parse_time(rp->at_arg, &rp->meta, &rp->st.until_ns, &rp->st.after_ns)) {
		zr_err("--at: '%s' is not a time (RFC 3339 UTC, or +DURATION)", cli_q(rp->at_arg));
		return ZR_EXIT_USAGE;
	}
	replay_conf(&pc, &rp->meta, &rp->src);
	if (rp->o.has_zombie_after)
		pc.zombie_after_ns = rp->o.zombie_after_ns;
	if (rp->show_tree)
		rp->o.f.tree = false; /* --tree draws here; it is no filter */
	if (pipeline_init(&rp->p, &rp->o.f, &pc)) {
		zr_err("out of memory");
		return ZR_EXIT_RUNTIME;
	}
	add_outputs(rp);
	signal(SIGPIPE, SIG_IGN); /* a reader gone shows as EPIPE */
	end = replay_feed(&rp->p, &rp->jr, &rp->st);
	if (rp->show_tree && end < 0) {
		zr_err("%s: %s", cli_q(rp->path), rp->jr.why);
		return ZR_EXIT_RUNTIME;
	}
	if (rp->show_tree)
		return show_tree(rp);
	replay_finish(&rp->p, &rp->st, end);
	pipeline_flush(&rp->p);
	if (rp->jr.mismatches && rp->st.continued)
		zr_warn(
		    "%s continues a rotated recording: what came before it is in the older "
		    "file, so lives that span the two may replay differently (%lu /proc answers "
		    "unused)",
		    cli_q(rp->path), rp->jr.mismatches);
	else if (rp->jr.mismatches)
		zr_warn("%lu /proc answers in %s did not match the replay (a recording made by "
			"another version?)",
			rp->jr.mismatches, cli_q(rp->path));
	if (end < 0) {
		zr_err("%s: %s", cli_q(rp->path), rp->jr.why);
		return ZR_EXIT_RUNTIME;
	}
	if (pipeline_error(&rp->p) && pipeline_error(&rp->p) != -EPIPE) {
		zr_err("writing events: %s", strerror(-pipeline_error(&rp->p)));
		return ZR_EXIT_RUNTIME;
	}
	if (end == 0 && !rp->st.until_ns && !rp->st.after_ns && !pipeline_error(&rp->p))
		zr_warn("%s ends without the recorder's end mark: the recording was cut (the "
			"recorder was killed?); replayed up to the cut",
			cli_q(rp->path));
	return ZR_EXIT_OK;
}

int cmd_replay(int argc, char **argv)
{
	struct replay rp = { 0 };
	int rc, fd = -1;

	rc = parse_args(&rp, argc, argv);
	if (rc)
		return rc < 0 ? ZR_EXIT_OK : rc;
	if (open_input(&rp, &fd)) {
		rc = ZR_EXIT_RUNTIME;
		goto out;
	}
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	rc = run(&rp);
out:
	pipeline_free(&rp.p);
	record_reader_close(rp.r);
	if (fd > STDIN_FILENO)
		close(fd);
	return rc;
}
