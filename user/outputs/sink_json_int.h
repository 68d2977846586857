/* sink_json_int.h - between the JSON sink's files: the start line's members are written apart. */
#ifndef ZR_SINK_JSON_INT_H
#define ZR_SINK_JSON_INT_H

#include "jsonw.h"
#include "sink.h"

/* schema_version, version, kernel, filters{} and, for live traces, bpf{} and degraded[]. */
void sink_json_put_start(struct jsonw *w, const struct run_info *info);

#endif /* ZR_SINK_JSON_INT_H */
