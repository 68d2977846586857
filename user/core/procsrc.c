/* procsrc.c - the live /proc source: the procfs readers behind the procsrc interface. */
#include <stddef.h>

#include "procsrc.h"

static int live_stat(const struct procsrc *s, uint32_t pid, struct procfs_stat *st)
{
	return procfs_read_stat(s->root, pid, st);
}

static int live_status(const struct procsrc *s, uint32_t pid, struct procfs_status *st)
{
	return procfs_read_status(s->root, pid, st);
}

static int live_each_pid(const struct procsrc *s, procsrc_pid_fn fn, void *arg)
{
	return procfs_each_pid(s->root, fn, arg);
}

static int live_zombie(const struct procsrc *s, const struct procfs_stat *st, uint64_t now_ns,
		       struct zombie_info *zi)
{
	return zombie_read(s->root, st, now_ns, zi);
}

static const struct procsrc_ops live_ops = PROCSRC_OPS(live);

struct procsrc procsrc_live(const char *root)
{
	return (struct procsrc){ &live_ops, NULL, root };
}
