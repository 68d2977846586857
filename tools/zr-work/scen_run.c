/* scen_run.c - zr-work's run scenario: a command run and every child reaped (a mini init
 * under --subreaper). */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

int scen_run(int argc, char **argv)
{
	pid_t child, r;
	int st, result = 0;
	bool child_done = false;

	if (argc < 2)
		die_usage("run: missing CMD");
	child = xfork();
	if (child == 0) {
		execvp(argv[1], &argv[1]);
		fprintf(stderr, "zr-work: run: exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	emit("child", child);
	for (;;) {
		r = wait4(-1, &st, 0, NULL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			die("wait4: %s", strerror(errno));
		}
		if (r == child) {
			child_done = true;
			result = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
		} else {
			emit("adopted", r);
		}
	}
	if (!child_done)
		die("run: child %d was never reaped", (int)child);
	return result;
}
