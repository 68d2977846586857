/* outfile.c - size-based rotation of the --output file, done between batches of events so every
 * file holds whole lines; renames shift FILE.i to FILE.i+1 from the oldest down.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "outfile.h"

#define PATH_BUF 4096

int outfile_open(struct outfile *o, const char *path, uint64_t max_bytes, unsigned keep)
{
	o->path = path;
	o->max_bytes = max_bytes;
	o->keep = keep;
	o->f = fopen(path, "ae");
	if (!o->f)
		return -errno;
	setvbuf(o->f, NULL, _IOFBF, 1 << 16);
	return 0;
}

int outfile_rotate_if_full(struct outfile *o)
{
	char from[PATH_BUF], to[PATH_BUF];
	off_t size;
	unsigned i;

	if (!o->f || !o->max_bytes)
		return 0;
	/* Of an append stream, the end of the file plus what is still buffered. */
	size = ftello(o->f);
	if (size < 0 || (uint64_t)size < o->max_bytes)
		return 0;
	if (fclose(o->f)) {
		o->f = NULL;
		return -errno;
	}
	o->f = NULL;
	for (i = o->keep; i > 0; i--) {
		if (i > 1)
			snprintf(from, sizeof(from), "%s.%u", o->path, i - 1);
		else
			snprintf(from, sizeof(from), "%s", o->path);
		snprintf(to, sizeof(to), "%s.%u", o->path, i);
		if (rename(from, to) && errno != ENOENT)
			return -errno;
	}
	if (!o->keep && unlink(o->path) && errno != ENOENT)
		return -errno;
	return outfile_open(o, o->path, o->max_bytes, o->keep);
}

int outfile_close(struct outfile *o)
{
	int err = 0;

	if (o->f && fclose(o->f))
		err = -errno;
	o->f = NULL;
	return err;
}
