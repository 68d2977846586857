/* initwork.c - init.work TOTAL WAVE [backlog], the workload of tools/bench/init.sh. Makes TOTAL
 * orphans for PID 1 in waves of WAVE and times how long PID 1 takes to reap each wave once
 * released. Prints "total reap_ns init_cpu_ns waves".
 * With backlog (one wave: TOTAL == WAVE), PID 1 is stopped (SIGSTOP from the bench, outside the
 * namespace: from inside, PID 1 ignores it) before the release; the orphans all exit meanwhile,
 * and the timing starts when this sends PID 1 SIGCONT (its wake-up works from inside). That is
 * the tail of a burst alone: every zombie near the front of PID 1's list, no exit to come. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts) < 0) {
		perror("init.work: clock_gettime");
		exit(1);
	}
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Waits (10 s at most) until PID 1 is stopped (the bench's SIGSTOP), read from its /proc stat
 * line (this namespace's /proc); exits 1 when it is not. */
static void await_init_stopped(void)
{
	const struct timespec ms = { 0, 1000000 };
	char buf[512], *p;

	for (int i = 0; i < 10000; i++) {
		FILE *f = fopen("/proc/1/stat", "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && (p[2] == 'T' || p[2] == 't'))
			return;
		nanosleep(&ms, NULL);
	}
	fprintf(stderr, "init.work: PID 1 was not stopped: the bench stops it\n");
	exit(1);
}

/* Waits (10 s at most) until PID has exited: its pidfd polls readable. Not through /proc, whose
 * entries, once looked up, would add their own teardown to every reap timed. */
static void await_exit(pid_t pid)
{
	struct pollfd p = { .fd = (int)syscall(SYS_pidfd_open, pid, 0), .events = POLLIN };

	if (p.fd < 0 || poll(&p, 1, 10000) != 1) {
		fprintf(stderr, "init.work: orphan %d did not exit: %s\n", (int)pid,
			p.fd < 0 ? strerror(errno) : "timed out");
		exit(1);
	}
	close(p.fd);
}

int main(int argc, char **argv)
{
	long total, wave, done = 0, waves = 0;
	bool is_backlog;
	long long reap = 0, cpu = 0;
	clockid_t initclk;
	pid_t *pids;
	const struct timespec nap = { 0, 20000 };

	if (argc < 3 || argc > 4 || (total = atol(argv[1])) <= 0 || (wave = atol(argv[2])) <= 0 ||
	    (argc == 4 && (strcmp(argv[3], "backlog") != 0 || total != wave))) {
		fprintf(stderr, "usage: init.work TOTAL WAVE [backlog (TOTAL == WAVE)]\n");
		return 2;
	}
	is_backlog = argc == 4;
	if (getpid() == 1 || getppid() != 1) {
		fprintf(stderr, "init.work: must run as the child of PID 1 (pid %d ppid %d)\n",
			(int)getpid(), (int)getppid());
		return 1;
	}
	if (clock_getcpuclockid(1, &initclk) != 0) {
		fprintf(stderr, "init.work: no CPU clock for PID 1\n");
		return 1;
	}
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	pids = calloc((size_t)wave, sizeof(*pids));
	if (!pids)
		return 1;
	while (done < total) {
		long k = total - done < wave ? total - done : wave;
		int rel[2], rep[2], st;
		long long t0, t1, c0, c1;
		pid_t mid;

		if (pipe(rel) < 0 || pipe(rep) < 0) {
			perror("init.work: pipe");
			return 1;
		}
		mid = fork();
		if (mid < 0) {
			perror("init.work: fork");
			return 1;
		}
		if (mid == 0) {
			close(rep[0]);
			close(rel[1]);
			for (long i = 0; i < k; i++) {
				pid_t g = fork();
				char c;

				if (g < 0)
					_exit(1);
				if (g == 0) {
					close(rep[1]);
					while (read(rel[0], &c, 1) < 0 && errno == EINTR)
						;
					_exit(0);
				}
				if (write(rep[1], &g, sizeof(g)) != (ssize_t)sizeof(g))
					_exit(1);
			}
			_exit(0);
		}
		close(rel[0]);
		close(rep[1]);
		for (long i = 0; i < k; i++) {
			ssize_t n;

			do
				n = read(rep[0], &pids[i], sizeof(pids[i]));
			while (n < 0 && errno == EINTR);
			if (n != (ssize_t)sizeof(pids[i])) {
				fprintf(stderr, "init.work: middle made %ld of %ld orphans\n", i,
					k);
				return 1;
			}
		}
		close(rep[0]);
		if (waitpid(mid, &st, 0) != mid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "init.work: middle failed\n");
			return 1;
		}
		/* every orphan of this wave is now PID 1's child, blocked on rel */
		if (is_backlog) {
			await_init_stopped();
			close(rel[1]);
			for (long i = 0; i < k; i++)
				await_exit(pids[i]);
		}
		c0 = ns(initclk);
		t0 = ns(CLOCK_MONOTONIC);
		if (!is_backlog)
			close(rel[1]);
		else if (kill(1, SIGCONT) < 0) {
			perror("init.work: kill(1, SIGCONT)");
			return 1;
		}
		for (long i = 0; i < k; i++) {
			while (kill(pids[i], 0) == 0 || errno != ESRCH)
				nanosleep(&nap, NULL);
		}
		t1 = ns(CLOCK_MONOTONIC);
		c1 = ns(initclk);
		reap += t1 - t0;
		cpu += c1 - c0;
		done += k;
		waves++;
	}
	printf("%ld %lld %lld %ld\n", total, reap, cpu, waves);
	return 0;
}
