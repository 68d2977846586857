/* record_read.c - the record file's reader (the layout is in record.c): checks the header,
 * inflates one block at a time and trusts nothing, naming the byte offset of what it rejects.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "record.h"
#include "record_fmt.h"

struct record_reader {
	int fd;
	uint64_t off;	    /* file offset of the next unread byte */
	uint64_t block_off; /* file offset of the current block */
	z_stream zs;
	bool zs_ready;
	uint8_t *z;
	uint8_t *raw;
	size_t raw_len, pos;
};

/* Reads exactly n bytes; returns n, fewer at the end of the file, or -errno. */
static ssize_t read_full(struct record_reader *r, uint8_t *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(r->fd, p + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->off += got;
	return (ssize_t)got;
}

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static bool get_str(const uint8_t *f, size_t n, size_t *at, char *dst, size_t cap)
{
	size_t l;

	if (*at >= n)
		return false;
	l = f[*at];
	if (l >= cap || *at + 1 + l > n)
		return false;
	memcpy(dst, f + *at + 1, l);
	dst[l] = '\0';
	*at += 1 + l;
	return true;
}

static int read_header(struct record_reader *r, struct record_meta *m, char *why, size_t len)
{
	uint8_t head[12], f[HDR_FIELDS_MAX + 4];
	size_t n, at = 32;
	ssize_t got;
	unsigned ver;

	got = read_full(r, head, sizeof(head));
	if (got < 0)
		return bad(why, len, "cannot read: %s", strerror((int)-got));
	if (got == 0)
		return bad(why, len, "empty file (offset 0): not a zreaper recording");
	if ((size_t)got < 8 || memcmp(head, file_magic, 8) != 0)
		return bad(why, len,
			   "bad magic at offset 0: not a zreaper recording (or not "
			   "uncompressed by anything else: it is never gzipped as a whole)");
	if ((size_t)got < sizeof(head))
		return bad(why, len, "truncated header at offset %zd", got);
	ver = (unsigned)get_le(head + 8, 2);
	if (ver != RECORD_VERSION)
		return bad(why, len,
			   "unsupported format version %u at offset 8 (this zreaper reads %d)", ver,
			   RECORD_VERSION);
	n = (size_t)get_le(head + 10, 2);
	if (n < 32 + 3 || n > HDR_FIELDS_MAX)
		return bad(why, len, "bad header length %zu at offset 10", n);
	got = read_full(r, f, n + 4);
	if (got < 0)
		return bad(why, len, "cannot read: %s", strerror((int)-got));
	if ((size_t)got < n + 4)
		return bad(why, len, "truncated header at offset %" PRIu64, r->off);
	if (get_le(f + n, 4) != (uint32_t)crc32(0L, f, (uInt)n))
		return bad(why, len, "header checksum mismatch at offset %zu", (size_t)12 + n);
	memset(m, 0, sizeof(*m));
	m->boot_to_real_ns = (int64_t)get_le(f, 8);
	m->start_ns = get_le(f + 8, 8);
	m->tick_ns = get_le(f + 16, 8);
	m->zombie_after_ns = get_le(f + 24, 8);
	if (!get_str(f, n, &at, m->host, sizeof(m->host)) ||
	    !get_str(f, n, &at, m->kernel, sizeof(m->kernel)) ||
	    !get_str(f, n, &at, m->version, sizeof(m->version)))
		return bad(why, len, "bad header field at offset %zu", 12 + at);
	return 0;
}

struct record_reader *record_reader_open(int fd, struct record_meta *m, char *why, size_t len)
{
	struct record_reader *r = calloc(1, sizeof(*r));

	if (!r)
		goto nomem;
	r->fd = fd;
	r->z = malloc(RECORD_BLOCK_Z);
	r->raw = malloc(RECORD_BLOCK_RAW);
	if (!r->z || !r->raw || inflateInit2(&r->zs, -15) != Z_OK)
		goto nomem;
	r->zs_ready = true;
	if (read_header(r, m, why, len)) {
		record_reader_close(r);
		return NULL;
	}
	return r;
nomem:
	record_reader_close(r);
	bad(why, len, "out of memory");
	return NULL;
}

/* Loads the next block: 1, 0 at a clean end of file, -1 (why set) on anything else. */
static int next_block(struct record_reader *r, char *why, size_t len)
{
	uint8_t hdr[BLOCK_HDR];
	uint32_t zlen, rawlen;
	ssize_t got;
	int zr;

	r->block_off = r->off;
	got = read_full(r, hdr, sizeof(hdr));
	if (got < 0)
		return bad(why, len, "cannot read at offset %" PRIu64 ": %s", r->off,
			   strerror((int)-got));
	if (got == 0)
		return 0;
	if ((size_t)got < sizeof(hdr))
		return bad(why, len, "truncated block header at offset %" PRIu64, r->block_off);
	if (memcmp(hdr, block_magic, 4) != 0)
		return bad(why, len, "bad block magic at offset %" PRIu64, r->block_off);
	zlen = (uint32_t)get_le(hdr + 4, 4);
	rawlen = (uint32_t)get_le(hdr + 8, 4);
	if (!zlen || zlen > RECORD_BLOCK_Z || !rawlen || rawlen > RECORD_BLOCK_RAW)
		return bad(why, len,
			   "bad block sizes at offset %" PRIu64 " (%" PRIu32 " compressed, %" PRIu32
			   " raw; at most %zu, %zu)",
			   r->block_off, zlen, rawlen, RECORD_BLOCK_Z, RECORD_BLOCK_RAW);
	got = read_full(r, r->z, zlen);
	if (got < 0)
		return bad(why, len, "cannot read at offset %" PRIu64 ": %s", r->off,
			   strerror((int)-got));
	if ((size_t)got < zlen)
		return bad(why, len,
			   "truncated block at offset %" PRIu64 " (%zd of %" PRIu32
			   " bytes; the file was cut at offset %" PRIu64 ")",
			   r->block_off, got, zlen, r->off);
	if ((uint32_t)get_le(hdr + 12, 4) != block_crc(rawlen, zlen, r->z))
		return bad(why, len, "checksum mismatch in the block at offset %" PRIu64,
			   r->block_off);
	inflateReset(&r->zs);
	r->zs.next_in = r->z;
	r->zs.avail_in = zlen;
	r->zs.next_out = r->raw;
	r->zs.avail_out = rawlen;
	zr = inflate(&r->zs, Z_FINISH);
	if (zr != Z_STREAM_END || r->zs.avail_out || r->zs.avail_in)
		return bad(why, len, "bad compressed data in the block at offset %" PRIu64,
			   r->block_off);
	r->raw_len = rawlen;
	r->pos = 0;
	return 1;
}

int record_next(struct record_reader *r, uint8_t *type, const uint8_t **data, size_t *len,
		char *why, size_t whylen)
{
	size_t n, at;
	int rc;

	while (r->pos >= r->raw_len) {
		rc = next_block(r, why, whylen);
		if (rc <= 0)
			return rc;
	}
	at = r->pos;
	if (!r->raw[at])
		return bad(why, whylen,
			   "bad record type 0 at byte %zu of the block at offset %" PRIu64, at,
			   r->block_off);
	if (at + 2 > r->raw_len)
		goto cut;
	n = r->raw[at + 1];
	if (n & 0x80) {
		if (at + 3 > r->raw_len)
			goto cut;
		n = (n & 0x7f) | (size_t)r->raw[at + 2] << 7;
		at++;
	}
	at += 2;
	if (n > RECORD_MAX)
		return bad(why, whylen,
			   "record length %zu at byte %zu of the block at offset %" PRIu64
			   " is over %u",
			   n, r->pos, r->block_off, RECORD_MAX);
	if (at + n > r->raw_len)
		goto cut;
	*type = r->raw[r->pos];
	*data = r->raw + at;
	*len = n;
	r->pos = at + n;
	return 1;
cut:
	return bad(why, whylen, "record cut short at byte %zu of the block at offset %" PRIu64,
		   r->pos, r->block_off);
}

uint64_t record_block_offset(const struct record_reader *r)
{
	return r->block_off;
}

void record_reader_close(struct record_reader *r)
{
	if (!r)
		return;
	if (r->zs_ready)
		inflateEnd(&r->zs);
	free(r->z);
	free(r->raw);
	free(r);
}
