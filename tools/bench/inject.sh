#!/usr/bin/env bash
# How long `reap --actions inject` holds a parent stopped: build/bench/injectbench runs
# INJECT_BENCH_N (1000) injections per parent mode (sleeping, blocked in read(), spinning),
# interleaved with a bare ptrace stop/detach as the baseline, prints the table and where the stop
# goes phase by phase (seized until stopped, registers read, the waitid run, restored and let go),
# writes build/bench/inject.json and adds it to build/bench/results.json as "inject" (creating
# the file when `make bench` has not written one). Needs root (ptrace). Exit 1 when an injection
# failed.
set -euo pipefail

# shellcheck source=tools/bench/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
BIN=$OUT/injectbench
N=${INJECT_BENCH_N:-1000}

[ "$(id -u)" -eq 0 ] || {
	echo "inject-bench: needs root (ptrace)" >&2
	exit 1
}
[ -x "$BIN" ] || {
	echo "inject-bench: missing $BIN: run make bench" >&2
	exit 1
}
mkdir -p "$OUT"
rc=0
"$BIN" -n "$N" -o "$OUT/inject.json" || rc=$?
[ -s "$OUT/inject.json" ] || exit 1
add_to_results inject "$OUT/inject.json"
exit "$rc"
