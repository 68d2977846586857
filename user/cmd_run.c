/* cmd_run.c - `zreaper run [options] -- CMD [ARG...]` and tini mode (tini's command line, as
 * runtimes start their init): which of the two a command line is, the options and their
 * environment twins; the init itself is initd.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "initd.h"
#include "log.h"
#include "status.h"

/* tini's short options (getopt letters) besides -h, which is zreaper's own help as well. */
#define TINI_OPTION_LETTERS "sgpevwl"

enum {
	OPT_GRACE = 256,
	OPT_NO_KILL,
	OPT_LOG_REAPS,
	OPT_JSON,
};

static void usage(FILE *f, bool is_tini)
{
	if (is_tini) {
		fputs(
		    "Usage: tini [OPTIONS] PROGRAM [-- ARGS] | --version\n"
		    "\n"
		    "zreaper run with tini's command line and zreaper's init. So it starts under\n"
		    "any name but zreaper* (tini, docker-init, /run/podman-init: podman run\n"
		    "--init --init-path zreaper), and as zreaper with -- or a tini option first.\n"
		    "\n"
		    "  -s          register as a child subreaper: needed when not PID 1, as with\n"
		    "              tini (zreaper run does it by itself)\n"
		    "  -g          send signals to the child's process group\n"
		    "  -p SIGNAL   signal to get when the parent dies, e.g. -p SIGKILL\n"
		    "  -e CODE     exit 0 when the child exits with CODE (repeatable)\n"
		    "  -v          more output (repeatable, up to 3)\n"
		    "  -w          a warning line for each orphan reaped\n"
		    "  -l          licence, -h this help, --version the version\n"
		    "\n"
		    "Environment: TINI_SUBREAPER, TINI_KILL_PROCESS_GROUP, TINI_VERBOSITY and the\n"
		    "ZREAPER_* variables of `zreaper run --help`.\n",
		    f);
		return;
	}
	fputs(
	    "Usage: zreaper run [OPTIONS] [--] CMD [ARG...]\n"
	    "\n"
	    "Runs CMD as the child of a tiny init: every signal is forwarded to it, every orphan\n"
	    "is reaped, and zreaper exits with CMD's status (128+N when signal N killed it).\n"
	    "Not PID 1, it becomes a child subreaper so its descendants' orphans come to it.\n"
	    "No BPF, no root.\n"
	    "\n"
	    "Options (environment twin in brackets):\n"
	    "  -s, --subreaper      be a child subreaper also as PID 1  [ZREAPER_SUBREAPER=1]\n"
	    "  -g, --group          forward signals to CMD's whole process group  "
	    "[ZREAPER_GROUP=1]\n"
	    "  -p, --pdeathsig SIG  signal zreaper gets when its parent dies  [ZREAPER_PDEATHSIG]\n"
	    "  -e, --remap-exit N   exit 0 when CMD's status is N, 0..255 (repeatable)\n"
	    "                       [ZREAPER_REMAP_EXIT=143,130]\n"
	    "  -v, --verbose        more output: -v info (reaps too), -vv debug\n"
	    "                       [ZREAPER_VERBOSITY=0..3]\n"
	    "  -w, --warn-on-reap   same as --log-reaps (tini's -w)\n"
	    "      --log-reaps      one line per reaped orphan on stderr  [ZREAPER_LOG_REAPS=1]\n"
	    "      --json           those lines as JSON  [ZREAPER_JSON=1]\n"
	    "      --grace D        after CMD exits, descendants left get SIGTERM, then SIGKILL\n"
	    "                       after D (default 5s)  [ZREAPER_GRACE]\n"
	    "      --no-kill        leave them running instead  [ZREAPER_NO_KILL=1]\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "tini's TINI_SUBREAPER, TINI_KILL_PROCESS_GROUP and TINI_VERBOSITY are honoured; a\n"
	    "flag wins over its variable. Exit: CMD's status, 126/127 when CMD cannot be run, 2 "
	    "for\n"
	    "a usage error, 1 when the init itself fails.\n",
	    f);
}

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ZREAPER_* booleans: 1/true/yes/on, 0/false/no/off or empty. Unset leaves *out alone. */
static int env_bool(const char *name, bool *out, char *err, size_t len)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "", "0", "false", "no", "off" };
	const char *v = getenv(name);
	char q[64];
	size_t i;

	if (!v)
		return 0;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	return fail(err, len, "%s: '%s' is not a boolean (use 1 or 0)", name,
		    cli_printable(v, q, sizeof(q)));
}

/* A verbosity 0..3 (more is clamped to 3, tini accepts up to its own maximum too). */
static int parse_verbosity(const char *name, const char *v, int *out, char *err, size_t len)
{
	char *end, q[64];
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 0)
		return fail(err, len, "%s: '%s' is not a verbosity (0 to 3)", name,
			    cli_printable(v, q, sizeof(q)));
	*out = n > 3 ? 3 : (int)n;
	return 0;
}

static int parse_signal(const char *name, const char *v, int *out, char *err, size_t len)
{
	char q[64];
	int sig = status_signal_parse(v);

	if (sig <= 0 || sig >= 65)
		return fail(err, len, "%s: '%s' is not a signal", name,
			    cli_printable(v, q, sizeof(q)));
	*out = sig;
	return 0;
}

static int parse_env(struct run_args *a, char *err, size_t len)
{
	const char *v;
	char q[64];
	int rc = 0;

	/* tini's variables count when set at all, whatever the value (as in tini). */
	if (getenv("TINI_SUBREAPER"))
		a->o.is_subreaper = true;
	if (getenv("TINI_KILL_PROCESS_GROUP"))
		a->o.is_group = true;
	v = getenv("TINI_VERBOSITY");
	if (v)
		rc = parse_verbosity("TINI_VERBOSITY", v, &a->verbosity, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_SUBREAPER", &a->o.is_subreaper, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_GROUP", &a->o.is_group, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_NO_KILL", &a->o.is_no_kill, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_LOG_REAPS", &a->o.is_log_reaps, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_JSON", &a->o.is_json, err, len);
	if (rc)
		return rc;
	v = getenv("ZREAPER_VERBOSITY");
	if (v && parse_verbosity("ZREAPER_VERBOSITY", v, &a->verbosity, err, len))
		return -EINVAL;
	v = getenv("ZREAPER_PDEATHSIG");
	if (v && *v && parse_signal("ZREAPER_PDEATHSIG", v, &a->o.pdeathsig, err, len))
		return -EINVAL;
	v = getenv("ZREAPER_REMAP_EXIT");
	if (v && *v && initd_remap_parse(&a->o, v))
		return fail(err, len, "ZREAPER_REMAP_EXIT: '%s' is not a list of exit codes 0..255",
			    cli_printable(v, q, sizeof(q)));
	v = getenv("ZREAPER_GRACE");
	if (v && *v && cli_parse_duration(v, &a->o.grace_ns))
		return fail(err, len, "ZREAPER_GRACE: '%s' is not a positive duration (e.g. 5s)",
			    cli_printable(v, q, sizeof(q)));
	return 0;
}

bool cmd_run_is_tini(int argc, char *const *argv)
{
	const char *base, *first;

	if (argc < 1 || !argv[0])
		return false;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	/* docker-init, /run/podman-init, tini, init: a runtime's name for its init */
	if (strncmp(base, "zreaper", 7) != 0)
		return true;
	if (argc < 2)
		return false;
	/* "zreaper -- CMD" or "zreaper -s CMD": tini's command line under our own name. -h stays
	 * zreaper's help, as --version stays zreaper's version. */
	first = argv[1];
	return !strcmp(first, "--") ||
	       (first[0] == '-' && first[1] && strchr(TINI_OPTION_LETTERS, first[1]));
}

int cmd_run_parse(int argc, char **argv, bool is_tini, struct run_args *a, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "subreaper", no_argument, NULL, 's' },
		{ "group", no_argument, NULL, 'g' },
		{ "pdeathsig", required_argument, NULL, 'p' },
		{ "remap-exit", required_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "warn-on-reap", no_argument, NULL, 'w' },
		{ "log-reaps", no_argument, NULL, OPT_LOG_REAPS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "grace", required_argument, NULL, OPT_GRACE },
		{ "no-kill", no_argument, NULL, OPT_NO_KILL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option no_longopts[] = { { NULL, 0, NULL, 0 } };
	const char *hint = is_tini ? "try: tini -h" : "try: zreaper run --help";
	char q[80];
	char *end;
	long code;
	int c;

	memset(a, 0, sizeof(*a));
	initd_opts_init(&a->o);
	a->o.is_tini = is_tini;
	a->verbosity = 1;
	if (parse_env(a, err, errlen))
		return -EINVAL;
	if (is_tini && argc > 1 && !strcmp(argv[1], "--version")) {
		a->want_version = true;
		return 0;
	}
	opterr = 0;
	optind = 0; /* a full reset: "+" is remembered across calls otherwise */
	/* "+": options end at the first non-option, so CMD's own flags are left to CMD. */
	while ((c = getopt_long(argc, argv, is_tini ? "+:hsgp:e:vwl" : "+:hsgp:e:vw",
				is_tini ? no_longopts : longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->o.is_subreaper = true;
			break;
		case 'g':
			a->o.is_group = true;
			break;
		case 'p':
			if (parse_signal("-p", optarg, &a->o.pdeathsig, err, errlen))
				return -EINVAL;
			break;
		case 'e':
			errno = 0;
			code = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || initd_remap_add(&a->o, code))
				return fail(err, errlen, "-e: '%s' is not an exit code (0 to 255)",
					    cli_printable(optarg, q, sizeof(q)));
			break;
		case 'v':
			if (a->verbosity < 3)
				a->verbosity++;
			break;
		case 'w':
		case OPT_LOG_REAPS:
			a->o.is_log_reaps = true;
			break;
		case OPT_JSON:
			a->o.is_json = true;
			break;
		case OPT_GRACE:
			if (cli_parse_duration(optarg, &a->o.grace_ns))
				return fail(err, errlen,
					    "--grace: '%s' is not a positive duration (e.g. 500ms, "
					    "5s, 1m)",
					    cli_printable(optarg, q, sizeof(q)));
			break;
		case OPT_NO_KILL:
			a->o.is_no_kill = true;
			break;
		case 'h':
			a->want_help = true;
			return 0;
		case 'l':
			a->want_license = true;
			return 0;
		default:
			cli_option_error(c, argv, hint, err, errlen);
			return -EINVAL;
		}
	}
	if (optind >= argc)
		return fail(err, errlen, "missing command (usage: %s)",
			    is_tini ? "tini [OPTIONS] PROGRAM [-- ARGS]"
				    : "zreaper run [OPTIONS] -- CMD [ARG...]");
	a->cmd_index = optind;
	return 0;
}

/* `zreaper run` and tini mode: the same init, two command lines. */
static int run_main(int argc, char **argv, bool is_tini)
{
	struct run_args a;
	char err[256];

	if (cmd_run_parse(argc, argv, is_tini, &a, err, sizeof(err))) {
		zr_err("%s%s", is_tini ? "" : "run: ", err);
		return ZR_EXIT_USAGE;
	}
	if (a.want_help) {
		usage(stdout, is_tini);
		return ZR_EXIT_OK;
	}
	if (a.want_version) {
		printf("zreaper %s (tini-compatible mode)\n", ZR_VERSION);
		return ZR_EXIT_OK;
	}
	if (a.want_license) {
		printf("zreaper %s: see the LICENSE file of the zreaper sources\n", ZR_VERSION);
		return ZR_EXIT_OK;
	}
	log_verbosity = LOG_ERROR + a.verbosity;
	return initd_run(&a.o, argv + a.cmd_index);
}

int cmd_run(int argc, char **argv)
{
	return run_main(argc, argv, false);
}

int cmd_tini(int argc, char **argv)
{
	return run_main(argc, argv, true);
}
