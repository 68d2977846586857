/* inject.c - runs waitid() inside a live parent under ptrace so it reaps its zombies itself,
 * one waitid per zombie, all of them in one stop: the ptrace session (seize, stop, run, hand
 * signals back, detach). The parent's /proc entries are read in inject_proc.c, the system call
 * instruction found in inject_code.c, the registers set in inject_arch.c.
 *
 * The order matters, and every step is chosen so the parent cannot tell:
 *  - PTRACE_SEIZE (no SIGSTOP is sent) + PTRACE_INTERRUPT: one thread stops in a
 *    PTRACE_EVENT_STOP, inside the kernel's signal delivery, before the kernel decides whether
 *    an interrupted system call restarts.
 *  - Its registers are saved; the pc is pointed at an existing system call instruction
 *    (x86_64: the `syscall` the thread was blocked in, else one in the vDSO or another
 *    executable mapping; aarch64: an `svc #0` elsewhere than where the thread stopped): no
 *    memory is written, so the code, the stack and its red zone stay untouched. The kernel's
 *    syscall-number register (orig_rax; NT_ARM_SYSTEM_CALL) is set to -1 so it does not
 *    "restart" anything before our instruction runs.
 *  - PTRACE_SINGLESTEP runs just that instruction; the single-step SIGTRAP stops the thread
 *    again, once more inside signal delivery. Registers are restored exactly (orig_rax and a
 *    -ERESTART* rax included; aarch64: NT_PRSTATUS and NT_ARM_SYSTEM_CALL), and PTRACE_DETACH
 *    with signal 0 discards that SIGTRAP. Signal delivery then carries on with the original
 *    registers: a blocked read() or nanosleep() restarts as it would have after any signal
 *    that has no handler. (aarch64, not run here, only compiled: the kernel has already
 *    rewound a restartable call onto its svc when the thread stops, so it runs again with its
 *    arguments; a nanosleep() or futex wait with a relative timeout would start that timeout
 *    afresh instead of going through restart_syscall.)
 *  - Several zombies: the registers are set up afresh from the saved ones for each waitid,
 *    single-stepped one after the other within the same stop.
 *  - A signal that arrives meanwhile is handed back: the registers are restored and the
 *    detach delivers it (its siginfo untouched), then the waitids not yet run go on in a new
 *    stop. A thread found in a group stop (SIGSTOP, ^Z) is detached with what has not run
 *    yet left undone, and stays stopped.
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "inject.h"
#include "inject_int.h"

#define MAX_ATTEMPTS 4

/* How long wait_stop asks again at once before it sleeps. A stop comes some 25 us after the
 * interrupt, the single-step trap some 40 us after the step (medians, make bench-inject); the
 * wake-up from a sleep took as long again: asking at once halved the parent's stop. p99 is
 * near 130 us. */
#define SPIN_NS 300000

/* Linux: a NULL infop is allowed; the result is then only the return value. */
#define WAIT_OPTIONS (WEXITED | WNOHANG | __WALL)

#if INJECT_ARCH_SUPPORTED

#include <sys/syscall.h>

/* Can the thread reach its stop while we ask? Not when our affinity (sched_getaffinity, the
 * reason for _GNU_SOURCE) allows one CPU: asking at once only kept it from the CPU it needed
 * (a spinning parent's stop took 3.8 ms instead of 0.05). */
static bool may_spin(void)
{
	static int cpus;
	cpu_set_t set;

	if (!cpus)
		cpus = sched_getaffinity(0, sizeof(set), &set) ? 1 : CPU_COUNT(&set);
	return cpus > 1;
}

/* Waits for a ptrace-stop (or the end) of tid: asks again at once for SPIN_NS when it may,
 * then sleeps. SIGCHLD is blocked by the caller: the kernel sends one to the tracer on each
 * stop, so sigtimedwait wakes exactly then. After 5 s of that (the thread is stuck somewhere
 * uninterruptible) it waits without limit: a seized thread must not be left in a stop nobody
 * will end. */
static int wait_stop(uint32_t tid, int *status)
{
	struct timespec tick = { 0, 100000000L };
	uint64_t spin_until = clock_ns(CLOCK_MONOTONIC) + SPIN_NS;
	bool spinning = may_spin();
	sigset_t chld;
	int i = 0;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		pid_t r = waitpid((pid_t)tid, status, __WALL | (i < 50 ? WNOHANG : 0));

		if (r == (pid_t)tid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r != 0 || (spinning && (spinning = clock_ns(CLOCK_MONOTONIC) < spin_until)))
			continue;
		(void)sigtimedwait(&chld, NULL, &tick);
		i++;
	}
}

/* A signal number as ptrace's data argument. */
static void *sig_data(int sig)
{
	return (void *)(uintptr_t)sig; /* NOLINT(performance-no-int-to-ptr) */
}

static bool is_gone(int status)
{
	return WIFEXITED(status) || WIFSIGNALED(status);
}

/* Adds the time since `since` to a phase; returns now, the next phase's start. */
static uint64_t lap(struct inject_result *res, enum inject_phase ph, uint64_t since)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	res->phase_ns[ph] += now - since;
	return now;
}

/* A thread held in a ptrace stop for a batch of waitids. */
struct held {
	uint32_t pid, tid;
	uint64_t at;		/* the system call instruction it runs them at */
	struct arch_regs saved; /* its registers when stopped: put back before the detach */
	int deferred;		/* a signal dequeued along with a trap, kept for the detach */
	siginfo_t deferred_info;
};

/* Puts the registers back and lets the thread go: the way out of a failure once they have
 * been changed. */
static int undo_failed(const struct held *h)
{
	(void)inject_arch_regs_set(h->tid, &h->saved);
	(void)ptrace(PTRACE_DETACH, h->tid, NULL, NULL);
	return INJECT_FAILED;
}

/* Waits for the single-step trap behind our instruction; regs get the registers then (its
 * return value). Returns 0, or the thread is let go (registers restored) and: INJECT_FAILED,
 * INJECT_REFUSED (a group stop came first: it stays stopped), -EAGAIN (a signal came before
 * our instruction ran: handed back). */
static int collect_trap(struct held *h, struct arch_regs *regs, struct inject_result *res)
{
	const uint64_t len = INJECT_INSN_LEN;
	int status, sig, rc;

	for (;;) {
		if ((rc = wait_stop(h->tid, &status))) {
			snprintf(res->why, sizeof(res->why), "waitpid: %s", strerror(-rc));
			return INJECT_FAILED;
		}
		if (is_gone(status)) {
			snprintf(res->why, sizeof(res->why), "parent %u died during injection",
				 h->pid);
			return INJECT_FAILED;
		}
		if ((rc = inject_arch_regs_get(h->tid, regs))) {
			snprintf(res->why, sizeof(res->why), "reading registers: %s",
				 strerror(-rc));
			return undo_failed(h);
		}
		sig = WSTOPSIG(status);
		if (status >> 16 == PTRACE_EVENT_STOP) {
			if (inject_arch_pc(regs) == h->at) {
				/* A group stop came first: undo, and leave it stopped. */
				snprintf(res->why, sizeof(res->why),
					 "parent %u was stopped meanwhile; it stays stopped",
					 h->pid);
				if (inject_arch_regs_set(h->tid, &h->saved))
					return undo_failed(h);
				(void)ptrace(PTRACE_DETACH, h->tid, NULL, NULL);
				return INJECT_REFUSED;
			}
			/* Ran; the single-step trap is still queued: go and collect it. */
			if (ptrace(PTRACE_SINGLESTEP, h->tid, NULL, NULL))
				return undo_failed(h);
			continue;
		}
		if (inject_arch_pc(regs) == h->at + len && sig == SIGTRAP)
			return 0;
		if (inject_arch_pc(regs) == h->at) {
			/* A signal before our instruction ran: hand it back, go on later. */
			if (inject_arch_regs_set(h->tid, &h->saved))
				return undo_failed(h);
			(void)ptrace(PTRACE_DETACH, h->tid, NULL, sig_data(sig));
			return -EAGAIN;
		}
		if (inject_arch_pc(regs) == h->at + len && !h->deferred &&
		    !ptrace(PTRACE_GETSIGINFO, h->tid, NULL, &h->deferred_info)) {
			/* Ran, and a signal is dequeued before the trap (cannot happen: the
			 * trap is synchronous and goes first). Keep it for the detach. */
			h->deferred = sig;
			if (ptrace(PTRACE_SINGLESTEP, h->tid, NULL, NULL))
				return undo_failed(h);
			continue;
		}
		snprintf(res->why, sizeof(res->why),
			 "unexpected stop of parent %u (signal %d at %#llx)", h->pid, sig,
			 (unsigned long long)inject_arch_pc(regs));
		return undo_failed(h);
	}
}

/* One try, with tid seized and sitting in its interrupt stop: the waitids from res->n_ran on,
 * each from the saved registers; hint is the vDSO's system call instruction found before the
 * stop (0: none). Returns INJECT_RAN (all ran), _REFUSED, _FAILED, or -EAGAIN when a signal
 * arrived and was handed back before all ran (tid is then detached). */
static int run_once(uint32_t pid, uint32_t tid, const uint32_t *ns_zombies, long *rets, int n,
		    uint64_t hint, struct inject_result *res)
{
	struct held h = { .pid = pid, .tid = tid };
	struct arch_regs regs;
	uint64_t t = clock_ns(CLOCK_MONOTONIC);
	int rc;

	if ((rc = inject_arch_regs_get(tid, &h.saved))) {
		snprintf(res->why, sizeof(res->why), "reading registers: %s", strerror(-rc));
		(void)ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return INJECT_FAILED;
	}
	if (!inject_arch_is_64bit(&h.saved)) {
		snprintf(res->why, sizeof(res->why), "parent %u is not a 64-bit process", pid);
		(void)ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return INJECT_REFUSED;
	}
	h.at = inject_arch_reusable_insn(pid, &h.saved);
	if (!h.at && hint && hint != inject_arch_pc(&h.saved) && inject_code_has_insn(pid, hint))
		h.at = hint;
	if (!h.at && (rc = inject_code_find_insn(pid, inject_arch_pc(&h.saved), 2, &h.at))) {
		snprintf(res->why, sizeof(res->why),
			 "no system call instruction found in parent %u's code: %s", pid,
			 strerror(-rc));
		(void)ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return INJECT_FAILED;
	}
	t = lap(res, INJECT_PHASE_PREP, t);
	/* A signal kept for the detach ends the batch: the rest run in the next stop. */
	while (res->n_ran < n && !h.deferred) {
		const unsigned long args[5] = { P_PID, ns_zombies[res->n_ran], 0 /* infop */,
						WAIT_OPTIONS, 0 /* rusage */ };

		regs = h.saved;
		inject_arch_call(&regs, h.at, SYS_waitid, args);
		if ((rc = inject_arch_regs_set(tid, &regs))) {
			snprintf(res->why, sizeof(res->why), "writing registers: %s",
				 strerror(-rc));
			return undo_failed(&h);
		}
		if (ptrace(PTRACE_SINGLESTEP, tid, NULL, NULL)) {
			snprintf(res->why, sizeof(res->why), "PTRACE_SINGLESTEP: %s",
				 strerror(errno));
			return undo_failed(&h);
		}
		rc = collect_trap(&h, &regs, res);
		if (rc)
			return rc;
		rets[res->n_ran++] = inject_arch_ret(&regs);
	}
	t = lap(res, INJECT_PHASE_RUN, t);
	if ((rc = inject_arch_regs_set(tid, &h.saved))) {
		snprintf(res->why, sizeof(res->why), "restoring registers: %s", strerror(-rc));
		return INJECT_FAILED;
	}
	if (h.deferred) {
		/* Same signal number and siginfo: delivered as if we had never been there. */
		(void)ptrace(PTRACE_SETSIGINFO, tid, NULL, &h.deferred_info);
		(void)ptrace(PTRACE_DETACH, tid, NULL, sig_data(h.deferred));
	} else {
		/* Signal 0: the single-step SIGTRAP is discarded. */
		(void)ptrace(PTRACE_DETACH, tid, NULL, NULL);
	}
	(void)lap(res, INJECT_PHASE_END, t);
	return res->n_ran < n ? -EAGAIN : INJECT_RAN;
}

/* Seizes tid and brings it to its interrupt stop. Returns 0, -EAGAIN (a signal came first and
 * was handed back), or an outcome with why set. */
static int seize_stop(uint32_t pid, uint32_t tid, struct inject_result *res)
{
	int status, rc;

	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL)) {
		rc = errno;
		snprintf(res->why, sizeof(res->why), "PTRACE_SEIZE of parent %u: %s", pid,
			 strerror(rc));
		return rc == EPERM ? INJECT_REFUSED : INJECT_FAILED;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL)) {
		snprintf(res->why, sizeof(res->why), "PTRACE_INTERRUPT: %s", strerror(errno));
		(void)ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return INJECT_FAILED;
	}
	if ((rc = wait_stop(tid, &status))) {
		snprintf(res->why, sizeof(res->why), "waitpid: %s", strerror(-rc));
		return INJECT_FAILED;
	}
	if (is_gone(status)) {
		snprintf(res->why, sizeof(res->why), "parent %u died", pid);
		return INJECT_FAILED;
	}
	if (status >> 16 == PTRACE_EVENT_STOP) {
		if (WSTOPSIG(status) == SIGTRAP)
			return 0;
		/* Reported as a group stop: it was stopped by job control. */
		(void)ptrace(PTRACE_DETACH, tid, NULL, NULL);
		snprintf(res->why, sizeof(res->why), "parent %u is stopped; it stays stopped", pid);
		return INJECT_REFUSED;
	}
	/* A signal being delivered: let it through untouched. */
	(void)ptrace(PTRACE_DETACH, tid, NULL, sig_data(WSTOPSIG(status)));
	return -EAGAIN;
}

enum inject_outcome inject_waitids(uint32_t pid, const uint32_t *ns_zombies, long *rets, int n,
				   struct inject_result *res)
{
	sigset_t chld, old;
	uint64_t t0, hint = 0;
	int rc, idle = 0;

	memset(res, 0, sizeof(*res));
	if (n < 1 || n > INJECT_BATCH_MAX) {
		snprintf(res->why, sizeof(res->why), "%d waitids: 1 to %d at a time", n,
			 INJECT_BATCH_MAX);
		return INJECT_FAILED;
	}
	rc = inject_check(pid, res->why, sizeof(res->why));
	if (rc != INJECT_RAN)
		return (enum inject_outcome)rc;
	if (inject_proc_pick_thread(pid, &res->tid)) {
		snprintf(res->why, sizeof(res->why), "parent %u is gone", pid);
		return INJECT_FAILED;
	}
	/* Looked up before the parent is stopped: reading its maps and code was a good part of
	 * the stop when it was not in a system call whose instruction could be reused (spinning).
	 */
	if (inject_code_find_insn(pid, 0, 1, &hint))
		hint = 0;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, &old);
	/* A parent whose children keep exiting gets a SIGCHLD now and then during a long batch
	 * (a traced thread is stopped even for ignored signals): each is handed back and the
	 * batch goes on; only tries that ran nothing count towards giving up. */
	do {
		int before = res->n_ran;

		res->attempts++;
		t0 = clock_ns(CLOCK_MONOTONIC);
		rc = seize_stop(pid, res->tid, res);
		if (rc == 0) {
			(void)lap(res, INJECT_PHASE_STOP, t0);
			rc = run_once(pid, res->tid, ns_zombies, rets, n, hint, res);
		}
		res->stopped_ns += clock_ns(CLOCK_MONOTONIC) - t0;
		idle = res->n_ran > before ? 0 : idle + 1;
	} while (rc == -EAGAIN && idle < MAX_ATTEMPTS);
	if (rc == -EAGAIN) {
		snprintf(res->why, sizeof(res->why),
			 "signals kept arriving at parent %u; handed back, %d of %d waitids run",
			 pid, res->n_ran, n);
		rc = INJECT_FAILED;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return (enum inject_outcome)rc;
}

#else /* !INJECT_ARCH_SUPPORTED */

enum inject_outcome inject_waitids(uint32_t pid, const uint32_t *ns_zombies, long *rets, int n,
				   struct inject_result *res)
{
	memset(res, 0, sizeof(*res));
	(void)ns_zombies;
	(void)rets;
	(void)n;
	return inject_check(pid, res->why, sizeof(res->why));
}

#endif
