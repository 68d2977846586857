/* scen_state.c - zr-work's subreaper and sigstate scenarios: the subreaper flag set and
 * cleared; the signal mask and dispositions it inherited. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

int scen_subreaper(int argc, char **argv)
{
	int on = -1;

	if (argc > 1)
		die_usage("subreaper: unknown option '%s'", argv[1]);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER, 1): %s", strerror(errno));
	if (prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0) < 0 || on != 1)
		die("subreaper flag did not stick");
	if (prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER, 0): %s", strerror(errno));
	return 0;
}

static void print_sigset(const char *label, unsigned long long mask)
{
	char line[2048];
	size_t len = (size_t)snprintf(line, sizeof(line), "%s ", label);
	bool any = false;

	for (int sig = 1; sig <= 64; sig++) {
		char name[32];
		const char *abbrev;

		if (!(mask & (1ULL << (sig - 1))))
			continue;
		abbrev = sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;
		if (abbrev)
			snprintf(name, sizeof(name), "SIG%s", abbrev);
		else if (sig >= SIGRTMIN)
			snprintf(name, sizeof(name), "SIGRTMIN+%d", sig - SIGRTMIN);
		else
			snprintf(name, sizeof(name), "SIG%d", sig);
		len +=
		    (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", any ? "," : "", name);
		any = true;
	}
	if (!any)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "-");
	len += (size_t)snprintf(line + len, sizeof(line) - len, "\n");
	if (fd_write_all(STDOUT_FILENO, line, len) < 0)
		die("write: %s", strerror(errno));
}

int scen_sigstate(int argc, char **argv)
{
	FILE *f;
	char line[256];
	unsigned long long blk = 0, ign = 0;
	int found = 0;

	if (argc > 1)
		die_usage("sigstate: unknown option '%s'", argv[1]);
	f = fopen("/proc/self/status", "re");
	if (!f)
		die("/proc/self/status: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "SigBlk:", 7) == 0) {
			blk = strtoull(line + 7, NULL, 16);
			found |= 1;
		} else if (strncmp(line, "SigIgn:", 7) == 0) {
			ign = strtoull(line + 7, NULL, 16);
			found |= 2;
		}
	}
	fclose(f);
	if (found != 3)
		die("/proc/self/status: no SigBlk/SigIgn");
	print_sigset("blocked", blk);
	print_sigset("ignored", ign);
	return 0;
}
