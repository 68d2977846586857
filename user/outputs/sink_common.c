/* sink_common.c - what every sink prints the same way: RFC 3339 timestamps and durations for
 * people (the names of values are in names.c).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "sink.h"

#define NSEC_PER_SEC 1000000000LL

size_t sink_format_rfc3339(char *buf, size_t len, int64_t real_ns)
{
	/* Events come in bursts within a second: the date and time part is formatted once per
	 * second, the nanoseconds by hand, two digits at a time (gmtime and snprintf dominated a
	 * JSON line's cost, then a digit at a time did). */
	static int64_t cached_sec = INT64_MIN;
	static char cached[64];
	static size_t cached_len;
	/* Floor division keeps the nanoseconds in [0, 1e9) for times before 1970 too. */
	int64_t sec = real_ns / NSEC_PER_SEC, nsec = real_ns % NSEC_PER_SEC;
	char out[80], *p;
	uint32_t ns, lo;
	time_t t;
	struct tm tm;
	size_t n;
	int k;

	if (!len)
		return 0;
	if (nsec < 0) {
		nsec += NSEC_PER_SEC;
		sec--;
	}
	if (sec != cached_sec) {
		t = (time_t)sec;
		if (!gmtime_r(&t, &tm)) {
			snprintf(buf, len, "1970-01-01T00:00:00.000000000Z");
			return strlen(buf);
		}
		k = snprintf(cached, sizeof(cached), "%04d-%02d-%02dT%02d:%02d:%02d.",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec);
		cached_len = k > 0 && (size_t)k < sizeof(cached) ? (size_t)k : 0;
		cached_sec = sec;
	}
	n = cached_len + 11; /* nine digits, 'Z', NUL */
	p = n <= len && len >= SINK_RFC3339_LEN ? buf : out;
	/* The date and time (20 bytes for years 1000 to 9999) copied at a fixed size. */
	memcpy(p, cached, 32);
	if (cached_len > 32)
		memcpy(p + 32, cached + 32, cached_len - 32);
	ns = (uint32_t)nsec;
	lo = ns % 100000000;
	p[cached_len] = (char)('0' + ns / 100000000);
	jsonw_put4(p + cached_len + 1, lo / 10000);
	jsonw_put4(p + cached_len + 5, lo % 10000);
	p[cached_len + 9] = 'Z';
	p[cached_len + 10] = '\0';
	if (p == buf)
		return n - 1;
	if (n <= len) { /* a whole stamp in a buffer under SINK_RFC3339_LEN */
		memcpy(buf, out, n);
		return n - 1;
	}
	memcpy(buf, out, len - 1);
	buf[len - 1] = '\0';
	return len - 1;
}

/* "850ns", "12.3us", "1.2ms", "1.23s", "754s": short, and precise where it matters. */
void sink_format_duration(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	else if (ns < 100000000000ULL)
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
	else
		snprintf(buf, len, "%" PRIu64 "s", ns / 1000000000);
}
