/* decode.h - ring-buffer record -> struct zr_ev: size and kind checks, bounded strings. */
#ifndef ZR_DECODE_H
#define ZR_DECODE_H

#include <stddef.h>

#include "event.h"

/* Decodes one record. Returns 0, -ENOENT for a kind this build does not know (skip it), or
 * -EINVAL for a record too short for its kind. ev's string pointers stay valid until the
 * next call. */
int decode_record(const void *data, size_t size, struct zr_ev *ev);

#endif /* ZR_DECODE_H */
