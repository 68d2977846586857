/* exit_codes.h - the process exit codes every command and the init share (the README's "Exit
 * status"): 0 ok, 1 a runtime failure, 2 a usage error.
 */
#ifndef ZR_EXIT_CODES_H
#define ZR_EXIT_CODES_H

enum {
	ZR_EXIT_OK = 0,
	ZR_EXIT_RUNTIME = 1,
	ZR_EXIT_USAGE = 2,
};

#endif /* ZR_EXIT_CODES_H */
