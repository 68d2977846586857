/* test_initd.c - `zreaper run`'s pure parts: options and environment twins (run_args_parse),
 * exit-status mapping (128+N, -e), exec-failure codes, the reap log line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "initd.h"
#include "initd_int.h"
#include "run_args.h"

static const char *const env_names[] = {
	"TINI_SUBREAPER",    "TINI_KILL_PROCESS_GROUP", "TINI_VERBOSITY",     "ZREAPER_SUBREAPER",
	"ZREAPER_GROUP",     "ZREAPER_NO_KILL",		"ZREAPER_LOG_REAPS",  "ZREAPER_JSON",
	"ZREAPER_VERBOSITY", "ZREAPER_PDEATHSIG",	"ZREAPER_REMAP_EXIT", "ZREAPER_GRACE",
};

static int clear_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		unsetenv(env_names[i]);
	return 0;
}

static bool is_remapped(const struct initd_opts *o, int code)
{
	return o->remap[code / 8] & (1u << (code % 8));
}

/* Fills argv from the NULL-terminated arguments in ap (max - 1 at most); returns their count. */
static int collect_args(char **argv, int max, va_list ap)
{
	int argc = 0;

	while (argc < max - 1 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	argv[argc] = NULL;
	return argc;
}

/* parse(is_tini, a, err, "arg0", ...): run_args_parse over a NULL-terminated list. */
static int parse(bool is_tini, struct run_args *a, char *err, ...)
{
	char *argv[32];
	int argc;
	va_list ap;

	va_start(ap, err);
	argc = collect_args(argv, 32, ap);
	va_end(ap);
	return run_args_parse(argc, argv, is_tini, a, err, 256);
}

static void test_defaults(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(false, &a, err, "run", "--", "sleep", "1", (char *)NULL), 0);
	assert_int_equal(a.cmd_index, 2);
	assert_int_equal(a.verbosity, 1);
	assert_true(a.o.grace_ns == 5000000000ULL);
	assert_false(a.o.is_group || a.o.is_no_kill || a.o.is_log_reaps || a.o.is_json);
	assert_int_equal(a.o.pdeathsig, 0);
	/* Options end at the first non-option: CMD's flags are its own. */
	assert_int_equal(parse(false, &a, err, "run", "ls", "-g", "--json", (char *)NULL), 0);
	assert_int_equal(a.cmd_index, 1);
	assert_false(a.o.is_group);
}

static void test_flags(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(false, &a, err, "run", "-s", "-g", "-p", "SIGKILL", "-e", "143",
			       "-e", "130", "-vv", "-w", "--json", "--grace", "250ms", "--no-kill",
			       "--", "true", (char *)NULL),
			 0);
	assert_true(a.o.is_subreaper && a.o.is_group && a.o.is_log_reaps && a.o.is_json);
	assert_true(a.o.is_no_kill);
	assert_int_equal(a.o.pdeathsig, 9);
	assert_true(is_remapped(&a.o, 143) && is_remapped(&a.o, 130));
	assert_false(is_remapped(&a.o, 0) || is_remapped(&a.o, 142));
	assert_int_equal(a.verbosity, 3);
	assert_true(a.o.grace_ns == 250000000ULL);
	assert_int_equal(a.cmd_index, 16);
}

static void test_usage_errors(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(false, &a, err, "run", (char *)NULL), -EINVAL);
	assert_non_null(strstr(err, "missing command"));
	assert_int_equal(parse(false, &a, err, "run", "--", (char *)NULL), -EINVAL);
	assert_int_equal(parse(false, &a, err, "run", "--bogus", "x", (char *)NULL), -EINVAL);
	assert_non_null(strstr(err, "'--bogus'"));
	assert_int_equal(parse(false, &a, err, "run", "-e", "256", "x", (char *)NULL), -EINVAL);
	assert_int_equal(parse(false, &a, err, "run", "-e", "-1", "x", (char *)NULL), -EINVAL);
	assert_int_equal(parse(false, &a, err, "run", "-e", "", "x", (char *)NULL), -EINVAL);
	assert_int_equal(parse(false, &a, err, "run", "-p", "NOPE", "x", (char *)NULL), -EINVAL);
	assert_int_equal(parse(false, &a, err, "run", "--grace", "0", "x", (char *)NULL), -EINVAL);
	assert_int_equal(parse(false, &a, err, "run", "--grace", (char *)NULL), -EINVAL);
	assert_non_null(strstr(err, "needs a value"));
	/* tini mode has no long options. */
	assert_int_equal(parse(true, &a, err, "tini", "--no-kill", "x", (char *)NULL), -EINVAL);
}

static void test_tini_mode(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(true, &a, err, "tini", "-s", "-g", "-e", "3", "-w", "sh", "-c",
			       "exit 3", (char *)NULL),
			 0);
	assert_true(a.o.is_subreaper && a.o.is_group && a.o.is_log_reaps);
	assert_true(is_remapped(&a.o, 3));
	assert_int_equal(a.cmd_index, 6);
	assert_int_equal(parse(true, &a, err, "tini", "--version", (char *)NULL), 0);
	assert_true(a.want_version);
	assert_int_equal(parse(true, &a, err, "tini", "-l", (char *)NULL), 0);
	assert_true(a.want_license);
	assert_int_equal(parse(true, &a, err, "tini", "-h", (char *)NULL), 0);
	assert_true(a.want_help);
}

/* is_tini(arg0, ...): run_args_is_tini over a NULL-terminated list. */
static bool is_tini(const char *arg0, ...)
{
	char *argv[8] = { (char *)arg0 };
	int argc;
	va_list ap;

	va_start(ap, arg0);
	argc = 1 + collect_args(argv + 1, 7, ap);
	va_end(ap);
	return run_args_is_tini(argc, argv);
}

static void test_personality(void **state)
{
	(void)state;
	/* the names runtimes give their init, and a copy named tini */
	assert_true(is_tini("/sbin/docker-init", "--", "sh", (char *)NULL));
	assert_true(is_tini("/run/podman-init", "--", "sleep", "9", (char *)NULL));
	assert_true(is_tini("init", "sh", (char *)NULL));
	assert_true(is_tini("./tini", "-s", "--", "sh", (char *)NULL));
	assert_true(is_tini("/dev/init", (char *)NULL));
	/* our own name: a command, unless tini's "--" or one of its options comes first */
	assert_false(is_tini("zreaper", "run", "--", "sh", (char *)NULL));
	assert_false(is_tini("/usr/local/bin/zreaper-static", "trace", (char *)NULL));
	assert_false(is_tini("zreaper", (char *)NULL));
	assert_true(is_tini("/zreaper", "--", "sh", (char *)NULL));
	assert_true(is_tini("zreaper", "-s", "-g", "sh", (char *)NULL));
	assert_true(is_tini("zreaper", "-vv", "sh", (char *)NULL));
	assert_true(is_tini("zreaper", "-e143", "sh", (char *)NULL));
	assert_true(is_tini("zreaper", "-l", (char *)NULL));
	assert_false(is_tini("zreaper", "-h", (char *)NULL));
	assert_false(is_tini("zreaper", "--help", (char *)NULL));
	assert_false(is_tini("zreaper", "--version", (char *)NULL));
	assert_false(is_tini("zreaper", "-V", (char *)NULL));
	assert_false(is_tini("zreaper", "-", (char *)NULL));
	assert_false(is_tini("zreaper", "--bogus", (char *)NULL));
	/* no argv[0] at all (execve with an empty argv) */
	assert_false(run_args_is_tini(0, (char *[]){ NULL }));
}

static void test_env(void **state)
{
	struct run_args a;
	char err[256];

	clear_env(state);
	setenv("TINI_SUBREAPER", "", 1); /* tini: set at all means on */
	setenv("TINI_KILL_PROCESS_GROUP", "0", 1);
	setenv("TINI_VERBOSITY", "2", 1);
	assert_int_equal(parse(false, &a, err, "run", "x", (char *)NULL), 0);
	assert_true(a.o.is_subreaper && a.o.is_group);
	assert_int_equal(a.verbosity, 2);

	clear_env(state);
	setenv("ZREAPER_GROUP", "yes", 1);
	setenv("ZREAPER_NO_KILL", "1", 1);
	setenv("ZREAPER_LOG_REAPS", "on", 1);
	setenv("ZREAPER_JSON", "TRUE", 1);
	setenv("ZREAPER_PDEATHSIG", "TERM", 1);
	setenv("ZREAPER_REMAP_EXIT", "143, 130", 1);
	setenv("ZREAPER_GRACE", "2s", 1);
	setenv("ZREAPER_VERBOSITY", "0", 1);
	setenv("TINI_VERBOSITY", "3", 1); /* ours wins */
	assert_int_equal(parse(false, &a, err, "run", "-v", "x", (char *)NULL), 0);
	assert_true(a.o.is_group && a.o.is_no_kill && a.o.is_log_reaps && a.o.is_json);
	assert_int_equal(a.o.pdeathsig, 15);
	assert_true(is_remapped(&a.o, 143) && is_remapped(&a.o, 130));
	assert_true(a.o.grace_ns == 2000000000ULL);
	assert_int_equal(a.verbosity, 1); /* 0 from the environment, +1 from -v */
	/* A flag wins over its variable. */
	assert_int_equal(parse(false, &a, err, "run", "--grace", "1s", "x", (char *)NULL), 0);
	assert_true(a.o.grace_ns == 1000000000ULL);

	clear_env(state);
	setenv("ZREAPER_GROUP", "maybe", 1);
	assert_int_equal(parse(false, &a, err, "run", "x", (char *)NULL), -EINVAL);
	assert_non_null(strstr(err, "ZREAPER_GROUP"));
	clear_env(state);
	setenv("ZREAPER_REMAP_EXIT", "143,x", 1);
	assert_int_equal(parse(false, &a, err, "run", "x", (char *)NULL), -EINVAL);
	clear_env(state);
	setenv("ZREAPER_GRACE", "0", 1);
	assert_int_equal(parse(false, &a, err, "run", "x", (char *)NULL), -EINVAL);
	clear_env(state);
	setenv("TINI_VERBOSITY", "loud", 1);
	assert_int_equal(parse(false, &a, err, "run", "x", (char *)NULL), -EINVAL);
	clear_env(state);
}

/* A drain reaps until none is ready, or until its slice of time in waitpid is used up: then it
 * says so, and what is left waits for the next one (run's pacing, initd.c). */
static void test_drain_slice(void **state)
{
	struct initd_opts o;
	struct initd d;
	bool is_cut = false;
	int i, n, hold[2];
	pid_t alive;
	char c;

	(void)state;
	initd_opts_init(&o);
	memset(&d, 0, sizeof(d));
	d.o = &o;
	d.child = -1;
	/* One child lives on, so a drain ends on "none ready", not on "no child at all". */
	assert_int_equal(pipe(hold), 0);
	alive = fork();
	assert_true(alive >= 0);
	if (alive == 0) {
		close(hold[1]);
		_exit(read(hold[0], &c, 1) == 0 ? 0 : 1);
	}
	close(hold[0]);
	for (i = 0; i < 5; i++) {
		siginfo_t si;
		pid_t p = fork();

		assert_true(p >= 0);
		if (p == 0)
			_exit(0);
		/* A zombie now, not reaped: WNOWAIT. */
		assert_int_equal(waitid(P_PID, (id_t)p, &si, WEXITED | WNOWAIT), 0);
	}
	n = initd_drain_for(&d, 1, &is_cut); /* 1 ns: over after the first waitpid */
	assert_int_equal(n, 1);
	assert_true(is_cut);
	assert_true(d.wait_ns > 0);
	n = initd_drain_for(&d, 0, &is_cut); /* no limit: the other four, then none ready */
	assert_int_equal(n, 4);
	assert_false(is_cut);
	close(hold[1]);
	assert_int_equal(waitpid(alive, NULL, 0), alive);
	assert_int_equal(initd_drain(&d), -ECHILD);
}

/* The pause after a drain is four times its walking: the time in waitpid beyond 5 us per child
 * reaped, all of it when none was, 10 ms at most. */
static void test_drain_gap(void **state)
{
	(void)state;
	assert_int_equal(initd_drain_gap(400000, 100, false), 0); /* 4 us a reap: nothing walked */
	assert_int_equal(initd_drain_gap(500000, 100, false), 0);
	assert_int_equal(initd_drain_gap(1000000, 100, false), 2000000); /* 500 us walked */
	assert_int_equal(initd_drain_gap(300000, 0, false), 1200000); /* none ready: all walked */
	assert_int_equal(initd_drain_gap(50000, -ECHILD, false), 200000);
	assert_int_equal(initd_drain_gap(2499999, 0, false), 9999996);
	assert_int_equal(initd_drain_gap(2500000, 0, false), 10000000); /* the cap */
	assert_int_equal(initd_drain_gap(UINT64_MAX, 0, false), 10000000);
	assert_int_equal(initd_drain_gap(0, 0, false), 0);
	/* A backlog (cut short, no exit meanwhile) goes on at once, however much was walked. */
	assert_int_equal(initd_drain_gap(1000000, 100, true), 0);
	assert_int_equal(initd_drain_gap(1000000, 1, true), 0);
	assert_int_equal(initd_drain_gap(UINT64_MAX, 0, true), 0);
}

static void test_exit_codes(void **state)
{
	struct initd_opts o;
	int i;

	(void)state;
	initd_opts_init(&o);
	for (i = 0; i < 256; i++)
		assert_int_equal(initd_exit_code(i << 8), i);
	assert_int_equal(initd_exit_code(SIGTERM), 143);
	assert_int_equal(initd_exit_code(SIGKILL), 137);
	assert_int_equal(initd_exit_code(SIGSEGV | 0x80), 139); /* core dumped */
	assert_int_equal(initd_final_code(&o, SIGTERM), 143);
	assert_int_equal(initd_remap_add(&o, 143), 0);
	assert_int_equal(initd_final_code(&o, SIGTERM), 0);
	assert_int_equal(initd_final_code(&o, 143 << 8), 0);
	assert_int_equal(initd_final_code(&o, 3 << 8), 3);
	assert_int_equal(initd_remap_add(&o, 256), -EINVAL);
	assert_int_equal(initd_remap_add(&o, -1), -EINVAL);
	assert_int_equal(initd_remap_parse(&o, ""), -EINVAL);
	assert_int_equal(initd_remap_parse(&o, "0,255"), 0);
	assert_int_equal(initd_final_code(&o, 0), 0);
	assert_int_equal(initd_final_code(&o, 255 << 8), 0);
	assert_int_equal(initd_exec_failure_code(ENOENT), 127);
	assert_int_equal(initd_exec_failure_code(ENOTDIR), 127);
	assert_int_equal(initd_exec_failure_code(EACCES), 126);
	assert_int_equal(initd_exec_failure_code(ENOEXEC), 126);
	assert_int_equal(initd_exec_failure_code(E2BIG), 126);
}

static void test_format_reap(void **state)
{
	struct initd_reap r = {
		.pid = 42,
		.comm = "sle\033ep",
		.raw_status = 7 << 8,
		.lifetime_ns = 1500000000ULL,
		.real_ns = 0,
	};
	struct initd_opts text = { 0 }, json = { .is_json = true }, tini = { .is_tini = true };
	char buf[512];

	(void)state;
	initd_format_reap(buf, sizeof(buf), &text, &r);
	assert_string_equal(buf, "reaped orphan 42 (sle\\eep): exit 7, lived 1.500s");
	/* tini's wording, which tini's users and its own test suite grep for. */
	initd_format_reap(buf, sizeof(buf), &tini, &r);
	assert_string_equal(buf,
			    "Reaped zombie process with pid=42 (sle\\eep): exit 7, lived 1.500s");
	initd_format_reap(buf, sizeof(buf), &json, &r);
	assert_string_equal(buf,
			    "{\"ts\":\"1970-01-01T00:00:00.000000000Z\",\"event\":\"reap\","
			    "\"pid\":42,\"comm\":\"sle\\u001bep\",\"exit_code\":7,"
			    "\"signal\":null,\"core_dumped\":false,\"lifetime_ns\":1500000000}");
	r.raw_status = SIGKILL;
	r.comm = NULL;
	r.lifetime_ns = UINT64_MAX;
	initd_format_reap(buf, sizeof(buf), &text, &r);
	assert_string_equal(buf, "reaped orphan 42 (?): killed by SIGKILL");
	initd_format_reap(buf, sizeof(buf), &json, &r);
	assert_non_null(strstr(buf, "\"comm\":null,\"exit_code\":null,\"signal\":\"SIGKILL\""));
	assert_non_null(strstr(buf, "\"lifetime_ns\":null}"));
	/* Truncation never overflows. */
	assert_true(initd_format_reap(buf, 8, &json, &r) > 8);
	assert_int_equal(strlen(buf), 7);
	r.lifetime_ns = 1;
	assert_true(initd_format_reap(buf, 8, &tini, &r) > 8);
	assert_int_equal(strlen(buf), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, clear_env),
		cmocka_unit_test_setup(test_flags, clear_env),
		cmocka_unit_test_setup(test_usage_errors, clear_env),
		cmocka_unit_test_setup(test_tini_mode, clear_env),
		cmocka_unit_test(test_personality),
		cmocka_unit_test_setup(test_env, clear_env),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_drain_slice),
		cmocka_unit_test(test_drain_gap),
		cmocka_unit_test(test_format_reap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
