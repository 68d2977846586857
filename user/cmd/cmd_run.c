/* cmd_run.c - `zreaper run [options] -- CMD [ARG...]` and tini mode (tini's command line, as
 * runtimes start their init): the help, then the init (initd.c) with the options run_args.c
 * read.
 */
#include <stdio.h>

#include "cmd.h"
#include "initd.h"
#include "run_args.h"
#include "log.h"

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

/* `zreaper run` and tini mode: the same init, two command lines. */
static int run_main(int argc, char **argv, bool is_tini)
{
	struct run_args a;
	char err[256];

	if (run_args_parse(argc, argv, is_tini, &a, err, sizeof(err))) {
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
