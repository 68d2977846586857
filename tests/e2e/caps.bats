#!/usr/bin/env bats
# caps.bats - the capability sets tools/deploy/ documents, proven with setpriv (bounding,
# inheritable and ambient sets cut to exactly them): `trace` works with CAP_BPF, CAP_PERFMON and
# CAP_DAC_READ_SEARCH (containers attributed too); dropping CAP_BPF or CAP_PERFMON fails with one
# line naming it; dropping CAP_DAC_READ_SEARCH warns by name; `reap` injects with CAP_SYS_PTRACE
# and CAP_KILL alone (and counts its decisions in --metrics-textfile).
# shellcheck disable=SC2154 # bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

TRACE_CAPS=bpf,perfmon,dac_read_search
REAP_CAPS=sys_ptrace,kill
REAL_ZR=$ZR

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
	command -v setpriv >/dev/null || skip "no setpriv"
}

teardown() {
	kill_recorded
	remove_cgroups
}

# with_caps LIST: makes $ZR a wrapper that runs zreaper with exactly the capabilities in LIST
# (comma-separated, setpriv's names), as root still.
with_caps() {
	local plus
	plus=$(sed -E 's/(^|,)/\1+/g' <<<"$1")
	cat >zr-caps <<-EOF
		#!/bin/sh
		exec setpriv --inh-caps=-all,$plus --ambient-caps=-all,$plus --bounding-set=-all,$plus -- "$REAL_ZR" "\$@"
	EOF
	chmod +x zr-caps
	ZR=$BATS_TEST_TMPDIR/zr-caps
}

@test "trace with exactly CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH: events, containers, no warning" {
	root=$(cgroup2_root)
	[[ -n $root ]] || skip "no cgroup v2 mount"
	id=$(printf 'caps%d' "$$" | sha256sum | cut -c1-64)
	pod=$root/kubepods.slice/kubepods-besteffort.slice
	ctr=$pod/kubepods-besteffort-pod11111111_2222_3333_4444_$(printf '%012d' "$$").slice
	CG_DIRS=("$ctr/cri-containerd-$id.scope" "$ctr" "$pod" "$root/kubepods.slice")
	mkdir -p "${CG_DIRS[0]}"
	with_caps "$TRACE_CAPS"
	start_work fork 5
	echo "$SELF" >"${CG_DIRS[0]}/cgroup.procs"
	start_tracer -p "$SELF" --tree
	# the process really has only these (CapEff of the tracer)
	run -0 grep CapEff "/proc/$TRACER_PID/status"
	assert_output "CapEff:	000000c000000004"
	release_work
	wait_event ".event == \"reap\" and .pid == $SELF"
	stop_tracer
	assert_count ".event == \"fork\" and .ppid == $SELF" 5
	# every child is attributed, though most were gone before their events were read
	assert_count ".event == \"exit\" and .ppid == $SELF and .container_id == \"containerd://$id\"" 5
	run -0 cat "$BATS_TEST_TMPDIR/trace.err"
	assert_output ""
}

@test "trace without CAP_BPF or CAP_PERFMON: exit 1, one line naming the missing capability" {
	for missing in bpf perfmon; do
		with_caps "$(sed -E "s/(^|,)$missing(,|$)/\1/; s/,$//" <<<"$TRACE_CAPS")"
		run -1 --separate-stderr "$ZR" trace --duration 1s
		assert_output ""
		[[ $stderr == "zreaper: cannot load BPF programs: "*"(missing capability CAP_${missing^^};"* ]] ||
			fail "without $missing: $stderr"
		[[ $stderr != *$'\n'* ]] || fail "more than one line: $stderr"
	done
}

@test "trace without CAP_DAC_READ_SEARCH runs and names it in a warning" {
	with_caps bpf,perfmon
	run -0 --separate-stderr "$ZR" trace --json --duration 300ms
	[[ $stderr == "zreaper: no CAP_DAC_READ_SEARCH: "* ]] || fail "$stderr"
	assert_equal "$(jq -r .event <<<"${lines[-1]}")" stop
}

# start_parent NAME: zr-parent sleeping with 2 zombies; sets P and Z (array).
start_parent() {
	mkfifo "$1.fifo"
	"$BATS_TEST_DIRNAME/../../build/zr-parent" -c "$1.fifo" -n 2 sleep >"$1.out" 2>"$1.err" 3>&- &
	P=$!
	record_pid "$P"
	wait_until "grep -qx ready $1.out"
	mapfile -t Z < <(awk '$1 == "zombie" { print $2 }' "$1.out")
	record_pid "$(awk '$1 == "keeper" { print $2 }' "$1.out")"
}

@test "reap with exactly CAP_SYS_PTRACE and CAP_KILL injects a wait into a root parent" {
	start_parent a
	with_caps "$REAP_CAPS"
	run -0 --separate-stderr "$ZR" reap --once --actions inject --older-than 0 --step 300ms \
		--json --only "pid=$P" --metrics-textfile reap.prom
	for z in "${Z[@]}"; do
		assert_equal "$(jq -r "select(.pid == $z) | .outcome" <<<"$output")" reaped
	done
	# the decisions as metrics too
	promtool check metrics <reap.prom
	# (other zombies on the host may add refusals: --only leaves them out)
	run -0 grep '^zreaper_reap_actions_total{action="inject",outcome="reaped"}' reap.prom
	assert_output 'zreaper_reap_actions_total{action="inject",outcome="reaped"} 2'
	# without CAP_SYS_PTRACE a root parent cannot be traced: its zombies stay
	start_parent b
	with_caps kill
	run -1 --separate-stderr "$ZR" reap --once --actions inject --older-than 0 --step 300ms \
		--json --only "pid=$P"
	for z in "${Z[@]}"; do
		[[ $(jq -r "select(.pid == $z) | .outcome" <<<"$output") != *reaped* ]] || fail "$output"
		[[ -e /proc/$z ]] || fail "zombie $z reaped without CAP_SYS_PTRACE"
	done
}

@test "tools/deploy lists exactly the capabilities tested here, and the unit file verifies" {
	local deploy=$BATS_TEST_DIRNAME/../../tools/deploy want
	want=$(tr '[:lower:]' '[:upper:]' <<<"$TRACE_CAPS" | tr , '\n' | sort | xargs)
	# every trace container of both DaemonSets, and the unit's two sets
	run -0 grep -h -A1 'drop: \["ALL"\]' "$deploy/daemonset.yaml" "$deploy/daemonset-reap.yaml"
	mapfile -t adds < <(grep -o 'add: \[.*\]' <<<"$output")
	assert_equal "${#adds[@]}" 3
	assert_equal "$(tr -d '[]",' <<<"${adds[0]#add: }" | tr ' ' '\n' | sort | xargs)" "$want"
	assert_equal "${adds[1]}" "${adds[0]}"
	assert_equal "$(tr -d '[]",' <<<"${adds[2]#add: }" | tr ' ' '\n' | sort | xargs)" \
		"$(tr '[:lower:]' '[:upper:]' <<<"$REAP_CAPS" | tr , '\n' | sort | xargs)"
	for key in CapabilityBoundingSet AmbientCapabilities; do
		assert_equal "$(sed -n "s/^$key=//p" "$deploy/zreaper.service" | tr ' ' '\n' |
			sed 's/^CAP_//' | sort | xargs)" "$want"
	done
	run -1 grep -q 'privileged: true' "$deploy"/daemonset.yaml "$deploy"/daemonset-reap.yaml
	grep -q 'hostPID: true' "$deploy/daemonset.yaml"
	if command -v systemd-analyze >/dev/null; then
		sed "s|/usr/local/sbin/zreaper|$REAL_ZR|" "$deploy/zreaper.service" >zreaper.service
		run -0 systemd-analyze verify "$BATS_TEST_TMPDIR/zreaper.service"
	fi
}
