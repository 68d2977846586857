#!/usr/bin/env bats
# cli.bats - the command line: usage errors are one line on stderr and exit 2, before anything
# is loaded; --help goes to stdout with exit 0; --version.
# shellcheck disable=SC2154 # bats sets $stderr and $stderr_lines

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# usage_error ARGS...: `zreaper ARGS...` must exit 2 with nothing on stdout and exactly one
# line on stderr starting "zreaper: ".
usage_error() {
	run -2 --separate-stderr timeout 10 "$ZR" "$@"
	assert_output ""
	if [[ ${#stderr_lines[@]} -ne 1 ]]; then
		fail "zreaper $*: expected one stderr line, got ${#stderr_lines[@]}: $stderr"
	fi
	assert_regex "$stderr" '^zreaper: '
}

@test "unknown flag: exit 2, one line naming it" {
	usage_error trace --bogus
	assert_regex "$stderr" '--bogus'
	usage_error trace -Z
	usage_error --bogus
	# A flag given a value it does not take is named, not reported as '-?'.
	local cmd
	for cmd in trace zombies tree reap; do
		usage_error "$cmd" --json=1
		assert_regex "$stderr" "option '--json' takes no value"
	done
	usage_error run --no-kill=yes -- true
	assert_regex "$stderr" "'--no-kill' takes no value"
}

@test "unknown command, no command: exit 2" {
	usage_error frobnicate
	assert_regex "$stderr" 'frobnicate'
	usage_error
}

@test "unknown event name in --events: exit 2, one line naming it" {
	usage_error trace --events fork,bogus
	assert_regex "$stderr" 'bogus'
	usage_error trace --events ''
	usage_error trace --events fork,,exit
}

@test "missing values: exit 2" {
	for opt in -p -n -u -c --events --duration; do
		usage_error trace "$opt"
	done
	usage_error trace --json -p
}

@test "zero, negative and malformed durations: exit 2" {
	for d in 0 0s 0ms -1s -5 abc 5x 1.5.s ''; do
		usage_error trace --duration "$d"
		assert_regex "$stderr" 'duration'
	done
}

@test "-p of a process that does not exist: exit 2" {
	# a pid that was just used and reaped, so it exists nowhere
	run -0 --separate-stderr "$WORK" fork 1
	gone=$(roles child)
	run ! kill -0 "$gone"
	usage_error trace -p "$gone"
	assert_regex "$stderr" "$gone"
	usage_error trace -p 0
	usage_error trace -p -5
	usage_error trace -p abc
	usage_error trace -p 1 -p "$gone"
}

@test "-u of an unknown user: exit 2" {
	usage_error trace -u zr-no-such-user-xyz
	assert_regex "$stderr" 'zr-no-such-user-xyz'
	usage_error trace -u -3
}

@test "--help: exit 0, usage on stdout, nothing on stderr" {
	for args in "--help" "-h" "trace --help" "trace -h"; do
		# shellcheck disable=SC2086 # split on purpose
		run -0 --separate-stderr "$ZR" $args
		assert_equal "$stderr" ""
		assert_line --regexp '^Usage: zreaper'
	done
	run -0 --separate-stderr "$ZR" trace --help
	for opt in --pid --tree --name --uid --cgroup --events --threads --duration --json; do
		assert_output --partial -- "$opt"
	done
}

@test "--version: exit 0, one line with the version" {
	want=$(cat "$BATS_TEST_DIRNAME/../../VERSION")
	for flag in --version -V; do
		run -0 --separate-stderr "$ZR" "$flag"
		assert_equal "$stderr" ""
		assert_equal "${#lines[@]}" 1
		assert_output "zreaper $want"
	done
}

@test "stdout on a full disk: one line on stderr, exit 1, never a silent success" {
	local args
	for args in "tree" "--help" "--version" "trace --duration 300ms"; do
		[[ -w /dev/full ]] || skip "no /dev/full"
		run -1 --separate-stderr bash -c "timeout 10 \"\$1\" $args >/dev/full" _ "$ZR"
		assert_equal "${#stderr_lines[@]}" 1
		assert_regex "$stderr" '^zreaper: .*No space left on device'
	done
}
