/* cgroup.c - locating the cgroup v2 hierarchy (hybrid hosts mount it at .../unified) and
 * turning a -c path into the id and level the BPF filter compares; the one reader of a
 * process's v2 path (attribution, reap's policy).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "cgroup.h"

#define CGROUP2_MAGIC 0x63677270

int cgroup_v2_mount(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int err = -ENOENT;

	if (!f)
		return -errno;
	/* id parent major:minor root mountpoint options [optional...] - fstype source superopts */
	while (fgets(line, sizeof(line), f)) {
		char mnt[2048], fstype[64];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(sep, " - %63s", fstype) != 1 || strcmp(fstype, "cgroup2") != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %2047s", mnt) != 1)
			continue;
		if ((size_t)snprintf(buf, len, "%s", mnt) < len)
			err = 0;
		break;
	}
	fclose(f);
	return err;
}

const char *cgroup_strip_mount(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (path[0] == '/' && !strncmp(path, root, n) && (path[n] == '/' || path[n] == '\0'))
		return path + n;
	return path;
}

int cgroup_resolve(const char *path, uint64_t *id, int *level)
{
	char root[2048], full[4096];
	const char *rel;
	struct statfs sfs;
	struct stat st;
	int lvl = 0;

	if (cgroup_v2_mount(root, sizeof(root)))
		return -ENOENT;
	rel = cgroup_strip_mount(path, root);
	while (*rel == '/')
		rel++;
	if ((size_t)snprintf(full, sizeof(full), "%s/%s", root, rel) >= sizeof(full))
		return -ENAMETOOLONG;
	if (stat(full, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || statfs(full, &sfs) || sfs.f_type != CGROUP2_MAGIC)
		return -ENOTDIR;
	for (const char *p = rel; *p; p++)
		if (*p != '/' && (p == rel || p[-1] == '/'))
			lvl++;
	*id = st.st_ino;
	*level = lvl;
	return 0;
}

int cgroup_of_pid(const char *proc_root, uint32_t pid, char *buf, size_t len)
{
	char fn[256], line[4096];
	FILE *f;
	int err = -ENOENT;

	buf[0] = '\0';
	snprintf(fn, sizeof(fn), "%s/%u/cgroup", proc_root ? proc_root : "/proc", pid);
	f = fopen(fn, "re");
	if (!f)
		return -errno;
	/* v1 hierarchies come first on hybrid hosts: "N:controllers:/path" */
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line + 3);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}
