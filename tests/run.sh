#!/usr/bin/env bash
# tests/run.sh - the one test runner: every unit (cmocka) and e2e (bats) suite as TAP, one
# summary line last: "N passed, N failed, N skipped". Exit 1 when anything failed.
#
# Usage: tests/run.sh [--unit-only|--e2e-only]   (the kernel matrix counts as e2e)
# Env:   BUILD (default build): where build/unit/test_* and build/unit-san/test_* live and where
#        TAP logs go (build/test-logs/<suite>.tap). CI=true: a skip for missing root, BTF or a
#        working podman (the whole e2e part when not root, or a test whose skip reason names
#        root, BTF or podman) is a failure.
set -u

usage() {
	echo "usage: tests/run.sh [--unit-only|--e2e-only]" >&2
	exit 2
}

do_unit=1
do_e2e=1
case "${1:-}" in
"") ;;
--unit-only) do_e2e=0 ;;
--e2e-only) do_unit=0 ;;
*) usage ;;
esac
[ $# -le 1 ] || usage

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
LOGS=$BUILD/test-logs

total_pass=0
total_fail=0
total_skip=0

# Counts one suite's TAP log and adds it to the totals. A suite that failed without saying
# which test failed, or whose results do not match its plan, died mid-way: one more failure.
tally() {
	local name=$1 log=$2 rc=$3
	local pass fail skip plan results msg env_skip

	skip=$(grep -cE '^(not )?ok [0-9]+.*# (skip|SKIP)' "$log")
	pass=$(grep -E '^ok [0-9]+' "$log" | grep -cvE '# (skip|SKIP)')
	fail=$(grep -E '^not ok [0-9]+' "$log" | grep -cvE '# (skip|SKIP)')
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
	results=$((pass + fail + skip))
	# Under CI a test skipped for want of root, BTF or podman (tools/deps.sh installs it) is a
	# test that silently never ran.
	if [ "${CI:-}" = true ]; then
		env_skip=$(grep -E '^(not )?ok [0-9]+.*# (skip|SKIP)' "$log" | grep -ciE 'root|btf|podman')
		skip=$((skip - env_skip))
		fail=$((fail + env_skip))
	fi

	msg="$name: $pass passed"
	[ "$fail" -eq 0 ] || msg="$msg, $fail failed"
	[ "$skip" -eq 0 ] || msg="$msg, $skip skipped"
	if { [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; } || [ -z "$plan" ] || [ "$plan" -ne "$results" ]; then
		fail=$((fail + 1))
		msg="$msg; suite $name crashed (exit $rc, plan ${plan:-missing}, $results results)"
	fi
	echo "$msg"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
}

# Runs one suite, its TAP (and stderr, where sanitizer reports land) shown and kept in a log.
run_suite() {
	local name=$1 log rc
	shift
	log=$LOGS/$name.tap
	mkdir -p "$(dirname "$log")"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	tally "$name" "$log" "$rc"
}

# A whole part that could not run: a skip, or with CI=true a failure (CI must not go green
# on tests it never ran).
not_run() {
	local name=$1 why=$2
	if [ "${CI:-}" = true ]; then
		echo "$name: not run ($why): counted as failed because CI=true"
		total_fail=$((total_fail + 1))
	else
		echo "$name: skipped ($why)"
		total_skip=$((total_skip + 1))
	fi
}

run_unit() {
	local t found=0

	for t in "$BUILD"/unit/test_* "$BUILD"/unit-san/test_*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		found=1
		run_suite "$(basename "$(dirname "$t")")/$(basename "$t")" \
			env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
	done
	if [ "$found" -eq 0 ]; then
		# Nothing built is not a pass.
		echo "unit: no test binaries under $BUILD/unit or $BUILD/unit-san (run make unit)"
		total_fail=$((total_fail + 1))
	fi
}

run_e2e() {
	local f files=()

	for f in tests/e2e/*.bats; do
		[ -f "$f" ] && files+=("$f")
	done
	if [ ${#files[@]} -eq 0 ]; then
		echo "e2e: no tests/e2e/*.bats files"
		return
	fi
	if [ "$(id -u)" -ne 0 ]; then
		not_run e2e "needs root"
		return
	fi
	if ! command -v bats >/dev/null; then
		echo "e2e: bats not found (run make deps)"
		total_fail=$((total_fail + 1))
		return
	fi
	for f in "${files[@]}"; do
		run_suite "e2e/$(basename "$f" .bats)" bats --formatter tap "$f"
	done
}

# The kernel matrix (tests/kernels/run.sh): needs root to load BPF on the host part.
run_kernels() {
	if [ "$(id -u)" -ne 0 ]; then
		not_run kernels "needs root"
		return
	fi
	run_suite kernels tests/kernels/run.sh --tap
}

# The failures again, with their suite, just above the summary: a log read from its end (CI's
# tail) names them.
list_failures() {
	local log

	[ "$total_fail" -gt 0 ] || return 0
	echo "failed:"
	for log in $(find "$LOGS" -name '*.tap' -newer "$LOGS/.started" 2>/dev/null | sort); do
		grep -E '^not ok [0-9]+' "$log" | grep -vE '# (skip|SKIP)' | head -n 20 |
			sed "s|^|  ${log#"$LOGS"/}: |"
	done
}

mkdir -p "$LOGS"
touch "$LOGS/.started"
[ "$do_unit" -eq 0 ] || run_unit
[ "$do_e2e" -eq 0 ] || run_e2e
[ "$do_e2e" -eq 0 ] || run_kernels

list_failures
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
