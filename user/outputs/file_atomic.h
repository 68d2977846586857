/* file_atomic.h - replacing a file's whole content so a reader never sees half of it (the
 * --metrics-textfile that node_exporter's textfile collector reads).
 */
#ifndef ZR_FILE_ATOMIC_H
#define ZR_FILE_ATOMIC_H

#include <stddef.h>

/* Writes text to "PATH.tmp" beside PATH, then renames it over PATH. Returns 0 or -errno; the
 * temporary file is removed on failure. */
int file_atomic_write(const char *path, const char *text, size_t len);

#endif /* ZR_FILE_ATOMIC_H */
