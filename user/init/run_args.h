/* run_args.h - `zreaper run`'s command line and tini's, read into the init's options
 * (run_args.c). Pure but for getopt's globals and getenv, so the unit tests drive it.
 */
#ifndef ZR_RUN_ARGS_H
#define ZR_RUN_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "initd.h"

/* cmd_run.c's parser, here so the unit tests reach it. */
struct run_args {
	struct initd_opts o;
	int verbosity;	   /* 0 errors only, 1 warnings (default), 2 info, 3 debug */
	int cmd_index;	   /* argv[cmd_index] is CMD */
	bool want_help;	   /* -h: print the help, exit 0 */
	bool want_version; /* --version (tini mode) */
	bool want_license; /* -l (tini mode) */
};

/* Parses the environment twins, then argv (argv[0] is "run", or the program name in tini mode,
 * where only tini's own flags exist). Options end at "--" or the first non-option. Pure but
 * for getopt's globals: never prints. Returns 0, or -EINVAL with one sentence in err. */
int run_args_parse(int argc, char **argv, bool is_tini, struct run_args *a, char *err,
		   size_t errlen);

/* Is this tini's command line rather than zreaper's? Yes under any name that does not start with
 * "zreaper" (docker-init, /run/podman-init, tini, init), and when the first argument is "--" or
 * one of tini's options (-s -g -p -e -v -w -l; -h stays zreaper's help). */
bool run_args_is_tini(int argc, char *const *argv);

#endif /* ZR_RUN_ARGS_H */
