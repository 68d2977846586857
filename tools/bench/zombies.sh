#!/usr/bin/env bash
# How fast `zreaper zombies` scans a busy host (issue 16), against the floor any scan pays:
# build/bench/procscan, a readdir of /proc and one read of each process's stat file. The host
# is a pid namespace of our own (unshare --pid --fork --mount-proc, so the machine's other
# processes do not count) holding ZOMBIES_BENCH_PROCS processes (11000), ZOMBIES_BENCH_ZOMBIES
# (1000) of them zombies spread over ZOMBIES_BENCH_PARENTS (100) parents (storm crowd).
#
# Paired runs: ZOMBIES_BENCH_REPS (7) rounds after one warm-up, each running the floor,
# `zreaper zombies --json` and, for reference, `ps -eo pid,stat | awk`, in an order that
# alternates; each figure is the median over the rounds of wall and CPU (user + system) time,
# and of the ratio to the floor within the same round. Prints the table, writes
# build/bench/zombies.json and adds it to build/bench/results.json as "zombies". Needs root
# (the pid namespace).
set -euo pipefail

BENCH_NAME=zombies # names its log and die lines (paths.sh)
# shellcheck source=tools/bench/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
PROCS=${ZOMBIES_BENCH_PROCS:-11000}
ZOMBIES=${ZOMBIES_BENCH_ZOMBIES:-1000}
PARENTS=${ZOMBIES_BENCH_PARENTS:-100}
REPS=${ZOMBIES_BENCH_REPS:-7}
RUNS=$OUT/zombies.tsv
JSON=$OUT/zombies.json

if [ "${1:-}" != --inner ]; then
	[ "$(id -u)" -eq 0 ] || die "needs root (a pid namespace of its own)"
	for f in "$ZR" "$OUT/storm" "$OUT/procscan" "$OUT/runtime"; do
		[ -x "$f" ] || die "missing $f: run make bench"
	done
	[ "$ZOMBIES" -lt "$PROCS" ] || die "ZOMBIES_BENCH_ZOMBIES must be below ZOMBIES_BENCH_PROCS"
	mkdir -p "$OUT"
	printf '  ZOMBIES-BENCH %d processes, %d zombies, %d parents, %d rounds\n' \
		"$PROCS" "$ZOMBIES" "$PARENTS" "$REPS" >&2
	unshare --pid --fork --mount-proc "$0" --inner
	add_to_results zombies "$JSON"
	exit 0
fi

# ---- inside the namespace: PID 1, the crowd our child.
coproc CROWD { "$OUT/storm" crowd "$((PROCS - ZOMBIES))" "$ZOMBIES" "$PARENTS"; }
read -r ready n z <&"${CROWD[0]}" || die "the crowd did not start"
if [ "$ready" != ready ] || [ "$z" != "$ZOMBIES" ]; then
	die "the crowd said: $ready $n $z"
fi
seen=$("$OUT/procscan")
[ "${seen#* }" = "$ZOMBIES" ] || die "procscan sees $seen, not $ZOMBIES zombies"

run() { # round name -> one line of $RUNS
	local out
	case $2 in
	floor) out=$("$OUT/runtime" "$OUT/procscan") ;;
	zombies) out=$("$OUT/runtime" "$ZR" zombies --json) ;;
	ps) out=$("$OUT/runtime" sh -c "ps -eo pid,stat | awk '\$2 ~ /^Z/ { n++ } END { print n + 0 }'") ;;
	esac
	printf '%s\t%s\t%s\n' "$1" "$2" "${out// /$'\t'}" >>"$RUNS"
}

: >"$RUNS"
for name in floor zombies ps; do
	run 0 "$name" # warm-up: dentries and inodes of 11,000 /proc entries
done
for ((r = 1; r <= REPS; r++)); do
	if ((r % 2)); then
		order="floor zombies ps"
	else
		order="ps zombies floor"
	fi
	for name in $order; do
		run "$r" "$name"
	done
done
crowd_in=${CROWD[1]}
exec {crowd_in}>&- # EOF: the crowd ends (and with us, PID 1, the namespace)

awk -F '\t' -v procs="$(($(cut -d' ' -f1 <<<"$seen")))" -v zombies="$ZOMBIES" \
	-v parents="$PARENTS" -v reps="$REPS" -v json="$JSON" '
	function median(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function stat(name, what,    i, n, a) {
		n = 0
		for (i = 1; i <= reps; i++) a[++n] = v[i, name, what]
		m = median(a, n); lo = a[1]; hi = a[n]
	}
	$1 > 0 { v[$1, $2, "wall"] = $3 / 1000; v[$1, $2, "cpu"] = $4 / 1000; v[$1, $2, "rc"] = $5 }
	END {
		for (i = 1; i <= reps; i++)
			for (k = 1; k <= 3; k++) {
				c = k == 1 ? "floor" : k == 2 ? "zombies" : "ps"
				v[i, c, "wr"] = v[i, c, "wall"] / v[i, "floor", "wall"]
				v[i, c, "cr"] = v[i, c, "cpu"] / v[i, "floor", "cpu"]
			}
		printf "\n== zombies scan: %d processes, %d zombies under %d parents (own pid namespace), %d paired rounds\n", procs, zombies, parents, reps
		printf "%-34s %-24s %-24s %-20s %s\n", "command", "wall ms med (min-max)", "cpu ms med (min-max)", "wall/floor med", "cpu/floor med (min-max)"
		printf "{\"processes\":%d,\"zombies\":%d,\"parents\":%d,\"rounds\":%d,\"commands\":[", procs, zombies, parents, reps > json
		for (k = 1; k <= 3; k++) {
			c = k == 1 ? "floor" : k == 2 ? "zombies" : "ps"
			label = k == 1 ? "floor (readdir + read each stat)" : k == 2 ? "zreaper zombies --json" : "ps -eo pid,stat | awk"
			stat(c, "wall"); w = sprintf("%.1f (%.1f-%.1f)", m, lo, hi); wm = m
			stat(c, "cpu"); cc = sprintf("%.1f (%.1f-%.1f)", m, lo, hi); cm = m
			stat(c, "wr"); wr = m
			stat(c, "cr"); cr = sprintf("%.3f (%.3f-%.3f)", m, lo, hi); crm = m
			printf "%-34s %-24s %-24s %-20.3f %s\n", label, w, cc, wr, cr
			printf "%s{\"command\":\"%s\",\"wall_ms\":%.2f,\"cpu_ms\":%.2f,\"wall_over_floor\":%.4f,\"cpu_over_floor\":%.4f,\"exit\":%d}", (k > 1 ? "," : ""), c, wm, cm, wr, crm, v[1, c, "rc"] > json
		}
		printf "]}\n" > json
	}' "$RUNS"
