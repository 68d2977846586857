/* zr-work.h - what zr-work's files share: the helpers of output.c, args.c and procs.c, and one
 * entry point per scenario (scen_*.c), each called with the scenario's own argc/argv.
 */
#ifndef ZR_WORK_H
#define ZR_WORK_H

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "fdwrite.h" /* fd_write_all: async-signal-safe, children and threads use it */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define MAX_COUNT 100000

extern char **environ;

/* What a child's death looked like, from wait4 or waitid alike. */
struct death {
	pid_t pid;
	bool signaled;
	int value; /* exit code, or signal number */
	bool core;
};

/* output.c */
__attribute__((format(printf, 1, 2), noreturn)) void die_usage(const char *fmt, ...);
__attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...);
void emit(const char *role, long id);

/* args.c */
unsigned long parse_num(const char *s, const char *what, unsigned long max);
int parse_signal(const char *s);
void unescape(const char *in, char *out, size_t outlen);

/* procs.c */
void sleep_ms(unsigned long ms);
int pidfd_open(pid_t pid);
void await_death(pid_t pid);
pid_t xfork(void);
void describe(const struct death *d, char *buf, size_t len);
bool reap(pid_t pid, bool use_waitid, struct death *d);
void reap_expect(pid_t pid, bool use_waitid, struct death *d);
void expect_exit(const struct death *d, int code);
void gate_open(const char *path);
void gate_pass(void);
void sync_wait(const char *path);
void set_core_limit(bool core);
void kill_self(int sig);
bool adopts_orphans(void);

/* The scenarios, argv[0] being the scenario's name; each returns zr-work's exit code. */
int scen_fork(int argc, char **argv);
int scen_zombie(int argc, char **argv);
int scen_orphan(int argc, char **argv);
int scen_threads(int argc, char **argv);
int scen_comm(int argc, char **argv);
int scen_hostile_exec(int argc, char **argv);
int scen_autoreap(int argc, char **argv);
int scen_signal_self(int argc, char **argv);
int scen_wait_nohang(int argc, char **argv);
int scen_wait_nowait(int argc, char **argv);
int scen_wait_stop(int argc, char **argv);
int scen_subreaper(int argc, char **argv);
int scen_sigstate(int argc, char **argv);
int scen_run(int argc, char **argv);

#endif /* ZR_WORK_H */
