/* waitinit.c - wait.init -- CMD [ARG...], the floor of tools/bench/init.sh: the least an init can
 * do as PID 1. It forks and execs CMD, then loops on a blocking wait() (no signals, no forwarding,
 * nothing read) until CMD exits, and exits with its status. Every init is compared with it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int first = 1, st = 0;
	pid_t child, pid;

	if (argc > 1 && !strcmp(argv[1], "--"))
		first = 2;
	if (argc <= first) {
		fprintf(stderr, "usage: wait.init -- CMD [ARG...]\n");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("wait.init: fork");
		return 1;
	}
	if (child == 0) {
		execvp(argv[first], argv + first);
		perror("wait.init: exec");
		_exit(127);
	}
	for (;;) {
		pid = wait(&st);
		if (pid == child)
			break;
		if (pid < 0 && errno != EINTR) {
			perror("wait.init: wait");
			return 1;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
