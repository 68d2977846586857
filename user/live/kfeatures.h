/* kfeatures.h - what the running kernel offers the BPF programs, read from its BTF before
 * load: helpers (bpf_func_id values) and tracepoint argument lists. The loader turns each
 * answer into the variant of the BPF code that the kernel's verifier accepts.
 */
#ifndef ZR_KFEATURES_H
#define ZR_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>

struct zr_kfeatures {
	bool task_btf;	      /* bpf_get_current_task_btf(), 5.11 */
	bool task_pt_regs;    /* bpf_task_pt_regs(), 5.15 */
	bool exit_group_dead; /* sched_process_exit(p, group_dead): newer than 6.12 */
};

/* Reads the running kernel's BTF. Returns 0, or -errno with a reason in why. */
int kfeatures_probe(struct zr_kfeatures *kf, char *why, size_t whylen);

/* Turns features off as if the kernel lacked them, from a comma-separated list of
 * task_btf, task_pt_regs, group_dead or "all" (the ZREAPER_BPF_FALLBACK variable: runs the
 * older kernels' code paths on a new kernel). Returns 0, or -EINVAL with a reason in why. */
int kfeatures_force_fallback(struct zr_kfeatures *kf, const char *list, char *why, size_t whylen);

#endif /* ZR_KFEATURES_H */
