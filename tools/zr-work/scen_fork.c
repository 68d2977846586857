/* scen_fork.c - zr-work's fork scenario: N children that exit, die of a signal or exec, reaped
 * one by one or all at the end. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

enum child_action { ACT_EXIT, ACT_SIGNAL, ACT_EXEC, ACT_EXEC_FAIL };

struct child_spec {
	enum child_action action;
	int code;
	int sig;
	bool core;
	char **exec_argv; /* {PATH, ARG..., NULL} */
};

__attribute__((noreturn)) static void child_run(const struct child_spec *c)
{
	switch (c->action) {
	case ACT_EXIT:
		_exit(c->code);
	case ACT_SIGNAL:
		set_core_limit(c->core);
		kill_self(c->sig);
		_exit(125);
	case ACT_EXEC:
	case ACT_EXEC_FAIL:
		execve(c->exec_argv[0], c->exec_argv, environ);
		_exit(127);
	}
	_exit(126);
}

static void check_child(const struct child_spec *c, const struct death *d)
{
	char buf[64];

	describe(d, buf, sizeof(buf));
	switch (c->action) {
	case ACT_EXIT:
		expect_exit(d, c->code);
		break;
	case ACT_SIGNAL:
		if (!d->signaled || d->value != c->sig)
			die("child %d %s, expected signal %d", (int)d->pid, buf, c->sig);
		break;
	case ACT_EXEC:
		if (!d->signaled && d->value == 127)
			die("child %d: exec %s failed (exit 127)", (int)d->pid, c->exec_argv[0]);
		break;
	case ACT_EXEC_FAIL:
		expect_exit(d, 127);
		break;
	}
}

int scen_fork(int argc, char **argv)
{
	struct child_spec c = { .action = ACT_EXIT };
	unsigned long n;
	bool parallel = false, use_waitid = false, has_action = false;
	char *fail_argv[2] = { NULL, NULL };
	unsigned long made = 0, reaped = 0;
	int fork_err = 0;
	struct death d;

	n = parse_num(argc > 1 ? argv[1] : NULL, "fork N", MAX_COUNT);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		bool is_action = false;

		if (strcmp(a, "--parallel") == 0) {
			parallel = true;
		} else if (strcmp(a, "--waitid") == 0) {
			use_waitid = true;
		} else if (strcmp(a, "--core") == 0) {
			c.core = true;
		} else if (strcmp(a, "--exit") == 0) {
			c.action = ACT_EXIT;
			c.code = (int)parse_num(i + 1 < argc ? argv[++i] : NULL, "--exit", 255);
			is_action = true;
		} else if (strcmp(a, "--signal") == 0) {
			c.action = ACT_SIGNAL;
			c.sig = parse_signal(i + 1 < argc ? argv[++i] : NULL);
			if (c.sig == SIGSTOP || c.sig == SIGTSTP || c.sig == SIGTTIN ||
			    c.sig == SIGTTOU)
				die_usage("--signal: %s stops instead of killing", a);
			is_action = true;
		} else if (strcmp(a, "--exec") == 0) {
			if (i + 1 >= argc)
				die_usage("--exec: missing PATH");
			c.action = ACT_EXEC;
			c.exec_argv = &argv[i + 1]; /* argv is NULL-terminated */
			is_action = true;
			i = argc;
		} else if (strcmp(a, "--exec-fail") == 0) {
			if (i + 1 >= argc)
				die_usage("--exec-fail: missing PATH");
			c.action = ACT_EXEC_FAIL;
			fail_argv[0] = argv[++i];
			c.exec_argv = fail_argv;
			is_action = true;
		} else {
			die_usage("fork: unknown option '%s'", a);
		}
		if (is_action) {
			if (has_action)
				die_usage("fork: --exit, --signal, --exec and --exec-fail exclude "
					  "each other");
			has_action = true;
		}
	}
	if (c.core && c.action != ACT_SIGNAL)
		die_usage("fork: --core needs --signal");

	for (made = 0; made < n; made++) {
		pid_t pid = fork();

		if (pid < 0) {
			fork_err = errno;
			break;
		}
		if (pid == 0)
			child_run(&c);
		emit("child", pid);
		if (!parallel) {
			reap_expect(pid, use_waitid, &d);
			check_child(&c, &d);
			reaped++;
			gate_pass();
		}
	}
	while (parallel && reaped < made) {
		reap_expect(-1, use_waitid, &d);
		check_child(&c, &d);
		reaped++;
		gate_pass();
	}
	if (fork_err)
		die("fork %lu of %lu: %s", made + 1, n, strerror(fork_err));
	return 0;
}
