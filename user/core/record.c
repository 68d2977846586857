/* record.c - record file framing: header, zlib blocks with CRCs, length-prefixed records;
 * the writer, which flushes whole blocks and rotates (the reader is record_read.c).
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

#include "fdwrite.h"
#include "record.h"
#include "record_fmt.h"

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
	return fd_write_all(w->fd, buf, 12 + n + 4);
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
	err = fd_write_all(w->fd, hdr, sizeof(hdr));
	if (!err)
		err = fd_write_all(w->fd, w->z, zlen);
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
