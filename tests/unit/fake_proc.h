/* fake_proc.h - a fake procfs tree for unit tests, in a mkdtemp() directory:
 * <root>/<pid>/stat laid out as the kernel's do_task_stat() writes it (52 fields, comm raw
 * between parentheses), <root>/<pid>/status with the lines zreaper reads, among others, and
 * <root>/<pid>/sched as proc_sched_show_task() writes it.
 * Point procfs_read_*() or lifecycle_set_procfs() at fp->root; fp_cleanup() removes it all.
 */
#ifndef ZR_TEST_FAKE_PROC_H
#define ZR_TEST_FAKE_PROC_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FP_STAT_FIELDS 52

struct fake_proc {
	char root[64];
};

/* Creates the empty tree. 0 or -errno. */
static inline int fp_init(struct fake_proc *fp)
{
	snprintf(fp->root, sizeof(fp->root), "/tmp/zr-fakeproc.XXXXXX");
	return mkdtemp(fp->root) ? 0 : -errno;
}

/* Writes len bytes of data to <root>/<dir>/<name>, creating <root>/<dir>. 0 or -errno. */
static inline int fp_write(const struct fake_proc *fp, const char *dir, const char *name,
			   const char *data, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fp->root, dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s/%s", fp->root, dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* The same for a pid's directory. */
static inline int fp_write_pid(const struct fake_proc *fp, uint32_t pid, const char *name,
			       const char *data, size_t len)
{
	char dir[16];

	snprintf(dir, sizeof(dir), "%u", pid);
	return fp_write(fp, dir, name, data, len);
}

/* The value of stat field f (numbered as in proc(5)) that no test names: distinct per field,
 * so a parser that miscounts fields reads a wrong, recognisable number. */
static inline unsigned long long fp_filler(int f)
{
	return 1000ULL * (unsigned)f + 7;
}

/* Formats a stat line with the first nfields fields (at most 52) into buf; returns its length.
 * pgrp is pid, session ppid; fields not given get fp_filler(). */
static inline size_t fp_stat_line(char *buf, size_t len, int nfields, uint32_t pid,
				  const char *comm, char state, uint32_t ppid, int threads,
				  uint64_t start_ticks, int exit_code)
{
	size_t n;
	int f;

	n = (size_t)snprintf(buf, len, "%u (%s) %c", pid, comm, state);
	for (f = 4; f <= nfields && f <= FP_STAT_FIELDS && n < len; f++) {
		switch (f) {
		case 4:
			n += (size_t)snprintf(buf + n, len - n, " %u", ppid);
			break;
		case 5:
			n += (size_t)snprintf(buf + n, len - n, " %u", pid);
			break;
		case 6:
			n += (size_t)snprintf(buf + n, len - n, " %u", ppid);
			break;
		case 19: /* nice */
			n += (size_t)snprintf(buf + n, len - n, " %d", -5);
			break;
		case 20:
			n += (size_t)snprintf(buf + n, len - n, " %d", threads);
			break;
		case 21: /* itrealvalue: always 0 */
			n += (size_t)snprintf(buf + n, len - n, " 0");
			break;
		case 22:
			n += (size_t)snprintf(buf + n, len - n, " %llu",
					      (unsigned long long)start_ticks);
			break;
		case 39: /* processor: one every machine has (zombie_read pins itself there) */
			n += (size_t)snprintf(buf + n, len - n, " 0");
			break;
		case 52:
			n += (size_t)snprintf(buf + n, len - n, " %d", exit_code);
			break;
		default:
			n += (size_t)snprintf(buf + n, len - n, " %llu", fp_filler(f));
			break;
		}
	}
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "\n");
	return n < len ? n : len - 1;
}

/* <root>/<pid>/stat with all 52 fields. */
static inline int fp_stat(const struct fake_proc *fp, uint32_t pid, const char *comm, char state,
			  uint32_t ppid, int threads, uint64_t start_ticks, int exit_code)
{
	char buf[1024];
	size_t n = fp_stat_line(buf, sizeof(buf), FP_STAT_FIELDS, pid, comm, state, ppid, threads,
				start_ticks, exit_code);

	return fp_write_pid(fp, pid, "stat", buf, n);
}

/* <root>/<pid>/status. nspid: the NSpid values after the tab, e.g. "123\t1" ("" writes none). */
static inline int fp_status(const struct fake_proc *fp, uint32_t pid, uint32_t uid, uint32_t gid,
			    int threads, uint64_t sig_blk, uint64_t sig_ign, uint64_t sig_cgt,
			    const char *nspid)
{
	char buf[2048];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "Name:\tfake\n"
		     "Umask:\t0022\n"
		     "State:\tS (sleeping)\n"
		     "Tgid:\t%u\n"
		     "Ngid:\t0\n"
		     "Pid:\t%u\n"
		     "PPid:\t1\n"
		     "TracerPid:\t0\n"
		     "Uid:\t%u\t%u\t%u\t%u\n"
		     "Gid:\t%u\t%u\t%u\t%u\n"
		     "FDSize:\t64\n"
		     "Groups:\t4 24 27 \n"
		     "NStgid:\t%s\n"
		     "NSpid:\t%s\n"
		     "NSpgid:\t%u\n"
		     "NSsid:\t%u\n"
		     "Kthread:\t0\n"
		     "VmPeak:\t    9876 kB\n"
		     "Threads:\t%d\n"
		     "SigQ:\t0/63172\n"
		     "SigPnd:\t0000000000000000\n"
		     "ShdPnd:\t0000000000000000\n"
		     "SigBlk:\t%016llx\n"
		     "SigIgn:\t%016llx\n"
		     "SigCgt:\t%016llx\n"
		     "CapInh:\t0000000000000000\n"
		     "CapPrm:\t000001ffffffffff\n"
		     "NoNewPrivs:\t0\n"
		     "Seccomp:\t0\n"
		     "voluntary_ctxt_switches:\t12\n"
		     "nonvoluntary_ctxt_switches:\t3\n",
		     pid, pid, uid, uid + 1, uid + 2, uid + 3, gid, gid + 1, gid + 2, gid + 3,
		     nspid, nspid, pid, pid, threads, (unsigned long long)sig_blk,
		     (unsigned long long)sig_ign, (unsigned long long)sig_cgt);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	return fp_write_pid(fp, pid, "status", buf, (size_t)n);
}

/* A plain process: stat (1 thread, exit_code 0) and status (uid/gid 0, no signal masks,
 * NSpid the pid alone). */
static inline int fp_proc(const struct fake_proc *fp, uint32_t pid, const char *comm, char state,
			  uint32_t ppid, uint64_t start_ticks)
{
	char nspid[16];
	int rc = fp_stat(fp, pid, comm, state, ppid, 1, start_ticks, 0);

	snprintf(nspid, sizeof(nspid), "%u", pid);
	return rc ? rc : fp_status(fp, pid, 0, 0, 1, 0, 0, 0, nspid);
}

/* <root>/<dir>/sched as proc_sched_show_task() writes it (the first lines, then some of the
 * rest), se.exec_start = exec_start_ns. dir: a pid, or "thread-self" for the reader's own. */
static inline int fp_sched(const struct fake_proc *fp, const char *dir, const char *comm,
			   uint64_t exec_start_ns)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "%s (%s, #threads: 1)\n"
		     "-------------------------------------------------------------------\n"
		     "se.exec_start                                :%14llu.%06llu\n"
		     "se.vruntime                                  :        258.509640\n"
		     "se.sum_exec_runtime                          :          0.211815\n"
		     "se.nr_migrations                             :                 0\n"
		     "nr_switches                                  :                 1\n",
		     comm, dir, (unsigned long long)(exec_start_ns / 1000000),
		     (unsigned long long)(exec_start_ns % 1000000));
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	return fp_write(fp, dir, "sched", buf, (size_t)n);
}

/* Removes <root>/<pid>/<name>. */
static inline int fp_unlink(const struct fake_proc *fp, uint32_t pid, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%u/%s", fp->root, pid, name);
	return unlink(path) ? -errno : 0;
}

/* Removes the tree (two levels: <root>/<entry>/<file>). */
static inline void fp_cleanup(struct fake_proc *fp)
{
	DIR *d, *sub;
	struct dirent *e, *se;
	char path[512];

	if (!fp->root[0])
		return;
	d = opendir(fp->root);
	if (d) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", fp->root, e->d_name);
			sub = opendir(path);
			if (!sub) {
				unlink(path);
				continue;
			}
			while ((se = readdir(sub))) {
				char file[768];

				if (!strcmp(se->d_name, ".") || !strcmp(se->d_name, ".."))
					continue;
				snprintf(file, sizeof(file), "%s/%s", path, se->d_name);
				unlink(file);
			}
			closedir(sub);
			rmdir(path);
		}
		closedir(d);
	}
	rmdir(fp->root);
	fp->root[0] = '\0';
}

/* cmocka setup/teardown for a test whose state is one fake procfs tree. */
static inline int fp_setup(void **state)
{
	struct fake_proc *fp = calloc(1, sizeof(*fp));

	if (!fp)
		return -1;
	if (fp_init(fp)) {
		free(fp);
		return -1;
	}
	*state = fp;
	return 0;
}

static inline int fp_teardown(void **state)
{
	struct fake_proc *fp = *state;

	fp_cleanup(fp);
	free(fp);
	return 0;
}

#endif /* ZR_TEST_FAKE_PROC_H */
