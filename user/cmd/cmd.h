/* cmd.h - the subcommands main.c dispatches to; each returns the process exit code. */
#ifndef ZR_CMD_H
#define ZR_CMD_H

#include <stdbool.h>

#include "exit_codes.h"

int cmd_trace(int argc, char **argv);
int cmd_zombies(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_run(int argc, char **argv);
/* `run` with tini's command line (argv[0] is the program's name). */
int cmd_tini(int argc, char **argv);
int cmd_reap(int argc, char **argv);
int cmd_replay(int argc, char **argv);

#endif /* ZR_CMD_H */
