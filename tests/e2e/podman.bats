#!/usr/bin/env bats
# podman.bats - zreaper with a real container runtime: podman (runc) runs a local image made of
# busybox and the static zreaper. trace names the container's processes podman://<id> and
# --container selects them; `podman run --init --init-path` runs zreaper as the container's init
# (tini's command line under the name podman-init): exit codes pass through, orphans are reaped,
# `podman stop` is answered at once with 143.
# Skipped, saying why, only when podman is missing or cannot run a container on this machine.
# shellcheck disable=SC2154 # bats sets $stderr

bats_require_minimum_version 1.5.0

load helpers

STATIC=$BATS_TEST_DIRNAME/../../build/zreaper-static
IMAGE=localhost/zreaper-e2e

# pm ARGS...: podman on this file's own storage (vfs under a temporary root), runc (crun refuses
# this host's hybrid cgroups), bounded in time so a hung runtime fails the test.
pm() {
	timeout 60 podman --root "$PM_DIR/root" --runroot "$PM_DIR/run" --storage-driver vfs \
		--runtime runc "$@"
}

# Options every container gets: no network to set up, and the host's limits as they are (root
# here cannot raise an rlimit, and podman would).
CT_OPTS=(--network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

# pm_init: `podman run --rm` with zreaper-static as the init.
pm_init() {
	pm run --rm "${CT_OPTS[@]}" --init --init-path "$STATIC" "$@"
}

setup_file() {
	local rootfs err applet
	if [[ $(id -u) -ne 0 ]]; then
		skip "needs root"
	fi
	if ! command -v podman >/dev/null; then
		skip "podman is not installed (tools/deps.sh installs it)"
	fi
	[[ -x $STATIC ]] || {
		echo "build/zreaper-static is missing: make static" >&2
		return 1
	}
	# /run, not the bats directory: conmon's socket paths must fit in 108 bytes.
	PM_DIR=$(mktemp -d /run/zr-podman.XXXXXX)
	export PM_DIR
	rootfs=$BATS_FILE_TMPDIR/rootfs
	mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,run}
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in $("$rootfs/bin/busybox" --list); do
		[[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
	done
	cp "$STATIC" "$rootfs/zreaper"
	tar -C "$rootfs" -cf "$BATS_FILE_TMPDIR/rootfs.tar" .
	pm import -q --change ENV=PATH=/bin "$BATS_FILE_TMPDIR/rootfs.tar" "$IMAGE" >/dev/null
	# The one reason to skip: this machine's podman cannot start a container at all.
	if ! err=$(pm run --rm "${CT_OPTS[@]}" "$IMAGE" true 2>&1); then
		skip "podman cannot run a container here: ${err//$'\n'/ }"
	fi
}

teardown_file() {
	[[ -n ${PM_DIR:-} && -d $PM_DIR ]] || return 0
	pm rm -af >/dev/null 2>&1 || true
	rm -rf "$PM_DIR"
}

# pm_create ARGS...: creates (does not start) a container of the image running ARGS; its id in $CID.
pm_create() {
	CID=$(pm create "${CT_OPTS[@]}" "$IMAGE" "$@")
	[[ $CID =~ ^[0-9a-f]{64}$ ]] || fail "podman create gave no id: $CID"
}

# assert_only_container ID: every line about a process names container ID (and there are some).
assert_only_container() {
	local others
	others=$(json_select '.pid != null and .container_id != "podman://'"$1"'"')
	[[ -z $others ]] || fail "lines of other containers or of none: $others"
	[[ $(json_count '.pid != null') -gt 0 ]] || fail "no line about any process"
}

@test "trace: a podman container's processes carry container_id podman://<id>" {
	local cg
	pm_create sh -c 'sleep 0.01; exit 7'
	# The cgroup parent podman puts its containers in (libpod_parent here; machine.slice
	# with systemd), whole: attribution, not a --container filter, names the container.
	cg=$(pm run --rm "${CT_OPTS[@]}" "$IMAGE" cat /proc/self/cgroup | sed -n 's|^0::||p')
	[[ $cg == */libpod-* ]] || fail "not a libpod cgroup: $cg"
	start_tracer -c "$(cgroup2_root)${cg%/*}"
	run -7 pm start -a "$CID"
	wait_event ".event == \"reap\" and .exit_code == 7 and .comm == \"sh\""
	stop_tracer
	assert_count ".event == \"exec\" and .argv == [\"sh\", \"-c\", \"sleep 0.01; exit 7\"] and
		.container_id == \"podman://$CID\"" 1
	assert_count ".event == \"exit\" and .exit_code == 7 and .container_id == \"podman://$CID\"" 1
	# No pod here: podman's containers have no pod_uid.
	assert_count '.pod_uid != null' 0
	pm rm "$CID" >/dev/null
}

@test "trace --container: a prefix of a podman container's id selects its processes only" {
	local other
	pm_create sh -c 'sleep 0.01; exit 5'
	other=$(pm create "${CT_OPTS[@]}" "$IMAGE" sh -c 'sleep 0.01; exit 6')
	start_tracer --container "${CID:0:12}"
	assert_equal "$(trace_lines | head -n 1 | jq -r .filters.container)" "${CID:0:12}"
	run -6 pm start -a "$other"
	run -5 pm start -a "$CID"
	wait_event ".event == \"reap\" and .exit_code == 5"
	stop_tracer
	assert_only_container "$CID"
	assert_count '.event == "exec" and .argv == ["sh", "-c", "sleep 0.01; exit 5"]' 1
	assert_count '.event == "exit" and .exit_code == 6' 0
	pm rm "$CID" "$other" >/dev/null
}

@test "trace --container podman://<prefix>: the runtime's name is accepted too" {
	pm_create sh -c 'sleep 0.01; exit 4'
	start_tracer --container "podman://${CID:0:16}"
	run -4 pm start -a "$CID"
	wait_event ".event == \"reap\" and .exit_code == 4"
	stop_tracer
	assert_only_container "$CID"
	assert_count '.event == "exec" and .argv == ["sh", "-c", "sleep 0.01; exit 4"]' 1
	pm rm "$CID" >/dev/null
}

@test "podman run --init --init-path zreaper-static: zreaper is the init, exit codes pass through" {
	# podman starts it as /run/podman-init -- CMD: tini's command line, not zreaper's.
	run -0 --separate-stderr pm_init "$IMAGE" sh -c 'tr "\0" " " </proc/1/cmdline'
	assert_output "/run/podman-init -- sh -c tr \"\\0\" \" \" </proc/1/cmdline "
	run -0 pm_init "$IMAGE" true
	run -3 pm_init "$IMAGE" sh -c 'exit 3'
	run -139 pm_init "$IMAGE" sh -c 'kill -SEGV $$'
	run -143 pm_init "$IMAGE" sh -c 'kill -TERM $$'
	run -127 --separate-stderr pm_init "$IMAGE" /nonexistent
	assert_regex "$stderr" "zreaper: cannot run '/nonexistent'"
	# The environment twins reach it (podman passes no flags to its init).
	run -0 pm_init -e ZREAPER_REMAP_EXIT=3 "$IMAGE" sh -c 'exit 3'
	# The image's own copy as its entrypoint: `zreaper run --` and tini's `zreaper --`.
	run -3 pm run --rm "${CT_OPTS[@]}" "$IMAGE" /zreaper run -- sh -c 'exit 3'
	run -139 pm run --rm "${CT_OPTS[@]}" "$IMAGE" /zreaper -- sh -c 'kill -SEGV $$'
}

@test "podman run --init: orphans reaped, no zombie; podman stop answered with 143 in well under 10 s" {
	local name=zr-stop-$$ out=$BATS_TEST_TMPDIR/ct.out pid=0 cg procs p rc=0 t0 t1 ms
	# Two orphans (their subshells exit at once) come to the init, then sleep 1000 as the child.
	pm_init --name "$name" -e ZREAPER_LOG_REAPS=1 "$IMAGE" \
		sh -c '(sleep 0.2 &); (sleep 0.2 &); exec sleep 1000' >"$out" 2>&1 3>&- &
	local runner=$!
	record_pid "$runner"
	wait_until "[[ \$(pm inspect -f '{{.State.Pid}}' $name 2>/dev/null || echo 0) -gt 0 ]]" 20
	pid=$(pm inspect -f '{{.State.Pid}}' "$name")
	wait_until "[[ \$(grep -c 'Reaped zombie process with pid=.* (sleep): exit 0' '$out') -eq 2 ]]"
	# What is left in the container: the init and sleep 1000, neither a zombie.
	cg=$(sed -n 's|^0::||p' "/proc/$pid/cgroup")
	mapfile -t procs <"$(cgroup2_root)$cg/cgroup.procs"
	assert_equal "${#procs[@]}" 2
	for p in "${procs[@]}"; do
		[[ $(awk '{ print $3 }' "/proc/$p/stat") != Z ]] || fail "zombie $p in the container"
	done
	t0=$EPOCHREALTIME
	pm stop -t 10 "$name" >/dev/null
	t1=$EPOCHREALTIME
	wait "$runner" || rc=$?
	forget_pid "$runner"
	assert_equal "podman run exit $rc" "podman run exit 143"
	ms=$(((${t1/./} - ${t0/./}) / 1000))
	echo "# podman stop took ${ms} ms" >&3
	[[ $ms -lt 3000 ]] || fail "podman stop took ${ms} ms: the init did not pass SIGTERM on"
	run ! kill -0 "$pid"
}
