/* commands.h - the command table main.c dispatches from: every command in the full build
 * (commands.c), `run` alone in the init-only static build for images (commands_init.c).
 */
#ifndef ZR_COMMANDS_H
#define ZR_COMMANDS_H

#include <stddef.h>

struct zr_command {
	const char *name;
	const char *summary; /* one line for `zreaper --help` */
	int (*fn)(int argc, char **argv);
};

extern const struct zr_command zr_commands[];
extern const size_t zr_commands_len;
/* Said after the version: "" for the full build, " (init only)" for the image build. */
extern const char zr_build_flavour[];

#endif /* ZR_COMMANDS_H */
