/* fdwrite.h - writing a whole buffer to a descriptor, for the writers that bypass stdio. */
#ifndef ZR_FDWRITE_H
#define ZR_FDWRITE_H

#include <stddef.h>

/* Writes all n bytes, going on after short writes and EINTR. 0 or -errno (EAGAIN on a
 * non-blocking descriptor that is full, EPIPE when the reader has gone). */
int fd_write_all(int fd, const void *buf, size_t n);

#endif /* ZR_FDWRITE_H */
