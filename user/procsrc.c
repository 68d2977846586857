/* procsrc.c - the live /proc source: the procfs readers behind the procsrc interface. */
#include "procsrc.h"

static int live_stat(void *ctx, uint32_t pid, struct procfs_stat *st)
{
	return procfs_read_stat(ctx, pid, st);
}

static int live_status(void *ctx, uint32_t pid, struct procfs_status *st)
{
	return procfs_read_status(ctx, pid, st);
}

static int live_each_pid(void *ctx, procsrc_pid_fn fn, void *arg)
{
	return procfs_each_pid(ctx, fn, arg);
}

static const struct procsrc_ops live_ops = {
	.read_stat = live_stat,
	.read_status = live_status,
	.each_pid = live_each_pid,
};

struct procsrc procsrc_live(const char *root)
{
	/* ctx is the root string itself; procfs never writes through it. */
	return (struct procsrc){ &live_ops, (void *)(uintptr_t)root, root };
}
