/* attrib.h - container and pod attribution: a cgroup v2 id -> its path -> `container_id`
 * ("containerd://<id>", "cri-o://<id>", "docker://<id>", "podman://<id>") and `pod_uid`, cached
 * by cgroup id.
 */
#ifndef ZR_ATTRIB_H
#define ZR_ATTRIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define ATTRIB_CID_MAX 96 /* "containerd://" + 64 hex + NUL fits */
#define ATTRIB_POD_MAX 40 /* 36-character UID + NUL */

/* Reads a cgroup path (as /proc/PID/cgroup or the v2 mount show it) the way kubelet and the
 * runtimes name them: systemd driver (kubepods-burstable-pod<uid_with_underscores>.slice,
 * cri-containerd-<id>.scope, crio-<id>.scope, docker-<id>.scope, podman's
 * machine.slice/libpod-<id>.scope) and cgroupfs driver (/kubepods/burstable/pod<uid>/<id>,
 * /docker/<id>, podman's /libpod_parent/libpod-<id>). cid and pod get "" when the path does not
 * say. A bare <id> below a pod is named containerd:// (the runtime cgroupfs paths do not name;
 * containerd is kubelet's default). Monitor scopes (libpod-conmon-<id>, crio-conmon-<id>) are
 * not the container. */
void attrib_parse(const char *path, char *cid, size_t cidlen, char *pod, size_t podlen);

struct attrib;

/* cap: cgroups remembered (0: 4096). v2_root: the cgroup v2 mount (NULL: from mountinfo).
 * NULL + errno on ENOMEM. */
struct attrib *attrib_new(unsigned cap, const char *v2_root);
void attrib_free(struct attrib *a);

/* The container and pod of cgroup_id (pid: a process in it, read only when the id cannot be
 * opened directly; with cgroup_id 0, read every time). *cid and *pod are NULL when unknown, else
 * point into the cache, valid until the next call. */
void attrib_lookup(struct attrib *a, uint64_t cgroup_id, uint32_t pid, const char **cid,
		   const char **pod);

/* Can cgroups be opened by id (CAP_DAC_READ_SEARCH)? Returns 0, -EPERM without the capability,
 * or another -errno (no v2 mount...). */
int attrib_probe(struct attrib *a);

/* The enrichment step before the outputs: ev with container_id and pod_uid filled in when its
 * cgroup says so; ev itself, or *tmp (a copy) when something was added. */
const struct zr_ev *attrib_enrich(struct attrib *a, const struct zr_ev *ev, struct zr_ev *tmp);

/* Does a container_id match a --container argument? A prefix of the id, with or without its
 * "runtime://" part. */
bool attrib_match(const char *cid, const char *want);

#endif /* ZR_ATTRIB_H */
