/* bpf_load.c - skeleton open/configure/load/attach, tracefs mount for the syscall
 * tracepoints, and load errors turned into one line a person can act on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "bpf_load.h"
#include "log.h"
#include "zreaper.skel.h"

#define BTF_PATH     "/sys/kernel/btf/vmlinux"
#define TRACEFS_PATH "/sys/kernel/tracing"

static int print_verbosity;
static char last_prog_error[256]; /* libbpf's last "prog '...': ..." line, for the reason */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (level == LIBBPF_WARN && strstr(line, "prog '")) {
		/* Kept cut to size: the reason line names the program and the first words. */
		size_t k = n < sizeof(last_prog_error) - 1 ? n : sizeof(last_prog_error) - 1;

		memcpy(last_prog_error, line, k);
		last_prog_error[k] = '\0';
	}
	if (level == LIBBPF_DEBUG && print_verbosity < 2)
		return 0;
	if (level == LIBBPF_INFO && print_verbosity < 1)
		return 0;
	if (level == LIBBPF_WARN && print_verbosity < 1)
		return 0;
	zr_debug("%s", line);
	return 0;
}

void bpf_load_set_print(int verbosity)
{
	print_verbosity = verbosity;
	libbpf_set_print(libbpf_print);
}

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

/* One line: what failed, why (libbpf's line naming the rejected program when there is one),
 * and a hint for the usual cause: the capability that is missing, when one is. */
static void explain(int err, const char *what, char *why, size_t whylen)
{
	const char *hint = "";
	const char *cause = strerror(-err);
	bool bpf = has_cap(CAP_BPF), perfmon = has_cap(CAP_PERFMON);

	if ((err == -EPERM || err == -EACCES) && (!bpf || !perfmon))
		hint = !bpf && !perfmon ? " (missing capabilities CAP_BPF and CAP_PERFMON)"
		       : !bpf		? " (missing capability CAP_BPF; tracing needs CAP_BPF and "
					  "CAP_PERFMON)"
			      : " (missing capability CAP_PERFMON; tracing needs CAP_BPF and "
				"CAP_PERFMON)";
	else if (err == -EPERM || err == -EACCES)
		hint = " (are you root? tracing needs CAP_BPF and CAP_PERFMON)";
	if (last_prog_error[0])
		cause =
		    strncmp(last_prog_error, "libbpf: ", 8) ? last_prog_error : last_prog_error + 8;
	snprintf(why, whylen, "%s: %s%s", what, cause, hint);
}

int bpf_load_start(const struct zr_filters *f, unsigned ring_bytes, uint64_t wakeup_bytes,
		   struct zreaper_bpf **out, char *why, size_t whylen)
{
	struct zreaper_bpf *skel;
	int err, i;

	*out = NULL;
	last_prog_error[0] = '\0';
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
	err = ensure_tracefs(why, whylen);
	if (err)
		return err;
	skel = zreaper_bpf__open();
	if (!skel) {
		err = -errno;
		explain(err, "cannot open BPF object", why, whylen);
		return err;
	}
	skel->rodata->targ_filter_pid = f->n_pids > 0;
	skel->rodata->targ_tree = f->tree;
	skel->rodata->targ_threads = f->threads;
	skel->rodata->targ_cgroup_id = f->cgroup_id;
	skel->rodata->targ_cgroup_level = f->cgroup_level;
	skel->rodata->targ_wakeup_bytes = wakeup_bytes;
	if (ring_bytes)
		bpf_map__set_max_entries(skel->maps.events, ring_bytes);
	err = zreaper_bpf__load(skel);
	if (err) {
		explain(err, "cannot load BPF programs", why, whylen);
		goto out_destroy;
	}
	for (i = 0; i < f->n_pids; i++) {
		__u8 one = 1;

		err = bpf_map__update_elem(skel->maps.pid_filter, &f->pids[i], sizeof(f->pids[i]),
					   &one, sizeof(one), BPF_ANY);
		if (err) {
			explain(err, "cannot set the pid filter", why, whylen);
			goto out_destroy;
		}
	}
	err = zreaper_bpf__attach(skel);
	if (err) {
		explain(err, "cannot attach BPF programs", why, whylen);
		goto out_destroy;
	}
	*out = skel;
	return 0;
out_destroy:
	zreaper_bpf__destroy(skel);
	return err;
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
