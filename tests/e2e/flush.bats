#!/usr/bin/env bats
# flush.bats - each event reaches a pipe reader at once: the reader sees the exit and reap of a
# child before the workload (held by a gate) makes the next one. No stopwatch: a buffered line
# would leave the reader waiting until its read timeout fails the test.

bats_require_minimum_version 1.5.0
load helpers

N=3

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
	mkfifo trace.fifo gate
}

# next_line: reads one line from the trace FIFO (fd 4) into $line, failing after 10 s.
next_line() {
	if ! IFS= read -r -t 10 -u 4 line; then
		fail "no line from the tracer within 10 s (last: ${line:-none})"
	fi
}

# flush_test MODE: MODE json or text. The reader waits for `exit` then `reap` of each child of
# the gated zr-work, and only then opens the gate for the next fork.
flush_test() {
	local mode=$1 args=() i kind pid ppid forks=0 rc=0 kids=()
	[[ $mode == json ]] && args=(--json)
	# The workload waits for `go` before its first fork, so the tracer can follow exactly it
	# (-p --tree): other processes on the host, whatever their name, never reach the reader.
	"$WORK" --sync go --gate gate fork "$N" >work.out 3>&- &
	wpid=$!
	record_pid "$wpid"
	"$ZR" trace "${args[@]}" -p "$wpid" --tree >trace.fifo 2>trace.err 3>&- &
	TRACER_PID=$!
	record_pid "$TRACER_PID"
	exec 4<trace.fifo
	next_line # start line (json) or header (text)
	touch go
	for ((i = 1; i <= N; i++)); do
		local seen_exit=0 seen_reap=0
		while ((seen_reap == 0)); do
			next_line
			if [[ $mode == json ]]; then
				read -r kind pid ppid < <(jq -r '"\(.event) \(.pid) \(.ppid)"' <<<"$line")
			else
				read -r _ kind pid ppid _ <<<"$line"
			fi
			[[ $ppid == "$wpid" ]] || continue
			case $kind in
			fork)
				forks=$((forks + 1))
				kids+=("$pid")
				;;
			exit) seen_exit=1 ;;
			reap)
				# the exit came first, and no later child exists yet
				assert_equal "exit seen $seen_exit" "exit seen 1"
				seen_reap=1
				;;
			esac
		done
		assert_equal "forks $forks" "forks $i"
		echo go >gate
	done
	wait "$wpid" || rc=$?
	forget_pid "$wpid"
	assert_equal "zr-work exit $rc" "zr-work exit 0"
	assert_equal "$(roles child "$(cat work.out)" | tr '\n' ' ')" "${kids[*]} "
	kill -INT "$TRACER_PID"
	cat <&4 >/dev/null
	rc=0
	wait "$TRACER_PID" || rc=$?
	forget_pid "$TRACER_PID"
	TRACER_PID=
	exec 4<&-
	assert_equal "tracer exit $rc" "tracer exit 0"
}

@test "JSON lines on a FIFO are flushed per event" {
	flush_test json
}

@test "text lines on a FIFO are flushed per event" {
	flush_test text
}
