/* cmd_tree.c - `zreaper tree`: the process tree now, from procfs, with each process's state,
 * zombies, adopted orphans (and who adopted them), subreapers and thread counts. Parses the
 * options and hands the live /proc to tree_show() (tree_show.c), which `replay --tree --at`
 * gives the recorded table instead.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "cmd.h"
#include "log.h"
#include "procfs.h"
#include "procsrc.h"
#include "tree_show.h"

static void usage(FILE *f)
{
	fputs("Usage: zreaper tree [-p PID] [--json]\n"
	      "\n"
	      "Shows the process tree now, from procfs: each process's state (R running,\n"
	      "S sleeping, D disk sleep, T stopped, t traced, Z zombie, I idle...), thread\n"
	      "count, zombies (with their exit status and how long they have been dead, as\n"
	      "`zombies` reads it), orphans with the role of their adopter, and subreapers.\n"
	      "\n"
	      "  -p, --pid PID   only the subtree under PID (exit 1 if it does not exist)\n"
	      "      --json      one JSON object per root: pid ppid comm state state_name\n"
	      "                  threads zombie orphan subreaper children[]; a zombie adds\n"
	      "                  exit_code signal core_dumped zombie_ns zombie_ns_source\n"
	      "  -h, --help      this text\n",
	      f);
}

int cmd_tree(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct procsrc live;
	char quoted[256];
	uint32_t root_pid = 0;
	bool json = false;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cli_parse_pid(optarg, &root_pid)) {
				zr_err("-p: '%s' is not a pid",
				       cli_printable(optarg, quoted, sizeof(quoted)));
				return ZR_EXIT_USAGE;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return ZR_EXIT_OK;
		default:
			cli_option_error(c, argv, "try: zreaper tree --help", quoted,
					 sizeof(quoted));
			zr_err("%s", quoted);
			return ZR_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		zr_err("unexpected argument '%s'",
		       cli_printable(argv[optind], quoted, sizeof(quoted)));
		return ZR_EXIT_USAGE;
	}
	live = procsrc_live(NULL);
	rc = tree_show(&live, root_pid, procfs_now_ns(), json);
	if (fflush(stdout) && rc == ZR_EXIT_OK)
		rc = ZR_EXIT_RUNTIME;
	return rc;
}
