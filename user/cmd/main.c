/* main.c - global options and dispatch through the command table (commands.h); everything else
 * lives in cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "commands.h"
#include "log.h"
#include "run_args.h"

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: zreaper COMMAND [OPTIONS]\n"
		"\n"
		"Watches every process's life and death from the kernel.\n"
		"\n"
		"Commands%s:\n",
		zr_build_flavour);
	for (i = 0; i < zr_commands_len; i++)
		fprintf(f, "  %-9s %s\n", zr_commands[i].name, zr_commands[i].summary);
	fputs("\n"
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
	if (run_args_is_tini(argc, argv))
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
		printf("zreaper %s%s\n", ZR_VERSION, zr_build_flavour);
		return log_finish_stdout(ZR_EXIT_OK, ZR_EXIT_RUNTIME);
	}
	for (i = 0; i < zr_commands_len; i++)
		if (!strcmp(argv[1], zr_commands[i].name))
			return zr_commands[i].fn(argc - 1, argv + 1);
	zr_err("unknown command '%s' (try: zreaper --help)",
	       cli_printable(argv[1], quoted, sizeof(quoted)));
	return ZR_EXIT_USAGE;
}
