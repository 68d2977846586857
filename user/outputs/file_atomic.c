/* file_atomic.c - write to a temporary beside the target, then rename(2): on one file system the
 * rename is atomic, so a reader sees the old content or the new, never a mix.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "file_atomic.h"

int file_atomic_write(const char *path, const char *text, size_t len)
{
	char tmp[4096];
	size_t off = 0;
	int fd, err = 0;

	/* ".tmp", not ".prom": the textfile collector ignores it while it is being written. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (!err && off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
