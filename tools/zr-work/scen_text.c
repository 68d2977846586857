/* scen_text.c - zr-work's comm and hostile-exec scenarios: the untrusted text a tracer prints
 * (a process name, an argv). */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

int scen_comm(int argc, char **argv)
{
	char name[256];
	pid_t pid;
	struct death d;

	if (argc != 2)
		die_usage("comm: expects exactly one STRING");
	unescape(argv[1], name, sizeof(name));
	if (prctl(PR_SET_NAME, name, 0, 0, 0) < 0)
		die("prctl(PR_SET_NAME): %s", strerror(errno));
	pid = xfork();
	if (pid == 0)
		_exit(0);
	emit("child", pid);
	reap_expect(pid, false, &d);
	expect_exit(&d, 0);
	return 0;
}

int scen_hostile_exec(int argc, char **argv)
{
	/* Every kind of text a terminal or a JSON parser can choke on. */
	char *hostile[] = {
		(char *)"/bin/true",
		(char *)"esc\x1b[31mred\x1b[0m",
		(char *)"new\nline",
		(char *)"tab\tcr\rbell\a",
		(char *)"del\x7f",
		(char *)"bad\xff\xfeutf8",
		(char *)"cut\xe2\x82",
		(char *)"dq\"sq'bs\\end",
		(char *)"\\x41 not an escape",
		(char *)"caf\xc3\xa9 \xe2\x9c\x93",
		(char *)"",
		(char *)"ctl\x01\x02\x1f",
		NULL,
	};
	pid_t pid;
	struct death d;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--path") == 0) {
			if (i + 1 >= argc)
				die_usage("--path: missing value");
			hostile[0] = argv[++i];
		} else {
			die_usage("hostile-exec: unknown option '%s'", argv[i]);
		}
	}
	pid = xfork();
	if (pid == 0) {
		execve(hostile[0], hostile, environ);
		_exit(127);
	}
	emit("child", pid);
	reap_expect(pid, false, &d);
	expect_exit(&d, 0);
	return 0;
}
