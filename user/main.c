/* main.c - global options and the command table; everything else lives in cmd_<name>.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "log.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	/* clang-format off */
	{ "trace", cmd_trace },
	{ "zombies", cmd_zombies },
	{ "tree", cmd_tree },
	{ "run", cmd_run },
	{ "reap", cmd_reap },
	{ "replay", cmd_replay },
	/* clang-format on */
};

static void usage(FILE *f)
{
	fputs("Usage: zreaper COMMAND [OPTIONS]\n"
	      "\n"
	      "Watches every process's life and death from the kernel.\n"
	      "\n"
	      "Commands:\n"
	      "  trace     stream fork, exec, exit, wait, reap and signal events (root)\n"
	      "  zombies   list the zombies that exist now, with the reason (exit 1 if any)\n"
	      "  tree      the process tree now, with states, zombies, orphans, subreapers\n"
	      "  run       run a command under a small init: signals forwarded, orphans reaped\n"
	      "  reap      clean up zombies of live parents under a policy: nudge, inject, kill\n"
	      "  replay    feed a recording (trace --record) through trace's outputs again\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help     this text; `zreaper COMMAND --help` for a command's options\n"
	      "  -V, --version  print the version\n"
	      "\n"
	      "Under any other name (tini, docker-init, /run/podman-init), or with `--` or a\n"
	      "tini option first, zreaper is `run` with tini's command line.\n",
	      f);
}

int main(int argc, char **argv)
{
	char quoted[80];
	size_t i;

	/* A runtime's init (docker-init, podman-init, a copy named tini) or tini's command line
	 * under our own name: take it as is. */
	if (cmd_run_is_tini(argc, argv))
		return cmd_tini(argc, argv);
	if (argc < 2) {
		zr_err("missing command (try: zreaper --help)");
		return ZR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return log_finish_stdout(ZR_EXIT_OK, ZR_EXIT_RUNTIME);
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("zreaper %s\n", ZR_VERSION);
		return log_finish_stdout(ZR_EXIT_OK, ZR_EXIT_RUNTIME);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	zr_err("unknown command '%s' (try: zreaper --help)",
	       cli_printable(argv[1], quoted, sizeof(quoted)));
	return ZR_EXIT_USAGE;
}
