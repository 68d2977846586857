/* storm.c - workloads `make bench` needs that tools/zr-work does not make: a thread storm
 * (ROUNDS rounds of N short-lived threads) and a crowd of N sleeping children held alive for
 * the memory benchmark. Prints what it made as "<role> <id>" lines, after the storm so that
 * printing does not slow it.
 *   storm threads ROUNDS N   prints "thread TID" per thread at the end
 *   storm hold N             forks N children blocked on a pipe, prints "ready N"; a line
 *                            (or EOF) on stdin releases them; reaps all, prints "done N"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long parse_count(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = s ? strtoul(s, &end, 10) : 0;
	if (!s || errno || *end || v == 0 || v > max) {
		fprintf(stderr, "storm: bad count '%s'\n", s ? s : "");
		exit(2);
	}
	return v;
}

static void *thread_main(void *arg)
{
	*(pid_t *)arg = gettid();
	return NULL;
}

static int storm_threads(unsigned long rounds, unsigned long n)
{
	pid_t *tids = calloc(rounds * n, sizeof(*tids));
	pthread_t *th = calloc(n, sizeof(*th));

	if (!tids || !th) {
		fprintf(stderr, "storm: out of memory\n");
		return 1;
	}
	for (unsigned long r = 0; r < rounds; r++) {
		for (unsigned long i = 0; i < n; i++) {
			int err = pthread_create(&th[i], NULL, thread_main, &tids[r * n + i]);

			if (err) {
				fprintf(stderr, "storm: pthread_create: %s\n", strerror(err));
				return 1;
			}
		}
		for (unsigned long i = 0; i < n; i++)
			pthread_join(th[i], NULL);
	}
	for (unsigned long i = 0; i < rounds * n; i++)
		printf("thread %d\n", tids[i]);
	free(th);
	free(tids);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int storm_hold(unsigned long n)
{
	unsigned long made = 0, reaped = 0;
	int gate[2];
	char line[64];

	if (pipe(gate) < 0) {
		fprintf(stderr, "storm: pipe: %s\n", strerror(errno));
		return 1;
	}
	for (; made < n; made++) {
		pid_t pid = fork();
		char c;

		if (pid < 0) {
			fprintf(stderr, "storm: fork %lu of %lu: %s\n", made + 1, n,
				strerror(errno));
			break;
		}
		if (pid == 0) {
			/* Async-signal-safe calls only: wait for the gate to close, then go. */
			close(gate[1]);
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	printf("ready %lu\n", made);
	fflush(stdout);
	/* A line or EOF on stdin (also our parent's death) releases the crowd. */
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	close(gate[1]);
	while (reaped < made) {
		if (wait(NULL) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		reaped++;
	}
	printf("done %lu\n", reaped);
	fflush(stdout);
	return reaped == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "threads") == 0)
		return storm_threads(parse_count(argv[2], 1000000), parse_count(argv[3], 1000));
	if (argc == 3 && strcmp(argv[1], "hold") == 0)
		return storm_hold(parse_count(argv[2], 4000000));
	fprintf(stderr, "usage: storm threads ROUNDS N | storm hold N\n");
	return 2;
}
