/* cgroup.h - the cgroup v2 hierarchy: where it is mounted, a path's id and depth, a pid's path. */
#ifndef ZR_CGROUP_H
#define ZR_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* Finds the cgroup2 mount point in /proc/self/mountinfo. Returns 0 or -ENOENT. */
int cgroup_v2_mount(char *buf, size_t len);

/* path below root (the v2 mount) without that prefix: "/sys/fs/cgroup/a" -> "/a", root itself
 * -> ""; path itself when it is not below root. */
const char *cgroup_strip_mount(const char *path, const char *root);

/* Resolves path (absolute, or relative to the v2 mount) to its cgroup id (the directory's
 * inode) and level (0 = root). Returns 0, -ENOENT (no v2 mount or no such directory), or
 * -ENOTDIR (exists but is not a cgroup v2 directory). */
int cgroup_resolve(const char *path, uint64_t *id, int *level);

/* The cgroup v2 path of pid: the "0::/path" line of PROC/PID/cgroup, without "0::"; proc_root
 * is the procfs mount (NULL: /proc). Returns 0, -ENOENT (no v2 line) or -errno (pid gone); buf
 * is "" unless 0. */
int cgroup_of_pid(const char *proc_root, uint32_t pid, char *buf, size_t len);

#endif /* ZR_CGROUP_H */
