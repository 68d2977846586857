/* scen_signal.c - zr-work's signal-self scenario: zr-work dies of a signal. */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "zr-work.h"

int scen_signal_self(int argc, char **argv)
{
	int sig;
	bool core = false;

	sig = parse_signal(argc > 1 ? argv[1] : NULL);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--core") == 0)
			core = true;
		else
			die_usage("signal-self: unknown option '%s'", argv[i]);
	}
	set_core_limit(core);
	kill_self(sig);
	die("signal %d did not kill zr-work", sig);
}
