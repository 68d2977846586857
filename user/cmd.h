/* cmd.h - the subcommands main.c dispatches to; each returns the process exit code. */
#ifndef ZR_CMD_H
#define ZR_CMD_H

/* Exit codes shared by the commands (DESIGN.md). */
enum {
	ZR_EXIT_OK = 0,
	ZR_EXIT_RUNTIME = 1,
	ZR_EXIT_USAGE = 2,
};

int cmd_trace(int argc, char **argv);
int cmd_zombies(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_reap(int argc, char **argv);
int cmd_replay(int argc, char **argv);

#endif /* ZR_CMD_H */
