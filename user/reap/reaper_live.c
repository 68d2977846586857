/* reaper_live.c - the engine's real actions on parents (struct reaper_ops): inject.c's
 * injection, and signals through a pidfd, which names one process for as long as it is held.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "reaper.h"

static int pidfd_open_parent(uint32_t ppid)
{
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)ppid, 0);

	return fd < 0 ? -errno : fd;
}

static int pidfd_signal(int fd, int sig)
{
	return syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) ? -errno : 0;
}

static void pidfd_close(int fd)
{
	close(fd);
}

const struct reaper_ops reaper_live_ops = {
	.inject_check = inject_check,
	.inject_ns_pid = inject_ns_pid,
	.inject_waitids = inject_waitids,
	.parent_open = pidfd_open_parent,
	.parent_signal = pidfd_signal,
	.parent_close = pidfd_close,
};
