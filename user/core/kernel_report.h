/* kernel_report.h - how the BPF side adapted to the running kernel: the variant each
 * kernel-dependent read took, and the features switched off, each with its reason. The loader
 * fills it, a recording keeps it, the start line shows it. Plain data: no libbpf here.
 */
#ifndef ZR_KERNEL_REPORT_H
#define ZR_KERNEL_REPORT_H

#include <stdbool.h>

#define ZR_DEGRADED_MAX 8
#define ZR_REASON_LEN	320 /* fits program, release and verifier line whole */

struct zr_degraded {
	char feature[24];	    /* "signal", "subreaper", "failed_exec", ... */
	char reason[ZR_REASON_LEN]; /* one line a person can act on */
	bool is_limit;		    /* a narrower view, not a feature off: no warning, -v says it */
};

struct zr_kernel_report {
	char current_task[16]; /* "btf" (bpf_get_current_task_btf) or "probe_read" */
	char syscall_args[16]; /* "registers" (bpf_task_pt_regs) or "entry" */
	char group_dead[16];   /* "argument" (the tracepoint's) or "live_count" */
	int n_degraded;
	struct zr_degraded degraded[ZR_DEGRADED_MAX];
};

#endif /* ZR_KERNEL_REPORT_H */
