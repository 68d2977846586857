/* commands.c - the full build's command table: every command, BPF ones included. */
#include "cmd.h"
#include "commands.h"

const struct zr_command zr_commands[] = {
	/* clang-format off */
	{ "trace", "stream fork, exec, exit, wait, reap and signal events (root)", cmd_trace },
	{ "zombies", "list the zombies that exist now, with the reason (exit 1 if any)", cmd_zombies },
	{ "tree", "the process tree now, with states, zombies, orphans, subreapers", cmd_tree },
	{ "run", "run a command under a small init: signals forwarded, orphans reaped", cmd_run },
	{ "reap", "clean up zombies of live parents under a policy: nudge, inject, kill", cmd_reap },
	{ "replay", "feed a recording (trace --record) through trace's outputs again", cmd_replay },
	/* clang-format on */
};

const size_t zr_commands_len = sizeof(zr_commands) / sizeof(zr_commands[0]);
const char zr_build_flavour[] = "";
