/* inject_proc.c - the parent as inject sees it in /proc before touching it: whether it may be
 * injected into (inject_check), which thread to stop, and a zombie's pid in its namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inject.h"
#include "inject_int.h"
#include "procfs.h"

#define PF_KTHREAD_FLAG 0x00200000UL
#define NSPID_MAX	32

struct task_info {
	char state;
	uint32_t tracer;
	int n_nspid;
	uint32_t nspid[NSPID_MAX];
};

/* State, TracerPid and NSpid from the status file in dir of /proc ("P" or "P/task/T"). */
static int read_task_info(const char *dir, struct task_info *ti)
{
	char buf[4096], *line, *save = NULL;
	int rc = procfs_read_file(NULL, dir, "status", buf, sizeof(buf));

	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	memset(ti, 0, sizeof(*ti));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "State:", 6)) {
			const char *p = line + 6;

			while (*p == ' ' || *p == '\t')
				p++;
			ti->state = *p;
		} else if (!strncmp(line, "TracerPid:", 10)) {
			ti->tracer = (uint32_t)strtoul(line + 10, NULL, 10);
		} else if (!strncmp(line, "NSpid:", 6)) {
			char *p = line + 6, *end;

			for (;;) {
				unsigned long v = strtoul(p, &end, 10);

				if (end == p || ti->n_nspid >= NSPID_MAX)
					break;
				ti->nspid[ti->n_nspid++] = (uint32_t)v;
				p = end;
			}
		}
	}
	return 0;
}

/* Field 9 of stat (flags); comm may hold anything, so count from the last ')'. */
static int read_flags(uint32_t pid, unsigned long *flags)
{
	char dir[16], buf[1024], *p;
	int rc, field;

	snprintf(dir, sizeof(dir), "%u", pid);
	rc = procfs_read_file(NULL, dir, "stat", buf, sizeof(buf));
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	for (field = 2; field < 9 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EINVAL;
	*flags = strtoul(p + 1, NULL, 10);
	return 0;
}

int inject_ns_pid(uint32_t zombie, uint32_t parent, uint32_t *ns_pid)
{
	struct task_info z, p;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "%u", zombie);
	rc = read_task_info(path, &z);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%u", parent);
	rc = read_task_info(path, &p);
	if (rc)
		return rc;
	if (!p.n_nspid || z.n_nspid < p.n_nspid)
		return -EXDEV;
	/* NSpid lists the pid from zreaper's namespace inwards: the parent's depth indexes it. */
	*ns_pid = z.nspid[p.n_nspid - 1];
	return 0;
}

int inject_proc_pick_thread(uint32_t pid, uint32_t *tid)
{
	char path[64];
	struct task_info ti;
	struct dirent *e;
	DIR *d;
	int rc;

	snprintf(path, sizeof(path), "%u/task/%u", pid, pid);
	rc = read_task_info(path, &ti);
	if (rc)
		return rc;
	if (ti.state != 'Z' && ti.state != 'X') {
		*tid = pid;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	d = opendir(path);
	if (!d)
		return -ESRCH;
	rc = -ESRCH;
	while ((e = readdir(d))) {
		unsigned long t = strtoul(e->d_name, NULL, 10);

		if (!t || t == pid)
			continue;
		snprintf(path, sizeof(path), "%u/task/%lu", pid, t);
		if (read_task_info(path, &ti) == 0 && ti.state != 'Z' && ti.state != 'X') {
			*tid = (uint32_t)t;
			rc = 0;
			break;
		}
	}
	closedir(d);
	return rc;
}

enum inject_outcome inject_check(uint32_t pid, char *why, size_t len)
{
	struct task_info ti;
	unsigned long flags = 0;
	char path[64];
	uint32_t tid;
	int rc;

	if (!INJECT_ARCH_SUPPORTED) {
		snprintf(
		    why, len,
		    "inject is implemented for x86_64 and aarch64 only; use nudge or kill-parent "
		    "here");
		return INJECT_REFUSED;
	}
	why[0] = '\0';
	if (read_flags(pid, &flags) == 0 && (flags & PF_KTHREAD_FLAG)) {
		snprintf(why, len, "parent %u is a kernel thread", pid);
		return INJECT_REFUSED;
	}
	snprintf(path, sizeof(path), "%u", pid);
	rc = read_task_info(path, &ti);
	if (!rc)
		rc = inject_proc_pick_thread(pid, &tid);
	if (rc) {
		snprintf(why, len, "cannot read parent %u: %s", pid, strerror(-rc));
		return INJECT_FAILED;
	}
	if (ti.tracer) {
		snprintf(why, len, "parent %u is already traced by %u; it is left alone", pid,
			 ti.tracer);
		return INJECT_REFUSED;
	}
	snprintf(path, sizeof(path), "%u/task/%u", pid, tid);
	if (read_task_info(path, &ti)) {
		snprintf(why, len, "parent %u is gone", pid);
		return INJECT_FAILED;
	}
	if (ti.tracer) {
		snprintf(why, len, "thread %u of parent %u is already traced by %u", tid, pid,
			 ti.tracer);
		return INJECT_REFUSED;
	}
	switch (ti.state) {
	case 'T':
	case 't':
		snprintf(why, len, "parent %u is stopped; it stays stopped", pid);
		return INJECT_REFUSED;
	case 'D':
		/* A ptrace stop would wait for the sleep to end, holding zreaper with it. */
		snprintf(why, len, "parent %u is in uninterruptible sleep (D)", pid);
		return INJECT_REFUSED;
	case 'Z':
	case 'X':
		snprintf(why, len, "parent %u is exiting", pid);
		return INJECT_REFUSED;
	default:
		return INJECT_RAN;
	}
}
