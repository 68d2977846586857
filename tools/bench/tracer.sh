#!/usr/bin/env bash
# The tracer's own CPU per JSON line, split into user space (decode, state machine, JSON) and
# kernel (ring wake-ups, the writes): `zreaper trace --json` to a file while zr-work forks N
# children that exit and are reaped one after the other (five lines each: fork, exit, SIGCHLD,
# wait, reap). The split comes from `perf record -e cpu-clock -c PERIOD -p TRACER`: a sample every
# PERIOD ns of the tracer's own CPU time, each one in user space or in the kernel, so
# samples x PERIOD estimates each part; the headline pools every run's samples (some 1,500). A
# sample costs the tracer time of its own, and pollutes its caches: a sample per 100 us made the
# user part 1.6 times what a sample per 1 ms does, hence the long period. The
# kernel's tick accounting (utime/stime) cannot split it: the tracer wakes on a 20 ms timer,
# in step with the 4 ms tick, so the tick sees the same phase of every wake-up.
#
# Beside it, the in-kernel cost: with kernel.bpf_stats_enabled on for the runs (put back
# after), each of the tracer's BPF programs counts its runs and their time (run_cnt,
# run_time_ns in /proc/TRACER/fdinfo), summed over the programs: BPF ns per JSON line and per
# program run. That time is spent in the traced processes (their fork, exit, wait), not in the
# tracer.
#
# Knobs (environment): TRACER_BENCH_N (40000 children), TRACER_BENCH_REPS (5),
# TRACER_BENCH_PERIOD (1000000 ns). Needs root (BPF) and perf (Debian's linux-perf; installed by
# tools/deps.sh when missing). Writes build/bench/tracer.* and adds "tracer" to
# build/bench/results.json. Exit 1 when a run failed or lost events.
set -euo pipefail

BENCH_NAME=tracer # names its log and die lines (paths.sh)
# shellcheck source=tools/bench/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
WORK=$BUILD/zr-work
N=${TRACER_BENCH_N:-40000}
REPS=${TRACER_BENCH_REPS:-5}
PERIOD=${TRACER_BENCH_PERIOD:-1000000}
RUNS=$OUT/tracer.runs.tsv
JSON=$OUT/tracer.json

[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
if [ ! -x "$ZR" ] || [ ! -x "$WORK" ]; then
	die "missing $ZR or $WORK: run make"
fi
if ! command -v perf >/dev/null; then
	"$ROOT/tools/deps.sh" linux-perf >&2 || true
fi
command -v perf >/dev/null || die "perf not found (Debian package linux-perf)"
mkdir -p "$OUT"

# bpf_totals PID: "run_time_ns run_cnt" summed over the BPF programs PID holds, each once.
bpf_totals() {
	awk '/^prog_id:/ { id = $2 } /^run_time_ns:/ { t[id] = $2 } /^run_cnt:/ { c[id] = $2 }
		END { for (i in t) { st += t[i]; sc += c[i] } print st + 0, sc + 0 }' \
		/proc/"$1"/fdinfo/* 2>/dev/null
}

stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
trap 'sysctl -qw kernel.bpf_stats_enabled="$stats_was" 2>/dev/null || true' EXIT
sysctl -qw kernel.bpf_stats_enabled=1 || log "cannot turn kernel.bpf_stats_enabled on: no BPF figures"

# run_one REP: one traced storm; appends "rep lines lost user_samples kernel_samples bpf_ns
# bpf_runs" to $RUNS.
run_one() {
	local rep=$1 out=$OUT/tracer.out data=$OUT/tracer.perf tp pp lines lost u k bt bc tries=0
	"$ZR" trace --json >"$out" 2>"$OUT/tracer.err" &
	tp=$!
	while [ ! -s "$out" ] && [ $((tries += 1)) -le 100 ]; do
		sleep 0.1
	done
	[ -s "$out" ] || {
		kill -INT "$tp" 2>/dev/null
		wait "$tp" || true
		die "trace did not start: $(head -c 300 "$OUT/tracer.err")"
	}
	perf record -q -e cpu-clock -c "$PERIOD" -p "$tp" -o "$data" 2>"$OUT/tracer.perf.err" &
	pp=$!
	sleep 0.3
	"$WORK" fork "$N" >/dev/null
	sleep 0.3 # the last batch: the tracer drains the ring every 20 ms
	kill -INT "$pp"
	wait "$pp" || true
	read -r bt bc < <(bpf_totals "$tp")
	kill -INT "$tp"
	wait "$tp" || die "trace exited $?: $(head -c 300 "$OUT/tracer.err")"
	lines=$(wc -l <"$out")
	lost=$(grep -o '"event":"stop".*' "$out" | grep -o '"lost":[0-9]*' | cut -d: -f2)
	# Kernel text is mapped in the upper half: a sample's ip tells where it was taken.
	read -r u k < <(perf script -i "$data" -F ip 2>/dev/null |
		awk '{ if ($1 ~ /^ffff/) k++; else u++ } END { print u + 0, k + 0 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$lines" "${lost:-0}" "$u" "$k" "$bt" "$bc" >>"$RUNS"
	log "$(awk -v l="$lines" -v u="$u" -v k="$k" -v p="$PERIOD" -v r="$rep" -v lost="${lost:-0}" -v bt="$bt" \
		'BEGIN { printf "rep %s: %d lines, %s lost, user %.3f us/line, kernel %.3f us/line (of which BPF %.3f)", r, l, lost, u * p / 1000 / l, k * p / 1000 / l, bt / 1000 / l }')"
}

printf 'rep\tlines\tlost\tuser_samples\tkernel_samples\tbpf_ns\tbpf_runs\n' >"$RUNS"
log "$N children, $REPS reps, a sample per $PERIOD ns of tracer CPU; $(nproc) CPUs, kernel $(uname -r)"
for rep in $(seq 1 "$REPS"); do
	run_one "$rep"
done

awk -F'\t' -v p="$PERIOD" -v n="$N" -v reps="$REPS" -v json="$JSON" -v kernel="$(uname -r)" '
function median(a, c,   i, j, t) {
	for (i = 2; i <= c; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
	return c % 2 ? a[(c+1)/2] : (a[c/2] + a[c/2+1]) / 2
}
NR > 1 {
	c++; us[c] = $4 * p / 1000 / $2
	lines += $2; lost += $3; su += $4; sk += $5; bt += $6; bc += $7
}
END {
	mu = median(us, c)
	pu = su * p / 1000 / lines; pk = sk * p / 1000 / lines
	printf "\nTracer CPU per JSON line, `trace --json` to a file, %d children forked, exited and reaped\n", n
	printf "one at a time (5 lines each); perf cpu-clock samples every %d ns of tracer CPU, %d runs pooled\n\n", p, c
	bl = bt / 1000 / lines; br = bc ? bt / bc : 0
	printf "%-12s %-10s %-30s %-14s %-13s %-15s %-13s %s\n", "lines/run", "samples", "user us/line (runs: median)", "kernel us/line", "total us/line", "BPF us/line", "BPF ns/run", "lost"
	printf "%-12d %-10d %-30s %-14.3f %-13.3f %-15.3f %-13.0f %d\n", lines / c, su + sk, sprintf("%.3f (%.3f)", pu, mu), pk, pu + pk, bl, br, lost
	printf "(BPF time runs in the traced processes, at their fork, exit and wait, not in the tracer: from bpf_stats, not sampled)\n"
	printf "{\"benchmark\": \"tracer-cpu-per-line\", \"children\": %d, \"reps\": %d, \"period_ns\": %d, \"kernel\": \"%s\", \"lines_per_run\": %d, \"samples\": %d, \"lost\": %d, \"user_us_per_line\": %.4f, \"user_us_per_line_run_median\": %.4f, \"kernel_us_per_line\": %.4f, \"total_us_per_line\": %.4f, \"bpf_us_per_line\": %.4f, \"bpf_ns_per_run\": %.1f}\n", n, c, p, kernel, lines / c, su + sk, lost, pu, mu, pk, pu + pk, bl, br > json
}' "$RUNS"

printf '\nruns: %s\n' "$RUNS"
add_to_results tracer "$JSON"
[ "$(awk -F'\t' 'NR > 1 { s += $3 } END { print s + 0 }' "$RUNS")" = 0 ]
