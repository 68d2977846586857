/* outfile.h - `trace --output FILE`: events appended to a file that is rotated by size (FILE ->
 * FILE.1 -> ... -> FILE.N, the oldest dropped), for hosts with no log agent.
 */
#ifndef ZR_OUTFILE_H
#define ZR_OUTFILE_H

#include <stdint.h>
#include <stdio.h>

struct outfile {
	FILE *f; /* where the sink writes; changes at each rotation */
	const char *path;
	uint64_t max_bytes; /* rotate once the file reaches this; 0: never */
	unsigned keep;	    /* rotated files kept: FILE.1 .. FILE.keep (0: none, just restart) */
};

/* Opens path for appending. Returns 0 or -errno. */
int outfile_open(struct outfile *o, const char *path, uint64_t max_bytes, unsigned keep);

/* Call between whole lines: rotates when the file has grown to max_bytes (a file ends at most
 * one line past it).
 * Returns 0 or -errno (o->f is then NULL). */
int outfile_rotate_if_full(struct outfile *o);

/* Closes the file; accepts one never opened (zeroed). Returns 0 or -errno of the last write. */
int outfile_close(struct outfile *o);

#endif /* ZR_OUTFILE_H */
