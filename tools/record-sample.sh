#!/usr/bin/env bash
# Regenerates tests/data/sample.zr (a small recording) and tests/data/sample.json (what
# `zreaper replay sample.zr --json` prints, the unit tests' golden file) from a zr-work
# scenario: execs, a failed exec, zombies held past --zombie-after, an orphan adopted by a
# subreaper, autoreaped children, all in a pid namespace under a subreaper. Needs root.
# Usage: tools/record-sample.sh (after make). Checks that the live --json output and the
# replay are the same lines before it writes anything.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ZR=$BUILD/zreaper
WORK=$BUILD/zr-work
OUT=$ROOT/tests/data
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[ "$(id -u)" -eq 0 ] || {
	echo "record-sample: needs root" >&2
	exit 1
}
"$ZR" trace --json --zombie-after 300ms --record "$TMP/sample.zr" >"$TMP/live.json" &
zpid=$!
for _ in $(seq 100); do
	grep -q '"event":"start"' "$TMP/live.json" 2>/dev/null && break
	sleep 0.05
done
unshare --pid --fork --mount-proc "$WORK" --subreaper run sh -c "
	$WORK fork 2 --exec /bin/true
	$WORK fork 1 --exec-fail /nonexistent
	$WORK fork 1 --signal TERM
	$WORK zombie 500 --count 2
	$WORK orphan --linger 20
	$WORK autoreap 2" >/dev/null
sleep 0.6
kill -INT "$zpid"
wait "$zpid"
"$ZR" replay "$TMP/sample.zr" --json >"$TMP/replay.json"
if ! cmp -s "$TMP/live.json" "$TMP/replay.json"; then
	echo "record-sample: the replay differs from the live output:" >&2
	diff "$TMP/live.json" "$TMP/replay.json" | head -20 >&2
	exit 1
fi
cp "$TMP/sample.zr" "$OUT/sample.zr"
# The golden file names the version as a placeholder: a release bump changes no test.
sed -E 's/"version":"[^"]*"/"version":"@VERSION@"/' "$TMP/replay.json" >"$OUT/sample.json"
echo "tests/data/sample.zr: $(stat -c %s "$OUT/sample.zr") bytes, $(wc -l <"$OUT/sample.json") lines"
