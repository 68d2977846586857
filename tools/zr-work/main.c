/* main.c - zr-work, the workload helper of the e2e tests: makes exact fork/exec/exit/wait/reap
 * scenarios (a file each, scen_*.c) and prints every process or thread it made, so tests assert
 * on exact pids and counts.
 *
 * Usage: zr-work [GLOBAL...] SCENARIO [ARGS...]
 *
 * Output (stdout): one line per process or thread made, "<role> <pid>", written with one write(2)
 * each (never buffered). Roles: self subreaper child zombie middle orphan thread adopted; sigstate
 * prints "blocked <list>" and "ignored <list>". Errors: one line "zr-work: ..." on stderr; exit 2
 * on a usage error, 1 when a scenario did not go exactly as planned, else 0 (run: the child's).
 *
 * Global options (before SCENARIO):
 *   --self          print "self PID" first (before --sync, so a test can filter on it)
 *   --sync FILE     wait (inotify, no polling) until FILE exists before the scenario
 *   --subreaper     prctl(PR_SET_CHILD_SUBREAPER, 1) on zr-work, then print "subreaper PID"
 *   --gate FIFO     fork: after each reaped child, block until one line is written to FIFO
 *   -h, --help      this text on stdout
 *
 * Scenarios:
 *   fork N [--exit K | --signal S [--core] | --exec PATH [ARG...] | --exec-fail PATH]
 *          [--parallel] [--waitid]
 *       N children; each exits with K (default 0), kills itself with S, or execs PATH with
 *       argv {PATH, ARG...} (--exec takes the rest of the line). Sequential: each child is
 *       reaped with wait4(pid) / waitid(P_PID) before the next fork. --parallel: all forked,
 *       then N reaps with wait4(-1) / waitid(P_ALL). Prints "child PID" each. The status is
 *       checked: K, signal S, 127 for --exec-fail (anything but 127 for --exec).
 *   zombie MS [--count N] [--never] [--stop] [--waitid]
 *       N (1) children exit at once; once all are zombies (seen through pidfds, no wait call),
 *       optionally SIGSTOP itself (--stop; continue it with SIGCONT), then sleep MS ms, then
 *       reap each by pid. --never: exit 0 after MS without reaping. Prints "zombie PID".
 *   orphan [--linger MS] [--count N]
 *       double fork: the middle child forks N (1) grandchildren and exits; zr-work reaps the
 *       middle; only then (pipe EOF) do the grandchildren, now orphans, live MS (0) ms and exit.
 *       If zr-work is their new parent (--subreaper, or PID 1) it reaps them with wait4(pid);
 *       else it waits for their death through pidfds. Prints "middle PID", "orphan PID".
 *   threads N [--leader-exits-first] [--linger MS]
 *       N pthreads that exit at once, joined, then the process exits. --leader-exits-first:
 *       the main thread calls pthread_exit first; thread i exits after thread i-1 (thread 0
 *       after main), so the last thread ends the group. Prints "thread TID" in creation order.
 *   comm STRING
 *       prctl(PR_SET_NAME) to STRING after C escapes (\e \n \t \r \a \b \f \v \xNN \\), then
 *       forks one child that exits 0 (inherits the comm), reaped. Prints "child PID".
 *   hostile-exec [--path PATH]
 *       one child execs PATH (/bin/true) with an argv of control bytes, invalid UTF-8, quotes
 *       and backslashes; reaped, must exit 0. Prints "child PID".
 *   autoreap N
 *       SIGCHLD set to SIG_IGN; N children exit at once; the kernel reaps them (zr-work waits
 *       for each death with a pidfd, never with wait). Prints "child PID".
 *   signal-self S [--core]
 *       zr-work kills itself with S (default action restored, S unblocked).
 *   wait-nohang [--waitid]    child blocked on a pipe: WNOHANG (would_block), release it,
 *                              reap it (reaped), wait on any child again (no_child, ECHILD)
 *   wait-nowait [--exit K]    child exits: waitid(WEXITED|WNOWAIT) peek, then wait4 reap
 *                              (--waitid: waitid reap)
 *   wait-stop [--waitid]      child blocked on a pipe: SIGSTOP + WUNTRACED (stopped), SIGCONT +
 *                              WCONTINUED (continued), release it, reap it (reaped)
 *   subreaper                 PR_SET_CHILD_SUBREAPER 1, then 0
 *   sigstate                  prints "blocked <list>" and "ignored <list>": comma-separated
 *                              signal names (SIGRTMIN+n for real-time ones), "-" when empty
 *   run CMD [ARG...]          fork+exec CMD (PATH search), then reap every child, its own and
 *                              adopted ("adopted PID"), until none is left; exits with CMD's
 *                              status (128+N for a signal). With --subreaper: a mini init.
 *
 * Signals S: a number, or a name with or without "SIG" (SEGV, SIGSEGV, segv). --core sets
 * RLIMIT_CORE to its hard limit (else 0, so core_dumped is deterministic); cores go to the
 * current directory when core_pattern is "core". Every count is exact: fork 10000 makes 10000
 * children, reaps 10000 and prints 10000 lines. Forked children make async-signal-safe calls only.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

struct scenario {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct scenario scenarios[] = {
	{ "fork", scen_fork },
	{ "zombie", scen_zombie },
	{ "orphan", scen_orphan },
	{ "threads", scen_threads },
	{ "comm", scen_comm },
	{ "hostile-exec", scen_hostile_exec },
	{ "autoreap", scen_autoreap },
	{ "signal-self", scen_signal_self },
	{ "wait-nohang", scen_wait_nohang },
	{ "wait-nowait", scen_wait_nowait },
	{ "wait-stop", scen_wait_stop },
	{ "subreaper", scen_subreaper },
	{ "sigstate", scen_sigstate },
	{ "run", scen_run },
};

static void usage(FILE *out)
{
	fputs(
	    "Usage: zr-work [--self] [--sync FILE] [--subreaper] [--gate FIFO] SCENARIO [ARGS...]\n"
	    "\n"
	    "Makes exact process scenarios for zreaper's tests and prints each process or thread\n"
	    "it made as \"<role> <pid>\" on stdout, one write per line.\n"
	    "\n"
	    "Global options:\n"
	    "  --self          print \"self PID\" first (before --sync)\n"
	    "  --sync FILE     wait until FILE exists before the scenario\n"
	    "  --subreaper     become a child subreaper first; prints \"subreaper PID\"\n"
	    "  --gate FIFO     fork: after each reap, wait for a line written to FIFO\n"
	    "  -h, --help      show this help\n"
	    "\n"
	    "Scenarios:\n"
	    "  fork N [--exit K | --signal S [--core] | --exec PATH [ARG...] | --exec-fail PATH]\n"
	    "         [--parallel] [--waitid]           N children, each reaped before the next\n"
	    "                                           fork (--parallel: all reaped at the end)\n"
	    "  zombie MS [--count N] [--never] [--stop] [--waitid]\n"
	    "                                           N zombies held MS ms, then reaped\n"
	    "  orphan [--linger MS] [--count N]         double fork; orphans live MS ms after the\n"
	    "                                           middle is reaped\n"
	    "  threads N [--leader-exits-first] [--linger MS]\n"
	    "                                           N pthreads (each lives MS ms)\n"
	    "  comm STRING                              set comm (C escapes), fork one child\n"
	    "  hostile-exec [--path PATH]               exec /bin/true with a hostile argv\n"
	    "  autoreap N                               SIGCHLD ignored, N children autoreaped\n"
	    "  signal-self S [--core]                   die of signal S\n"
	    "  wait-nohang [--waitid]                   would_block, reaped, no_child\n"
	    "  wait-nowait [--exit K] [--waitid]        WNOWAIT peek, then reap\n"
	    "  wait-stop [--waitid]                     stopped, continued, reaped\n"
	    "  subreaper                                set, then clear PR_SET_CHILD_SUBREAPER\n"
	    "  sigstate                                 print blocked and ignored signals\n"
	    "  run CMD [ARG...]                         run CMD, reap all children and adoptees\n"
	    "\n"
	    "Roles printed: self subreaper child zombie middle orphan thread adopted.\n"
	    "Signals by number or name (SEGV, SIGSEGV). Exit: 0 ok, 1 scenario failed, 2 usage.\n",
	    out);
}

int main(int argc, char **argv)
{
	const char *sync_path = NULL, *gate_path = NULL;
	bool subreaper = false, self = false;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--self") == 0) {
			self = true;
		} else if (strcmp(a, "--subreaper") == 0) {
			subreaper = true;
		} else if (strcmp(a, "--sync") == 0 || strcmp(a, "--gate") == 0) {
			if (i + 1 >= argc)
				die_usage("%s: missing value", a);
			if (a[2] == 's')
				sync_path = argv[++i];
			else
				gate_path = argv[++i];
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else {
			die_usage("unknown option '%s'", a);
		}
	}
	if (i >= argc)
		die_usage("missing SCENARIO");
	for (size_t s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		if (strcmp(argv[i], scenarios[s].name) != 0)
			continue;
		if (self)
			emit("self", getpid());
		if (gate_path)
			gate_open(gate_path);
		if (sync_path)
			sync_wait(sync_path);
		if (subreaper) {
			if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
				die("prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
			emit("subreaper", getpid());
		}
		return scenarios[s].fn(argc - i, argv + i);
	}
	die_usage("unknown scenario '%s'", argv[i]);
}
