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

# tracer_exit SECONDS WHAT: waits up to SECONDS for the tracer to end (failing with WHAT if it
# does not), reaps it and sets $TRACER_RC to its exit code.
tracer_exit() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		kill -0 "$TRACER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$TRACER_PID" 2>/dev/null; then
		fail "$2 did not end the trace within $1 s"
	fi
	TRACER_RC=0
	wait "$TRACER_PID" || TRACER_RC=$?
	forget_pid "$TRACER_PID"
}

# stops_on SIG [ignore]: starts a trace (with SIG ignored when asked), waits for its start line,
# sends SIG, and expects exit 0 within 5 s with `stop` as the last line.
stops_on() {
	local sig=$1 how=${2:-}
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
	tracer_exit 5 "SIG$sig ($how)"
	assert_equal "SIG$sig exit $TRACER_RC" "SIG$sig exit 0"
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

# fill_pipe: enough events (300 execs of true, ~1,500 lines) to fill a pipe and the tracer's buffer.
fill_pipe() {
	local i
	for ((i = 0; i < 300; i++)); do
		/bin/true
	done
}

@test "SIGTERM with a reader that stopped reading: exit within the grace, one line, no hang" {
	mkfifo out.fifo
	# holds the FIFO open and never reads
	# shellcheck disable=SC2217
	sleep 60 <out.fifo &
	local reader=$!
	record_pid "$reader"
	"$ZR" trace --json >out.fifo 2>err.txt &
	TRACER_PID=$!
	record_pid "$TRACER_PID"
	sleep 1.5
	fill_pipe
	sleep 0.5
	kill -TERM "$TRACER_PID"
	tracer_exit 10 "SIGTERM with a stalled reader"
	assert_equal "exit $TRACER_RC" "exit 1"
	assert_equal "$(wc -l <err.txt)" 1
	assert_regex "$(cat err.txt)" '^zreaper: stopped on a signal while the reader of standard output was not reading'
}

@test "SIGTERM with a slow reader: it still gets every line, stop last, exit 0" {
	mkfifo out.fifo
	{
		sleep 1.2
		cat
	} <out.fifo >out.json &
	local reader=$!
	record_pid "$reader"
	"$ZR" trace --json >out.fifo 2>err.txt &
	TRACER_PID=$!
	record_pid "$TRACER_PID"
	sleep 0.8
	fill_pipe
	kill -TERM "$TRACER_PID"
	tracer_exit 10 "SIGTERM with a slow reader"
	assert_equal "exit $TRACER_RC" "exit 0"
	wait "$reader"
	forget_pid "$reader"
	assert_equal "$(tail -n 1 out.json | jq -r .event)" stop
	assert_equal "$(jq -s 'length' out.json)" "$(($(tail -n 1 out.json | jq .events) + 1))"
	assert_equal "$(cat err.txt)" ""
}
