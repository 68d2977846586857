#!/usr/bin/env bats
# stop_signals.bats - SIGINT, SIGTERM and SIGHUP end a trace: exit 0, a final `stop` line, BPF
# released. SIGINT works also when the tracer was started with it ignored, as every background
# job of a non-interactive shell is (what a user's script does: `zreaper trace & ... kill -INT`).

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# stops_on SIG [ignore]: starts a trace (with SIG ignored when asked), waits for its start line,
# sends SIG, and expects exit 0 within 5 s with `stop` as the last line.
stops_on() {
	local sig=$1 how=${2:-} i
	rm -f out.json err.txt
	if [[ $how == ignore ]]; then
		# trap '' makes the signal ignored in what bash starts: an inherited SIG_IGN.
		bash -c "trap '' $sig; exec \"\$0\" trace --json" "$ZR" >out.json 2>err.txt &
	else
		"$ZR" trace --json >out.json 2>err.txt &
	fi
	TRACER_PID=$!
	record_pid "$TRACER_PID"
	wait_until "grep -q '\"event\":\"start\"' out.json" 10
	kill "-$sig" "$TRACER_PID"
	for ((i = 0; i < 50; i++)); do
		kill -0 "$TRACER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$TRACER_PID" 2>/dev/null; then
		fail "SIG$sig ($how) did not end the trace within 5 s"
	fi
	run -0 wait "$TRACER_PID"
	forget_pid "$TRACER_PID"
	assert_equal "$(tail -n 1 out.json | jq -r .event)" stop
	assert_equal "$(cat err.txt)" ""
}

@test "SIGINT, SIGTERM, SIGHUP: exit 0 with a stop line" {
	stops_on INT
	stops_on TERM
	stops_on HUP
}

@test "SIGINT and SIGTERM still end a trace started with them ignored (a script's background job)" {
	stops_on INT ignore
	stops_on TERM ignore
}
