/* run_args.c - `zreaper run`'s command line and tini's: which of the two a command line is,
 * the options (a table of opts rows) and their environment twins. Pure but for getopt's
 * globals and getenv: nothing here prints, so the unit tests drive it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "exit_codes.h"
#include "initd.h"
#include "opts.h"
#include "run_args.h"
#include "status.h"

/* tini's short options (getopt letters) besides -h, which is zreaper's own help as well. */
#define TINI_OPTION_LETTERS "sgpevwl"

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ZREAPER_* booleans: 1/true/yes/on, 0/false/no/off or empty. Unset leaves *out alone. */
static int env_bool(const char *name, bool *out, char *err, size_t len)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "", "0", "false", "no", "off" };
	const char *v = getenv(name);
	char q[64];
	size_t i;

	if (!v)
		return 0;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	return fail(err, len, "%s: '%s' is not a boolean (use 1 or 0)", name,
		    cli_printable(v, q, sizeof(q)));
}

/* A verbosity 0..3 (more is clamped to 3, tini accepts up to its own maximum too). */
static int parse_verbosity(const char *name, const char *v, int *out, char *err, size_t len)
{
	char *end, q[64];
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 0)
		return fail(err, len, "%s: '%s' is not a verbosity (0 to 3)", name,
			    cli_printable(v, q, sizeof(q)));
	*out = n > 3 ? 3 : (int)n;
	return 0;
}

static int parse_signal(const char *name, const char *v, int *out, char *err, size_t len)
{
	char q[64];
	int sig = status_signal_parse(v);

	if (sig <= 0 || sig >= 65)
		return fail(err, len, "%s: '%s' is not a signal", name,
			    cli_printable(v, q, sizeof(q)));
	*out = sig;
	return 0;
}

static int parse_env(struct run_args *a, char *err, size_t len)
{
	const char *v;
	char q[64];
	int rc = 0;

	/* tini's variables count when set at all, whatever the value (as in tini). */
	if (getenv("TINI_SUBREAPER"))
		a->o.is_subreaper = true;
	if (getenv("TINI_KILL_PROCESS_GROUP"))
		a->o.is_group = true;
	v = getenv("TINI_VERBOSITY");
	if (v)
		rc = parse_verbosity("TINI_VERBOSITY", v, &a->verbosity, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_SUBREAPER", &a->o.is_subreaper, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_GROUP", &a->o.is_group, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_NO_KILL", &a->o.is_no_kill, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_LOG_REAPS", &a->o.is_log_reaps, err, len);
	if (!rc)
		rc = env_bool("ZREAPER_JSON", &a->o.is_json, err, len);
	if (rc)
		return rc;
	v = getenv("ZREAPER_VERBOSITY");
	if (v && parse_verbosity("ZREAPER_VERBOSITY", v, &a->verbosity, err, len))
		return -EINVAL;
	v = getenv("ZREAPER_PDEATHSIG");
	if (v && *v && parse_signal("ZREAPER_PDEATHSIG", v, &a->o.pdeathsig, err, len))
		return -EINVAL;
	v = getenv("ZREAPER_REMAP_EXIT");
	if (v && *v && initd_remap_parse(&a->o, v))
		return fail(err, len, "ZREAPER_REMAP_EXIT: '%s' is not a list of exit codes 0..255",
			    cli_printable(v, q, sizeof(q)));
	v = getenv("ZREAPER_GRACE");
	if (v && *v && cli_parse_duration(v, &a->o.grace_ns))
		return fail(err, len, "ZREAPER_GRACE: '%s' is not a positive duration (e.g. 5s)",
			    cli_printable(v, q, sizeof(q)));
	return 0;
}

bool run_args_is_tini(int argc, char *const *argv)
{
	const char *base, *first;

	if (argc < 1 || !argv[0])
		return false;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	/* docker-init, /run/podman-init, tini, init: a runtime's name for its init */
	if (strncmp(base, "zreaper", 7) != 0)
		return true;
	if (argc < 2)
		return false;
	/* "zreaper -- CMD" or "zreaper -s CMD": tini's command line under our own name. -h stays
	 * zreaper's help, as --version stays zreaper's version. */
	first = argv[1];
	return !strcmp(first, "--") ||
	       (first[0] == '-' && first[1] && strchr(TINI_OPTION_LETTERS, first[1]));
}

/* -p SIG: OPT_CALL. */
static int take_pdeathsig(void *dst, int key, const char *value, char *err, size_t len)
{
	(void)key;
	return parse_signal("-p", value, dst, err, len) ? -1 : 0;
}

/* -e CODE: OPT_CALL, one exit code mapped to 0 per use. */
static int take_remap(void *dst, int key, const char *value, char *err, size_t len)
{
	char *end;
	long code;

	(void)key;
	errno = 0;
	code = strtol(value, &end, 10);
	if (!*value || *end || errno || initd_remap_add(dst, code)) {
		opts_bad_value("-e", "'%s' is not an exit code (0 to 255)", value, err, len);
		return -1;
	}
	return 0;
}

enum { K_GRACE = OPT_LONG_ONLY, K_NO_KILL, K_LOG_REAPS, K_JSON };

int run_args_parse(int argc, char **argv, bool is_tini, struct run_args *a, char *err,
		   size_t errlen)
{
	int stop = 0, first;
	/* tini's -l comes last: it exists in tini mode only. Long names: zreaper mode only. */
	const struct opt rows[] = {
		{ "subreaper", 's', OPT_FLAG, &a->o.is_subreaper, NULL, NULL, 0, NULL },
		{ "group", 'g', OPT_FLAG, &a->o.is_group, NULL, NULL, 0, NULL },
		{ "pdeathsig", 'p', OPT_CALL, &a->o.pdeathsig, NULL, NULL, 0, take_pdeathsig },
		{ "remap-exit", 'e', OPT_CALL, &a->o, NULL, NULL, 0, take_remap },
		{ "verbose", 'v', OPT_COUNT, &a->verbosity, NULL, NULL, 3, NULL },
		{ "warn-on-reap", 'w', OPT_FLAG, &a->o.is_log_reaps, NULL, NULL, 0, NULL },
		{ "log-reaps", K_LOG_REAPS, OPT_FLAG, &a->o.is_log_reaps, NULL, NULL, 0, NULL },
		{ "json", K_JSON, OPT_FLAG, &a->o.is_json, NULL, NULL, 0, NULL },
		{ "grace", K_GRACE, OPT_DURATION, &a->o.grace_ns,
		  "'%s' is not a positive duration (e.g. 500ms, 5s, 1m)", NULL, 0, NULL },
		{ "no-kill", K_NO_KILL, OPT_FLAG, &a->o.is_no_kill, NULL, NULL, 0, NULL },
		{ "help", 'h', OPT_STOP, &stop, NULL, NULL, 0, NULL },
		{ NULL, 'l', OPT_STOP, &stop, NULL, NULL, 0, NULL },
	};
	/* Options end at the first operand, so CMD's own flags are left to CMD. */
	const struct opts_conf conf = { is_tini ? "try: tini -h" : "try: zreaper run --help", true,
					true, is_tini };
	size_t n = sizeof(rows) / sizeof(rows[0]) - (is_tini ? 0 : 1);

	memset(a, 0, sizeof(*a));
	initd_opts_init(&a->o);
	a->o.is_tini = is_tini;
	a->verbosity = 1;
	if (parse_env(a, err, errlen))
		return -EINVAL;
	if (is_tini && argc > 1 && !strcmp(argv[1], "--version")) {
		a->want_version = true;
		return 0;
	}
	first = opts_parse(rows, n, &conf, argc, argv, err, errlen);
	if (first < 0)
		return -EINVAL;
	a->want_help = stop == 'h';
	a->want_license = stop == 'l';
	if (stop)
		return 0;
	if (first >= argc)
		return fail(err, errlen, "missing command (usage: %s)",
			    is_tini ? "tini [OPTIONS] PROGRAM [-- ARGS]"
				    : "zreaper run [OPTIONS] -- CMD [ARG...]");
	a->cmd_index = first;
	return 0;
}
