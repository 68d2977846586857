#!/usr/bin/env bats
# replay.bats - trace --record and replay on the real kernel: the replay prints the live
# lines (timestamps and seq included), a recorder killed with SIGKILL leaves a file that
# replays up to about its last second, hostile files give one line and exit 1, --until and
# --tree --at stop in time, --record - and replay - pipe.
# shellcheck disable=SC2016,SC2154 # $names in single quotes are jq's; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
	REC=$BATS_TEST_TMPDIR/rec.zr
}

# A workload in a pid namespace under a subreaper: execs, a failed exec, a signal death,
# zombies held past --zombie-after, an orphan, autoreaped children.
scenario() {
	run -0 unshare --pid --fork --mount-proc "$WORK" --subreaper run sh -c "
		$WORK fork 3 --exec /bin/true
		$WORK fork 1 --exec-fail /nonexistent
		$WORK fork 1 --signal TERM
		$WORK zombie 600 --count 2
		$WORK orphan --linger 20
		$WORK autoreap 2"
}

@test "replay --json prints the lines the live trace printed, timestamps and seq included" {
	start_tracer --zombie-after 300ms --record "$REC"
	scenario
	wait_event '.event == "zombie"' 2
	wait_event '.event == "reap" and .how == "autoreap"' 2
	wait_event '.event == "orphan"'
	stop_tracer
	run -0 --separate-stderr "$ZR" replay "$REC" --json
	assert_equal "$stderr" ""
	live=$(cat "$TRACE")
	assert_equal "$(wc -l <<<"$output")" "$(wc -l <<<"$live")"
	assert_equal "$output" "$live"
	# Filters apply to the replay as to a trace: only zr-work's exits.
	run -0 "$ZR" replay "$REC" --json -n zr-work --events exit
	run -0 jq -r 'select(.event != "start" and .event != "stop") | "\(.event) \(.comm)"' <<<"$output"
	assert_equal "$(sort -u <<<"$output")" "exit zr-work"
	assert_equal "$(wc -l <<<"$output")" "$(json_count '.event == "exit" and .comm == "zr-work"')"
	# Columns for people too, and --summary.
	run -0 "$ZR" replay "$REC" --summary
	assert_output --partial "zombie"
	assert_output --regexp "fork +[0-9]+"
}

@test "replay --zombie-after defaults to the recorded value and can be overridden" {
	start_tracer --zombie-after 300ms --record "$REC"
	run_work zombie 700
	z=$(roles zombie)
	stop_tracer
	run -0 "$ZR" replay "$REC" --json
	assert_equal "$(jq -c "select(.event == \"zombie\" and .pid == $z) | .pid" <<<"$output")" "$z"
	run -0 "$ZR" replay "$REC" --json --zombie-after 5s
	assert_equal "$(jq -c "select(.event == \"zombie\" and .pid == $z)" <<<"$output")" ""
}

@test "SIGKILL of trace --record leaves a file that replays up to about the last second" {
	"$ZR" trace --json --record "$REC" >"$BATS_TEST_TMPDIR/live.json" 2>/dev/null &
	zpid=$!
	record_pid "$zpid"
	wait_until "grep -q '\"event\":\"start\"' '$BATS_TEST_TMPDIR/live.json'" 30
	# Events all along: one fork+exit+wait every 50 ms for 3 s.
	for _ in $(seq 60); do
		"$WORK" fork 1 >/dev/null
		sleep 0.05
	done
	killed_at=$(awk '{ printf "%d", $1 * 1000000000 }' /proc/uptime)
	kill -KILL "$zpid"
	wait "$zpid" || true
	forget_pid "$zpid"
	run -0 --separate-stderr "$ZR" replay "$REC" --json
	assert_regex "$stderr" "recording was cut"
	assert_equal "$(wc -l <<<"$stderr")" 1
	last=$(jq -r 'select(.event == "fork") | .ktime_ns' <<<"$output" | tail -n 1)
	[[ -n $last ]]
	lag=$(((killed_at - last) / 1000000))
	echo "last recorded fork ${lag} ms before the kill" >&2
	[[ $lag -lt 1600 ]]
	# What it replays is what the trace printed (the stop line aside): a prefix of it.
	n=$(($(wc -l <<<"$output") - 1))
	assert_equal "$(head -n "$n" <<<"$output")" "$(head -n "$n" "$BATS_TEST_TMPDIR/live.json")"
}

@test "hostile files: one line naming the offset, exit 1, never a crash" {
	start_tracer --record "$REC"
	run_work fork 5 --exec /bin/true
	stop_tracer
	size=$(stat -c %s "$REC")
	bad=$BATS_TEST_TMPDIR/bad.zr
	check_bad() { # file expected-text
		run -1 --separate-stderr "$ZR" replay "$1" --json
		assert_regex "$stderr" "^zreaper: .*$2"
		assert_regex "$stderr" "offset [0-9]+"
		assert_equal "$(wc -l <<<"$stderr") $stderr" "1 $stderr"
	}
	: >"$bad"
	check_bad "$bad" "empty file"
	head -c 4096 /dev/urandom >"$bad"
	check_bad "$bad" "bad magic"
	gzip -c "$REC" >"$bad"
	check_bad "$bad" "bad magic"
	# cut inside the last block: the lines before it, then the error
	head -c $((size - 10)) "$REC" >"$bad"
	check_bad "$bad" "truncated block"
	# one flipped byte in a block
	cp "$REC" "$bad"
	printf '\xff' | dd of="$bad" bs=1 seek=$((size - 20)) conv=notrunc status=none
	check_bad "$bad" "checksum mismatch"
	# a future format version
	cp "$REC" "$bad"
	printf '\x09' | dd of="$bad" bs=1 seek=8 conv=notrunc status=none
	check_bad "$bad" "version 9"
	# a block header claiming 4 GiB
	cp "$REC" "$bad"
	hlen=$(od -An -tu2 -j10 -N2 "$REC" | tr -d ' ')
	printf '\xff\xff\xff\xff' | dd of="$bad" bs=1 seek=$((12 + hlen + 4 + 4)) conv=notrunc status=none
	check_bad "$bad" "bad block sizes"
	run -1 --separate-stderr "$ZR" replay "$BATS_TEST_TMPDIR/none.zr"
	assert_regex "$stderr" "cannot open"
}

@test "--until stops at a time; --tree --at draws the table as it was then" {
	start_tracer --zombie-after 300ms --record "$REC"
	run_work zombie 1500 --count 2
	zombies=$(roles zombie)
	stop_tracer
	mine=".event == \"zombie\" and .ppid == $SELF"
	zt=$(json_select "$mine" | head -n 1 | jq -r .ktime_ns)
	start_ns=$(json_select '.event == "start"' | jq -r .ktime_ns)
	# --until in RFC 3339 at our first zombie line: no input later, the stop line at that time
	at=$(json_select "$mine" | head -n 1 | jq -r .ts)
	run -0 "$ZR" replay "$REC" --json --until "$at"
	# (an autoreap line is stamped with the exit, earlier than the tick that settled it)
	assert_equal "$(jq -r 'select(.ktime_ns > '"$zt"') | .event' <<<"$output")" ""
	assert_equal "$(tail -n 1 <<<"$output" | jq -r '[.event, .ktime_ns] | join(" ")')" "stop $zt"
	# and the same lines as the full trace up to there
	n=$(($(wc -l <<<"$output") - 1))
	assert_equal "$(head -n "$n" <<<"$output")" "$(head -n "$n" "$TRACE")"
	# the tree while the zombies are held, as a duration since the start
	off_ms=$(((zt - start_ns) / 1000000 + 1))
	run -0 "$ZR" replay "$REC" --tree --at "+${off_ms}ms" --json
	tree=$output
	for z in $zombies; do
		# (jq 1.6 -e looks at the last input only: gather the roots first)
		run -0 jq -n -e --argjson z "$z" --argjson p "$SELF" \
			'[inputs | .. | objects | select(.pid == $p) | .children[] |
			select(.pid == $z) | .zombie] == [true]' <<<"$tree"
	done
	run -0 "$ZR" replay "$REC" --tree --at "+${off_ms}ms" -p "$SELF"
	assert_equal "$(grep -c ZOMBIE <<<"$output")" 2
	assert_equal "$(head -n 1 <<<"$output" | cut -d ' ' -f 1)" "$SELF"
	# after the end of the workload: no zombie left in the table
	run -0 "$ZR" replay "$REC" --tree --at "$(json_select '.event == "stop"' | jq -r .ts)" --json
	tree=$output
	for z in $zombies $SELF; do
		run -0 jq -n -e --argjson z "$z" '[inputs | .. | objects | select(.pid? == $z)] == []' \
			<<<"$tree"
	done
	run -2 "$ZR" replay "$REC" --at +1s
	run -2 "$ZR" replay "$REC" --until yesterday
}

@test "--record - writes the recording to stdout; replay - reads stdin" {
	"$ZR" trace --record - --duration 2 >"$REC" &
	zpid=$!
	record_pid "$zpid"
	sleep 0.5
	"$WORK" fork 2 >/dev/null
	wait "$zpid"
	forget_pid "$zpid"
	run -0 --separate-stderr "$ZR" replay - --json <"$REC"
	assert_equal "$(head -n 1 <<<"$output" | jq -r .event)" start
	assert_equal "$(tail -n 1 <<<"$output" | jq -r .event)" stop
	[[ $(jq -r 'select(.event == "fork" and .comm == "zr-work") | .pid' <<<"$output" | wc -l) -ge 2 ]]
}

@test "--rotate keeps a bounded set of complete recordings" {
	start_tracer --record "$REC" --rotate 64K
	for _ in 1 2 3 4 5 6 7 8; do
		run_work fork 200 --exec /bin/true
		sleep 1.1
	done
	stop_tracer
	[[ -f $REC.1 ]]
	[[ ! -f $REC.5 ]]
	for f in "$REC" "$REC".[1-4]; do
		[[ -f $f ]] || continue
		run -0 --separate-stderr "$ZR" replay "$f" --json
		# a later file starts mid-trace: it may say so, nothing else
		[[ -z $stderr ]] || assert_regex "$stderr" "^zreaper: .* continues a rotated recording"
		assert_equal "$(wc -l <<<"$stderr") $stderr" "1 $stderr"
		assert_equal "$(head -n 1 <<<"$output" | jq -r .event)" start
		assert_equal "$(tail -n 1 <<<"$output" | jq -r .event)" stop
	done
	run -2 "$ZR" trace --rotate 1M
	run -2 "$ZR" trace --record "$REC" --rotate 12
}
