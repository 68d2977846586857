/* test_attrib.c - attrib.c's reading of cgroup paths as containerd, CRI-O, Docker and podman
 * name them under the systemd and cgroupfs drivers, and the --container match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "attrib.h"

#define ID  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "5f8a2b1c-3d4e-4f60-8a9b-0c1d2e3f4a5b"
#define UND "5f8a2b1c_3d4e_4f60_8a9b_0c1d2e3f4a5b"

static void check(const char *path, const char *want_cid, const char *want_pod)
{
	char cid[ATTRIB_CID_MAX], pod[ATTRIB_POD_MAX];

	attrib_parse(path, cid, sizeof(cid), pod, sizeof(pod));
	if (strcmp(cid, want_cid) || strcmp(pod, want_pod))
		fail_msg("%s:\n got cid '%s' pod '%s'\nwant cid '%s' pod '%s'", path, cid, pod,
			 want_cid, want_pod);
}

static void test_systemd_driver(void **state)
{
	(void)state;
	/* containerd, burstable and besteffort QoS, and guaranteed (no QoS slice) */
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UND
	      ".slice/cri-containerd-" ID ".scope",
	      "containerd://" ID, UID);
	check("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UND
	      ".slice/cri-containerd-" ID ".scope",
	      "containerd://" ID, UID);
	check("/kubepods.slice/kubepods-pod" UND ".slice/cri-containerd-" ID ".scope",
	      "containerd://" ID, UID);
	/* CRI-O; its conmon scope is not the container */
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UND
	      ".slice/crio-" ID ".scope",
	      "cri-o://" ID, UID);
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UND
	      ".slice/crio-conmon-" ID ".scope",
	      "", UID);
	/* the pod's own slice (the sandbox's cgroup parent) */
	check("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UND ".slice", "",
	      UID);
	/* a cgroup nested in the container (systemd inside a container) is still the container */
	check("/kubepods.slice/kubepods-pod" UND ".slice/cri-containerd-" ID ".scope/init.scope",
	      "containerd://" ID, UID);
	/* Docker alone */
	check("/system.slice/docker-" ID ".scope", "docker://" ID, "");
	/* as /proc/PID/cgroup's v2 line ends */
	check("/system.slice/docker-" ID ".scope\n", "docker://" ID, "");
}

static void test_cgroupfs_driver(void **state)
{
	(void)state;
	check("/kubepods/burstable/pod" UID "/" ID, "containerd://" ID, UID);
	check("/kubepods/besteffort/pod" UID "/" ID, "containerd://" ID, UID);
	check("/kubepods/pod" UID "/" ID, "containerd://" ID, UID);
	check("/kubepods/burstable/pod" UID "/crio-" ID, "cri-o://" ID, UID);
	check("/docker/" ID, "docker://" ID, "");
	/* under the hybrid mount, as readlink of an opened cgroup shows it */
	check("/sys/fs/cgroup/unified/kubepods/pod" UID "/" ID, "containerd://" ID, UID);
}

static void test_podman(void **state)
{
	(void)state;
	/* cgroupfs manager, as podman 4.3 made it here (the hybrid mount's v2 path too) */
	check("/libpod_parent/libpod-" ID, "podman://" ID, "");
	check("/sys/fs/cgroup/unified/libpod_parent/libpod-" ID, "podman://" ID, "");
	check("/libpod_parent/libpod-" ID "\n", "podman://" ID, "");
	/* systemd manager: machine.slice, a pod's slice, rootless under the user's manager */
	check("/machine.slice/libpod-" ID ".scope", "podman://" ID, "");
	check("/machine.slice/machine-libpod_pod_" ID ".slice/libpod-" ID ".scope", "podman://" ID,
	      "");
	check("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope",
	      "podman://" ID, "");
	/* a cgroup nested in the container (systemd running inside, say) is the container */
	check("/machine.slice/libpod-" ID ".scope/container", "podman://" ID, "");
	/* conmon, the monitor, is not the container */
	check("/machine.slice/libpod-conmon-" ID ".scope", "", "");
	check("/libpod_parent/conmon", "", "");
	check("/libpod_parent", "", "");
	/* not an id */
	check("/machine.slice/libpod-notanid.scope", "", "");
	check("/libpod_parent/libpod-" ID "-x", "", "");
}

static void test_not_containers(void **state)
{
	(void)state;
	check("/", "", "");
	check("", "", "");
	check("/user.slice/user-1000.slice/session-3.scope", "", "");
	check("/system.slice/containerd.service", "", "");
	check("/system.slice/docker-notanid.scope", "", "");
	/* a 64-hex directory outside pods and docker is just a directory */
	check("/mine/" ID, "", "");
	/* a pod UID of the wrong shape */
	check("/kubepods/pod1234/" ID, "", "");
	check("/kubepods.slice/kubepods-podzzzz.slice", "", "");
	/* upper-case hex is not what runtimes write */
	check("/system.slice/docker-0123456789ABCDEF.scope", "", "");
}

static void test_truncating_buffers(void **state)
{
	char cid[8], pod[8];

	(void)state;
	attrib_parse("/kubepods/pod" UID "/" ID, cid, sizeof(cid), pod, sizeof(pod));
	assert_string_equal(cid, "");
	assert_string_equal(pod, "");
}

static void test_match(void **state)
{
	(void)state;
	assert_true(attrib_match("containerd://" ID, "0123"));
	assert_true(attrib_match("containerd://" ID, ID));
	assert_true(attrib_match("containerd://" ID, "containerd://0123"));
	assert_false(attrib_match("containerd://" ID, "cri-o://0123"));
	assert_false(attrib_match("containerd://" ID, "1234"));
	assert_false(attrib_match(NULL, "0123"));
	assert_true(attrib_match("podman://" ID, "0123456789ab"));
	assert_true(attrib_match("podman://" ID, "podman://0123456789ab"));
	assert_false(attrib_match("podman://" ID, "docker://0123456789ab"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_systemd_driver),
		cmocka_unit_test(test_cgroupfs_driver),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_not_containers),
		cmocka_unit_test(test_truncating_buffers),
		cmocka_unit_test(test_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
