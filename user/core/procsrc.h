/* procsrc.h - where the state machine's view of /proc comes from: procfs itself (trace), a
 * recording wrapper around it (trace --record), or a recorded journal (replay). The lifecycle
 * asks through this interface only, so replay gives the answers the live run got.
 */
#ifndef ZR_PROCSRC_H
#define ZR_PROCSRC_H

#include <stdint.h>

#include "procfs.h"
#include "zombie_read.h"

typedef int (*procsrc_pid_fn)(uint32_t pid, void *arg);

struct procsrc;

struct procsrc_ops {
	/* As procfs_read_stat / procfs_read_status / procfs_each_pid (0 or -errno). */
	int (*read_stat)(const struct procsrc *s, uint32_t pid, struct procfs_stat *st);
	int (*read_status)(const struct procsrc *s, uint32_t pid, struct procfs_status *st);
	int (*each_pid)(const struct procsrc *s, procsrc_pid_fn fn, void *arg);
	/* As zombie_read: st is the zombie's stat as this source gave it. */
	int (*read_zombie)(const struct procsrc *s, const struct procfs_stat *st, uint64_t now_ns,
			   struct zombie_info *zi);
};

/* The ops of an implementation whose four functions are named P_stat, P_status, P_each_pid and
 * P_zombie: every source spells its table the same way, once. */
#define PROCSRC_OPS(P)                                                                             \
	{                                                                                          \
		.read_stat = P##_stat, .read_status = P##_status, .each_pid = P##_each_pid,        \
		.read_zombie = P##_zombie,                                                         \
	}

struct procsrc {
	const struct procsrc_ops *ops;
	void *ctx;	  /* the implementation's state */
	const char *root; /* live source: the procfs mount (NULL: /proc) */
};

/* The live source reading the procfs mounted at root (NULL: /proc). */
struct procsrc procsrc_live(const char *root);

static inline int procsrc_stat(const struct procsrc *s, uint32_t pid, struct procfs_stat *st)
{
	return s->ops->read_stat(s, pid, st);
}

static inline int procsrc_status(const struct procsrc *s, uint32_t pid, struct procfs_status *st)
{
	return s->ops->read_status(s, pid, st);
}

static inline int procsrc_zombie(const struct procsrc *s, const struct procfs_stat *st,
				 uint64_t now_ns, struct zombie_info *zi)
{
	return s->ops->read_zombie(s, st, now_ns, zi);
}

static inline int procsrc_each_pid(const struct procsrc *s, procsrc_pid_fn fn, void *arg)
{
	return s->ops->each_pid(s, fn, arg);
}

#endif /* ZR_PROCSRC_H */
