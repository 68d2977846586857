/* scen_autoreap.c - zr-work's autoreap scenario: SIGCHLD ignored, so the kernel reaps the
 * children. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

int scen_autoreap(int argc, char **argv)
{
	unsigned long n;

	n = parse_num(argc > 1 ? argv[1] : NULL, "autoreap N", MAX_COUNT);
	if (argc > 2)
		die_usage("autoreap: unknown option '%s'", argv[2]);
	if (signal(SIGCHLD, SIG_IGN) == SIG_ERR)
		die("signal(SIGCHLD): %s", strerror(errno));
	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = xfork();
		int fd;

		if (pid == 0)
			_exit(0);
		/* opened at once, so the pid cannot have been reused yet */
		fd = pidfd_open(pid);
		emit("child", pid);
		if (fd < 0) {
			if (errno != ESRCH)
				die("pidfd_open(%d): %s", (int)pid, strerror(errno));
			continue;
		}
		{
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			while (poll(&pfd, 1, -1) < 0) {
				if (errno != EINTR)
					die("poll: %s", strerror(errno));
			}
		}
		close(fd);
	}
	return 0;
}
