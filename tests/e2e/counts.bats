#!/usr/bin/env bats
# counts.bats - nothing lost, nothing doubled: N forks give exactly N fork, exit, wait and reap
# events, for exactly the pids zr-work printed.
# shellcheck disable=SC2016 # $names inside single quotes are jq variables

bats_require_minimum_version 1.5.0
load helpers

N=10000

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# check_counts: compares the children zr-work printed with the pids of the fork, exit and reap
# events whose parent is $SELF, and its wait events, after the tracer has stopped.
check_counts() {
	roles child | sort -n >expected
	assert_equal "$(wc -l <expected)" "$N"
	assert_equal "$(sort -u expected | wc -l)" "$N"
	jq -r --argjson self "$SELF" '
		select((.event == "fork" or .event == "exit" or .event == "reap") and .ppid == $self)
		| "\(.event) \(.pid)"' "$TRACE" >events
	jq -r --argjson self "$SELF" '
		select(.event == "wait" and .pid == $self) | "\(.result) \(.reaped_pid)"' "$TRACE" >waits
	for kind in fork exit reap; do
		awk -v k="$kind" '$1 == k { print $2 }' events | sort -n >"got.$kind"
		run diff expected "got.$kind"
		assert_success "$kind events differ from the children made"
	done
	awk '$1 == "reaped" { print $2 }' waits | sort -n >got.wait
	run diff expected got.wait
	assert_success
	# every wait reaped something: no would_block, no error
	assert_equal "$(wc -l <waits)" "$N"
	# the exits all say 0, the reaps name zr-work as the reaping parent
	assert_equal "$(jq -c --argjson self "$SELF" 'select(.event == "exit" and .ppid == $self
		and .exit_code != 0)' "$TRACE" | wc -l)" 0
	assert_equal "$(jq -c --argjson self "$SELF" 'select(.event == "reap" and .ppid == $self
		and (.reaper.pid != $self or .reaper.role != "parent"))' "$TRACE" | wc -l)" 0
	run -0 jq -c 'select(.event == "lost")' "$TRACE"
	assert_output ""
	run -0 jq -c 'select(.event == "stop") | .lost' "$TRACE"
	assert_output 0
}

@test "$N sequential forks: exactly $N fork, exit, wait and reap events, right pids" {
	start_tracer
	run_work fork "$N"
	wait_event ".event == \"reap\" and .ppid == $SELF" "$N" 60
	stop_tracer
	check_counts
}

@test "$N parallel forks reaped with waitid: exactly $N of each, right pids" {
	start_tracer
	run_work fork "$N" --parallel --waitid
	wait_event ".event == \"reap\" and .ppid == $SELF" "$N" 60
	stop_tracer
	check_counts
	# parallel reaps wait for any child
	run -0 jq -c --argjson self "$SELF" 'select(.event == "wait" and .pid == $self
		and (.target != -1 or .syscall != "waitid"))' "$TRACE"
	assert_output ""
}
