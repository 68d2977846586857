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
	{ "trace", cmd_trace },
	{ "zombies", cmd_zombies },
	{ "tree", cmd_tree },
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
	      "\n"
	      "Options:\n"
	      "  -h, --help     this text; `zreaper COMMAND --help` for a command's options\n"
	      "  -V, --version  print the version\n",
	      f);
}

int main(int argc, char **argv)
{
	char quoted[80];
	size_t i;

	if (argc < 2) {
		zr_err("missing command (try: zreaper --help)");
		return ZR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return ZR_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("zreaper %s\n", ZR_VERSION);
		return ZR_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	zr_err("unknown command '%s' (try: zreaper --help)",
	       cli_printable(argv[1], quoted, sizeof(quoted)));
	return ZR_EXIT_USAGE;
}
