/* cmd_common.h - what every command does with its command line once opts.c has read it: the
 * one-line usage error (exit 2) or the help on stdout (exit 0).
 */
#ifndef ZR_CMD_COMMON_H
#define ZR_CMD_COMMON_H

#include <stdio.h>

#include "opts.h"

/* opts_parse, then: a usage error printed on stderr (returns ZR_EXIT_USAGE), or an OPT_STOP
 * row met (--help: usage(stdout), returns ZR_EXIT_OK), or -1 to go on with *first set to the
 * first operand's index. */
int cmd_options(const struct opt *rows, size_t n, const struct opts_conf *c, int argc, char **argv,
		void (*usage)(FILE *), int *first);

#endif /* ZR_CMD_COMMON_H */
