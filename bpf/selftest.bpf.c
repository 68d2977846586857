// SPDX-License-Identifier: GPL-2.0
/* selftest.bpf.c - a program every verifier rejects, loaded only when ZREAPER_BPF_SELFTEST=reject:
 * the tests prove with it that a rejected optional program is switched off alone and reported.
 */
#include "zr_common.bpf.h"

SEC("tp_btf/sched_process_free")
int BPF_PROG(on_selftest_reject, struct task_struct *p)
{
	/* sched_process_free has one argument: the sixth does not exist. */
	return ctx[5] != 0;
}
