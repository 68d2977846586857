/* fdwrite.c - a whole buffer to a descriptor (fdwrite.h). */
#include <errno.h>
#include <unistd.h>

#include "fdwrite.h"

int fd_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
