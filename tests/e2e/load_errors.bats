#!/usr/bin/env bats
# load_errors.bats - without the privileges BPF needs, `trace` fails cleanly: exit 1, one line on
# stderr that says why, nothing on stdout. A program the verifier rejects is named with the
# verifier's reason: an optional one is switched off alone, a core one stops the trace.
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

# ---- kernel adaptation: rejected programs, variants, the start line -----------------------

@test "a rejected optional program is switched off alone: trace goes on, named on stderr and in start" {
	run -0 --separate-stderr env ZREAPER_BPF_SELFTEST=reject timeout 20 "$ZR" trace --json --duration 1s
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" '^zreaper: degraded on this kernel: selftest: program on_selftest_reject rejected by the verifier of kernel [^ ]+: invalid bpf_context access'
	run -0 jq -r 'select(.event == "start") | .degraded[] | select(.feature == "selftest") | .reason' <<<"$output"
	assert_output --regexp '^program on_selftest_reject rejected by the verifier of kernel .*: invalid bpf_context access'
}

@test "a rejected core program: exit 1, one line naming program, kernel and verifier reason, no root hint" {
	run -1 --separate-stderr env ZREAPER_BPF_SELFTEST=reject-core timeout 20 "$ZR" trace --json --duration 1s
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" "^zreaper: cannot load BPF programs: program on_selftest_reject rejected by the verifier of kernel $(uname -r): invalid bpf_context access off=[0-9]+ size=[0-9]+ \(-vv shows the whole log\)\$"
	refute_regex "$stderr" 'root|CAP_'
}

@test "-vv shows the whole verifier log of a rejected program" {
	run -1 --separate-stderr env ZREAPER_BPF_SELFTEST=reject-core timeout 20 "$ZR" trace --json -vv --duration 1s
	assert_regex "$stderr" 'BEGIN PROG LOAD LOG'
	assert_regex "$stderr" 'invalid bpf_context access'
	assert_regex "$stderr" 'processed [0-9]+ insns'
}

@test "the start line names this kernel's BPF variant and an empty degraded list" {
	run -0 --separate-stderr timeout 20 "$ZR" trace --json --duration 500ms
	assert_equal "$stderr" ""
	run -0 jq -c 'select(.event == "start") | [.bpf.current_task, .bpf.syscall_args, .bpf.group_dead, (.degraded | length)]' <<<"$output"
	assert_output --regexp '^\["(btf|probe_read)","(registers|entry)","(argument|live_count)",0\]$'
}

@test "ZREAPER_BPF_FALLBACK=all: older kernels' variants on this one, the limit listed but not warned" {
	run -0 --separate-stderr env ZREAPER_BPF_FALLBACK=all timeout 20 "$ZR" trace --json --duration 500ms
	assert_equal "$stderr" ""
	run -0 jq -c 'select(.event == "start") | [.bpf, [.degraded[].feature]]' <<<"$output"
	assert_output '[{"current_task":"probe_read","syscall_args":"entry","group_dead":"live_count"},["wait_args_at_start"]]'
}

@test "ZREAPER_BPF_FALLBACK with an unknown name: exit 1, one line" {
	run -1 --separate-stderr env ZREAPER_BPF_FALLBACK=bogus "$ZR" trace --json --duration 1s
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" '^zreaper: ZREAPER_BPF_FALLBACK: unknown feature'
}
