/* bpf_log.h - libbpf's messages: routed into log.c (at -vv), and what they say about a load that
 * failed kept for the one-line reason: the program named, the verifier's last meaningful line.
 */
#ifndef ZR_BPF_LOG_H
#define ZR_BPF_LOG_H

/* Routes libbpf's messages into log.c: debug ones at verbosity 2, the rest from 1. */
void bpf_log_set_print(int verbosity);

/* Forgets what the last failed load said (before a new attempt). */
void bpf_log_forget(void);

/* What the last failed load said; "" when it said nothing of the kind. The program its
 * "prog 'NAME': ..." lines named, the verifier's last meaningful line about it (escaped for a
 * terminal), and libbpf's last line about a program (without "libbpf: "). */
const char *bpf_log_failed_prog(void);
const char *bpf_log_verifier_line(void);
const char *bpf_log_last_error(void);

#endif /* ZR_BPF_LOG_H */
