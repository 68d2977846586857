/* pidset.h - a growable set of pids (the -p/--tree set user space mirrors from the kernel). */
#ifndef ZR_PIDSET_H
#define ZR_PIDSET_H

#include <stdbool.h>
#include <stdint.h>

struct zr_pidset;

struct zr_pidset *pidset_new(void);
void pidset_free(struct zr_pidset *s);
int pidset_add(struct zr_pidset *s, uint32_t pid); /* 0 or -ENOMEM */
void pidset_del(struct zr_pidset *s, uint32_t pid);
bool pidset_has(const struct zr_pidset *s, uint32_t pid);

#endif /* ZR_PIDSET_H */
