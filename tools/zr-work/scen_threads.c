/* scen_threads.c - zr-work's threads scenario: pthreads that exit, the leader first or last. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

struct thread_arg {
	pthread_t wait_for; /* joined before exiting (--leader-exits-first) */
	bool has_wait_for;
	unsigned long linger_ms; /* stays this long before exiting (--linger) */
	int report; /* write end: the thread sends its tid, so lines come in creation order */
};

static void *thread_main(void *p)
{
	struct thread_arg *t = p;
	pid_t tid = gettid();

	if (fd_write_all(t->report, &tid, sizeof(tid)) < 0)
		die("thread: write: %s", strerror(errno));
	if (t->linger_ms)
		sleep_ms(t->linger_ms);
	if (t->has_wait_for) {
		int err = pthread_join(t->wait_for, NULL);

		if (err)
			die("pthread_join: %s", strerror(err));
	}
	return NULL;
}

int scen_threads(int argc, char **argv)
{
	unsigned long n, linger = 0;
	bool leader_first = false;
	pthread_t *tids;
	struct thread_arg *args;
	int report[2];

	n = parse_num(argc > 1 ? argv[1] : NULL, "threads N", 10000);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--leader-exits-first") == 0)
			leader_first = true;
		else if (strcmp(argv[i], "--linger") == 0)
			linger = parse_num(i + 1 < argc ? argv[++i] : NULL, "--linger", 86400000UL);
		else
			die_usage("threads: unknown option '%s'", argv[i]);
	}
	if (leader_first && n == 0)
		die_usage("threads: --leader-exits-first needs N >= 1");
	tids = calloc(n ? n : 1, sizeof(*tids));
	args = calloc(n ? n : 1, sizeof(*args));
	if (!tids || !args)
		die("out of memory");
	if (pipe2(report, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	for (unsigned long i = 0; i < n; i++) {
		pid_t tid;
		ssize_t got;
		int err;

		args[i].report = report[1];
		args[i].linger_ms = linger;
		if (leader_first) {
			/* thread 0 joins main, thread i joins thread i-1: a fixed exit order */
			args[i].wait_for = i == 0 ? pthread_self() : tids[i - 1];
			args[i].has_wait_for = true;
		}
		err = pthread_create(&tids[i], NULL, thread_main, &args[i]);
		if (err)
			die("pthread_create: %s", strerror(err));
		do {
			got = read(report[0], &tid, sizeof(tid));
		} while (got < 0 && errno == EINTR);
		if (got != (ssize_t)sizeof(tid))
			die("thread %lu did not report its tid", i);
		emit("thread", tid);
	}
	if (leader_first)
		pthread_exit(NULL); /* the last thread's exit ends the process with status 0 */
	for (unsigned long i = 0; i < n; i++) {
		int err = pthread_join(tids[i], NULL);

		if (err)
			die("pthread_join: %s", strerror(err));
	}
	free(tids);
	free(args);
	return 0;
}
