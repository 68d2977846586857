#!/usr/bin/env bash
# Record and replay (issue 8): how fast `zreaper replay FILE --json` runs a recording through
# the whole pipeline (decompress, decode, state machine, filters, JSON lines to /dev/null), and
# how many bytes a fork/exec/exit workload costs on disk per event.
#
# The workload: zr-work forks N children that exec /bin/true, exit and are reaped, traced with
# `trace --json -p PID --tree --record FILE`; `replay FILE --json -p PID --tree` must print the
# live lines. Every recording also holds the /proc snapshot taken at its start (its size follows
# whatever else runs on the host: a host holding 40,000 zombies adds 40,000 answers); bytes per
# event = the whole workload recording, snapshot included, / the workload's lines. An idle
# recording made the same way just before (a sleeping process traced for 1 s) shows that fixed
# cost for context.
#
# Throughput: on one CPU (taskset -c 0), each repetition times 10 replays of FILE without
# filters, twice:
# with --json to /dev/null (the figure: every line the recording holds, snapshot included),
# and with a filter that prints nothing (-n with a comm nobody has: the baseline, the same
# input and state machine without the JSON lines), so the ratio says what the output costs.
# events/s divides the lines the full replay prints by its CPU time (user+sys); medians.
#
# Knobs (environment): REPLAY_BENCH_N (10000 processes), REPLAY_BENCH_REPS (5).
# Needs root (the recording). Writes build/bench/replay.* files.
set -euo pipefail

BENCH_NAME=replay # names its log and die lines (paths.sh)
# shellcheck source=tools/bench/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
WORK=$BUILD/zr-work
N=${REPLAY_BENCH_N:-10000}
REPS=${REPLAY_BENCH_REPS:-5}
REC=$OUT/replay.zr
LIVE=$OUT/replay.live.json
JSON=$OUT/replay.json

[ "$(id -u)" -eq 0 ] || die "needs root (trace --record)"
for f in "$ZR" "$WORK"; do
	[ -x "$f" ] || die "missing $f: run make"
done
mkdir -p "$OUT"

declare -a BG=()
cleanup() {
	local p
	for p in "${BG[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT

# ---- the fixed cost: a recording of an idle process
sleep 30 &
spid=$!
BG+=("$spid")
"$ZR" trace -p "$spid" --record "$OUT/replay.idle.zr" --duration 1 >/dev/null ||
	die "idle trace failed"
kill "$spid"
wait "$spid" 2>/dev/null || true
BG=()
idle=$(stat -c %s "$OUT/replay.idle.zr")

# ---- record the workload
rm -f "$REC" "$LIVE" "$OUT/replay.go"
"$WORK" --self --sync "$OUT/replay.go" fork "$N" --exec /bin/true >"$OUT/replay.work" &
wpid=$!
BG+=("$wpid")
"$ZR" trace --json -p "$wpid" --tree --record "$REC" >"$LIVE" 2>"$OUT/replay.err" &
zpid=$!
BG+=("$zpid")
for _ in $(seq 600); do
	grep -q '"event":"start"' "$LIVE" 2>/dev/null && break
	kill -0 "$zpid" 2>/dev/null || die "trace did not start: $(cat "$OUT/replay.err")"
	sleep 0.05
done
log "recording $N x fork + exec /bin/true + exit + wait"
touch "$OUT/replay.go"
wait "$wpid" || die "the workload failed"
sleep 0.5 # the last reap's lines
kill -INT "$zpid"
wait "$zpid" || die "trace failed: $(cat "$OUT/replay.err")"
BG=()

bytes=$(stat -c %s "$REC")
"$ZR" replay "$REC" --json -p "$wpid" --tree >"$OUT/replay.out"
cmp -s "$LIVE" "$OUT/replay.out" || die "the replay differs from the live output"
wev=$(grep -c -v -E '"event":"(start|stop)"' "$OUT/replay.out" || true)
procs=$(grep -c '"event":"exec"' "$OUT/replay.out" || true)
events=$("$ZR" replay "$REC" --json | wc -l)

# ---- replay throughput on one CPU
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
LOOPS=10
cpu_s() { # command... -> user+sys seconds of LOOPS runs of it (one run is too short to time)
	local TIMEFORMAT='%U %S' t
	t=$({ time for ((i = 0; i < LOOPS; i++)); do "$@" >/dev/null 2>&1; done; } 2>&1)
	awk -v l="$LOOPS" '{ printf "%.6f", ($1 + $2) / l }' <<<"$t"
}
full=() base=()
for ((r = 1; r <= REPS; r++)); do
	full+=("$(cpu_s "${pin[@]}" "$ZR" replay "$REC" --json)")
	base+=("$(cpu_s "${pin[@]}" "$ZR" replay "$REC" --json -n zr-bench-none)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mf=$(median "${full[@]}")
mb=$(median "${base[@]}")

full_csv=$(
	IFS=,
	echo "${full[*]}"
)
base_csv=$(
	IFS=,
	echo "${base[*]}"
)
awk -v ev="$events" -v bytes="$bytes" -v procs="$procs" -v mf="$mf" -v mb="$mb" -v wev="$wev" \
	-v idle="$idle" \
	-v reps="$REPS" -v n="$N" -v json="$JSON" -v full="$full_csv" -v base="$base_csv" '
function rate(s) { return s > 0 ? ev / s : 0 }
BEGIN {
	printf "\n== replay: %d x fork + exec + exit + wait, recorded; %d reps on one CPU\n", n, reps
	printf "%-44s %14s\n", "measure", "value"
	printf "%-44s %14d\n", "workload events (JSON lines, -p --tree)", wev
	printf "%-44s %14d\n", "recording size, bytes", bytes
	printf "%-44s %14d\n", "idle recording (header, /proc snapshot)", idle
	printf "%-44s %14.2f\n", "bytes per event on disk", wev ? bytes / wev : 0
	w = bytes > idle ? (bytes - idle) / wev : 0
	printf "%-44s %14.2f\n", "  less the idle recording (estimate)", w
	printf "%-44s %14.1f\n", "bytes per process", procs ? bytes / procs : 0
	printf "%-44s %14d\n", "events replayed (all lines, no filter)", ev
	printf "%-44s %14.0f\n", "replay --json > /dev/null, events/s (CPU)", rate(mf)
	printf "%-44s %14.0f\n", "baseline: nothing printed, events/s (CPU)", rate(mb)
	printf "%-44s %14.3f\n", "JSON output cost: full / baseline CPU", (mb > 0 ? mf / mb : 0)
	printf "{\"schema\":1,\"processes\":%d,\"workload_events\":%d,\"bytes\":%d,\"idle_bytes\":%d,", n, wev, bytes, idle > json
	printf "\"bytes_per_event\":%.3f,\"bytes_per_event_less_idle\":%.3f,\"replayed_events\":%d,", wev ? bytes / wev : 0, w, ev > json
	printf "\"reps\":%d,\"cpu_s_full\":[%s],\"cpu_s_baseline\":[%s],", reps, full, base > json
	printf "\"events_per_s\":%.0f,\"baseline_events_per_s\":%.0f,\"full_over_baseline\":%.4f,", rate(mf), rate(mb), (mb > 0 ? mf / mb : 0) > json
	printf "\"target_events_per_s\":2000000,\"target_bytes_per_event\":16}\n" > json
}'
jq . "$JSON" >/dev/null || die "$JSON is not valid JSON"
printf '\nfigures as JSON: %s\n' "$JSON"
