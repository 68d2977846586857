/* bpf_load.h - the BPF side's lifecycle from user space: open the skeleton, set the filters,
 * load, attach, hand out the ring buffer, read the drop counters, tear down.
 */
#ifndef ZR_BPF_LOAD_H
#define ZR_BPF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "kernel_report.h"

struct zreaper_bpf;
struct ring_buffer;

typedef int (*bpf_load_record_fn)(void *ctx, void *data, size_t size);

/* Loads and attaches everything, in the variant the running kernel accepts; what it had to
 * switch off goes into report. ring_bytes: ring buffer size (0: the default); wakeup_bytes:
 * wake the reader only when this much is waiting (0: per record). On failure returns -errno
 * and writes a one-line reason (with a hint where one helps) into why. */
int bpf_load_start(const struct zr_filters *f, unsigned ring_bytes, uint64_t wakeup_bytes,
		   struct zreaper_bpf **out, struct zr_kernel_report *report, char *why,
		   size_t whylen);

/* One warning line on stderr per feature the kernel made us switch off (limits only at -v). */
void bpf_load_warn_degraded(const struct zr_kernel_report *r);

/* A ring buffer reader calling fn per record; NULL + errno on failure. */
struct ring_buffer *bpf_load_ring(struct zreaper_bpf *skel, bpf_load_record_fn fn, void *ctx);

/* Records the kernel side dropped so far (ring buffer full), summed over CPUs. */
uint64_t bpf_load_drops(struct zreaper_bpf *skel);

/* Detaches and frees; accepts NULL. */
void bpf_load_stop(struct zreaper_bpf *skel);

#endif /* ZR_BPF_LOAD_H */
