/* record_fmt.h - the record file's byte layout (record.c describes it), shared by the writer
 * (record.c) and the reader (record_read.c): magics, sizes, little-endian integers, the CRC.
 */
#ifndef ZR_RECORD_FMT_H
#define ZR_RECORD_FMT_H

#include <stdint.h>
#include <zlib.h>

static const uint8_t file_magic[8] = { 'Z', 'R', 'R', 'E', 'C', '\r', '\n', 0x1a };
static const uint8_t block_magic[4] = { 'Z', 'R', 'B', 'K' };

#define HDR_FIELDS_MAX 512
#define BLOCK_HDR      16

static inline void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The CRC covers the sizes too, so a flipped length is caught like a flipped payload byte. */
static inline uint32_t block_crc(uint32_t rawlen, uint32_t zlen, const uint8_t *z)
{
	uint8_t sizes[8];
	uLong c;

	put_le(sizes, rawlen, 4);
	put_le(sizes + 4, zlen, 4);
	c = crc32(0L, sizes, sizeof(sizes));
	return (uint32_t)crc32(c, z, zlen);
}

#endif /* ZR_RECORD_FMT_H */
