#!/usr/bin/env bats
# pipe_close.bats - a reader that goes away ends the trace at once and cleanly: exit 0, nothing
# on stderr, also when no event is due (stdout is watched for EPOLLERR, not only written).
# shellcheck disable=SC2016,SC2154 # $names in single quotes are for the inner bash; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# ms_since T0: milliseconds since T0 (from date +%s%N).
ms_since() {
	echo $((($(date +%s%N) - $1) / 1000000))
}

@test "--json | head -1 with no event due: exit 0 at once, empty stderr" {
	t0=$(date +%s%N)
	# -n of a comm nobody has: after `start`, nothing will ever be written
	run -0 --separate-stderr bash -c \
		'timeout 10 "$1" trace --json -n zr-nobody-xyz | head -n 1; exit "${PIPESTATUS[0]}"' _ "$ZR"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .event <<<"$output")" start
	# far below the 10 s timeout: the close was noticed, not a later write
	(($(ms_since "$t0") < 5000))
}

@test "text | head -1 with no event due: exit 0 at once, empty stderr" {
	t0=$(date +%s%N)
	run -0 --separate-stderr bash -c \
		'timeout 10 "$1" trace -n zr-nobody-xyz | head -n 1; exit "${PIPESTATUS[0]}"' _ "$ZR"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 1
	(($(ms_since "$t0") < 5000))
}

# pipeline_done: one more workload, then has the pipeline ended?
pipeline_done() {
	"$WORK" comm zrpipe >/dev/null
	if kill -0 "$PIPE_PID" 2>/dev/null; then
		return 1
	fi
}

@test "--json | head -3 while events flow: exit 0, three whole lines, empty stderr" {
	bash -c 'timeout 10 "$1" trace --json -n zrpipe 2>err | head -n 3 >out
		echo "${PIPESTATUS[*]}" >rcs' _ "$ZR" 3>&- &
	PIPE_PID=$!
	record_pid "$PIPE_PID"
	poll 10 pipeline_done
	wait "$PIPE_PID"
	assert_equal "$(cat rcs)" "0 0"
	assert_equal "$(cat err)" ""
	run -0 jq -r .event out
	assert_equal "${#lines[@]}" 3
	assert_equal "${lines[0]}" start
}
