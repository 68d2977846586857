/* commands_init.c - the init-only build's command table (make static: build/zreaper-init):
 * `run` and, through main.c, the tini personality; nothing that links libbpf, libelf or zlib.
 */
#include "cmd.h"
#include "commands.h"

const struct zr_command zr_commands[] = {
	/* clang-format off */
	{ "run", "run a command under a small init: signals forwarded, orphans reaped", cmd_run },
	/* clang-format on */
};

const size_t zr_commands_len = sizeof(zr_commands) / sizeof(zr_commands[0]);
const char zr_build_flavour[] = " (init only)";
