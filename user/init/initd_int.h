/* initd_int.h - what the parts of `run`'s init share (initd.c the loop, initd_spawn.c the
 * child, initd_signals.c the signal state, initd_reap.c the reaping, initd_end.c the
 * descendants left at the end); not for other modules.
 */
#ifndef ZR_INITD_INT_H
#define ZR_INITD_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include "initd.h"

struct initd {
	const struct initd_opts *o;
	pid_t self, child;
	bool is_pid1;
	bool is_log_reaps;   /* a line per reaped orphan (--log-reaps, -w, -v) */
	bool has_tty;	     /* the child was handed the terminal (stdin, we in front) */
	bool is_new_session; /* no controlling terminal: the child leads a session of its own */
	bool is_follow_stop; /* stop when the child stops, so the shell gets its prompt */
	bool is_child_done;
	int child_status;
	uint64_t wait_ns; /* time spent in waitpid/waitid so far: the kernel's walks (pacing) */
	int sfd;
	sigset_t sfd_mask;     /* the signals sfd reads: all but the synchronous ones */
	sigset_t orig_mask;    /* what run was started with: the child gets it back */
	sigset_t orig_ignored; /* the signals run was started with ignored: likewise */
	/* Built before fork, so the child only calls execve (async-signal-safe). */
	char **paths;
	size_t n_paths;
	char **argv;
	char **sh_argv; /* /bin/sh PATH ARG...: for a file exec refuses with ENOEXEC */
};

/* initd_spawn.c: the candidate files for argv[0] as execvp would try them (0, -EINVAL or
 * -ENOMEM); their release (NULL-safe); fork and exec, printing the one line when exec fails
 * (0, or -errno when fork itself fails). */
int initd_prepare_exec(struct initd *d, char **argv);
void initd_exec_free(struct initd *d);
int initd_spawn(struct initd *d);

/* initd_signals.c: block all but the synchronous signals and open d->sfd (0 or -errno); have
 * it read SIGCHLD or not (0 or -errno: off while a pause in the reaping is waited out); take a
 * pending SIGCHLD without waiting (whether one was pending: a child changed state since it was
 * last taken or read); pass one signal on to the child; stop with the child (job control at a
 * terminal). */
int initd_setup_signals(struct initd *d);
int initd_read_chld(struct initd *d, bool is_on);
bool initd_take_chld(void);
void initd_forward(struct initd *d, const struct signalfd_siginfo *si);
void initd_follow_stop(struct initd *d);

/* initd_reap.c: reap one child (its pid, 0 when none is ready and never when is_blocking,
 * -ECHILD when none is left); reap every ready one (how many, or -ECHILD); the same until
 * slice_ns more have gone in waitpid itself (0: no limit), *is_cut set when that came first
 * (more may be ready). */
pid_t initd_reap_next(struct initd *d, bool is_blocking);
int initd_drain(struct initd *d);
int initd_drain_for(struct initd *d, uint64_t slice_ns, bool *is_cut);
/* initd.c: how long `run` waits before its next drain, after one that spent waited_ns in
 * waitpid and returned reaped (a count, or -errno); is_backlog: it was cut short and no child
 * changed state meanwhile, so what is left piled up before and grows no more. */
uint64_t initd_drain_gap(uint64_t waited_ns, int reaped, bool is_backlog);

/* initd_end.c: after the child, end (or leave, --no-kill) its descendants and reap them. */
void initd_end_descendants(struct initd *d);

#endif /* ZR_INITD_INT_H */
