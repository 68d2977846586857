/* cli.h - parsing of command-line values: durations, pids, uids. Pure functions: they never
 * print or exit; the command prints the one-line usage error.
 */
#ifndef ZR_CLI_H
#define ZR_CLI_H

#include <stddef.h>
#include <stdint.h>

/* "500ms", "5s", "2m", "1h", "1.5s"; a bare number is seconds. Must be > 0.
 * Returns 0 or -EINVAL. */
int cli_parse_duration(const char *s, uint64_t *ns);

/* An age threshold (--older-than): a duration as above, or zero ("0", "0s"...): any age. */
int cli_parse_age(const char *s, uint64_t *ns);

/* A positive decimal pid that fits pid_t. Returns 0 or -EINVAL. */
int cli_parse_pid(const char *s, uint32_t *pid);

/* A number or a user name. Returns 0, -EINVAL (malformed) or -ENOENT (no such user). */
int cli_parse_uid(const char *s, uint32_t *uid);

/* s made safe for a terminal (escaped, cut to fit buf), for quoting bad values in errors. */
const char *cli_printable(const char *s, char *buf, size_t len);

/* The same into a buffer of its own: one value per message (the next call reuses it). */
const char *cli_q(const char *s);

/* The one-line message for a getopt_long failure: c is ':' (missing value) or anything else
 * (unknown option, named from optopt or argv[optind - 1]); hint is added in parentheses. */
void cli_option_error(int c, char **argv, const char *hint, char *buf, size_t len);

#endif /* ZR_CLI_H */
