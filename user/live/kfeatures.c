/* kfeatures.c - what the running kernel offers the BPF programs, from its BTF. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kfeatures.h"

/* Does enum name in btf have a value called value? (helpers are bpf_func_id values) */
static bool enum_has(const struct btf *btf, const char *name, const char *value)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);
	const struct btf_type *t;
	const struct btf_enum *e;
	int i;

	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++, e++) {
		const char *n = btf__name_by_offset(btf, e->name_off);

		if (n && !strcmp(n, value))
			return true;
	}
	return false;
}

/* Number of arguments a tp_btf program gets for tracepoint tp: its btf_trace_<tp> typedef is
 * a pointer to a function whose first parameter is the tracepoint's private data. -1 when the
 * tracepoint is unknown. */
static int tp_args(const struct btf *btf, const char *tp)
{
	char name[128];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL; /* the pointer */
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	return btf_vlen(t) - 1;
}

int kfeatures_probe(struct zr_kfeatures *kf, char *why, size_t whylen)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int err;

	if (!btf) {
		err = -errno;
		snprintf(why, whylen, "cannot read the kernel's BTF: %s", strerror(errno));
		return err ? err : -ENOENT;
	}
	kf->task_btf = enum_has(btf, "bpf_func_id", "BPF_FUNC_get_current_task_btf");
	kf->task_pt_regs = enum_has(btf, "bpf_func_id", "BPF_FUNC_task_pt_regs");
	kf->exit_group_dead = tp_args(btf, "sched_process_exit") >= 2;
	btf__free(btf);
	return 0;
}

int kfeatures_force_fallback(struct zr_kfeatures *kf, const char *list, char *why, size_t whylen)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 3 && !strncmp(p, "all", n)) {
			kf->task_btf = kf->task_pt_regs = kf->exit_group_dead = false;
		} else if (n == 8 && !strncmp(p, "task_btf", n)) {
			kf->task_btf = false;
		} else if (n == 12 && !strncmp(p, "task_pt_regs", n)) {
			kf->task_pt_regs = false;
		} else if (n == 10 && !strncmp(p, "group_dead", n)) {
			kf->exit_group_dead = false;
		} else if (n) {
			snprintf(why, whylen,
				 "ZREAPER_BPF_FALLBACK: unknown feature (expected a "
				 "comma-separated list "
				 "of task_btf, task_pt_regs, group_dead, or all)");
			return -EINVAL;
		}
		p += n + (p[n] == ',');
	}
	/* bpf_task_pt_regs takes a BTF task pointer: without one it cannot be called. */
	if (!kf->task_btf)
		kf->task_pt_regs = false;
	return 0;
}
