#!/usr/bin/env bats
# filters.bats - trace filters keep exactly the events whose subject matches: -p, --tree, -n,
# -u, -c, -x, --events; --duration ends the trace by itself.
# shellcheck disable=SC2016,SC2154 # $names in single quotes are jq's; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
}

teardown() {
	kill_recorded
	if [[ -n ${CG_DIR:-} && -d $CG_DIR ]]; then
		rmdir "$CG_DIR"
	fi
}

# body: the trace without its start and stop lines.
body() {
	jq -c 'select(.event != "start" and .event != "stop")' "$TRACE"
}

@test "-p PID: only events whose subject is that process" {
	start_work fork 3
	start_tracer -p "$SELF"
	release_work
	wait_event ".event == \"reap\" and .pid == $SELF"
	stop_tracer
	run -0 jq -c --argjson p "$SELF" '.filters.pids' <(head -n 1 "$TRACE")
	assert_output "[$SELF]"
	# nothing about any other process
	run -0 jq -c --argjson p "$SELF" 'select(.event != "start" and .event != "stop"
		and .pid != $p)' "$TRACE"
	assert_output ""
	# its three waits and its own exit and reap are there; the children are not subjects
	assert_count '.event == "wait" and .result == "reaped"' 3
	assert_count '.event == "exit"' 1
	assert_count '.event == "reap"' 1
	assert_count '.event == "fork"' 0
}

@test "-p PID --tree: the process and its descendants born after start" {
	start_work fork 3
	start_tracer -p "$SELF" --tree
	release_work
	wait_event ".event == \"reap\" and .pid == $SELF"
	stop_tracer
	mapfile -t kids < <(roles child)
	sel=$(jq_pids "$SELF" "${kids[@]}")
	run -0 body
	refute_output ""
	assert_equal "$(body | jq -c "select($sel | not)")" ""
	for k in "${kids[@]}"; do
		assert_count ".event == \"fork\" and .pid == $k and .ppid == $SELF" 1
		assert_count ".event == \"exit\" and .pid == $k" 1
		assert_count ".event == \"reap\" and .pid == $k" 1
	done
}

@test "-p of several pids, without --tree, leaves the children out" {
	start_work fork 2
	other=$WORK_PID
	sleep 60 3>&- &
	sleeper=$!
	record_pid "$sleeper"
	start_tracer -p "$other" -p "$sleeper"
	release_work
	kill -TERM "$sleeper"
	wait "$sleeper" || true
	wait_event ".event == \"exit\" and .pid == $sleeper"
	wait_event ".event == \"reap\" and .pid == $other"
	stop_tracer
	run -0 jq -c --argjson a "$other" --argjson b "$sleeper" '
		select(.event != "start" and .event != "stop" and .pid != $a and .pid != $b)' "$TRACE"
	assert_output ""
	assert_count ".event == \"signal\" and .pid == $sleeper and .signal == \"SIGTERM\"" 1
}

@test "-n NAME: exact comm only" {
	start_tracer -n zrfilt
	run_work_nowait comm zrfilt2
	other=$SELF
	run_work comm zrfilt # its reap (comm zrfilt) is the sentinel
	child=$(roles child)
	stop_tracer
	assert_count ".pid == $other or .ppid == $other" 0
	run -0 jq -r 'select(.event != "start" and .event != "stop") | .comm' "$TRACE"
	refute_output ""
	refute_line --regexp '^(zr-work|zrfilt2)$'
	assert_count ".event == \"fork\" and .pid == $child" 1
	assert_count ".event == \"exit\" and .pid == $child" 1
	# the comm zr-work had before the prctl (its fork, its exec) is not zrfilt
	assert_count '.event == "exec"' 0
	run -0 jq -r '.filters.comm' <(head -n 1 "$TRACE")
	assert_output zrfilt
}

@test "-u UID and -u NAME: only that user's processes" {
	for who in 65534 nobody; do
		start_tracer -u "$who"
		run -0 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$WORK" --self fork 2
		theirs=$(roles self)
		mapfile -t kids < <(roles child)
		run_work_nowait fork 2 # root's: must not show
		mine=$SELF
		# sentinel: one more of nobody's, after root's workload
		run -0 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$WORK" --self fork 1 --exit 9
		last=$(roles child)
		wait_event ".event == \"exit\" and .pid == $last"
		stop_tracer
		run -0 jq -c 'select(.event != "start" and .event != "stop" and .uid != 65534)' "$TRACE"
		assert_output ""
		for k in "${kids[@]}"; do
			assert_count ".event == \"fork\" and .pid == $k and .ppid == $theirs" 1
			assert_count ".event == \"exit\" and .pid == $k" 1
		done
		assert_count ".pid == $mine or .ppid == $mine" 0
		run -0 jq -c '.filters.uid' <(head -n 1 "$TRACE")
		assert_output 65534
		mv "$TRACE" "trace.$who"
	done
}

@test "-c CGROUP: only processes in that cgroup v2 directory" {
	root=$(cgroup2_root)
	[[ -n $root ]] || skip "no cgroup v2 mount"
	CG_DIR=$root/zr-e2e-$$-$BATS_TEST_NUMBER
	mkdir "$CG_DIR"
	cgid=$(stat -c %i "$CG_DIR")
	start_work fork 3
	inside=$SELF
	inside_pid=$WORK_PID
	echo "$inside" >"$CG_DIR/cgroup.procs"
	start_tracer -c "$CG_DIR"
	run_work_nowait fork 2 # outside: must not show
	outside=$SELF
	WORK_PID=$inside_pid
	release_work
	mapfile -t kids < <(roles child)
	wait_event ".event == \"reap\" and .pid == $inside"
	stop_tracer
	run -0 jq -c --argjson id "$cgid" 'select(.event != "start" and .event != "stop"
		and .cgroup_id != $id)' "$TRACE"
	assert_output ""
	assert_count ".pid == $outside or .ppid == $outside" 0
	for k in "${kids[@]}"; do
		assert_count ".event == \"fork\" and .pid == $k and .ppid == $inside" 1
		assert_count ".event == \"exit\" and .pid == $k" 1
		assert_count ".event == \"reap\" and .pid == $k" 1
	done
	assert_count ".event == \"wait\" and .pid == $inside" 3
}

@test "-x: failures only (non-zero exits, signal deaths, failed execs)" {
	start_tracer -x
	run_work_nowait fork 2 --exit 0
	ok_kids=$(roles child)
	ok_self=$SELF
	run_work_nowait fork 2 --exit 3
	mapfile -t bad < <(roles child)
	run_work_nowait fork 1 --signal TERM
	killed=$(roles child)
	run_work_nowait fork 1 --exec-fail /nonexistent/zr-x
	failed=$(roles child)
	# sentinel, last
	run_work_nowait fork 1 --exit 99
	last=$(roles child)
	wait_event ".event == \"exit\" and .pid == $last"
	stop_tracer
	for k in "${bad[@]}"; do
		run -0 pick ".event == \"exit\" and .pid == $k" '.exit_code'
		assert_output 3
	done
	run -0 pick ".event == \"exit\" and .pid == $killed" '.signal'
	assert_output '"SIGTERM"'
	run -0 pick ".event == \"exec\" and .pid == $failed" '.error'
	assert_output '"ENOENT"'
	run -0 pick ".event == \"exit\" and .pid == $failed" '.exit_code'
	assert_output 127
	# nothing that succeeded
	for k in $ok_kids $ok_self; do
		assert_count ".pid == $k" 0
	done
	assert_count '.event == "fork"' 0
	assert_count '.event == "exec" and .error == null' 0
	assert_count '(.event == "exit" or .event == "reap") and .exit_code == 0' 0
	assert_count '.event == "wait" and (.result == "reaped" or .result == "would_block")' 0
	run -0 jq -c '.filters.failures_only' <(head -n 1 "$TRACE")
	assert_output true
}

@test "--events LIST: only those kinds (start and stop always)" {
	start_tracer --events exit,reap
	run_work fork 2
	mapfile -t kids < <(roles child)
	stop_tracer
	run -0 jq -r '.event' "$TRACE"
	refute_line --regexp '^(fork|exec|wait|signal|subreaper|orphan|zombie)$'
	for k in "${kids[@]}"; do
		assert_count ".event == \"exit\" and .pid == $k" 1
		assert_count ".event == \"reap\" and .pid == $k" 1
	done
	run -0 jq -c '.filters.events' <(head -n 1 "$TRACE")
	assert_output --partial '"exit"'
	assert_output --partial '"reap"'
	refute_output --partial '"fork"'
}

@test "--threads: thread events (with -p) only when asked" {
	for flag in no yes; do
		if [[ $flag == yes ]]; then
			start_work threads 2
			start_tracer -p "$SELF" --threads
		else
			start_work threads 2
			start_tracer -p "$SELF"
		fi
		release_work
		mapfile -t tids < <(roles thread)
		wait_event ".event == \"reap\" and .pid == $SELF and (has(\"tid\") | not)"
		stop_tracer
		for t in "${tids[@]}"; do
			if [[ $flag == yes ]]; then
				assert_count ".event == \"fork\" and .pid == $SELF and .tid == $t" 1
				assert_count ".event == \"exit\" and .pid == $SELF and .tid == $t" 1
			else
				assert_count "(.tid // 0) == $t" 0
			fi
		done
		mv "$TRACE" "trace.$flag"
	done
}

@test "--duration 1s ends the trace by itself, exit 0" {
	run -0 --separate-stderr timeout 10 "$ZR" trace --json --duration 1s
	assert_equal "$stderr" ""
	assert_equal "$(head -n 1 <<<"$output" | jq -r .event)" start
	assert_equal "$(tail -n 1 <<<"$output" | jq -r .event)" stop
	# it ran at least one second and far less than the 10 s timeout
	run -0 jq -s '(.[-1].ktime_ns - .[0].ktime_ns) as $d | $d >= 1000000000 and $d < 5000000000' \
		<<<"$output"
	assert_output true
}
