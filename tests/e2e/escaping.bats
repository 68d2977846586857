#!/usr/bin/env bats
# escaping.bats - untrusted text (comm, filename, argv) never reaches the output raw: JSON lines
# always parse, with control bytes as escapes and invalid UTF-8 as U+FFFD; text columns show
# \e \n \xNN \\ instead of the bytes.
# shellcheck disable=SC2016 # $names in single quotes are jq's

bats_require_minimum_version 1.5.0
load helpers

# comm bytes: ESC [31m NL 0x01 backslash 0xff DEL " q (12 bytes, fits TASK_COMM_LEN)
COMM_ARG='\e[31m\n\x01\\\xff\x7f"q'

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
	# a symlink to /bin/true whose name holds ESC, a newline and an invalid byte
	HOSTILE_PATH=$BATS_TEST_TMPDIR/$'tr\e[1mue\nx\xff'
	ln -s /bin/true "$HOSTILE_PATH"
}

# no_raw_bytes FILE: no control byte but the newline, no DEL, and valid UTF-8 throughout.
no_raw_bytes() {
	run -1 env LC_ALL=C grep -c -P '[\x00-\x09\x0b-\x1f\x7f]' "$1"
	assert_output 0
	run -0 iconv -f UTF-8 -t UTF-8 "$1"
}

@test "JSON: hostile comm is escaped, every line parses" {
	start_tracer
	run_work comm "$COMM_ARG"
	child=$(roles child)
	wait_event ".event == \"reap\" and .pid == $child"
	stop_tracer
	run -0 jq -e -c 'true' "$TRACE"
	no_raw_bytes "$TRACE"
	want='"\u001b[31m\n\u0001\\\ufffd\u007f\"q"'
	for kind in fork exit reap; do
		run -0 pick ".event == \"$kind\" and .pid == $child" ".comm == $want"
		assert_output true
	done
	run -0 pick ".event == \"fork\" and .pid == $child" ".parent.comm == $want"
	assert_output true
	run -0 pick ".event == \"reap\" and .pid == $child" ".reaper.comm == $want"
	assert_output true
	run -0 pick ".event == \"signal\" and .pid == $SELF" ".comm == $want and .sender.comm == $want"
	assert_output true
}

@test "JSON: hostile argv and filename are escaped exactly" {
	start_tracer
	run_work hostile-exec
	child=$(roles child)
	run_work hostile-exec --path "$HOSTILE_PATH"
	child2=$(roles child)
	stop_tracer
	run -0 jq -e -c 'true' "$TRACE"
	no_raw_bytes "$TRACE"
	run -0 pick ".event == \"exec\" and .pid == $child" '.argv == ["/bin/true",
		"esc\u001b[31mred\u001b[0m", "new\nline", "tab\tcr\rbell\u0007", "del\u007f",
		"bad\ufffd\ufffdutf8", "cut\ufffd\ufffd", "dq\"sq'"'"'bs\\end", "\\x41 not an escape",
		"caf\u00e9 \u2713", "", "ctl\u0001\u0002\u001f"]'
	assert_output true
	run -0 pick ".event == \"exec\" and .pid == $child2" \
		"[.filename == \"$BATS_TEST_TMPDIR/tr\\u001b[1mue\\nx\\ufffd\", .error]"
	assert_output '[true,null]'
}

@test "text: no raw control bytes, escapes shown as \\e \\n \\xNN \\\\" {
	"$ZR" trace >text.out 2>text.err 3>&- &
	TRACER_PID=$!
	record_pid "$TRACER_PID"
	wait_until '[[ -s text.out ]]'
	run_work_nowait comm "$COMM_ARG"
	child=$(roles child)
	run_work_nowait hostile-exec
	child2=$(roles child)
	run_work_nowait hostile-exec --path "$HOSTILE_PATH"
	last=$SELF
	# the reap of the last zr-work is the sentinel
	wait_until "grep -qE '^[^ ]+ +reap +$last ' text.out"
	kill -INT "$TRACER_PID"
	rc=0
	wait "$TRACER_PID" || rc=$?
	forget_pid "$TRACER_PID"
	TRACER_PID=
	assert_equal "tracer exit $rc" "tracer exit 0"
	no_raw_bytes text.out
	assert_equal "$(cat text.err)" ""
	esc_comm='\e[31m\n\x01\\\xff\x7f"q'
	run -0 grep -E "^[^ ]+ +fork +$child " text.out
	assert_output --partial "$esc_comm"
	run -0 grep -E "^[^ ]+ +exec +$child2 " text.out
	for part in 'esc\e[31mred\e[0m' 'new\nline' 'tab\tcr\rbell\x07' 'del\x7f' \
		'bad\xff\xfeutf8' 'cut\xe2\x82' 'bs\\end' 'ctl\x01\x02\x1f'; do
		assert_output --partial "$part"
	done
	run -0 grep -F "$BATS_TEST_TMPDIR/tr\\e[1mue\\nx\\xff" text.out
}
