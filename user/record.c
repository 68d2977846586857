/* record.c - record file framing: header, zlib blocks with CRCs, length-prefixed records;
 * a writer that flushes whole blocks and rotates, and a reader that trusts nothing.
 *
 * Layout (integers little-endian):
 *   header: "ZRREC\r\n\x1a", u16 version, u16 n, n bytes of fields, u32 crc32(fields)
 *   fields: i64 boot_to_real_ns, u64 start_ns, u64 tick_ns, u64 zombie_after_ns,
 *           then host, kernel, version as u8 length + bytes
 *   block:  "ZRBK", u32 zlen, u32 rawlen, u32 crc32(rawlen, zlen, payload), zlen bytes of raw
 *           deflate (RFC 1951: the CRC already guards it, zlib's adler32 would cost twice)
 *   inside: records as u8 type (!= 0), varint length (<= RECORD_MAX), payload
 * Each block is its own zlib stream: a cut or a bad byte costs that block, never the ones before.
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

static const uint8_t file_magic[8] = { 'Z', 'R', 'R', 'E', 'C', '\r', '\n', 0x1a };
static const uint8_t block_magic[4] = { 'Z', 'R', 'B', 'K' };

#define HDR_FIELDS_MAX 512
#define BLOCK_HDR      16

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The CRC covers the sizes too, so a flipped length is caught like a flipped payload byte. */
static uint32_t block_crc(uint32_t rawlen, uint32_t zlen, const uint8_t *z)
{
	uint8_t sizes[8];
	uLong c;

	put_le(sizes, rawlen, 4);
	put_le(sizes + 4, zlen, 4);
	c = crc32(0L, sizes, sizeof(sizes));
	return (uint32_t)crc32(c, z, zlen);
}

/* ------------------------------------------------------------------ writer */

struct record_writer {
	int fd;
	bool is_stdout;
	char *path;
	uint64_t rotate_bytes;
	uint64_t file_bytes;
	struct record_meta meta;
	z_stream zs;
	bool zs_ready;
	uint8_t *raw;
	size_t raw_len;
	uint8_t *z;
	int err;
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
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

static size_t put_str(uint8_t *p, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap - 1);

	p[0] = (uint8_t)n;
	memcpy(p + 1, s, n);
	return n + 1;
}

static int write_header(struct record_writer *w)
{
	uint8_t buf[16 + HDR_FIELDS_MAX];
	uint8_t *f = buf + 12;
	size_t n = 0;

	memcpy(buf, file_magic, 8);
	put_le(buf + 8, RECORD_VERSION, 2);
	put_le(f + n, (uint64_t)w->meta.boot_to_real_ns, 8);
	put_le(f + n + 8, w->meta.start_ns, 8);
	put_le(f + n + 16, w->meta.tick_ns, 8);
	put_le(f + n + 24, w->meta.zombie_after_ns, 8);
	n += 32;
	n += put_str(f + n, w->meta.host, sizeof(w->meta.host));
	n += put_str(f + n, w->meta.kernel, sizeof(w->meta.kernel));
	n += put_str(f + n, w->meta.version, sizeof(w->meta.version));
	put_le(buf + 10, n, 2);
	put_le(f + n, (uint32_t)crc32(0L, f, (uInt)n), 4);
	w->file_bytes = 12 + n + 4;
	return write_all(w->fd, buf, 12 + n + 4);
}

static int open_file(struct record_writer *w)
{
	if (w->is_stdout) {
		w->fd = STDOUT_FILENO;
	} else {
		w->fd = open(w->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (w->fd < 0)
			return -errno;
	}
	return write_header(w);
}

struct record_writer *record_writer_open(const char *path, const struct record_meta *m,
					 uint64_t rotate_bytes, int *err)
{
	struct record_writer *w = calloc(1, sizeof(*w));

	*err = -ENOMEM;
	if (!w)
		return NULL;
	w->fd = -1;
	w->meta = *m;
	w->is_stdout = !strcmp(path, "-");
	w->rotate_bytes = w->is_stdout ? 0 : rotate_bytes;
	w->path = strdup(path);
	w->raw = malloc(RECORD_BLOCK_RAW);
	w->z = malloc(RECORD_BLOCK_Z);
	if (!w->path || !w->raw || !w->z)
		goto fail;
	if (deflateInit2(&w->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		goto fail;
	w->zs_ready = true;
	*err = open_file(w);
	if (*err)
		goto fail;
	return w;
fail:
	record_writer_close(w);
	return NULL;
}

static void set_err(struct record_writer *w, int err)
{
	if (err && !w->err)
		w->err = err;
}

static int write_block(struct record_writer *w)
{
	uint8_t hdr[BLOCK_HDR];
	uint32_t zlen;
	int err;

	if (!w->raw_len)
		return 0;
	deflateReset(&w->zs);
	w->zs.next_in = w->raw;
	w->zs.avail_in = (uInt)w->raw_len;
	w->zs.next_out = w->z;
	w->zs.avail_out = RECORD_BLOCK_Z;
	if (deflate(&w->zs, Z_FINISH) != Z_STREAM_END)
		return -EIO;
	zlen = (uint32_t)(RECORD_BLOCK_Z - w->zs.avail_out);
	memcpy(hdr, block_magic, 4);
	put_le(hdr + 4, zlen, 4);
	put_le(hdr + 8, w->raw_len, 4);
	put_le(hdr + 12, block_crc((uint32_t)w->raw_len, zlen, w->z), 4);
	w->raw_len = 0;
	err = write_all(w->fd, hdr, sizeof(hdr));
	if (!err)
		err = write_all(w->fd, w->z, zlen);
	w->file_bytes += sizeof(hdr) + zlen;
	return err;
}

int record_put(struct record_writer *w, uint8_t type, const void *data, size_t len)
{
	size_t need = 1 + 2 + len;
	uint8_t *p;

	if (w->err)
		return w->err;
	if (!type || len > RECORD_MAX)
		return -EINVAL;
	if (w->raw_len + need > RECORD_BLOCK_RAW)
		set_err(w, write_block(w));
	if (w->err)
		return w->err;
	p = w->raw + w->raw_len;
	*p++ = type;
	/* varint length: RECORD_MAX fits in two bytes */
	if (len < 0x80) {
		*p++ = (uint8_t)len;
	} else {
		*p++ = (uint8_t)(len | 0x80);
		*p++ = (uint8_t)(len >> 7);
	}
	memcpy(p, data, len);
	w->raw_len = (size_t)(p + len - w->raw);
	return 0;
}

int record_rotate(struct record_writer *w)
{
	size_t plen = strlen(w->path) + 16;
	char *from = malloc(plen), *to = malloc(plen);
	int i, err = record_flush(w);

	if (err)
		goto out;
	err = -ENOMEM;
	if (!from || !to)
		goto out;
	for (i = RECORD_KEEP - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, plen, "%s", w->path);
		else
			snprintf(from, plen, "%s.%d", w->path, i - 1);
		snprintf(to, plen, "%s.%d", w->path, i);
		if (rename(from, to) && errno != ENOENT) {
			err = -errno;
			goto out;
		}
	}
	close(w->fd);
	w->fd = -1;
	err = open_file(w);
out:
	free(from);
	free(to);
	set_err(w, err);
	return err;
}

int record_flush(struct record_writer *w)
{
	if (w->err)
		return w->err;
	set_err(w, write_block(w));
	return w->err;
}

bool record_full(const struct record_writer *w)
{
	return w->rotate_bytes && w->file_bytes >= w->rotate_bytes;
}

int record_writer_close(struct record_writer *w)
{
	int err;

	if (!w)
		return 0;
	if (w->fd >= 0 && !w->err)
		set_err(w, write_block(w));
	if (w->fd >= 0 && !w->is_stdout && close(w->fd))
		set_err(w, -errno);
	if (w->zs_ready)
		deflateEnd(&w->zs);
	err = w->err;
	free(w->path);
	free(w->raw);
	free(w->z);
	free(w);
	return err;
}

/* ------------------------------------------------------------------ reader */

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
