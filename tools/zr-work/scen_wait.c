/* scen_wait.c - zr-work's wait-nohang, wait-nowait and wait-stop scenarios: every wait result
 * the tracer names. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

/* A child blocked reading a pipe until the parent closes *release. */
static pid_t blocked_child(int *release)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid = xfork();
	if (pid == 0) {
		char c;

		close(p[1]);
		while (read(p[0], &c, 1) != 0) {
			if (errno != EINTR)
				break;
		}
		_exit(0);
	}
	close(p[0]);
	*release = p[1];
	emit("child", pid);
	return pid;
}

static bool parse_waitid_only(int argc, char **argv)
{
	bool use_waitid = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--waitid") == 0)
			use_waitid = true;
		else
			die_usage("%s: unknown option '%s'", argv[0], argv[i]);
	}
	return use_waitid;
}

int scen_wait_nohang(int argc, char **argv)
{
	bool use_waitid = parse_waitid_only(argc, argv);
	int release;
	pid_t pid = blocked_child(&release);
	struct death d;

	if (use_waitid) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) < 0 || si.si_pid != 0)
			die("waitid(WNOHANG) on a live child did not report 'nothing yet'");
	} else {
		int st;

		if (wait4(pid, &st, WNOHANG, NULL) != 0)
			die("wait4(WNOHANG) on a live child did not return 0");
	}
	close(release);
	reap_expect(pid, use_waitid, &d);
	expect_exit(&d, 0);
	if (reap(-1, use_waitid, &d))
		die("wait with no child left reaped %d", (int)d.pid);
	return 0;
}

int scen_wait_nowait(int argc, char **argv)
{
	bool use_waitid = false;
	int code = 0;
	pid_t pid;
	siginfo_t si;
	struct death d;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--waitid") == 0)
			use_waitid = true;
		else if (strcmp(argv[i], "--exit") == 0)
			code = (int)parse_num(i + 1 < argc ? argv[++i] : NULL, "--exit", 255);
		else
			die_usage("wait-nowait: unknown option '%s'", argv[i]);
	}
	pid = xfork();
	if (pid == 0)
		_exit(code);
	emit("child", pid);
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0) {
		if (errno != EINTR)
			die("waitid(WNOWAIT): %s", strerror(errno));
	}
	if (si.si_pid != pid || si.si_code != CLD_EXITED || si.si_status != code)
		die("waitid(WNOWAIT) peeked pid %d code %d status %d", (int)si.si_pid, si.si_code,
		    si.si_status);
	reap_expect(pid, use_waitid, &d);
	expect_exit(&d, code);
	return 0;
}

static void wait_state(pid_t pid, bool use_waitid, bool stopped)
{
	if (use_waitid) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		while (waitid(P_PID, (id_t)pid, &si, stopped ? WSTOPPED : WCONTINUED) < 0) {
			if (errno != EINTR)
				die("waitid: %s", strerror(errno));
		}
		if (si.si_code != (stopped ? CLD_STOPPED : CLD_CONTINUED))
			die("waitid reported si_code %d", si.si_code);
	} else {
		int st;

		while (wait4(pid, &st, stopped ? WUNTRACED : WCONTINUED, NULL) < 0) {
			if (errno != EINTR)
				die("wait4: %s", strerror(errno));
		}
		if (stopped ? !WIFSTOPPED(st) : !WIFCONTINUED(st))
			die("wait4 reported status 0x%x", st);
	}
}

int scen_wait_stop(int argc, char **argv)
{
	bool use_waitid = parse_waitid_only(argc, argv);
	int release;
	pid_t pid = blocked_child(&release);
	struct death d;

	if (kill(pid, SIGSTOP) < 0)
		die("kill(SIGSTOP): %s", strerror(errno));
	wait_state(pid, use_waitid, true);
	if (kill(pid, SIGCONT) < 0)
		die("kill(SIGCONT): %s", strerror(errno));
	wait_state(pid, use_waitid, false);
	close(release);
	reap_expect(pid, use_waitid, &d);
	expect_exit(&d, 0);
	return 0;
}
