/* zr_kernel.bpf.h - kernel constants that BTF does not carry (they are #defines in the kernel). */
#ifndef ZR_KERNEL_BPF_H
#define ZR_KERNEL_BPF_H

/* include/uapi/asm-generic/signal.h */
#define ZR_K_SIGHUP    1
#define ZR_K_SIGINT    2
#define ZR_K_SIGQUIT   3
#define ZR_K_SIGILL    4
#define ZR_K_SIGTRAP   5
#define ZR_K_SIGABRT   6
#define ZR_K_SIGBUS    7
#define ZR_K_SIGFPE    8
#define ZR_K_SIGKILL   9
#define ZR_K_SIGUSR1   10
#define ZR_K_SIGSEGV   11
#define ZR_K_SIGUSR2   12
#define ZR_K_SIGPIPE   13
#define ZR_K_SIGALRM   14
#define ZR_K_SIGTERM   15
#define ZR_K_SIGSTKFLT 16
#define ZR_K_SIGCHLD   17
#define ZR_K_SIGCONT   18
#define ZR_K_SIGSTOP   19
#define ZR_K_SIGTSTP   20
#define ZR_K_SIGTTIN   21
#define ZR_K_SIGTTOU   22
#define ZR_K_SIGURG    23
#define ZR_K_SIGWINCH  28

/* include/linux/sched/signal.h: signal_struct.flags */
#define ZR_K_SIGNAL_GROUP_EXIT 0x00000004

/* include/uapi/linux/prctl.h */
#define ZR_K_PR_SET_CHILD_SUBREAPER 36

/* include/uapi/linux/wait.h */
#define ZR_K_P_ALL     0
#define ZR_K_P_PID     1
#define ZR_K_P_PGID    2
#define ZR_K_P_PIDFD   3

#define ZR_K_MAX_ERRNO 4095

#endif /* ZR_KERNEL_BPF_H */
