/* sink_json_int.h - between the JSON sink's files: the line and its batches (sink_json.c), an
 * event's members (sink_json_body.c), the start line's members (sink_json_start.c). */
#ifndef ZR_SINK_JSON_INT_H
#define ZR_SINK_JSON_INT_H

#include "jsonw.h"
#include "sink.h"

/* The members after a line's head ("event" and before): the subject's, then the kind's. */
void sink_json_put_body(struct jsonw *w, const struct sink *s, const struct zr_ev *ev);

/* schema_version, version, kernel, filters{} and, for live traces, bpf{} and degraded[]. */
void sink_json_put_start(struct jsonw *w, const struct run_info *info);

#endif /* ZR_SINK_JSON_INT_H */
