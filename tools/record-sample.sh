#!/usr/bin/env bash
# Regenerates tests/data/sample.zr (a small recording) and tests/data/sample.json (what
# `zreaper replay sample.zr --json` prints, the unit tests' golden file) from a zr-work
# scenario: execs, a failed exec, a death by signal, zombies held past --zombie-after, an
# orphan adopted by a subreaper, autoreaped children, all in a pid namespace under a
# subreaper. Traced with -p --tree on the scenario, so the rest of the host stays out (but for
# the /proc snapshot at the start, which is part of every recording). Needs root.
# Usage: tools/record-sample.sh (after make). Checks that the live --json output and the
# replay with the same options are the same lines before it writes anything; the golden file
# is the replay without filters (all the recording holds).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ZR=$BUILD/zreaper
WORK=$BUILD/zr-work
OUT=$ROOT/tests/data
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || {
	echo "record-sample: needs root" >&2
	exit 1
}
# The scenario waits for the go file, so its pid can be traced (-p) from its first fork.
unshare --pid --fork --mount-proc "$WORK" --sync "$TMP/go" --subreaper run sh -c "
	$WORK fork 2 --exec /bin/true
	$WORK fork 1 --exec-fail /nonexistent
	$WORK fork 1 --signal TERM
	$WORK zombie 500 --count 2
	$WORK orphan --linger 20
	$WORK autoreap 2" >/dev/null &
upid=$!
PIDS+=("$upid")
# unshare's child (PID 1 in the namespace) exists already: trace it too.
for _ in $(seq 100); do
	cpid=$(pgrep -P "$upid" || true)
	[ -n "$cpid" ] && break
	sleep 0.05
done
"$ZR" trace --json --zombie-after 300ms -p "$upid" -p "$cpid" --tree --record "$TMP/sample.zr" \
	>"$TMP/live.json" &
zpid=$!
PIDS+=("$zpid")
for _ in $(seq 100); do
	grep -q '"event":"start"' "$TMP/live.json" 2>/dev/null && break
	sleep 0.05
done
touch "$TMP/go"
wait "$upid"
sleep 0.6
kill -INT "$zpid"
wait "$zpid"
PIDS=()
"$ZR" replay "$TMP/sample.zr" --json -p "$upid" -p "$cpid" --tree >"$TMP/replay.json"
if ! cmp -s "$TMP/live.json" "$TMP/replay.json"; then
	echo "record-sample: the replay differs from the live output:" >&2
	diff "$TMP/live.json" "$TMP/replay.json" | head -20 >&2
	exit 1
fi
cp "$TMP/sample.zr" "$OUT/sample.zr"
# The golden file names the version as a placeholder: a release bump changes no test.
"$ZR" replay "$OUT/sample.zr" --json |
	sed -E 's/"version":"[^"]*"/"version":"@VERSION@"/' >"$OUT/sample.json"
echo "tests/data/sample.zr: $(stat -c %s "$OUT/sample.zr") bytes, $(wc -l <"$OUT/sample.json") lines"
