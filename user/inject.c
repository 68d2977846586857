/* inject.c - runs waitid() inside a live parent under ptrace so it reaps its zombies itself,
 * one waitid per zombie, all of them in one stop.
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "inject.h"

#define PF_KTHREAD_FLAG 0x00200000UL
#define NSPID_MAX	32
#define MAX_ATTEMPTS	4
#define SCAN_MAX	(64UL << 20) /* bytes of code read while looking for `syscall` */

/* Linux: a NULL infop is allowed; the result is then only the return value. */
#define WAIT_OPTIONS (WEXITED | WNOHANG | __WALL)

#if defined(__x86_64__) || defined(__aarch64__)
#define INJECT_ARCH_SUPPORTED 1
#else
#define INJECT_ARCH_SUPPORTED 0
#endif

struct task_info {
	char state;
	uint32_t tracer;
	int n_nspid;
	uint32_t nspid[NSPID_MAX];
};

static int read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	return 0;
}

/* State, TracerPid and NSpid from a status file (/proc/P/status or /proc/P/task/T/status). */
static int read_task_info(const char *path, struct task_info *ti)
{
	char buf[4096], *line, *save = NULL;
	int rc = read_text(path, buf, sizeof(buf));

	if (rc)
		return rc == -ENOENT ? -ESRCH : rc;
	memset(ti, 0, sizeof(*ti));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "State:", 6)) {
			const char *p = line + 6;

			while (*p == ' ' || *p == '\t')
				p++;
			ti->state = *p;
		} else if (!strncmp(line, "TracerPid:", 10)) {
			ti->tracer = (uint32_t)strtoul(line + 10, NULL, 10);
		} else if (!strncmp(line, "NSpid:", 6)) {
			char *p = line + 6, *end;

			for (;;) {
				unsigned long v = strtoul(p, &end, 10);

				if (end == p || ti->n_nspid >= NSPID_MAX)
					break;
				ti->nspid[ti->n_nspid++] = (uint32_t)v;
				p = end;
			}
		}
	}
	return 0;
}

/* Field 9 of stat (flags); comm may hold anything, so count from the last ')'. */
static int read_flags(uint32_t pid, unsigned long *flags)
{
	char path[64], buf[1024], *p;
	int rc, field;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	rc = read_text(path, buf, sizeof(buf));
	if (rc)
		return rc == -ENOENT ? -ESRCH : rc;
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	for (field = 2; field < 9 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EINVAL;
	*flags = strtoul(p + 1, NULL, 10);
	return 0;
}

int inject_ns_pid(uint32_t zombie, uint32_t parent, uint32_t *ns_pid)
{
	struct task_info z, p;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/proc/%u/status", zombie);
	rc = read_task_info(path, &z);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/proc/%u/status", parent);
	rc = read_task_info(path, &p);
	if (rc)
		return rc;
	if (!p.n_nspid || z.n_nspid < p.n_nspid)
		return -EXDEV;
	/* NSpid lists the pid from zreaper's namespace inwards: the parent's depth indexes it. */
	*ns_pid = z.nspid[p.n_nspid - 1];
	return 0;
}

/* The thread to stop: the leader, unless it has exited while other threads run. */
static int pick_thread(uint32_t pid, uint32_t *tid)
{
	char path[64];
	struct task_info ti;
	struct dirent *e;
	DIR *d;
	int rc;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/status", pid, pid);
	rc = read_task_info(path, &ti);
	if (rc)
		return rc;
	if (ti.state != 'Z' && ti.state != 'X') {
		*tid = pid;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	d = opendir(path);
	if (!d)
		return -ESRCH;
	rc = -ESRCH;
	while ((e = readdir(d))) {
		unsigned long t = strtoul(e->d_name, NULL, 10);

		if (!t || t == pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%u/task/%lu/status", pid, t);
		if (read_task_info(path, &ti) == 0 && ti.state != 'Z' && ti.state != 'X') {
			*tid = (uint32_t)t;
			rc = 0;
			break;
		}
	}
	closedir(d);
	return rc;
}

enum inject_outcome inject_check(uint32_t pid, char *why, size_t len)
{
	struct task_info ti;
	unsigned long flags = 0;
	char path[64];
	uint32_t tid;
	int rc;

	if (!INJECT_ARCH_SUPPORTED) {
		snprintf(
		    why, len,
		    "inject is implemented for x86_64 and aarch64 only; use nudge or kill-parent "
		    "here");
		return INJECT_REFUSED;
	}
	why[0] = '\0';
	if (read_flags(pid, &flags) == 0 && (flags & PF_KTHREAD_FLAG)) {
		snprintf(why, len, "parent %u is a kernel thread", pid);
		return INJECT_REFUSED;
	}
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	rc = read_task_info(path, &ti);
	if (!rc)
		rc = pick_thread(pid, &tid);
	if (rc) {
		snprintf(why, len, "cannot read parent %u: %s", pid, strerror(-rc));
		return INJECT_FAILED;
	}
	if (ti.tracer) {
		snprintf(why, len, "parent %u is already traced by %u; it is left alone", pid,
			 ti.tracer);
		return INJECT_REFUSED;
	}
	snprintf(path, sizeof(path), "/proc/%u/task/%u/status", pid, tid);
	if (read_task_info(path, &ti)) {
		snprintf(why, len, "parent %u is gone", pid);
		return INJECT_FAILED;
	}
	if (ti.tracer) {
		snprintf(why, len, "thread %u of parent %u is already traced by %u", tid, pid,
			 ti.tracer);
		return INJECT_REFUSED;
	}
	switch (ti.state) {
	case 'T':
	case 't':
		snprintf(why, len, "parent %u is stopped; it stays stopped", pid);
		return INJECT_REFUSED;
	case 'D':
		/* A ptrace stop would wait for the sleep to end, holding zreaper with it. */
		snprintf(why, len, "parent %u is in uninterruptible sleep (D)", pid);
		return INJECT_REFUSED;
	case 'Z':
	case 'X':
		snprintf(why, len, "parent %u is exiting", pid);
		return INJECT_REFUSED;
	default:
		return INJECT_RAN;
	}
}

#if INJECT_ARCH_SUPPORTED

#include <elf.h>
#include <sys/syscall.h>
#include <sys/user.h>

/* Reads len bytes of the parent's memory at addr. */
static int peek(uint32_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* ---- what differs per architecture: registers, the instruction, the calling convention ---- */

#if defined(__x86_64__)

#define X86_64_USER_CS 0x33 /* __USER_CS: a 64-bit task; 0x23 is a 32-bit one */

static const unsigned char syscall_insn[] = { 0x0f, 0x05 }; /* syscall */
#define SYSCALL_INSN_ALIGN 1

struct arch_regs {
	struct user_regs_struct r;
};

static int regs_get(uint32_t tid, struct arch_regs *a)
{
	return ptrace(PTRACE_GETREGS, tid, NULL, &a->r) ? -errno : 0;
}

static int regs_set(uint32_t tid, const struct arch_regs *a)
{
	return ptrace(PTRACE_SETREGS, tid, NULL, &a->r) ? -errno : 0;
}

static uint64_t regs_pc(const struct arch_regs *a)
{
	return a->r.rip;
}

static long regs_ret(const struct arch_regs *a)
{
	return (long)a->r.rax;
}

static bool regs_is_64bit(const struct arch_regs *a)
{
	return a->r.cs == X86_64_USER_CS;
}

/* Stopped in a system call: the instruction it entered by is just behind rip, and the same
 * instruction may run ours (orig_rax = -1 below keeps the kernel from restarting anything
 * there first). 0 when there is none to reuse. */
static uint64_t reusable_insn(uint32_t pid, const struct arch_regs *a)
{
	unsigned char insn[2] = { 0, 0 };

	if ((long long)a->r.orig_rax >= 0 && a->r.rip >= 2 &&
	    peek(pid, a->r.rip - 2, insn, 2) == 0 && !memcmp(insn, syscall_insn, 2))
		return a->r.rip - 2;
	return 0;
}

static void regs_call(struct arch_regs *a, uint64_t at, long nr, const unsigned long args[5])
{
	a->r.rip = at;
	a->r.rax = (unsigned long long)nr;
	a->r.orig_rax = (unsigned long long)-1; /* nothing to restart before our instruction */
	a->r.rdi = args[0];
	a->r.rsi = args[1];
	a->r.rdx = args[2];
	a->r.r10 = args[3];
	a->r.r8 = args[4];
}

#elif defined(__aarch64__)

/* svc #0, little-endian; instructions are 4-byte aligned. */
static const unsigned char syscall_insn[] = { 0x01, 0x00, 0x00, 0xd4 };
#define SYSCALL_INSN_ALIGN 4

/* The general registers (NT_PRSTATUS) and the syscall number the kernel keeps beside them
 * (NT_ARM_SYSTEM_CALL: -1 when not in a system call), both restored exactly. */
struct arch_regs {
	struct user_regs_struct r;
	int syscallno;
};

static int regs_get(uint32_t tid, struct arch_regs *a)
{
	struct iovec io = { &a->r, sizeof(a->r) };
	struct iovec sc = { &a->syscallno, sizeof(a->syscallno) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io))
		return -errno;
	/* A 32-bit (compat) task has a shorter register set: seen as such by regs_is_64bit. */
	if (io.iov_len != sizeof(a->r))
		a->r.pstate = UINT64_MAX;
	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_ARM_SYSTEM_CALL, &sc))
		return -errno;
	return 0;
}

static int regs_set(uint32_t tid, const struct arch_regs *a)
{
	struct iovec io = { (void *)&a->r, sizeof(a->r) };
	struct iovec sc = { (void *)&a->syscallno, sizeof(a->syscallno) };

	if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &io) ||
	    ptrace(PTRACE_SETREGSET, tid, (void *)NT_ARM_SYSTEM_CALL, &sc))
		return -errno;
	return 0;
}

static uint64_t regs_pc(const struct arch_regs *a)
{
	return a->r.pc;
}

static long regs_ret(const struct arch_regs *a)
{
	return (long)a->r.regs[0];
}

static bool regs_is_64bit(const struct arch_regs *a)
{
	return a->r.pstate != UINT64_MAX;
}

/* Never the instruction the thread is stopped at: when it was interrupted in a system call,
 * the kernel has already moved pc back onto that svc to restart it, and on resuming with pc
 * still there it would set x8 to restart_syscall for an -ERESTART_RESTARTBLOCK (nanosleep),
 * replacing our number. Another svc keeps the kernel's restart bookkeeping out of ours. */
static uint64_t reusable_insn(uint32_t pid, const struct arch_regs *a)
{
	(void)pid;
	(void)a;
	return 0;
}

static void regs_call(struct arch_regs *a, uint64_t at, long nr, const unsigned long args[5])
{
	int i;

	a->r.pc = at;
	a->r.regs[8] = (unsigned long long)nr;
	for (i = 0; i < 5; i++)
		a->r.regs[i] = args[i];
	a->syscallno = -1;
}

#endif

/* ---- the same on every architecture ---- */

/* Waits for a ptrace-stop (or the end) of tid. SIGCHLD is blocked by the caller: the kernel
 * sends one to the tracer on each stop, so sigtimedwait wakes exactly then. After 5 s (the
 * thread is stuck somewhere uninterruptible) it waits without limit: a seized thread must not
 * be left in a stop nobody will end. */
static int wait_stop(uint32_t tid, int *status)
{
	struct timespec tick = { 0, 100000000L };
	sigset_t chld;
	int i;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (i = 0;; i++) {
		pid_t r = waitpid((pid_t)tid, status, __WALL | (i < 50 ? WNOHANG : 0));

		if (r == (pid_t)tid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0)
			(void)sigtimedwait(&chld, NULL, &tick);
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

/* Scans one mapping [lo, hi) for the system call instruction at an aligned address other than
 * avoid; *at gets the address. */
static int scan_mapping(int memfd, uint64_t lo, uint64_t hi, uint64_t avoid, size_t *budget,
			uint64_t *at)
{
	const size_t len = sizeof(syscall_insn);
	unsigned char buf[65536];
	uint64_t a = lo;

	while (a<hi && * budget> 0) {
		size_t want = hi - a < sizeof(buf) ? (size_t)(hi - a) : sizeof(buf);
		ssize_t n = pread(memfd, buf, want, (off_t)a);
		size_t i;

		if (n < (ssize_t)len)
			return -EIO;
		for (i = 0; i + len <= (size_t)n; i++) {
			if ((a + i) % SYSCALL_INSN_ALIGN || a + i == avoid ||
			    memcmp(buf + i, syscall_insn, len) != 0)
				continue;
			*at = a + i;
			return 0;
		}
		/* Overlap so an instruction split across reads is still seen. */
		a += (uint64_t)n - (len - 1);
		*budget = *budget > (size_t)n ? *budget - (size_t)n : 0;
	}
	return -ENOENT;
}

/* Finds a system call instruction in an executable mapping of pid, not at avoid: the vDSO
 * first (always there, tiny), then (passes 2) the others. On x86_64 the two bytes need not be
 * an instruction boundary of the code around them: execution jumps straight to them. */
static int find_syscall_insn(uint32_t pid, uint64_t avoid, int passes, uint64_t *at)
{
	char path[64], line[512];
	size_t budget = SCAN_MAX;
	int pass, rc = -ENOENT, memfd;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (memfd < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	maps = fopen(path, "re");
	if (!maps) {
		rc = -errno;
		goto out_mem;
	}
	for (pass = 0; pass < passes && rc; pass++) {
		rewind(maps);
		while (rc && fgets(line, sizeof(line), maps)) {
			unsigned long long lo, hi;
			char *p = line;
			bool is_vdso = strstr(line, "[vdso]") != NULL;

			/* "lo-hi perms offset dev inode path" */
			lo = strtoull(p, &p, 16);
			if (*p++ != '-')
				continue;
			hi = strtoull(p, &p, 16);
			if (*p != ' ' || strlen(p) < 5 || p[3] != 'x' || hi <= lo)
				continue;
			if (is_vdso != (pass == 0) || strstr(line, "[vsyscall]"))
				continue;
			rc = scan_mapping(memfd, lo, hi, avoid, &budget, at);
		}
	}
	fclose(maps);
out_mem:
	close(memfd);
	return rc;
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
	(void)regs_set(h->tid, &h->saved);
	(void)ptrace(PTRACE_DETACH, h->tid, NULL, NULL);
	return INJECT_FAILED;
}

/* Waits for the single-step trap behind our instruction; regs get the registers then (its
 * return value). Returns 0, or the thread is let go (registers restored) and: INJECT_FAILED,
 * INJECT_REFUSED (a group stop came first: it stays stopped), -EAGAIN (a signal came before
 * our instruction ran: handed back). */
static int collect_trap(struct held *h, struct arch_regs *regs, struct inject_result *res)
{
	const uint64_t len = sizeof(syscall_insn);
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
		if ((rc = regs_get(h->tid, regs))) {
			snprintf(res->why, sizeof(res->why), "reading registers: %s",
				 strerror(-rc));
			return undo_failed(h);
		}
		sig = WSTOPSIG(status);
		if (status >> 16 == PTRACE_EVENT_STOP) {
			if (regs_pc(regs) == h->at) {
				/* A group stop came first: undo, and leave it stopped. */
				snprintf(res->why, sizeof(res->why),
					 "parent %u was stopped meanwhile; it stays stopped",
					 h->pid);
				if (regs_set(h->tid, &h->saved))
					return undo_failed(h);
				(void)ptrace(PTRACE_DETACH, h->tid, NULL, NULL);
				return INJECT_REFUSED;
			}
			/* Ran; the single-step trap is still queued: go and collect it. */
			if (ptrace(PTRACE_SINGLESTEP, h->tid, NULL, NULL))
				return undo_failed(h);
			continue;
		}
		if (regs_pc(regs) == h->at + len && sig == SIGTRAP)
			return 0;
		if (regs_pc(regs) == h->at) {
			/* A signal before our instruction ran: hand it back, go on later. */
			if (regs_set(h->tid, &h->saved))
				return undo_failed(h);
			(void)ptrace(PTRACE_DETACH, h->tid, NULL, sig_data(sig));
			return -EAGAIN;
		}
		if (regs_pc(regs) == h->at + len && !h->deferred &&
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
			 (unsigned long long)regs_pc(regs));
		return undo_failed(h);
	}
}

/* Whether the system call instruction is at addr: a hint found before the stop is used only
 * if it still is. */
static bool has_syscall_insn(uint32_t pid, uint64_t addr)
{
	unsigned char insn[sizeof(syscall_insn)];

	return peek(pid, addr, insn, sizeof(insn)) == 0 &&
	       memcmp(insn, syscall_insn, sizeof(insn)) == 0;
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
	int rc;

	if ((rc = regs_get(tid, &h.saved))) {
		snprintf(res->why, sizeof(res->why), "reading registers: %s", strerror(-rc));
		(void)ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return INJECT_FAILED;
	}
	if (!regs_is_64bit(&h.saved)) {
		snprintf(res->why, sizeof(res->why), "parent %u is not a 64-bit process", pid);
		(void)ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return INJECT_REFUSED;
	}
	h.at = reusable_insn(pid, &h.saved);
	if (!h.at && hint && hint != regs_pc(&h.saved) && has_syscall_insn(pid, hint))
		h.at = hint;
	if (!h.at && (rc = find_syscall_insn(pid, regs_pc(&h.saved), 2, &h.at))) {
		snprintf(res->why, sizeof(res->why),
			 "no system call instruction found in parent %u's code: %s", pid,
			 strerror(-rc));
		(void)ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return INJECT_FAILED;
	}
	/* A signal kept for the detach ends the batch: the rest run in the next stop. */
	while (res->n_ran < n && !h.deferred) {
		const unsigned long args[5] = { P_PID, ns_zombies[res->n_ran], 0 /* infop */,
						WAIT_OPTIONS, 0 /* rusage */ };

		regs = h.saved;
		regs_call(&regs, h.at, SYS_waitid, args);
		if ((rc = regs_set(tid, &regs))) {
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
		rets[res->n_ran++] = regs_ret(&regs);
	}
	if ((rc = regs_set(tid, &h.saved))) {
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
	if (pick_thread(pid, &res->tid)) {
		snprintf(res->why, sizeof(res->why), "parent %u is gone", pid);
		return INJECT_FAILED;
	}
	/* Looked up before the parent is stopped: reading its maps and code was a good part of
	 * the stop when it was not in a system call whose instruction could be reused (spinning).
	 */
	if (find_syscall_insn(pid, 0, 1, &hint))
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
		if (rc == 0)
			rc = run_once(pid, res->tid, ns_zombies, rets, n, hint, res);
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
