/* fuzz_replay.c - libFuzzer target for the record reader: any bytes as a recording, read
 * (header, blocks, records, journal) and replayed through the whole pipeline into a JSON sink
 * on /dev/null, as `zreaper replay FILE --json --summary` would. Run by `make fuzz`.
 *
 * Two modes, by the first byte: 'Z', the input is the file as is (framing, CRCs, zlib);
 * anything else, the rest is the inside of one block, framed here with a valid header, CRC
 * and (raw deflate) compression, so the mutations reach the records, the journal and the state
 * machine.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "../unit/replay_run.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void replay_bytes(int fd)
{
	unsigned long mismatches;
	char why[512];

	(void)replay_run_json(fd, devnull, true, why, sizeof(why), &mismatches);
}

static void le(uint8_t *p, uint32_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A valid file around raw (the file format as record.c's header comment states it). */
static int frame(int fd, const uint8_t *raw, size_t n)
{
	static uint8_t z[RECORD_BLOCK_Z];
	uint8_t head[12 + 35 + 4] = { 'Z', 'R', 'R', 'E', 'C', '\r', '\n', 0x1a, 1, 0, 35, 0 };
	uint8_t blk[16] = { 'Z', 'R', 'B', 'K' };
	z_stream zs = { 0 };
	uLong zlen, c;

	if (n > RECORD_BLOCK_RAW)
		n = RECORD_BLOCK_RAW;
	le(head + 12 + 35, (uint32_t)crc32(0L, head + 12, 35), 4);
	if (write(fd, head, sizeof(head)) != (ssize_t)sizeof(head))
		return -1;
	if (!n)
		return 0;
	if (deflateInit2(&zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)raw;
	zs.avail_in = (uInt)n;
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	c = deflate(&zs, Z_FINISH) == Z_STREAM_END;
	zlen = zs.total_out;
	deflateEnd(&zs);
	if (!c)
		return -1;
	le(blk + 4, (uint32_t)zlen, 4);
	le(blk + 8, (uint32_t)n, 4);
	c = crc32(0L, blk + 8, 4);
	c = crc32(c, blk + 4, 4);
	le(blk + 12, (uint32_t)crc32(c, z, (uInt)zlen), 4);
	if (write(fd, blk, sizeof(blk)) != (ssize_t)sizeof(blk) ||
	    write(fd, z, zlen) != (ssize_t)zlen)
		return -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd, ok;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		log_verbosity = LOG_ERROR - 1; /* the replay's warnings are expected here */
	}
	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0 || !devnull)
		return 0;
	if (size && data[0] == 'Z')
		ok = write(fd, data, size) == (ssize_t)size;
	else
		ok = frame(fd, data + !!size, size - !!size) == 0;
	if (ok && lseek(fd, 0, SEEK_SET) == 0)
		replay_bytes(fd);
	close(fd);
	return 0;
}
