/* test_status.c - status.c: wait-status decoding, signal names both ways, errno names. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"
#include "status.h"

static const struct {
	int sig;
	const char *name;
} std_sigs[] = {
	{ SIGHUP, "SIGHUP" },	    { SIGINT, "SIGINT" },   { SIGQUIT, "SIGQUIT" },
	{ SIGILL, "SIGILL" },	    { SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },
	{ SIGBUS, "SIGBUS" },	    { SIGFPE, "SIGFPE" },   { SIGKILL, "SIGKILL" },
	{ SIGUSR1, "SIGUSR1" },	    { SIGSEGV, "SIGSEGV" }, { SIGUSR2, "SIGUSR2" },
	{ SIGPIPE, "SIGPIPE" },	    { SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" },
	{ SIGCHLD, "SIGCHLD" },	    { SIGCONT, "SIGCONT" }, { SIGSTOP, "SIGSTOP" },
	{ SIGTSTP, "SIGTSTP" },	    { SIGTTIN, "SIGTTIN" }, { SIGTTOU, "SIGTTOU" },
	{ SIGURG, "SIGURG" },	    { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
	{ SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" }, { SIGWINCH, "SIGWINCH" },
	{ SIGIO, "SIGIO" },	    { SIGPWR, "SIGPWR" },   { SIGSYS, "SIGSYS" },
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "SIGSTKFLT" },
#endif
};

static void test_decode_exit_codes(void **state)
{
	struct zr_exit_status st;
	int code;

	(void)state;
	for (code = 0; code < 256; code++) {
		st = status_decode(code << 8);
		assert_true(st.is_known);
		assert_false(st.is_signaled);
		assert_int_equal(st.exit_code, code);
		assert_false(st.core_dumped);
		assert_false(st.oom_killed);
	}
}

static void test_decode_signals(void **state)
{
	struct zr_exit_status st;
	int sig, core;

	(void)state;
	for (sig = 1; sig <= 64; sig++) {
		for (core = 0; core < 2; core++) {
			st = status_decode(sig | (core ? 0x80 : 0));
			assert_true(st.is_known);
			assert_true(st.is_signaled);
			assert_int_equal(st.signal, sig);
			assert_int_equal(st.core_dumped, core);
			assert_false(st.oom_killed);
		}
	}
}

static void test_decode_stop_is_not_exit(void **state)
{
	struct zr_exit_status st = status_decode(SIGSTOP << 8 | 0x7f);

	(void)state;
	assert_false(st.is_known);
	assert_false(st.is_signaled);
}

static void test_standard_signal_names(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(std_sigs) / sizeof(std_sigs[0]); i++)
		assert_string_equal(status_signal_name(std_sigs[i].sig), std_sigs[i].name);
	/* Linux x86/arm/generic numbering, as people quote it. */
	assert_string_equal(status_signal_name(9), "SIGKILL");
	assert_string_equal(status_signal_name(15), "SIGTERM");
	assert_string_equal(status_signal_name(17), "SIGCHLD");
	assert_string_equal(status_signal_name(31), "SIGSYS");
}

static void test_rt_and_odd_signal_names(void **state)
{
	char want[32];
	int n;

	(void)state;
	assert_string_equal(status_signal_name(32), "SIG32");
	assert_string_equal(status_signal_name(33), "SIG33");
	assert_string_equal(status_signal_name(34), "SIGRTMIN");
	for (n = 1; n <= 29; n++) {
		snprintf(want, sizeof(want), "SIGRTMIN+%d", n);
		assert_string_equal(status_signal_name(34 + n), want);
	}
	assert_string_equal(status_signal_name(37), "SIGRTMIN+3");
	assert_string_equal(status_signal_name(64), "SIGRTMAX");
	assert_string_equal(status_signal_name(0), "SIG0");
	assert_string_equal(status_signal_name(65), "SIG65");
	assert_string_equal(status_signal_name(-3), "SIG-3");
}

static void test_names_unique_and_parse_back(void **state)
{
	char name[32], lower[32];
	int a, b;
	size_t i;

	(void)state;
	for (a = 1; a <= 64; a++) {
		snprintf(name, sizeof(name), "%s", status_signal_name(a));
		assert_int_equal(strncmp(name, "SIG", 3), 0);
		for (b = a + 1; b <= 64; b++)
			assert_string_not_equal(name, status_signal_name(b));
		assert_int_equal(status_signal_parse(name), a);
		assert_int_equal(status_signal_parse(name + 3), a);
		for (i = 0; name[i]; i++)
			lower[i] =
			    (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
		lower[i] = '\0';
		assert_int_equal(status_signal_parse(lower), a);
		snprintf(name, sizeof(name), "%d", a);
		assert_int_equal(status_signal_parse(name), a);
	}
}

static void test_signal_parse(void **state)
{
	(void)state;
	assert_int_equal(status_signal_parse("KILL"), SIGKILL);
	assert_int_equal(status_signal_parse("SIGKILL"), SIGKILL);
	assert_int_equal(status_signal_parse("sigkill"), SIGKILL);
	assert_int_equal(status_signal_parse("9"), 9);
	assert_int_equal(status_signal_parse("SIGIOT"), SIGABRT);
	assert_int_equal(status_signal_parse("cld"), SIGCHLD);
	assert_int_equal(status_signal_parse("SIGRTMIN+3"), 37);
	assert_int_equal(status_signal_parse("RTMAX-1"), 63);
	assert_int_equal(status_signal_parse("rtmax"), 64);
	assert_int_equal(status_signal_parse("SIGRTMIN+30"), 64);
	assert_int_equal(status_signal_parse("SIGRTMIN+31"), -1);
	assert_int_equal(status_signal_parse("SIGRTMIN-1"), -1);
	assert_int_equal(status_signal_parse("SIGRTMAX+1"), -1);
	assert_int_equal(status_signal_parse("SIGRTMIN+"), -1);
	assert_int_equal(status_signal_parse("0"), -1);
	assert_int_equal(status_signal_parse("65"), -1);
	assert_int_equal(status_signal_parse("-9"), -1);
	assert_int_equal(status_signal_parse("9x"), -1);
	assert_int_equal(status_signal_parse("SIGFOO"), -1);
	assert_int_equal(status_signal_parse("SIG"), -1);
	assert_int_equal(status_signal_parse(""), -1);
	assert_int_equal(status_signal_parse(NULL), -1);
}

static const char *describe(int raw)
{
	static char buf[64];
	struct zr_exit_status st = status_decode(raw);

	status_describe(&st, buf, sizeof(buf));
	return buf;
}

static void test_describe(void **state)
{
	struct zr_exit_status st = status_decode(SIGKILL);
	char want[64], buf[8];
	int code, sig;

	(void)state;
	assert_string_equal(describe(0), "exit 0");
	assert_string_equal(describe(3 << 8), "exit 3");
	assert_string_equal(describe(SIGKILL), "killed by SIGKILL");
	assert_string_equal(describe(SIGSEGV | 0x80), "SIGSEGV (core dumped)");
	assert_string_equal(describe(0x137f), "unknown status");
	for (code = 0; code < 256; code++) {
		snprintf(want, sizeof(want), "exit %d", code);
		assert_string_equal(describe(code << 8), want);
	}
	for (sig = 1; sig <= 64; sig++) {
		snprintf(want, sizeof(want), "killed by %s", status_signal_name(sig));
		assert_string_equal(describe(sig), want);
		snprintf(want, sizeof(want), "%s (core dumped)", status_signal_name(sig));
		assert_string_equal(describe(sig | 0x80), want);
	}
	st.oom_killed = true;
	status_describe(&st, want, sizeof(want));
	assert_string_equal(want, "killed by SIGKILL (OOM)");
	status_describe(&st, buf, 4);
	assert_string_equal(buf, "kil");
	status_describe(NULL, want, sizeof(want));
	assert_string_equal(want, "unknown status");
}

static void test_errno_names(void **state)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ ENOENT, "ENOENT" },	{ EACCES, "EACCES" },	{ ENOEXEC, "ENOEXEC" },
		{ E2BIG, "E2BIG" },	{ ENOMEM, "ENOMEM" },	{ EFAULT, "EFAULT" },
		{ ENOTDIR, "ENOTDIR" }, { ELOOP, "ELOOP" },	{ ENAMETOOLONG, "ENAMETOOLONG" },
		{ ETXTBSY, "ETXTBSY" }, { EINVAL, "EINVAL" },	{ ECHILD, "ECHILD" },
		{ EINTR, "EINTR" },	{ EPERM, "EPERM" },	{ EAGAIN, "EAGAIN" },
		{ ESRCH, "ESRCH" },	{ EISDIR, "EISDIR" },	{ EMFILE, "EMFILE" },
		{ ENFILE, "ENFILE" },	{ ELIBBAD, "ELIBBAD" }, { ENOSYS, "ENOSYS" },
		{ EPIPE, "EPIPE" },	{ EIO, "EIO" },		{ EBADF, "EBADF" },
	};
	char buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(status_errno_name(names[i].err, buf, sizeof(buf)),
				    names[i].name);
		assert_string_equal(status_errno_name(-names[i].err, buf, sizeof(buf)),
				    names[i].name);
	}
	assert_string_equal(status_errno_name(9999, buf, sizeof(buf)), "E9999");
	assert_ptr_equal(status_errno_name(9999, buf, sizeof(buf)), buf);
	assert_string_equal(status_errno_name(0, buf, sizeof(buf)), "E0");
	assert_string_equal(status_errno_name(9999, NULL, 0), "EUNKNOWN");
	/* A known name never touches buf. */
	strcpy(buf, "keep");
	status_errno_name(ENOENT, buf, sizeof(buf));
	assert_string_equal(buf, "keep");
}

/* log.c has no suite of its own: its few rules are checked here, with stderr on a temp file. */
static const char *logged(void (*fn)(void))
{
	static char buf[4096];
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

static void log_levels(void)
{
	log_verbosity = LOG_WARN;
	zr_err("open %s: %s", "/x", "No such file");
	zr_warn("warn %d", 2);
	zr_info("hidden");
	zr_debug("hidden");
	log_verbosity = LOG_DEBUG;
	zr_debug("debug %c", 'x');
	log_verbosity = LOG_WARN;
}

static void log_errno(void)
{
	errno = ENOENT;
	zr_err("keeps errno");
	assert_int_equal(errno, ENOENT);
}

static void log_long(void)
{
	char big[5000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	zr_err("%s", big);
}

static void test_log(void **state)
{
	const char *out;

	(void)state;
	assert_string_equal(logged(log_levels),
			    "zreaper: open /x: No such file\nzreaper: warn 2\nzreaper: debug x\n");
	assert_string_equal(logged(log_errno), "zreaper: keeps errno\n");
	/* Cut, but still one line with its newline. */
	out = logged(log_long);
	assert_int_equal(strncmp(out, "zreaper: aaa", 12), 0);
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	assert_true(strlen(out) < 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_exit_codes),
		cmocka_unit_test(test_decode_signals),
		cmocka_unit_test(test_decode_stop_is_not_exit),
		cmocka_unit_test(test_standard_signal_names),
		cmocka_unit_test(test_rt_and_odd_signal_names),
		cmocka_unit_test(test_names_unique_and_parse_back),
		cmocka_unit_test(test_signal_parse),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_log),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
