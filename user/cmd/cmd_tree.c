/* cmd_tree.c - `zreaper tree`: the process tree now, from procfs, with each process's state,
 * zombies, adopted orphans (and who adopted them), subreapers and thread counts. Parses the
 * options and hands the live /proc to tree_show() (tree_show.c), which `replay --tree --at`
 * gives the recorded table instead.
 */
#include <stdio.h>

#include "cli.h"
#include "cmd.h"
#include "cmd_common.h"
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
	struct procsrc live;
	uint32_t root_pid = 0;
	bool json = false;
	int stop = 0, first, rc;
	const struct opt rows[] = {
		{ "pid", 'p', OPT_PID, &root_pid, "'%s' is not a pid", "-p", 0, NULL },
		{ "json", OPT_LONG_ONLY, OPT_FLAG, &json, NULL, NULL, 0, NULL },
		{ "help", 'h', OPT_STOP, &stop, NULL, NULL, 0, NULL },
	};
	static const struct opts_conf conf = { "try: zreaper tree --help", false, false, false };

	rc = cmd_options(rows, sizeof(rows) / sizeof(rows[0]), &conf, argc, argv, usage, &first);
	if (rc >= 0)
		return rc;
	live = procsrc_live(NULL);
	rc = tree_show(&live, root_pid, procfs_now_ns(), json);
	if (fflush(stdout) && rc == ZR_EXIT_OK)
		rc = ZR_EXIT_RUNTIME;
	return rc;
}
