/* inject_int.h - what inject.c's ptrace session shares with the files it is split into: the
 * parent read from /proc (inject_proc.c), its code searched for a system call instruction
 * (inject_code.c), and what differs per architecture (inject_arch.c). Not for other files.
 */
#ifndef ZR_INJECT_INT_H
#define ZR_INJECT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__aarch64__)
#define INJECT_ARCH_SUPPORTED 1
#else
#define INJECT_ARCH_SUPPORTED 0
#endif

/* The thread to stop: the leader, unless it has exited while other threads run. 0 or -errno
 * (-ESRCH: none left). */
int inject_proc_pick_thread(uint32_t pid, uint32_t *tid);

#if INJECT_ARCH_SUPPORTED

#include <sys/user.h>

#if defined(__x86_64__)
#define INJECT_INSN_LEN	  2 /* syscall */
#define INJECT_INSN_ALIGN 1

struct arch_regs {
	struct user_regs_struct r;
};
#elif defined(__aarch64__)
#define INJECT_INSN_LEN	  4 /* svc #0 */
#define INJECT_INSN_ALIGN 4 /* instructions are 4-byte aligned */

/* The general registers (NT_PRSTATUS) and the syscall number the kernel keeps beside them
 * (NT_ARM_SYSTEM_CALL: -1 when not in a system call), both restored exactly. */
struct arch_regs {
	struct user_regs_struct r;
	int syscallno;
};
#endif

/* The system call instruction's bytes. */
extern const unsigned char inject_arch_insn[INJECT_INSN_LEN];

/* The stopped thread's registers, read and written whole. 0 or -errno. */
int inject_arch_regs_get(uint32_t tid, struct arch_regs *a);
int inject_arch_regs_set(uint32_t tid, const struct arch_regs *a);

uint64_t inject_arch_pc(const struct arch_regs *a);
long inject_arch_ret(const struct arch_regs *a); /* the last system call's return value */
bool inject_arch_is_64bit(const struct arch_regs *a);

/* The instruction the thread may run ours at without a search, 0 when there is none. */
uint64_t inject_arch_reusable_insn(uint32_t pid, const struct arch_regs *a);

/* Sets a up to run system call nr with args from the instruction at `at`. */
void inject_arch_call(struct arch_regs *a, uint64_t at, long nr, const unsigned long args[5]);

/* Reads len bytes of pid's memory at addr. 0 or -errno. */
int inject_code_peek(uint32_t pid, uint64_t addr, void *buf, size_t len);

/* Whether the system call instruction is at addr. */
bool inject_code_has_insn(uint32_t pid, uint64_t addr);

/* Finds a system call instruction in an executable mapping of pid, not at avoid: the vDSO
 * first, then (passes 2) the others. 0 (*at set) or -errno. */
int inject_code_find_insn(uint32_t pid, uint64_t avoid, int passes, uint64_t *at);

#endif /* INJECT_ARCH_SUPPORTED */

#endif /* ZR_INJECT_INT_H */
