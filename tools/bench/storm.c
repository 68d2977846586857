/* storm.c - workloads `make bench` needs that tools/zr-work does not make: a thread storm
 * (ROUNDS rounds of N short-lived threads) and a crowd of N sleeping children held alive for
 * the memory benchmark. Prints what it made as "<role> <id>" lines, after the storm so that
 * printing does not slow it.
 *   storm threads ROUNDS N   prints "thread TID" per thread at the end
 *   storm hold N             forks N children blocked on a pipe, prints "ready N"; a line
 *                            (or EOF) on stdin releases them; reaps all, prints "done N"
 *   storm double N           N double forks as daemons do: a middle forks a grandchild and
 *                            exits; the grandchild, orphaned, exits once the middle is dead and
 *                            comes to us (a child subreaper). Prints "middle PID" and "orphan
 *                            PID" per process at the end
 *   storm crowd LIVE ZOMBIES PARENTS
 *                            a host to scan (the `zombies` benchmark): LIVE processes in all
 *                            (us and PARENTS parents among them, the rest sleeping children of
 *                            the parents) and ZOMBIES zombies spread over the parents, exit
 *                            codes 0..ZOMBIES-1 mod 256. Prints "ready PROCESSES ZOMBIES" once
 *                            every zombie is one; a line (or EOF) on stdin ends it all
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

/* One double fork. The grandchild waits for EOF on a pipe only the middle holds, so it is an
 * orphan (adopted) before it exits. The storm is single-threaded, so the children may call
 * anything. */
static pid_t double_fork(void)
{
	int p[2];
	pid_t middle;
	char c;

	if (pipe(p) < 0)
		return -1;
	middle = fork();
	if (middle == 0) {
		pid_t mid = getpid(); /* before the fork: the middle may be gone when we look */
		pid_t g = fork();

		if (g == 0) {
			close(p[1]);
			while (read(p[0], &c, 1) < 0 && errno == EINTR)
				;
			/* EOF comes when the middle closes its files, a moment before the kernel
			 * hands us to the subreaper: exit only once adopted, so we die an orphan.
			 */
			while (getppid() == mid)
				sched_yield();
			_exit(0);
		}
		_exit(g < 0 ? 1 : 0); /* closes p[1]: the grandchild's cue */
	}
	close(p[0]);
	close(p[1]);
	return middle;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int storm_double(unsigned long n)
{
	pid_t *middles = calloc(n, sizeof(*middles)), *all = calloc(2 * n, sizeof(*all));
	unsigned long made = 0, reaped = 0, i, k;
	int rc = 0;

	if (!middles || !all || prctl(PR_SET_CHILD_SUBREAPER, 1UL) < 0) {
		fprintf(stderr, "storm: cannot set up the double-fork storm\n");
		return 1;
	}
	for (; made < n; made++) {
		middles[made] = double_fork();
		if (middles[made] < 0) {
			fprintf(stderr, "storm: fork %lu of %lu: %s\n", made + 1, n,
				strerror(errno));
			rc = 1;
			break;
		}
	}
	while (reaped < 2 * made) {
		pid_t pid = wait(NULL);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		all[reaped++] = pid;
	}
	/* What was reaped and is no middle is an adopted grandchild. */
	for (i = 0; i < made; i++)
		printf("middle %d\n", middles[i]);
	qsort(middles, made, sizeof(*middles), cmp_pid);
	for (k = 0; k < reaped; k++)
		if (!bsearch(&all[k], middles, made, sizeof(*middles), cmp_pid))
			printf("orphan %d\n", all[k]);
	free(middles);
	free(all);
	if (reaped != 2 * made)
		rc = 1;
	return fflush(stdout) == 0 ? rc : 1;
}

/* One parent of the crowd: live sleepers and zombies of its own, then a byte on ready once
 * every zombie is dead (waitid WNOWAIT: seen, not reaped); it and its sleepers stay until EOF
 * on hold. Never returns. */
static void crowd_parent(unsigned long live, unsigned long zombies, unsigned long first_code,
			 int hold, int ready)
{
	unsigned long i;
	siginfo_t si;
	char c = 'r';
	pid_t pid;

	for (i = 0; i < live; i++) {
		pid = fork();
		if (pid < 0)
			_exit(1);
		if (pid == 0) {
			while (read(hold, &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	for (i = 0; i < zombies; i++) {
		pid = fork();
		if (pid < 0)
			_exit(1);
		if (pid == 0)
			_exit((int)((first_code + i) % 256));
		while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
			;
	}
	if (write(ready, &c, 1) != 1)
		_exit(1);
	while (read(hold, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0); /* the zombies go to our reaper, which reaps them */
}

static int storm_crowd(unsigned long live, unsigned long zombies, unsigned long parents)
{
	unsigned long sleepers, i, done = 0, code = 0;
	int hold[2], ready[2];
	char line[64], c;

	if (live < parents + 1 || pipe(hold) < 0 || pipe(ready) < 0) {
		fprintf(stderr, "storm: crowd needs LIVE > PARENTS, and pipes\n");
		return 1;
	}
	/* Our children's zombies (the parents' after we close hold) are reaped below. */
	prctl(PR_SET_CHILD_SUBREAPER, 1UL);
	sleepers = live - parents - 1;
	for (i = 0; i < parents; i++) {
		unsigned long l = sleepers / parents + (i < sleepers % parents),
			      z = zombies / parents + (i < zombies % parents);
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "storm: fork parent %lu: %s\n", i + 1, strerror(errno));
			return 1;
		}
		if (pid == 0) {
			close(hold[1]);
			close(ready[0]);
			crowd_parent(l, z, code, hold[0], ready[1]);
		}
		code += z;
	}
	close(hold[0]);
	close(ready[1]);
	while (done < parents && read(ready[0], &c, 1) == 1)
		done++;
	if (done < parents) {
		fprintf(stderr, "storm: %lu of %lu crowd parents failed\n", parents - done,
			parents);
		return 1;
	}
	printf("ready %lu %lu\n", live + zombies, zombies);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	close(hold[1]);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "threads") == 0)
		return storm_threads(parse_count(argv[2], 1000000), parse_count(argv[3], 1000));
	if (argc == 3 && strcmp(argv[1], "hold") == 0)
		return storm_hold(parse_count(argv[2], 4000000));
	if (argc == 3 && strcmp(argv[1], "double") == 0)
		return storm_double(parse_count(argv[2], 1000000));
	if (argc == 5 && strcmp(argv[1], "crowd") == 0)
		return storm_crowd(parse_count(argv[2], 4000000), parse_count(argv[3], 4000000),
				   parse_count(argv[4], 100000));
	fprintf(stderr, "usage: storm threads ROUNDS N | storm hold N | storm double N | "
			"storm crowd LIVE ZOMBIES PARENTS\n");
	return 2;
}
