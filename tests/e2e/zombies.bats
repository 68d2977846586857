#!/usr/bin/env bats
# zombies.bats - zombies older than zreaper (issue 16): `zombies`, `tree` and `reap --once`
# give each its real exit status (stat field 52) and its age (the sched clocks), within 100 ms
# of what the kernel's own exit event says; --older-than answers at once from those ages and 0
# means any age. Each zombie lives in a pid namespace of its own, the child of its PID 1 (which
# never waits), so what `zombies` lists there is exactly it.
# shellcheck disable=SC2154 # bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
}

# children_of PID: the children of PID's main thread (empty when none yet).
children_of() {
	{ xargs <"/proc/$1/task/$1/children"; } 2>/dev/null
}

state_of() {
	sed -E 's/.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null
}

# ns_zombie CODE: a new pid namespace whose PID 1 (bash, then exec'd into sleep 60) forks one
# child running the sh CODE, which dies and is never waited for (CODE must outlast the exec:
# bash would reap a child that died before). Sets NS (that PID 1) and ZC (the child), both as
# seen here, once the child exists.
ns_zombie() {
	local u
	unshare --pid --fork --kill-child --mount-proc bash -c "sh -c '$1' & exec sleep 60" 3>&- &
	u=$!
	record_pid "$u"
	wait_until "[[ -n \$(children_of $u) ]]"
	NS=$(children_of "$u")
	wait_until "[[ -n \$(children_of $NS) ]]"
	ZC=$(children_of "$NS")
}

# in_ns PID CMD...: CMD in the pid namespace (and /proc) of PID.
in_ns() {
	local pid=$1
	shift
	nsenter -t "$pid" -p -m "$@"
}

# ms_since T0: milliseconds since EPOCHREALTIME was T0.
ms_since() {
	local now=${EPOCHREALTIME/./} then=${1/./}
	echo $(((now - then) / 1000))
}

@test "zombies: exit code, signal and age within 100 ms of the kernel's exit time" {
	start_tracer --events exit
	ns_zombie 'sleep 0.2; exit 7'
	code_ns=$NS code_z=$ZC
	ns_zombie 'sleep 0.2; kill -TERM $$'
	sig_ns=$NS sig_z=$ZC
	for z in "$code_z" "$sig_z"; do
		wait_until "[[ \$(state_of $z) == Z ]]"
		wait_event ".event == \"exit\" and .pid == $z"
	done
	sleep 1 # the age to measure, not a synchronisation
	for pair in "$code_ns:$code_z:7:null" "$sig_ns:$sig_z:null:\"SIGTERM\""; do
		IFS=: read -r ns z code sig <<<"$pair"
		run -1 --separate-stderr in_ns "$ns" "$ZR" zombies --json
		assert_equal "$(wc -l <<<"$output")" 1
		run -0 jq -c '[.pid, .ppid, .comm, .exit_code, .signal, .zombie_ns_source,
			.reason_code]' <<<"$output"
		assert_output "[2,1,\"sh\",$code,$sig,\"sched\",\"parent_not_waiting\"]"
		zombies=$output
		run -1 --separate-stderr in_ns "$ns" "$ZR" zombies --json
		age=$(jq -r .zombie_ns <<<"$output")
		now=$(jq -r .ktime_ns <<<"$output")
		died=$(pick ".event == \"exit\" and .pid == $z" .ktime_ns)
		truth=$((now - died))
		((age > 900000000)) || fail "age $age ns: the zombie is more than a second old"
		((age - truth < 100000000 && truth - age < 100000000)) ||
			fail "age $age ns, but the kernel says $truth ns ($zombies)"
		echo "# zombie_ns $age, from the exit event $truth: $(((age - truth) / 1000)) us off" >&3
		# tree reads the same
		run -0 --separate-stderr in_ns "$ns" "$ZR" tree -p 1 --json
		run -0 jq -c '.children[0] | [.pid, .zombie, .exit_code, .signal, .zombie_ns_source,
			.zombie_ns > 900000000]' <<<"$output"
		assert_output "[2,true,$code,$sig,\"sched\",true]"
		run -0 --separate-stderr in_ns "$ns" "$ZR" tree -p 1
		assert_line --index 1 --regexp '^`- 2 sh \[Z zombie\] ZOMBIE\((exit 7|killed by SIGTERM), [0-9.]+s\)$'
	done
	stop_tracer
}

@test "zombies --older-than: 1h answers at once without it, 300ms lists it once it is that old" {
	ns_zombie 'sleep 0.1; exit 7'
	wait_until "[[ \$(state_of $ZC) == Z ]]"
	t0=$EPOCHREALTIME
	run -0 --separate-stderr in_ns "$NS" "$ZR" zombies --older-than 1h
	assert_output ""
	(($(ms_since "$t0") < 3000)) || fail "--older-than 1h took $(ms_since "$t0") ms"
	run -0 --separate-stderr in_ns "$NS" "$ZR" zombies --older-than 300ms --json
	assert_output ""
	wait_until "in_ns $NS '$ZR' zombies --older-than 300ms >/dev/null; [[ \$? == 1 ]]" 5
	run -1 --separate-stderr in_ns "$NS" "$ZR" zombies --older-than 300ms --json
	run -0 jq -c '[.pid, .exit_code, .zombie_ns >= 300000000]' <<<"$output"
	assert_output "[2,7,true]"
	# 0 and 0s: any age
	run -1 --separate-stderr in_ns "$NS" "$ZR" zombies --older-than 0
	assert_line --index 1 --regexp '^2 +1 +sh +[0-9.]+m?s +exit 7 '
	run -1 --separate-stderr in_ns "$NS" "$ZR" zombies --older-than 0s --json
	assert_equal "$(jq -r .pid <<<"$output")" 2
}

@test "reap --once: --older-than 0 --actions inject reaps at once; 1h leaves it, at once" {
	ns_zombie 'sleep 0.1; exit 3'
	wait_until "[[ \$(state_of $ZC) == Z ]]"
	t0=$EPOCHREALTIME
	run -0 --separate-stderr "$ZR" reap --once --older-than 1h --actions inject --json \
		--only "pid=$NS"
	assert_output ""
	(($(ms_since "$t0") < 3000)) || fail "--older-than 1h took $(ms_since "$t0") ms"
	assert_equal "$(state_of "$ZC")" Z
	t0=$EPOCHREALTIME
	run -0 --separate-stderr "$ZR" reap --once --older-than 0 --actions inject --json \
		--only "pid=$NS"
	(($(ms_since "$t0") < 3000)) || fail "--older-than 0 took $(ms_since "$t0") ms"
	run -0 jq -c "select(.pid == $ZC) | [.action, .outcome, .parent.pid]" <<<"$output"
	assert_output "[\"inject\",\"reaped\",$NS]"
	[[ ! -e /proc/$ZC ]] || [[ $(state_of "$ZC") != Z ]] || fail "zombie $ZC is still there"
}

@test "trace: a zombie older than the trace comes with its status and its age from procfs" {
	ns_zombie 'sleep 0.2; exit 9'
	wait_until "[[ \$(state_of $ZC) == Z ]]"
	start_tracer --events zombie --zombie-after 100ms
	wait_event ".event == \"zombie\" and .pid == $ZC"
	run -0 pick ".event == \"zombie\" and .pid == $ZC" \
		'[.exit_code, .signal, .zombie_ns_source, .zombie_ns > 0, .parent.pid]'
	assert_output "[9,null,\"sched\",true,$NS]"
	stop_tracer
}
