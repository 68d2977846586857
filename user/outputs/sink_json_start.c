/* sink_json_start.c - the members of the JSON start line: the run's version, kernel, effective
 * filters and how the BPF side adapted (apart from sink_json.c, which maps the events).
 */
#include <inttypes.h>
#include <stdint.h>

#include "ev_kind.h"
#include "filter.h"
#include "kernel_report.h"
#include "sink_json_int.h"

static void put_filters(struct jsonw *w, const struct zr_filters *f)
{
	int i, k;

	if (!f) {
		jsonw_null(w, "filters");
		return;
	}
	jsonw_obj_begin(w, "filters");
	if (f->n_pids > 0) {
		jsonw_arr_begin(w, "pids");
		for (i = 0; i < f->n_pids && i < ZR_FILTER_PIDS_MAX; i++) {
			jsonw_next(w);
			jsonw_printf(w, "%" PRIu32, f->pids[i]);
		}
		jsonw_arr_end(w);
	} else {
		jsonw_null(w, "pids");
	}
	jsonw_bool(w, "tree", f->tree);
	jsonw_str(w, "comm", f->comm, SIZE_MAX);
	if (f->has_uid)
		jsonw_u64(w, "uid", f->uid);
	else
		jsonw_null(w, "uid");
	jsonw_str(w, "cgroup", f->cgroup_path, SIZE_MAX);
	if (f->container)
		jsonw_str(w, "container", f->container, SIZE_MAX);
	jsonw_bool(w, "failures_only", f->failures_only);
	jsonw_bool(w, "threads", f->threads);
	jsonw_arr_begin(w, "events");
	for (k = 0; k < ZR_EV__COUNT; k++) {
		if (!(f->event_mask & ZR_KIND_BIT(k)))
			continue;
		jsonw_next(w);
		jsonw_string(w, ev_kind_name((enum zr_kind)k), SIZE_MAX);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

/* How the BPF side adapted to the running kernel: live traces only (a replay has no kernel). */
static void put_kernel_report(struct jsonw *w, const struct zr_kernel_report *r)
{
	int i;

	jsonw_obj_begin(w, "bpf");
	jsonw_str(w, "current_task", r->current_task, sizeof(r->current_task));
	jsonw_str(w, "syscall_args", r->syscall_args, sizeof(r->syscall_args));
	jsonw_str(w, "group_dead", r->group_dead, sizeof(r->group_dead));
	jsonw_obj_end(w);
	jsonw_arr_begin(w, "degraded");
	for (i = 0; i < r->n_degraded; i++) {
		jsonw_obj_begin(w, NULL);
		jsonw_str(w, "feature", r->degraded[i].feature, sizeof(r->degraded[i].feature));
		jsonw_str(w, "reason", r->degraded[i].reason, sizeof(r->degraded[i].reason));
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

void sink_json_put_start(struct jsonw *w, const struct run_info *info)
{
	if (!info) {
		jsonw_null(w, "schema_version");
		jsonw_null(w, "version");
		jsonw_null(w, "kernel");
		jsonw_null(w, "filters");
		return;
	}
	jsonw_int(w, "schema_version", info->schema_version);
	jsonw_str(w, "version", info->version, SIZE_MAX);
	jsonw_str(w, "kernel", info->kernel, SIZE_MAX);
	put_filters(w, info->filters);
	if (info->kernel_report)
		put_kernel_report(w, info->kernel_report);
}
