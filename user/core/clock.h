/* clock.h - a clock read as nanoseconds, the one unit every timestamp in zreaper uses. */
#ifndef ZR_CLOCK_H
#define ZR_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_BOOTTIME matches the kernel's event stamps, CLOCK_MONOTONIC times our own work,
 * CLOCK_REALTIME dates lines. 0 when the clock cannot be read. */
static inline uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif /* ZR_CLOCK_H */
