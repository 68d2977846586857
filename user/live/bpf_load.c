/* bpf_load.c - skeleton open/configure/load/attach, adapted to the running kernel: the BPF
 * variant its BTF allows, optional programs it rejects switched off alone (and reported), tracefs
 * mounted for the syscall tracepoints, and load errors turned into one line a person can act on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "bpf_load.h"
#include "bpf_log.h"
#include "kfeatures.h"
#include "log.h"
#include "zreaper.skel.h"

#define BTF_PATH     "/sys/kernel/btf/vmlinux"
#define TRACEFS_PATH "/sys/kernel/tracing"

/* Classic tracepoints are found through tracefs; mount it where the kernel expects it. */
static int ensure_tracefs(char *why, size_t whylen)
{
	struct stat st;

	if (stat(TRACEFS_PATH "/events", &st) == 0)
		return 0;
	if (mount("nodev", TRACEFS_PATH, "tracefs", 0, NULL) == 0) {
		zr_info("mounted tracefs at %s", TRACEFS_PATH);
		return 0;
	}
	snprintf(why, whylen, "cannot mount tracefs at %s: %s%s", TRACEFS_PATH, strerror(errno),
		 errno == EPERM ? " (are you root?)" : "");
	return -errno;
}

/* Is cap in our effective set? (glibc has no capget wrapper; libcap is not worth a
 * dependency for one call.) */
static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d))
		return true; /* cannot tell: blame nothing */
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* "program NAME rejected by the verifier of kernel RELEASE: <its last meaningful line>" into
 * buf, when the last failed load was such a rejection; false (buf untouched) otherwise. */
static bool rejection(char *buf, size_t len)
{
	const char *prog = bpf_log_failed_prog(), *verifier = bpf_log_verifier_line();
	struct utsname un;

	if (!prog[0] || !verifier[0])
		return false;
	if (uname(&un))
		snprintf(un.release, sizeof(un.release), "?");
	snprintf(buf, len, "program %s rejected by the verifier of kernel %s: %s", prog, un.release,
		 verifier);
	return true;
}

/* One line: what failed, why, and a hint for the usual cause. A program the verifier rejected
 * is named with the verifier's own reason (privileges are not the cause then); "are you root?"
 * only for a permission error with no verifier log behind it. */
static void explain(int err, const char *what, char *why, size_t whylen)
{
	const char *hint = "";
	const char *cause = strerror(-err);
	bool bpf = has_cap(CAP_BPF), perfmon = has_cap(CAP_PERFMON);
	char rejected[ZR_REASON_LEN];

	if (rejection(rejected, sizeof(rejected))) {
		snprintf(why, whylen, "%s: %s (-vv shows the whole log)", what, rejected);
		return;
	}
	if ((err == -EPERM || err == -EACCES) && (!bpf || !perfmon))
		hint = !bpf && !perfmon ? " (missing capabilities CAP_BPF and CAP_PERFMON)"
		       : !bpf		? " (missing capability CAP_BPF; tracing needs CAP_BPF and "
					  "CAP_PERFMON)"
			      : " (missing capability CAP_PERFMON; tracing needs CAP_BPF and "
				"CAP_PERFMON)";
	else if ((err == -EPERM || err == -EACCES) && geteuid() != 0)
		hint = " (are you root? tracing needs CAP_BPF and CAP_PERFMON)";
	else if (err == -EPERM || err == -EACCES)
		hint = " (root with CAP_BPF and CAP_PERFMON: kernel lockdown or a security module "
		       "may forbid BPF)";
	if (bpf_log_last_error()[0])
		cause = bpf_log_last_error();
	snprintf(why, whylen, "%s: %s%s", what, cause, hint);
}

/* Programs whose loss the trace survives, by the feature they serve; every other program is
 * the core (fork, exec, exit, wait, reap) and must load. */
static const struct optional_prog {
	const char *prog;
	const char *feature;
} optional_progs[] = {
	{ "on_signal_generate", "signal" },	      { "on_sys_enter_prctl", "subreaper" },
	{ "on_sys_exit_prctl", "subreaper" },	      { "on_sys_enter_execve", "exec_old_comm" },
	{ "on_sys_enter_execveat", "exec_old_comm" }, { "on_sys_exit_execve", "failed_exec" },
	{ "on_sys_exit_execveat", "failed_exec" },    { "on_selftest_reject", "selftest" },
};

/* ZREAPER_BPF_SELFTEST=reject-core: the test program counts as core, its rejection fatal. */
static bool selftest_is_core;

static const char *prog_feature(const char *prog)
{
	size_t i;

	if (selftest_is_core && !strcmp(prog, "on_selftest_reject"))
		return NULL;
	for (i = 0; i < sizeof(optional_progs) / sizeof(optional_progs[0]); i++)
		if (!strcmp(optional_progs[i].prog, prog))
			return optional_progs[i].feature;
	return NULL;
}

static bool is_degraded(const struct zr_kernel_report *r, const char *feature)
{
	int i;

	for (i = 0; i < r->n_degraded; i++)
		if (!strcmp(r->degraded[i].feature, feature))
			return true;
	return false;
}

static void add_degraded(struct zr_kernel_report *r, const char *feature, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_degraded(struct zr_kernel_report *r, const char *feature, const char *fmt, ...)
{
	struct zr_degraded *d;
	va_list ap;

	if (is_degraded(r, feature) || r->n_degraded >= ZR_DEGRADED_MAX)
		return;
	d = &r->degraded[r->n_degraded++];
	snprintf(d->feature, sizeof(d->feature), "%s", feature);
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
}

/* The kernel's features, less those ZREAPER_BPF_FALLBACK switches off; the variants they
 * select go into the report, with the one visible limit of the older syscall path. */
static int pick_variants(struct zr_kfeatures *kf, struct zr_kernel_report *r, char *why,
			 size_t whylen)
{
	const char *force = getenv("ZREAPER_BPF_FALLBACK");
	int err = kfeatures_probe(kf, why, whylen);

	if (!err && force)
		err = kfeatures_force_fallback(kf, force, why, whylen);
	if (err)
		return err;
	snprintf(r->current_task, sizeof(r->current_task), "%s",
		 kf->task_btf ? "btf" : "probe_read");
	snprintf(r->syscall_args, sizeof(r->syscall_args), "%s",
		 kf->task_pt_regs ? "registers" : "entry");
	snprintf(r->group_dead, sizeof(r->group_dead), "%s",
		 kf->exit_group_dead ? "argument" : "live_count");
	if (!kf->task_pt_regs) {
		add_degraded(r, "wait_args_at_start",
			     "a wait already blocked when the trace starts has unknown arguments "
			     "(no bpf_task_pt_regs before Linux 5.15)");
		r->degraded[r->n_degraded - 1].is_limit = true;
	}
	return 0;
}

/* Rodata and autoload for this kernel's variant, this run's filters, and what is off. */
static void configure(struct zreaper_bpf *skel, const struct zr_filters *f,
		      const struct zr_kfeatures *kf, const struct zr_kernel_report *r,
		      unsigned ring_bytes, uint64_t wakeup_bytes)
{
	const char *selftest = getenv("ZREAPER_BPF_SELFTEST");
	struct bpf_program *prog;

	skel->rodata->targ_filter_pid = f->n_pids > 0;
	skel->rodata->targ_tree = f->tree;
	skel->rodata->targ_threads = f->threads;
	skel->rodata->targ_cgroup_id = f->cgroup_id;
	skel->rodata->targ_cgroup_level = f->cgroup_level;
	skel->rodata->targ_wakeup_bytes = wakeup_bytes;
	skel->rodata->targ_task_btf = kf->task_btf;
	skel->rodata->targ_task_pt_regs = kf->task_pt_regs;
	skel->rodata->targ_exit_group_dead = kf->exit_group_dead;
	if (ring_bytes)
		bpf_map__set_max_entries(skel->maps.events, ring_bytes);
	/* Entry hooks only keep arguments the exit cannot read from the registers. */
	bpf_program__set_autoload(skel->progs.on_sys_enter_wait4, !kf->task_pt_regs);
	bpf_program__set_autoload(skel->progs.on_sys_enter_waitid, !kf->task_pt_regs);
	bpf_program__set_autoload(skel->progs.on_sys_enter_prctl, !kf->task_pt_regs);
	/* A program every verifier rejects, to prove the paths above (tests only): "reject"
	 * switches it off alone, "reject-core" makes its rejection fatal. */
	selftest_is_core = selftest && !strcmp(selftest, "reject-core");
	bpf_program__set_autoload(skel->progs.on_selftest_reject,
				  selftest && (!strcmp(selftest, "reject") || selftest_is_core));
	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *feature = prog_feature(bpf_program__name(prog));

		if (feature && is_degraded(r, feature))
			bpf_program__set_autoload(prog, false);
	}
}

/* Opens and loads the skeleton; an optional program the verifier rejects is switched off
 * alone (reported in r) and the load tried again without it. */
static int load(const struct zr_filters *f, const struct zr_kfeatures *kf,
		struct zr_kernel_report *r, unsigned ring_bytes, uint64_t wakeup_bytes,
		struct zreaper_bpf **out, char *why, size_t whylen)
{
	char rejected[ZR_REASON_LEN];
	const char *feature;
	struct zreaper_bpf *skel;
	int err;

	for (;;) {
		bpf_log_forget();
		skel = zreaper_bpf__open();
		if (!skel) {
			err = -errno;
			explain(err, "cannot open BPF object", why, whylen);
			return err;
		}
		configure(skel, f, kf, r, ring_bytes, wakeup_bytes);
		err = zreaper_bpf__load(skel);
		if (!err) {
			*out = skel;
			return 0;
		}
		feature = bpf_log_failed_prog()[0] ? prog_feature(bpf_log_failed_prog()) : NULL;
		if (!feature || is_degraded(r, feature) || r->n_degraded >= ZR_DEGRADED_MAX ||
		    !rejection(rejected, sizeof(rejected))) {
			explain(err, "cannot load BPF programs", why, whylen);
			zreaper_bpf__destroy(skel);
			return err;
		}
		add_degraded(r, feature, "%s", rejected);
		zreaper_bpf__destroy(skel);
	}
}

/* Attaches every loaded program; an optional one that cannot attach is reported and the rest
 * go on. Links land in the skeleton, so zreaper_bpf__destroy releases them. */
static int attach(struct zreaper_bpf *skel, struct zr_kernel_report *r, char *why, size_t whylen)
{
	const struct bpf_object_skeleton *s = skel->skeleton;
	int i, err;

	for (i = 0; i < s->prog_cnt; i++) {
		struct bpf_program *prog = *s->progs[i].prog;
		struct bpf_link **link = s->progs[i].link;
		const char *name = bpf_program__name(prog), *feature;

		if (!bpf_program__autoload(prog))
			continue;
		*link = bpf_program__attach(prog);
		if (*link)
			continue;
		err = -errno;
		feature = prog_feature(name);
		if (!feature) {
			bpf_log_forget();
			snprintf(why, whylen, "cannot attach BPF program %s: %s", name,
				 strerror(-err));
			return err;
		}
		add_degraded(r, feature, "program %s cannot attach: %s", name, strerror(-err));
	}
	return 0;
}

int bpf_load_start(const struct zr_filters *f, unsigned ring_bytes, uint64_t wakeup_bytes,
		   struct zreaper_bpf **out, struct zr_kernel_report *report, char *why,
		   size_t whylen)
{
	struct zreaper_bpf *skel = NULL;
	struct zr_kfeatures kf;
	int err, i;

	*out = NULL;
	memset(report, 0, sizeof(*report));
	if (access(BTF_PATH, R_OK)) {
		snprintf(why, whylen, "no BTF at %s: the kernel needs CONFIG_DEBUG_INFO_BTF",
			 BTF_PATH);
		return -ENOENT;
	}
	if (geteuid() != 0 && access(TRACEFS_PATH "/events", R_OK)) {
		snprintf(why, whylen,
			 "cannot load BPF programs: permission denied (are you root? tracing needs "
			 "CAP_BPF, CAP_PERFMON and tracefs)");
		return -EPERM;
	}
	err = pick_variants(&kf, report, why, whylen);
	if (err)
		return err;
	err = ensure_tracefs(why, whylen);
	if (err)
		return err;
	err = load(f, &kf, report, ring_bytes, wakeup_bytes, &skel, why, whylen);
	if (err)
		return err;
	for (i = 0; i < f->n_pids; i++) {
		__u8 one = 1;

		err = bpf_map__update_elem(skel->maps.pid_filter, &f->pids[i], sizeof(f->pids[i]),
					   &one, sizeof(one), BPF_ANY);
		if (err) {
			explain(err, "cannot set the pid filter", why, whylen);
			goto out_destroy;
		}
	}
	err = attach(skel, report, why, whylen);
	if (err)
		goto out_destroy;
	*out = skel;
	return 0;
out_destroy:
	zreaper_bpf__destroy(skel);
	return err;
}

void bpf_load_warn_degraded(const struct zr_kernel_report *r)
{
	int i;

	for (i = 0; i < r->n_degraded; i++) {
		if (r->degraded[i].is_limit)
			zr_info("limited on this kernel: %s: %s", r->degraded[i].feature,
				r->degraded[i].reason);
		else
			zr_warn("degraded on this kernel: %s: %s", r->degraded[i].feature,
				r->degraded[i].reason);
	}
}

struct ring_buffer *bpf_load_ring(struct zreaper_bpf *skel, bpf_load_record_fn fn, void *ctx)
{
	return ring_buffer__new(bpf_map__fd(skel->maps.events), fn, ctx, NULL);
}

uint64_t bpf_load_drops(struct zreaper_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[1024], sum = 0;
	__u32 zero = 0;
	int i;

	if (ncpu <= 0 || ncpu > 1024)
		return 0;
	if (bpf_map__lookup_elem(skel->maps.drops, &zero, sizeof(zero), vals,
				 sizeof(vals[0]) * ncpu, 0))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

void bpf_load_stop(struct zreaper_bpf *skel)
{
	zreaper_bpf__destroy(skel);
}
