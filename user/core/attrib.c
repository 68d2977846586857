/* attrib.c - which container and pod an event's subject runs in, from the name of its cgroup
 * v2 directory. The directory is found from the id the kernel gives (open_by_handle_at on the
 * v2 mount, which needs CAP_DAC_READ_SEARCH and works after the process is gone), else from
 * /proc/PID/cgroup; each id is resolved once and kept in a bounded cache.
 */
#define _GNU_SOURCE /* open_by_handle_at */ /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) \
					     */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "attrib.h"
#include "cgroup.h"

#define FILEID_KERNFS 0xfe /* kernfs file handles carry the node id, i.e. the cgroup id */
#define UID_LEN	      36

struct entry {
	uint64_t id; /* 0: empty */
	char cid[ATTRIB_CID_MAX];
	char pod[ATTRIB_POD_MAX];
};

struct attrib {
	struct entry *tab;
	struct entry scratch; /* a lookup by pid alone (no id to cache it under) */
	unsigned mask;
	int mnt_fd;	 /* the v2 mount, for open_by_handle_at; -1 when unusable */
	char root[1024]; /* the v2 mount point */
};

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t n, const char *sfx)
{
	size_t k = strlen(sfx);

	return n >= k && !memcmp(s + n - k, sfx, k);
}

/* A pod UID: 8-4-4-4-12 hex digits; the systemd driver writes '_' for '-'. */
static bool take_uid(const char *s, size_t n, char *pod, size_t podlen)
{
	char u[UID_LEN + 1];
	size_t i;

	if (n != UID_LEN || podlen <= UID_LEN)
		return false;
	for (i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		char c = s[i];

		if (c == '_')
			c = '-';
		if (dash ? c != '-' : !is_hex(&c, 1))
			return false;
		u[i] = c;
	}
	u[n] = '\0';
	memcpy(pod, u, n + 1);
	return true;
}

/* "<prefix><hex>[<suffix>]" -> "<runtime>://<hex>". */
static bool take_id(const char *s, size_t n, const char *prefix, const char *suffix,
		    const char *runtime, char *cid, size_t cidlen)
{
	size_t p = strlen(prefix), q = suffix ? strlen(suffix) : 0, k;

	if (n < p + q || memcmp(s, prefix, p) != 0 || (suffix && !ends_with(s, n, suffix)))
		return false;
	k = n - p - q;
	if (k < 12 || k > 64 || !is_hex(s + p, k))
		return false;
	return (size_t)snprintf(cid, cidlen, "%s://%.*s", runtime, (int)k, s + p) < cidlen;
}

void attrib_parse(const char *path, char *cid, size_t cidlen, char *pod, size_t podlen)
{
	const char *c = path, *prev = "";
	size_t prevlen = 0;
	bool kubepods = false, under_pod = false;

	if (cidlen)
		cid[0] = '\0';
	if (podlen)
		pod[0] = '\0';
	while (*c) {
		size_t n = strcspn(c, "/\n");
		const char *dash;

		if (n) {
			if (!strncmp(c, "kubepods", 8)) {
				kubepods = true;
				/* systemd driver: kubepods[-qos]-pod<uid>.slice */
				dash = n > 6 ? memmem(c, n, "-pod", 4) : NULL;
				if (dash && ends_with(c, n, ".slice") &&
				    take_uid(dash + 4, (size_t)(c + n - 6 - dash - 4), pod, podlen))
					under_pod = true;
			} else if (kubepods && n > 3 && !strncmp(c, "pod", 3) &&
				   take_uid(c + 3, n - 3, pod, podlen)) {
				under_pod = true; /* cgroupfs driver: pod<uid> */
			} else if (take_id(c, n, "cri-containerd-", ".scope", "containerd", cid,
					   cidlen) ||
				   take_id(c, n, "crio-", ".scope", "cri-o", cid, cidlen) ||
				   take_id(c, n, "docker-", ".scope", "docker", cid, cidlen) ||
				   take_id(c, n, "libpod-", ".scope", "podman", cid, cidlen) ||
				   take_id(c, n, "libpod-", NULL, "podman", cid, cidlen) ||
				   (under_pod &&
				    take_id(c, n, "crio-", NULL, "cri-o", cid, cidlen))) {
				/* the container's own cgroup (nested cgroups below it stay its);
				 * "libpod-conmon-<id>.scope" and "crio-conmon-" are not hex */
			} else if (n == 64 && under_pod) {
				take_id(c, n, "", NULL, "containerd", cid, cidlen);
			} else if (n == 64 && prevlen == 6 && !memcmp(prev, "docker", 6)) {
				take_id(c, n, "", NULL, "docker", cid, cidlen);
			}
		}
		prev = c;
		prevlen = n;
		c += n;
		if (*c == '\n')
			break;
		if (*c)
			c++;
	}
}

struct attrib *attrib_new(unsigned cap, const char *v2_root)
{
	struct attrib *a = calloc(1, sizeof(*a));
	unsigned n = 1;

	if (!a)
		return NULL;
	if (!cap)
		cap = 4096;
	while (n < cap && n < (1u << 20))
		n <<= 1;
	a->tab = calloc(n, sizeof(*a->tab));
	if (!a->tab) {
		free(a);
		return NULL;
	}
	a->mask = n - 1;
	a->mnt_fd = -1;
	if (v2_root)
		snprintf(a->root, sizeof(a->root), "%s", v2_root);
	else if (cgroup_v2_mount(a->root, sizeof(a->root)))
		a->root[0] = '\0';
	if (a->root[0])
		a->mnt_fd = open(a->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return a;
}

void attrib_free(struct attrib *a)
{
	if (!a)
		return;
	if (a->mnt_fd >= 0)
		close(a->mnt_fd);
	free(a->tab);
	free(a);
}

/* The cgroup's directory from its id. Any failure (no CAP_DAC_READ_SEARCH: EPERM; cgroup
 * removed: ESTALE) turns the fast way off only for EPERM-like errors. */
static int path_by_id(struct attrib *a, uint64_t id, char *buf, size_t len)
{
	union {
		struct file_handle fh;
		char raw[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	char link[64];
	ssize_t n;
	int fd;

	if (a->mnt_fd < 0)
		return -ENOENT;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(a->mnt_fd, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;

		if (err == -EPERM || err == -EOPNOTSUPP || err == -ENOSYS) {
			close(a->mnt_fd); /* it will not work for any id: stop trying */
			a->mnt_fd = -1;
		}
		return err;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int attrib_probe(struct attrib *a)
{
	struct stat st;
	char path[4096];

	if (a->mnt_fd < 0)
		return -ENOENT;
	if (fstat(a->mnt_fd, &st))
		return -errno;
	return path_by_id(a, st.st_ino, path, sizeof(path));
}

void attrib_lookup(struct attrib *a, uint64_t cgroup_id, uint32_t pid, const char **cid,
		   const char **pod)
{
	struct entry *e = &a->scratch;
	/* Only its first byte is cleared, not all 4 KiB: every event comes here, and the cache
	 * answers almost all of them. */
	char path[4096];

	path[0] = '\0';
	*cid = *pod = NULL;
	if (!cgroup_id && !pid)
		return;
	if (cgroup_id) {
		/* ids are handed out in sequence: the low bits spread them over the slots */
		e = &a->tab[(cgroup_id ^ (cgroup_id >> 20)) & a->mask];
		if (e->id == cgroup_id)
			goto found;
		if (path_by_id(a, cgroup_id, path, sizeof(path)) &&
		    (!pid || cgroup_of_pid(NULL, pid, path, sizeof(path))))
			path[0] = '\0';
		e->id = cgroup_id;
	} else if (cgroup_of_pid(NULL, pid, path, sizeof(path))) {
		/* known from /proc only (zombies older than the trace): ask /proc, uncached */
		path[0] = '\0';
	}
	attrib_parse(path, e->cid, sizeof(e->cid), e->pod, sizeof(e->pod));
found:
	*cid = e->cid[0] ? e->cid : NULL;
	*pod = e->pod[0] ? e->pod : NULL;
}

bool attrib_match(const char *cid, const char *want)
{
	const char *sep;

	if (!cid)
		return false;
	if (!strstr(want, "://") && (sep = strstr(cid, "://")))
		cid = sep + 3;
	return !strncmp(cid, want, strlen(want));
}

const struct zr_ev *attrib_enrich(struct attrib *a, const struct zr_ev *ev, struct zr_ev *tmp)
{
	const char *cid, *pod;

	/* No id: a process known from /proc only. Worth a read for the zombies it reports, so
	 * the gauge names their container; not for every event. */
	if (!ev->cgroup_id && ev->kind != ZR_EV_SNAPSHOT && ev->kind != ZR_EV_ZOMBIE)
		return ev;
	attrib_lookup(a, ev->cgroup_id, ev->pid, &cid, &pod);
	if (!cid && !pod)
		return ev;
	*tmp = *ev;
	tmp->container_id = cid;
	tmp->pod_uid = pod;
	return tmp;
}
