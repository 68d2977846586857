/* scen_zombie.c - zr-work's zombie scenario: children held as zombies for a while, then
 * reaped (or never). */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

int scen_zombie(int argc, char **argv)
{
	unsigned long ms, count = 1;
	bool never = false, stop = false, use_waitid = false;
	pid_t *pids;
	struct death d;

	ms = parse_num(argc > 1 ? argv[1] : NULL, "zombie MS", 86400000UL);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0)
			count = parse_num(i + 1 < argc ? argv[++i] : NULL, "--count", MAX_COUNT);
		else if (strcmp(argv[i], "--never") == 0)
			never = true;
		else if (strcmp(argv[i], "--stop") == 0)
			stop = true;
		else if (strcmp(argv[i], "--waitid") == 0)
			use_waitid = true;
		else
			die_usage("zombie: unknown option '%s'", argv[i]);
	}
	pids = calloc(count ? count : 1, sizeof(*pids));
	if (!pids)
		die("out of memory");
	for (unsigned long i = 0; i < count; i++) {
		pids[i] = xfork();
		if (pids[i] == 0)
			_exit(0);
		emit("zombie", pids[i]);
	}
	for (unsigned long i = 0; i < count; i++)
		await_death(pids[i]);
	if (stop)
		raise(SIGSTOP);
	sleep_ms(ms);
	if (!never) {
		for (unsigned long i = 0; i < count; i++) {
			reap_expect(pids[i], use_waitid, &d);
			expect_exit(&d, 0);
		}
	}
	free(pids);
	return 0;
}
