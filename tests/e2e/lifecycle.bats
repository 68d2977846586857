#!/usr/bin/env bats
# lifecycle.bats - the state machine on the real kernel: zombie, orphan and snapshot events
# with their reasons and adopters, the table not leaking, and the procfs-only commands
# `zombies` and `tree`.
# shellcheck disable=SC2016,SC2154 # $names in single quotes are jq's; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
}

@test "zombie: one zombie event after --zombie-after, naming the parent and a reason, then the reap" {
	start_tracer
	run_work zombie 2000
	z=$(roles zombie)
	assert_count ".event == \"zombie\" and .pid == $z" 1
	run -0 pick ".event == \"zombie\" and .pid == $z" \
		'[.ppid, .parent.pid, .parent.comm, .exit_code, .signal, .zombie_ns >= 1000000000,
		.zombie_ns < 1900000000, .parent.sigchld, .parent.zombies_held, .reason_code]'
	assert_output "[$SELF,$SELF,\"zr-work\",0,null,true,true,\"default\",1,\"parent_never_waits\"]"
	run -0 pick ".event == \"zombie\" and .pid == $z" '.reason'
	assert_output --partial "parent $SELF (zr-work)"
	run -0 pick ".event == \"reap\" and .pid == $z" \
		'[.reaper.pid, .reaper.role, .how, .zombie_ns >= 2000000000]'
	assert_output "[$SELF,\"parent\",\"wait4\",true]"
	# The zombie event comes before the reap.
	run -0 pick "(.event == \"zombie\" or .event == \"reap\") and .pid == $z" '.event'
	assert_output $'"zombie"\n"reap"'
	stop_tracer
}

@test "zombie: a parent that waits in time makes none; several zombies are counted" {
	start_tracer --zombie-after 300ms
	run_work zombie 100 --count 3
	for z in $(roles zombie); do
		assert_count ".event == \"zombie\" and .pid == $z" 0
		assert_count ".event == \"reap\" and .pid == $z" 1
	done
	run_work zombie 1200 --count 3
	for z in $(roles zombie); do
		run -0 pick ".event == \"zombie\" and .pid == $z" '[.parent.pid, .parent.zombies_held]'
		assert_output "[$SELF,3]"
	done
	stop_tracer
}

@test "zombie: a stopped parent is the reason" {
	start_tracer --zombie-after 300ms
	out=$BATS_TEST_TMPDIR/w.out
	"$WORK" --self zombie 100 --stop >"$out" 2>/dev/null 3>&- &
	wpid=$!
	record_pid "$wpid"
	wait_until "grep -q '^zombie ' '$out'"
	z=$(roles zombie "$(cat "$out")")
	wait_event ".event == \"zombie\" and .pid == $z"
	run -0 pick ".event == \"zombie\" and .pid == $z" '[.parent.pid, .parent.state, .reason_code]'
	assert_output "[$wpid,\"stopped\",\"parent_stopped\"]"
	kill -CONT "$wpid"
	wait "$wpid"
	forget_pid "$wpid"
	wait_event ".event == \"reap\" and .pid == $z"
	stop_tracer
}

@test "autoreap: a parent ignoring SIGCHLD makes autoreaps and no zombie event" {
	start_tracer --zombie-after 200ms
	run_work autoreap 3
	mapfile -t kids < <(roles child)
	[[ ${#kids[@]} -eq 3 ]]
	for k in "${kids[@]}"; do
		wait_event ".event == \"reap\" and .pid == $k"
		run -0 pick ".event == \"reap\" and .pid == $k" '[.how, .reaper.role, .zombie_ns]'
		assert_output '["autoreap","kernel",0]'
	done
	sleep 0.5 # past --zombie-after: a wrong zombie event would have come by now
	for k in "${kids[@]}"; do
		assert_count ".event == \"zombie\" and .pid == $k" 0
	done
	stop_tracer
}

@test "orphan: a double fork under a subreaper names the middle and the subreaper" {
	start_tracer
	run_work --subreaper orphan --linger 300
	middle=$(roles middle)
	orphan=$(roles orphan)
	assert_count ".event == \"orphan\" and .pid == $orphan" 1
	run -0 pick ".event == \"orphan\" and .pid == $orphan" \
		'[.old_parent.pid, .new_parent.pid, .new_parent.role, .ppid, .new_parent.comm]'
	assert_output "[$middle,$SELF,\"subreaper\",$SELF,\"zr-work\"]"
	run -0 pick ".event == \"reap\" and .pid == $orphan" '[.reaper.pid, .reaper.role]'
	assert_output "[$SELF,\"subreaper\"]"
	stop_tracer
}

@test "orphan: a short-lived orphan is still reported, from its own exit" {
	start_tracer
	run_work --subreaper orphan --linger 0 --count 5
	mapfile -t orphans < <(roles orphan)
	for o in "${orphans[@]}"; do
		run -0 pick ".event == \"orphan\" and .pid == $o" '[.new_parent.pid, .new_parent.role]'
		# Either the orphan was adopted before it died (reported once), or it died first.
		if [[ -n $output ]]; then
			assert_output "[$SELF,\"subreaper\"]"
		fi
		assert_count ".event == \"orphan\" and .pid == $o" "$(json_count ".event == \"orphan\" and .pid == $o")"
		[[ $(json_count ".event == \"orphan\" and .pid == $o") -le 1 ]]
	done
	stop_tracer
}

@test "orphan: with a live process in between, the nearest subreaper adopts" {
	start_tracer
	run -0 --separate-stderr "$WORK" --self --subreaper run "$WORK" --self orphan --linger 300
	outer=$(roles self | head -n 1)
	inner=$(roles self | tail -n 1)
	orphan=$(roles orphan)
	middle=$(roles middle)
	[[ $inner != "$outer" ]]
	wait_event ".event == \"reap\" and .pid == $outer"
	run -0 pick ".event == \"orphan\" and .pid == $orphan" \
		'[.old_parent.pid, .new_parent.pid, .new_parent.role]'
	assert_output "[$middle,$outer,\"subreaper\"]"
	stop_tracer
}

@test "orphan: in a pid namespace the namespace's init adopts" {
	local upid rc=0
	start_tracer
	unshare --pid --fork --mount-proc "$WORK" --self orphan --linger 300 >"$BATS_TEST_TMPDIR/ns.out" \
		2>"$BATS_TEST_TMPDIR/ns.err" 3>&- &
	upid=$!
	record_pid "$upid"
	wait "$upid" || rc=$?
	forget_pid "$upid"
	assert_equal "unshare exit $rc" "unshare exit 0"
	output=$(cat "$BATS_TEST_TMPDIR/ns.out")
	[[ $(roles self) == 1 ]]
	ns_orphan=$(roles orphan)
	ns_middle=$(roles middle)
	# By ancestry from unshare, never by (pidns, ns_pid) alone: another namespace on the host
	# can get the same inode number once this one is gone.
	wait_event ".event == \"fork\" and .ppid == $upid"
	init=$(pick ".event == \"fork\" and .ppid == $upid" .pid)
	wait_event ".event == \"reap\" and .pid == $init"
	middle=$(pick ".event == \"fork\" and .ppid == $init and .ns_pid == $ns_middle" .pid)
	orphan=$(pick ".event == \"fork\" and .ppid == $middle and .ns_pid == $ns_orphan" .pid)
	run -0 pick ".event == \"orphan\" and .pid == $orphan" \
		'[.old_parent.pid, .new_parent.pid, .new_parent.role]'
	assert_output "[$middle,$init,\"pidns_init\"]"
	stop_tracer
}

@test "leader exits while its threads run: zombie event with that reason" {
	start_tracer --zombie-after 300ms
	run_work threads 2 --linger 1500 --leader-exits-first
	run -0 pick ".event == \"zombie\" and .pid == $SELF" '[.reason_code, .zombie_ns < 1500000000]'
	assert_output '["threads_running",true]'
	run -0 pick ".event == \"zombie\" and .pid == $SELF" '.reason'
	assert_output --partial "threads still run"
	assert_count ".event == \"zombie\" and .pid == $SELF" 1
	stop_tracer
}

@test "snapshot: a zombie made before the trace is reported; zombies lists it, then not" {
	out=$BATS_TEST_TMPDIR/z.out
	"$WORK" --self zombie 4000 >"$out" 2>/dev/null 3>&- &
	wpid=$!
	record_pid "$wpid"
	wait_until "grep -q '^zombie ' '$out'"
	z=$(roles zombie "$(cat "$out")")
	wait_until "grep -q '^State:.*Z' /proc/$z/status"

	run -1 --separate-stderr "$ZR" zombies --json
	run -0 jq -c "select(.pid == $z) | [.event, .ppid, .parent.pid, .exit_code, (.reason_code | type)]" <<<"$output"
	assert_output "[\"zombie\",$wpid,$wpid,0,\"string\"]"
	run -1 --separate-stderr "$ZR" zombies
	assert_output --partial "$z"

	start_tracer --events snapshot,zombie,reap --zombie-after 200ms
	wait_event ".event == \"zombie\" and .pid == $z"
	run -0 pick ".event == \"snapshot\" and .pid == $z" '[.state, .ppid]'
	assert_output "[\"Z\",$wpid]"
	# dead before the trace: its age read from procfs (the sched clocks), its status too
	run -0 pick ".event == \"zombie\" and .pid == $z" \
		'[.zombie_ns > 0, .zombie_ns < 10000000000, .zombie_ns_source, .exit_code, .parent.pid]'
	assert_output "[true,true,\"sched\",0,$wpid]"
	wait "$wpid"
	forget_pid "$wpid"
	wait_event ".event == \"reap\" and .pid == $z"
	stop_tracer
	run -0 --separate-stderr bash -c "'$ZR' zombies --json | jq -c 'select(.pid == $z)'"
	assert_output ""
}

@test "zombies: exit codes and bad options" {
	run -2 --separate-stderr "$ZR" zombies --bogus
	assert_equal "$(wc -l <<<"$stderr")" 1
	run -2 --separate-stderr "$ZR" zombies --older-than -1s
	run -2 --separate-stderr "$ZR" zombies --older-than 5x
	run -2 --separate-stderr "$ZR" zombies --older-than
	# --older-than: a zombie younger than that is not listed (and nothing waits for it).
	out=$BATS_TEST_TMPDIR/z.out
	"$WORK" zombie 300 >"$out" 2>/dev/null 3>&- &
	wpid=$!
	record_pid "$wpid"
	wait_until "grep -q '^zombie ' '$out'"
	z=$(roles zombie "$(cat "$out")")
	run --separate-stderr "$ZR" zombies --older-than 1s --json
	run -0 jq -c "select(.pid == $z)" <<<"$output"
	assert_output ""
	wait "$wpid"
	forget_pid "$wpid"
}

@test "tree: states, zombies and thread counts; -p of a missing pid exits 1" {
	out=$BATS_TEST_TMPDIR/t.out
	"$WORK" --self zombie 3000 >"$out" 2>/dev/null 3>&- &
	wpid=$!
	record_pid "$wpid"
	wait_until "grep -q '^zombie ' '$out'"
	z=$(roles zombie "$(cat "$out")")
	wait_until "grep -q '^State:.*Z' /proc/$z/status"
	run -0 --separate-stderr "$ZR" tree -p "$wpid" --json
	run -0 jq -c '[.pid, .comm, .zombie, (.children | length), .children[0].pid,
		.children[0].state, .children[0].state_name, .children[0].zombie]' <<<"$output"
	assert_output "[$wpid,\"zr-work\",false,1,$z,\"Z\",\"zombie\",true]"
	run -0 --separate-stderr "$ZR" tree -p "$wpid"
	assert_line --index 0 --partial "$wpid zr-work"
	assert_line --index 1 --partial "$z zr-work [Z zombie]"
	run -1 --separate-stderr "$ZR" tree -p 2147483646
	assert_equal "$(wc -l <<<"$stderr")" 1
	wait "$wpid"
	forget_pid "$wpid"
}

@test "table: 10,000 short lives leave the process table as it was" {
	start_tracer
	run_work fork 10000
	stop_tracer
	live=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
	run -0 jq -r 'select(.event == "stop") | .tracked' "$TRACE"
	[[ $output -gt 0 && $output -lt $((live + 200)) ]]
}

@test "pid reuse in a pid namespace (pid_max 400): 10,000 lives, each reaped once, exactly" {
	start_tracer
	run -0 --separate-stderr unshare --pid --fork --mount-proc sh -c \
		"echo 400 >/proc/sys/kernel/pid_max && exec '$WORK' --self fork 10000"
	[[ $(roles self) == 1 ]]
	ns_kids=$(roles child)
	[[ $(wc -l <<<"$ns_kids") -eq 10000 ]]
	# The namespace's numbers were reused many times over.
	[[ $(sort -u <<<"$ns_kids" | wc -l) -lt 400 ]]
	wait_event '.event == "reap" and .ns_pid == 1 and .comm == "zr-work" and .pidns != null'
	pidns=$(pick '.event == "reap" and .ns_pid == 1 and .comm == "zr-work"' '.pidns' | tail -n 1)
	init=$(pick ".event == \"reap\" and .pidns == $pidns and .ns_pid == 1" '.pid' | tail -n 1)
	stop_tracer
	run -0 jq -s --argjson ns "$pidns" --argjson init "$init" '
		[.[] | select(.pidns == $ns and .ppid == $init)] as $k
		| [($k | map(select(.event == "fork")) | length),
		   ($k | map(select(.event == "exit")) | length),
		   ($k | map(select(.event == "reap" and .reaper.pid == $init and .how == "wait4"
			and .reaper.role == "parent")) | length),
		   ($k | map(select(.event == "reap")) | map(.entity_id) | unique | length)]' "$TRACE"
	assert_output "$(printf '[\n  10000,\n  10000,\n  10000,\n  10000\n]')"
	# The reaps' namespace pids are exactly the ones zr-work reported, in order.
	diff <(echo "$ns_kids") <(jq -r --argjson ns "$pidns" --argjson init "$init" \
		'select(.event == "reap" and .pidns == $ns and .ppid == $init) | .ns_pid' "$TRACE")
	run -0 jq -r 'select(.event == "stop") | [.lost, .tracked < 2000] | @csv' "$TRACE"
	assert_output "0,true"
}
