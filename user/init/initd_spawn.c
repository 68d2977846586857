/* initd_spawn.c - `run`'s child: the exec candidates are built before fork (the child may
 * only make async-signal-safe calls), then the child gets the caller's signal state and the
 * terminal back and execs as execvp would; exec's errno comes back through a pipe.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "initd_int.h"
#include "log.h"

extern char **environ;

/* Searched when PATH is unset: the usual container default. */
static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static void free_strv(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The candidate files for argv[0], as execvp would try them. Returns 0 or -ENOMEM. */
int initd_prepare_exec(struct initd *d, char **argv)
{
	const char *cmd = argv[0], *path, *p;
	size_t argc = 0, cap = 1, i;

	if (!cmd)
		return -EINVAL;
	d->argv = argv;
	while (argv[argc])
		argc++;
	d->sh_argv = calloc(argc + 2, sizeof(char *));
	if (!d->sh_argv)
		return -ENOMEM;
	d->sh_argv[0] = (char *)"/bin/sh";
	for (i = 1; i < argc; i++)
		d->sh_argv[i + 1] = argv[i];

	if (!*cmd)
		return 0; /* no candidate: ENOENT, as execvp("") */
	path = strchr(cmd, '/') ? NULL : getenv("PATH");
	if (!strchr(cmd, '/') && !path)
		path = default_path;
	for (p = path; p && *p; p++)
		cap += *p == ':';
	d->paths = calloc(cap, sizeof(char *));
	if (!d->paths)
		return -ENOMEM;
	if (!path) {
		d->paths[d->n_paths] = strdup(cmd);
		if (!d->paths[d->n_paths])
			return -ENOMEM;
		d->n_paths++;
		return 0;
	}
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int dlen = (int)(end - p);

		/* An empty PATH element is the current directory. */
		if (asprintf(&d->paths[d->n_paths], "%.*s%s%s", dlen, p, dlen ? "/" : "", cmd) < 0)
			return -ENOMEM;
		d->n_paths++;
		if (!*end)
			break;
		p = end;
	}
	return 0;
}

int initd_exec_failure_code(int err)
{
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

/* In the child after fork: async-signal-safe calls only. Reports exec's errno through errfd
 * (close-on-exec, so the parent reads EOF when exec works) and exits 126 or 127. */
static void child_start(struct initd *d, int errfd) __attribute__((noreturn));
static void child_start(struct initd *d, int errfd)
{
	struct sigaction ign;
	bool is_eacces = false;
	int sig, err = ENOENT;
	ssize_t n;
	size_t i;

	/* Its own process group either way. Without a terminal to share, also its own session:
	 * the kernel then skips, at every orphan's exit, the walk over that group's unreaped
	 * members that asks whether the group was just orphaned (kill_orphaned_pgrp). */
	if (!d->is_new_session || setsid() < 0)
		(void)setpgid(0, 0);
	/* SIGTTOU is still blocked here, so taking the terminal from the background works. */
	if (d->has_tty)
		(void)tcsetpgrp(STDIN_FILENO, getpid());
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&d->orig_ignored, sig) == 1)
			(void)sigaction(sig, &ign, NULL);
	(void)sigprocmask(SIG_SETMASK, &d->orig_mask, NULL);

	for (i = 0; i < d->n_paths; i++) {
		execve(d->paths[i], d->argv, environ);
		err = errno;
		if (err == ENOEXEC) {
			/* No #! line: the shell runs it, as execvp does. */
			d->sh_argv[1] = d->paths[i];
			execve(d->sh_argv[0], d->sh_argv, environ);
			err = ENOEXEC;
			break;
		}
		if (err == EACCES)
			is_eacces = true;
		else if (err != ENOENT && err != ENOTDIR && err != ESTALE && err != ENODEV &&
			 err != ETIMEDOUT)
			break;
	}
	if (is_eacces && (err == ENOENT || err == ENOTDIR || err == EACCES))
		err = EACCES;
	/* If this write fails, the exit code still says what happened. */
	n = write(errfd, &err, sizeof(err));
	(void)n;
	_exit(initd_exec_failure_code(err));
}

/* Whether run has a controlling terminal: /dev/tty opens only then. */
static bool has_controlling_tty(void)
{
	int fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Forks and execs the child; prints the one line when exec fails (the child then exits 126
 * or 127 and is reaped as usual). Returns 0 or -errno when fork itself fails. */
int initd_spawn(struct initd *d)
{
	char quoted[128];
	int pfd[2], err;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	d->is_new_session = !has_controlling_tty();
	d->child = fork();
	if (d->child < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (d->child == 0) {
		close(pfd[0]);
		child_start(d, pfd[1]);
	}
	close(pfd[1]);
	/* EOF once exec succeeded (or the child died first): by then setpgid is done too. */
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(err))
		zr_err("cannot run '%s': %s", cli_printable(d->argv[0], quoted, sizeof(quoted)),
		       strerror(err));
	else
		zr_debug("started '%s' as pid %d%s",
			 cli_printable(d->argv[0], quoted, sizeof(quoted)), (int)d->child,
			 d->has_tty	     ? " in the foreground of the terminal"
			 : d->is_new_session ? " in a session of its own"
					     : "");
	return 0;
}

void initd_exec_free(struct initd *d)
{
	free_strv(d->paths, d->n_paths);
	free(d->sh_argv);
	d->paths = NULL;
	d->n_paths = 0;
	d->sh_argv = NULL;
}
