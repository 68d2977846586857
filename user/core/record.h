/* record.h - the record file's framing: a header (magic, format version, host, kernel, clocks)
 * then independent zlib blocks, each with its sizes and a CRC, holding length-prefixed records.
 * The writer flushes whole blocks with write(2), so a killed recorder leaves every block it
 * flushed readable; the reader trusts nothing and names the byte offset of what it rejects.
 */
#ifndef ZR_RECORD_H
#define ZR_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECORD_VERSION	 1
#define RECORD_MAX	 4096u		      /* payload bytes of one record */
#define RECORD_BLOCK_RAW ((size_t)256 * 1024) /* uncompressed bytes of one block, at most */
/* zlib's worst case for RECORD_BLOCK_RAW bytes is a little more than that (compressBound). */
#define RECORD_BLOCK_Z (RECORD_BLOCK_RAW + RECORD_BLOCK_RAW / 64 + 64)

/* What the header says about the recorded run. */
struct record_meta {
	char host[65];
	char kernel[65];
	char version[33];	 /* zreaper's, that wrote it */
	int64_t boot_to_real_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME when recording began */
	uint64_t start_ns;	 /* CLOCK_BOOTTIME when recording began */
	uint64_t tick_ns;	 /* /proc's clock tick, in ns */
	uint64_t zombie_after_ns;
};

struct record_writer;

/* Creates path ("-": stdout) and writes the header. rotate_bytes: once the file is this large,
 * record_full() says so, and record_rotate() makes it path.1 (path.1 becomes path.2 ... up to
 * RECORD_KEEP files) and starts a new one; 0: never. NULL with *err = -errno. */
#define RECORD_KEEP 5
struct record_writer *record_writer_open(const char *path, const struct record_meta *m,
					 uint64_t rotate_bytes, int *err);

/* Appends one record (type 1..255, len <= RECORD_MAX). Returns 0 or -errno (sticky). */
int record_put(struct record_writer *w, uint8_t type, const void *data, size_t len);

/* Writes the block being filled, if any. 0 or -errno. */
int record_flush(struct record_writer *w);

/* Has the file reached the rotation size? */
bool record_full(const struct record_writer *w);

/* Flushes, then moves the files along and starts a new one (with its header). 0 or -errno. */
int record_rotate(struct record_writer *w);

/* Flushes and closes; accepts NULL. Returns 0 or the first -errno of the writer's life. */
int record_writer_close(struct record_writer *w);

struct record_reader;

/* Reads and checks the header from fd (not closed by the reader). NULL on error, with a
 * one-line reason in why; ENOMEM is the only allocation failure. */
struct record_reader *record_reader_open(int fd, struct record_meta *m, char *why, size_t len);

/* The next record: 1 with *type, *data (valid until the next call) and *len; 0 at the end of
 * the file; -1 when the file is bad from here on, with the reason (naming the byte offset)
 * in why. */
int record_next(struct record_reader *r, uint8_t *type, const uint8_t **data, size_t *len,
		char *why, size_t whylen);

/* File offset of the block the last record came from (for messages). */
uint64_t record_block_offset(const struct record_reader *r);

void record_reader_close(struct record_reader *r);

#endif /* ZR_RECORD_H */
