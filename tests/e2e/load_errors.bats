#!/usr/bin/env bats
# load_errors.bats - without the privileges BPF needs, `trace` fails cleanly: exit 1, one line on
# stderr that says why, nothing on stdout.
# shellcheck disable=SC2154 # bats sets $stderr and $stderr_lines

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# as_nobody CMD...: runs CMD as uid/gid 65534 with no supplementary groups.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

@test "unprivileged trace --json: exit 1, one line mentioning root or permission" {
	run -1 --separate-stderr timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$ZR" trace --json --duration 5s
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" '^zreaper: .*([Rr]oot|[Pp]ermission|EPERM|privilege)'
}

@test "unprivileged trace in text mode: same failure" {
	run -1 --separate-stderr timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$ZR" trace --duration 5s
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" '^zreaper: .*([Rr]oot|[Pp]ermission|EPERM|privilege)'
}

@test "unprivileged: usage errors still win (exit 2) before any load" {
	run -2 --separate-stderr as_nobody "$ZR" trace --bogus-flag
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
}
