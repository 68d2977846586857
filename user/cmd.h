/* cmd.h - the subcommands main.c dispatches to; each returns the process exit code. */
#ifndef ZR_CMD_H
#define ZR_CMD_H

#include <stdbool.h>

/* Exit codes shared by the commands (the README's "Exit status"). */
enum {
	ZR_EXIT_OK = 0,
	ZR_EXIT_RUNTIME = 1,
	ZR_EXIT_USAGE = 2,
};

int cmd_trace(int argc, char **argv);
int cmd_zombies(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_run(int argc, char **argv);
/* `run` with tini's command line (argv[0] is the program's name). */
int cmd_tini(int argc, char **argv);
/* Is this tini's command line rather than zreaper's? Yes under any name that does not start with
 * "zreaper" (docker-init, /run/podman-init, tini, init), and when the first argument is "--" or
 * one of tini's options (-s -g -p -e -v -w -l; -h stays zreaper's help). */
bool cmd_run_is_tini(int argc, char *const *argv);
int cmd_reap(int argc, char **argv);
int cmd_replay(int argc, char **argv);

#endif /* ZR_CMD_H */
