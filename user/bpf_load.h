/* bpf_load.h - the BPF side's lifecycle from user space: open the skeleton, set the filters,
 * load, attach, hand out the ring buffer, read the drop counters, tear down.
 */
#ifndef ZR_BPF_LOAD_H
#define ZR_BPF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"

struct zreaper_bpf;
struct ring_buffer;

typedef int (*bpf_load_record_fn)(void *ctx, void *data, size_t size);

/* Loads and attaches everything. ring_bytes: ring buffer size (0: the default); wakeup_bytes:
 * wake the reader only when this much is waiting (0: per record). On failure returns -errno
 * and writes a one-line reason (with a hint where one helps) into why. */
int bpf_load_start(const struct zr_filters *f, unsigned ring_bytes, uint64_t wakeup_bytes,
		   struct zreaper_bpf **out, char *why, size_t whylen);

/* A ring buffer reader calling fn per record; NULL + errno on failure. */
struct ring_buffer *bpf_load_ring(struct zreaper_bpf *skel, bpf_load_record_fn fn, void *ctx);

/* Records the kernel side dropped so far (ring buffer full), summed over CPUs. */
uint64_t bpf_load_drops(struct zreaper_bpf *skel);

/* Detaches and frees; accepts NULL. */
void bpf_load_stop(struct zreaper_bpf *skel);

/* Routes libbpf's messages into log.c (debug ones only at -vv). */
void bpf_load_set_print(int verbosity);

#endif /* ZR_BPF_LOAD_H */
