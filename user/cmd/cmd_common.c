/* cmd_common.c - the commands' shared handling of a command line (cmd_common.h). */
#include "cmd_common.h"
#include "cmd.h"
#include "log.h"

int cmd_options(const struct opt *rows, size_t n, const struct opts_conf *c, int argc, char **argv,
		void (*usage)(FILE *), int *first)
{
	char err[1200];
	size_t i;

	*first = opts_parse(rows, n, c, argc, argv, err, sizeof(err));
	if (*first < 0) {
		zr_err("%s", err);
		return ZR_EXIT_USAGE;
	}
	for (i = 0; i < n; i++)
		if (rows[i].kind == OPT_STOP && *(const int *)rows[i].dst) {
			usage(stdout);
			return ZR_EXIT_OK;
		}
	return -1;
}
