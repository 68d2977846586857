/* procfs.c - parsing /proc/<pid>/stat, status and sched. comm may hold any byte, ')' included,
 * so stat is split at the last ')'.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "procfs.h"

/* include/uapi/linux/capability.h: the header is not in musl's (the init-only build). */
#define ZR_CAP_SYS_PTRACE 19

int procfs_read_file(const char *root, const char *dir, const char *name, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", root ? root : "/proc", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	return (int)n;
}

static int read_file(const char *root, uint32_t pid, const char *name, char *buf, size_t len)
{
	char dir[16];

	snprintf(dir, sizeof(dir), "%u", pid);
	return procfs_read_file(root, dir, name, buf, len);
}

int procfs_read_stat(const char *root, uint32_t pid, struct procfs_stat *st)
{
	char buf[1024], *open_p, *close_p, *p, *save = NULL;
	size_t clen;
	int n, field;

	n = read_file(root, pid, "stat", buf, sizeof(buf));
	if (n < 0)
		return n;
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p || close_p[1] != ' ')
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->pid = pid;
	st->cpu = -1;
	st->exit_code = -1;
	clen = (size_t)(close_p - open_p - 1);
	if (clen > ZR_COMM_BUF - 1)
		clen = ZR_COMM_BUF - 1;
	memcpy(st->comm, open_p + 1, clen);
	st->comm[clen] = '\0';
	/* Fields after comm, numbered as in proc(5): 3 state, 4 ppid, 5 pgrp, 6 session,
	 * 20 num_threads, 22 starttime, 39 processor, 52 exit_code. The last two matter for
	 * zombies only: a scan of every process stops at 22 for the others. */
	for (field = 3, p = strtok_r(close_p + 2, " ", &save); p;
	     field++, p = strtok_r(NULL, " ", &save)) {
		switch (field) {
		case 3:
			st->state = p[0];
			break;
		case 4:
			st->ppid = (uint32_t)strtoul(p, NULL, 10);
			break;
		case 5:
			st->pgrp = (uint32_t)strtoul(p, NULL, 10);
			break;
		case 6:
			st->session = (uint32_t)strtoul(p, NULL, 10);
			break;
		case 20:
			st->threads = (int)strtol(p, NULL, 10);
			break;
		case 22:
			st->start_ticks = strtoull(p, NULL, 10);
			if (st->state != 'Z')
				return 0;
			break;
		case 39:
			st->cpu = (int)strtol(p, NULL, 10);
			break;
		case 52:
			st->exit_code = (int)strtol(p, NULL, 10);
			return 0;
		default:
			break;
		}
	}
	return field > 22 ? 0 : -EINVAL; /* kernels before 3.5 stop earlier */
}

int procfs_parse_exec_start(const char *text, uint64_t *ns)
{
	const char *p = strstr(text, "\nse.exec_start");
	unsigned long long ms, frac = 0;
	char *end;
	int digits;

	if (!p)
		return -EINVAL;
	p += strlen("\nse.exec_start");
	p += strspn(p, " \t");
	if (*p++ != ':')
		return -EINVAL;
	p += strspn(p, " \t");
	/* "%Ld.%06ld": milliseconds, then the nanoseconds within them. */
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	ms = strtoull(p, &end, 10);
	if (errno || *end != '.' || ms > UINT64_MAX / 1000000)
		return -EINVAL;
	for (p = end + 1, digits = 0; digits < 6 && isdigit((unsigned char)*p); p++, digits++)
		frac = frac * 10 + (unsigned)(*p - '0');
	if (digits != 6 || (*p != '\n' && *p != '\0'))
		return -EINVAL;
	*ns = ms * 1000000 + frac;
	return 0;
}

int procfs_read_exec_start(const char *root, const char *dir, uint64_t *ns)
{
	/* The line is the third: comm and pid, a rule, then se.exec_start. */
	char buf[512];
	int n = procfs_read_file(root, dir, "sched", buf, sizeof(buf));

	if (n < 0)
		return n;
	return procfs_parse_exec_start(buf, ns);
}

static uint64_t hex_mask(const char *s)
{
	return strtoull(s, NULL, 16);
}

bool procfs_has_exe(const char *root, uint32_t pid)
{
	char path[300], c;

	snprintf(path, sizeof(path), "%s/%u/exe", root ? root : "/proc", pid);
	return readlink(path, &c, 1) > 0;
}

bool procfs_may_ptrace_all(const char *root)
{
	char buf[4096];
	const char *p;

	if (procfs_read_file(root, "self", "status", buf, sizeof(buf)) <= 0 ||
	    !(p = strstr(buf, "\nCapEff:")))
		return false;
	return (hex_mask(p + 8) >> ZR_CAP_SYS_PTRACE) & 1;
}

int procfs_read_status(const char *root, uint32_t pid, struct procfs_status *st)
{
	char buf[4096], *line, *save = NULL;
	int n;

	n = read_file(root, pid, "status", buf, sizeof(buf));
	if (n < 0)
		return n;
	memset(st, 0, sizeof(*st));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "SigBlk:", 7)) {
			st->sig_blk = hex_mask(line + 7);
		} else if (!strncmp(line, "SigIgn:", 7)) {
			st->sig_ign = hex_mask(line + 7);
		} else if (!strncmp(line, "SigCgt:", 7)) {
			st->sig_cgt = hex_mask(line + 7);
		} else if (!strncmp(line, "Uid:", 4)) {
			st->uid = (uint32_t)strtoul(line + 4, NULL, 10);
		} else if (!strncmp(line, "Gid:", 4)) {
			st->gid = (uint32_t)strtoul(line + 4, NULL, 10);
		} else if (!strncmp(line, "Threads:", 8)) {
			st->threads = (int)strtol(line + 8, NULL, 10);
		} else if (!strncmp(line, "NSpid:", 6)) {
			char *p = line + 6, *end;

			st->ns_depth = -1;
			for (;;) {
				unsigned long v = strtoul(p, &end, 10);

				if (end == p)
					break;
				st->ns_pid = (uint32_t)v;
				st->ns_depth++;
				p = end;
			}
		}
	}
	return 0;
}

uint64_t procfs_tick_ns(void)
{
	static uint64_t tick;

	if (!tick) {
		long hz = sysconf(_SC_CLK_TCK);

		tick = 1000000000ULL / (uint64_t)(hz > 0 ? hz : 100);
	}
	return tick;
}

uint64_t procfs_now_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

uint64_t procfs_ticks_to_ns(uint64_t ticks)
{
	return ticks * procfs_tick_ns();
}

int procfs_each_pid(const char *root, int (*fn)(uint32_t pid, void *arg), void *arg)
{
	DIR *d = opendir(root ? root : "/proc");
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -errno;
	while (!rc && (e = readdir(d))) {
		char *end;
		unsigned long pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = strtoul(e->d_name, &end, 10);
		if (*end || !pid || pid > 0x7fffffff)
			continue;
		rc = fn((uint32_t)pid, arg);
	}
	closedir(d);
	return rc;
}
