/* scen_orphan.c - zr-work's orphan scenario: a double fork whose grandchildren outlive their
 * parent. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

int scen_orphan(int argc, char **argv)
{
	unsigned long linger = 0, count = 1;
	int release[2], report[2];
	pid_t middle;
	pid_t *orphans;
	struct death d;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--linger") == 0)
			linger = parse_num(i + 1 < argc ? argv[++i] : NULL, "--linger", 86400000UL);
		else if (strcmp(argv[i], "--count") == 0)
			count = parse_num(i + 1 < argc ? argv[++i] : NULL, "--count", 10000);
		else
			die_usage("orphan: unknown option '%s'", argv[i]);
	}
	orphans = calloc(count ? count : 1, sizeof(*orphans));
	if (!orphans)
		die("out of memory");
	/* release: EOF tells the orphans their middle parent has been reaped (so they are
	 * reparented); report: the middle sends the orphans' pids back. */
	if (pipe2(release, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	middle = xfork();
	if (middle == 0) {
		close(report[0]);
		for (unsigned long i = 0; i < count; i++) {
			pid_t g = fork();
			char c;

			if (g < 0)
				_exit(1);
			if (g == 0) {
				close(release[1]);
				close(report[1]);
				while (read(release[0], &c, 1) != 0) {
					if (errno != EINTR)
						break;
				}
				sleep_ms(linger);
				_exit(0);
			}
			if (fd_write_all(report[1], &g, sizeof(g)) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(release[0]);
	close(report[1]);
	emit("middle", middle);
	reap_expect(middle, false, &d);
	expect_exit(&d, 0);
	for (unsigned long i = 0; i < count; i++) {
		ssize_t n;

		do {
			n = read(report[0], &orphans[i], sizeof(orphans[i]));
		} while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(orphans[i]))
			die("orphan: middle reported %lu of %lu orphans", i, count);
		emit("orphan", orphans[i]);
	}
	close(report[0]);
	close(release[1]); /* the middle is reaped: let the orphans go on */
	for (unsigned long i = 0; i < count; i++) {
		if (adopts_orphans()) {
			reap_expect(orphans[i], false, &d);
			expect_exit(&d, 0);
		} else {
			await_death(orphans[i]);
		}
	}
	free(orphans);
	return 0;
}
