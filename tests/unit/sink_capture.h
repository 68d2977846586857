/* sink_capture.h - runs events through a sink into memory, for the sink tests. Include after
 * <cmocka.h>: the helper asserts every step. */
#ifndef ZR_TEST_SINK_CAPTURE_H
#define ZR_TEST_SINK_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "sink.h"

/* Emits evs through s and returns what it wrote (static, freed on the next call). */
static inline const char *emit_on(struct sink *s, const struct zr_ev *evs, int n)
{
	static char *mem;
	size_t len = 0;
	int i;

	free(mem);
	mem = NULL;
	s->out = open_memstream(&mem, &len);
	assert_non_null(s->out);
	for (i = 0; i < n; i++)
		assert_int_equal(s->ops->emit(s, &evs[i]), 0);
	assert_int_equal(s->ops->flush(s), 0);
	s->ops->close(s);
	assert_int_equal(fclose(s->out), 0);
	return mem;
}

#endif /* ZR_TEST_SINK_CAPTURE_H */
