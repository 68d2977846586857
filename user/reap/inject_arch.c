/* inject_arch.c - what differs per architecture for inject.c: the registers of a stopped
 * thread, the system call instruction, the calling convention. x86_64 and aarch64 (the latter
 * only compiled on this machine: make cross-check-aarch64); elsewhere nothing: inject refuses.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "inject_int.h"

#if INJECT_ARCH_SUPPORTED

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#if defined(__x86_64__)

#define X86_64_USER_CS 0x33 /* __USER_CS: a 64-bit task; 0x23 is a 32-bit one */

const unsigned char inject_arch_insn[INJECT_INSN_LEN] = { 0x0f, 0x05 }; /* syscall */

int inject_arch_regs_get(uint32_t tid, struct arch_regs *a)
{
	return ptrace(PTRACE_GETREGS, tid, NULL, &a->r) ? -errno : 0;
}

int inject_arch_regs_set(uint32_t tid, const struct arch_regs *a)
{
	return ptrace(PTRACE_SETREGS, tid, NULL, &a->r) ? -errno : 0;
}

uint64_t inject_arch_pc(const struct arch_regs *a)
{
	return a->r.rip;
}

long inject_arch_ret(const struct arch_regs *a)
{
	return (long)a->r.rax;
}

bool inject_arch_is_64bit(const struct arch_regs *a)
{
	return a->r.cs == X86_64_USER_CS;
}

/* Stopped in a system call: the instruction it entered by is just behind rip, and the same
 * instruction may run ours (orig_rax = -1 below keeps the kernel from restarting anything
 * there first). 0 when there is none to reuse. */
uint64_t inject_arch_reusable_insn(uint32_t pid, const struct arch_regs *a)
{
	unsigned char insn[2] = { 0, 0 };

	if ((long long)a->r.orig_rax >= 0 && a->r.rip >= 2 &&
	    inject_code_peek(pid, a->r.rip - 2, insn, 2) == 0 && !memcmp(insn, inject_arch_insn, 2))
		return a->r.rip - 2;
	return 0;
}

void inject_arch_call(struct arch_regs *a, uint64_t at, long nr, const unsigned long args[5])
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

/* svc #0, little-endian. */
const unsigned char inject_arch_insn[INJECT_INSN_LEN] = { 0x01, 0x00, 0x00, 0xd4 };

int inject_arch_regs_get(uint32_t tid, struct arch_regs *a)
{
	struct iovec io = { &a->r, sizeof(a->r) };
	struct iovec sc = { &a->syscallno, sizeof(a->syscallno) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io))
		return -errno;
	/* A 32-bit (compat) task has a shorter register set: seen as such by inject_arch_is_64bit.
	 */
	if (io.iov_len != sizeof(a->r))
		a->r.pstate = UINT64_MAX;
	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_ARM_SYSTEM_CALL, &sc))
		return -errno;
	return 0;
}

int inject_arch_regs_set(uint32_t tid, const struct arch_regs *a)
{
	struct iovec io = { (void *)&a->r, sizeof(a->r) };
	struct iovec sc = { (void *)&a->syscallno, sizeof(a->syscallno) };

	if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &io) ||
	    ptrace(PTRACE_SETREGSET, tid, (void *)NT_ARM_SYSTEM_CALL, &sc))
		return -errno;
	return 0;
}

uint64_t inject_arch_pc(const struct arch_regs *a)
{
	return a->r.pc;
}

long inject_arch_ret(const struct arch_regs *a)
{
	return (long)a->r.regs[0];
}

bool inject_arch_is_64bit(const struct arch_regs *a)
{
	return a->r.pstate != UINT64_MAX;
}

/* Never the instruction the thread is stopped at: when it was interrupted in a system call,
 * the kernel has already moved pc back onto that svc to restart it, and on resuming with pc
 * still there it would set x8 to restart_syscall for an -ERESTART_RESTARTBLOCK (nanosleep),
 * replacing our number. Another svc keeps the kernel's restart bookkeeping out of ours. */
uint64_t inject_arch_reusable_insn(uint32_t pid, const struct arch_regs *a)
{
	(void)pid;
	(void)a;
	return 0;
}

void inject_arch_call(struct arch_regs *a, uint64_t at, long nr, const unsigned long args[5])
{
	int i;

	a->r.pc = at;
	a->r.regs[8] = (unsigned long long)nr;
	for (i = 0; i < 5; i++)
		a->r.regs[i] = args[i];
	a->syscallno = -1;
}

#endif

#endif /* INJECT_ARCH_SUPPORTED */
