#!/usr/bin/env bash
# Orphan-reaping throughput and the init's own CPU time: `zreaper run` against tini, dumb-init
# and catatonit, and against wait-loop (build/bench/waitinit: a bare blocking wait() loop, the
# least an init can do: the floor of the CPU figure). Each init is PID 1 of a fresh pid namespace
#   unshare --pid --fork --mount-proc INIT -- build/bench/init.work TOTAL WAVE
# and init.work (a small C program this script writes and compiles) makes TOTAL orphans in
# waves of WAVE: a middle child forks WAVE grandchildren that block on a pipe, then exits and is
# reaped by init.work, so the grandchildren are now children of PID 1 (the init under test).
# init.work then samples the init's CPU clock (clock_getcpuclockid(1): user+sys, ns), takes the
# time, closes the pipe (every orphan exits at once) and polls kill(pid, 0) for each orphan until
# it is ESRCH, i.e. until the init has reaped it (a zombie still answers kill 0); then it takes
# the time and the init's CPU clock again. Only that reap phase is timed: forking the orphans
# costs the same under every init and is not counted. The whole run's wall time (date +%s%N
# around unshare) is kept in the JSON as total_wall_ms.
#
# The backlog case (INIT_BENCH_BACKLOG orphans, one wave) times the tail of a burst alone: this
# script stops the init (SIGSTOP from outside the namespace) as soon as init.work runs, so the
# orphans all exit while it is stopped; init.work then wakes it (SIGCONT) with every zombie near
# the front of its list and no exit to come, and times it as above (init.work backlog).
#
# Figures per (init, case): orphans reaped per second (TOTAL / reap-phase wall time) and the
# init's CPU ms during the reap phases; medians with min and max over the repetitions, which are
# interleaved (inits shuffled within each repetition). Ratios compare each init's median with the
# best median among the other inits, wait-loop aside (rate: higher is better; CPU: lower is
# better); the last ratio is the CPU median over wait-loop's.
#
# Knobs (environment): INIT_BENCH_SIZES ("10000 50000"), INIT_BENCH_WAVE (10000; live orphans at
# once, must stay well under kernel.pid_max), INIT_BENCH_REPS ("25 9": rounds per size, in the
# order of INIT_BENCH_SIZES, the last count for any size beyond; 10,000-orphan rounds take 2 s and
# fall in two kinds, quick and slow, for every init, so their medians need more rounds than the
# 12 s rounds of 50,000 to settle), INIT_BENCH_BACKLOG (10000: orphans of the backlog case, 0
# for none), INIT_BENCH_BACKLOG_REPS (9: its rounds), INIT_BENCH_INITS
# ("zreaper wait-loop tini dumb-init catatonit"), INIT_BENCH_NO_INSTALL=1 (never apt-get; else
# tools/deps.sh installs the missing inits).
# Needs root (unshare --pid). Writes only build/bench/init.* files.
set -u

BENCH_NAME=init # names its log and die lines (paths.sh)
# shellcheck source=tools/bench/paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/paths.sh"
WORK=$OUT/initwork
WAITINIT=$OUT/waitinit
RUNS=$OUT/init.runs.tsv
JSON=$OUT/init.json
SIZES=${INIT_BENCH_SIZES:-10000 50000}
WAVE=${INIT_BENCH_WAVE:-10000}
REPS=${INIT_BENCH_REPS:-25 9}
BACKLOG=${INIT_BENCH_BACKLOG:-10000}
BACKLOG_REPS=${INIT_BENCH_BACKLOG_REPS:-9}
INITS=${INIT_BENCH_INITS:-zreaper wait-loop tini dumb-init catatonit}
RUN_TIMEOUT=${INIT_BENCH_TIMEOUT:-300}

[ "$(id -u)" = 0 ] || die "needs root (unshare --pid --mount-proc)"
command -v unshare >/dev/null || die "unshare (util-linux) not found"
mkdir -p "$OUT" || die "cannot create $OUT"

read -ra SIZE_LIST <<<"$SIZES"
read -ra REPS_LIST <<<"$REPS"
if [ "${#SIZE_LIST[@]}" = 0 ] || [ "${#REPS_LIST[@]}" = 0 ]; then
	die "INIT_BENCH_SIZES and INIT_BENCH_REPS must not be empty"
fi
# is_count KNOB VALUE [0 allowed]: dies unless VALUE is a positive decimal (or 0 when allowed).
is_count() {
	case $2 in '' | *[!0-9]*) die "$1: '$2' is not a count" ;; esac
	[ "$2" != 0 ] || [ "${3:-}" = 0 ] || die "$1: '$2' is not a count"
}

# The cases, by index: CASES[i] is "burst" or "backlog", CASE_SIZE[i] its orphans, ROUNDS[i] its
# rounds. A burst size without a count of its own takes the last one.
declare -a CASES=() CASE_SIZE=() ROUNDS=()
max_reps=0
for i in "${!SIZE_LIST[@]}"; do
	is_count INIT_BENCH_SIZES "${SIZE_LIST[i]}"
	r=${REPS_LIST[i]:-${REPS_LIST[${#REPS_LIST[@]} - 1]}}
	is_count INIT_BENCH_REPS "$r"
	CASES+=(burst) CASE_SIZE+=("${SIZE_LIST[i]}") ROUNDS+=("$r")
done
is_count INIT_BENCH_BACKLOG "$BACKLOG" 0
if [ "$BACKLOG" != 0 ]; then
	is_count INIT_BENCH_BACKLOG_REPS "$BACKLOG_REPS"
	CASES+=(backlog) CASE_SIZE+=("$BACKLOG") ROUNDS+=("$BACKLOG_REPS")
fi
for r in "${ROUNDS[@]}"; do
	[ "$r" -gt "$max_reps" ] && max_reps=$r
done

pid_max=$(cat /proc/sys/kernel/pid_max)
for n in "$WAVE" "$BACKLOG"; do
	[ "$n" -le $((pid_max / 2)) ] || die "$n live orphans at once is too close to kernel.pid_max=$pid_max"
done

# ------------------------------------------------------------------ binaries

if [ ! -x "$ZR" ]; then
	log "building $ZR (make)"
	make -C "$ROOT" >&2 || die "make failed"
fi

# The three inits are Debian packages: tools/deps.sh installs whichever are missing, all at once.
if [ "${INIT_BENCH_NO_INSTALL:-0}" != 1 ]; then
	want=()
	for n in $INITS; do
		case $n in tini | dumb-init | catatonit) want+=("$n") ;; esac
	done
	if [ ${#want[@]} -gt 0 ]; then
		"$ROOT/tools/deps.sh" "${want[@]}" >&2 || log "cannot install ${want[*]}"
	fi
fi

# init_cmd NAME: prints the init's binary, or fails with a message when it cannot be had.
init_cmd() {
	local p
	case $1 in
	zreaper)
		[ -x "$ZR" ] && { printf '%s\n' "$ZR"; return 0; } ;;
	wait-loop)
		[ -x "$WAITINIT" ] && { printf '%s\n' "$WAITINIT"; return 0; } ;;
	tini | dumb-init)
		[ -x "/usr/bin/$1" ] && { printf '%s\n' "/usr/bin/$1"; return 0; } ;;
	catatonit)
		for p in /usr/bin/catatonit /usr/libexec/podman/catatonit; do
			[ -x "$p" ] && { printf '%s\n' "$p"; return 0; }
		done ;;
	*) log "unknown init '$1'"; return 1 ;;
	esac
	log "skipping $1: cannot be had"
	return 1
}

declare -A BIN=()
declare -a NAMES=()
for n in $INITS; do
	if b=$(init_cmd "$n"); then
		BIN[$n]=$b
		NAMES+=("$n")
	fi
done
[ "${#NAMES[@]}" -gt 0 ] || die "no init to run"

# argv for the init, ending just before the workload
init_argv() {
	case $1 in
	zreaper) printf '%s\n' "${BIN[$1]}" run -- ;;
	*) printf '%s\n' "${BIN[$1]}" -- ;;
	esac
}

# ------------------------------------------------------------------ workload

[ -x "$WORK" ] || die "$WORK is missing: run make bench (it builds tools/bench/initwork.c)"

# ------------------------------------------------------------------ runs

# child_of PID: PID's first child (10 s at most), or fails.
child_of() {
	local kids i
	for i in $(seq 1000); do
		kids=$(cat "/proc/$1/task/$1/children" 2>/dev/null) && [ -n "$kids" ] && {
			printf '%s\n' "${kids%% *}"
			return 0
		}
		sleep 0.01
	done
	return 1
}

# stop_init BG: stops the init under timeout BG (BG -> unshare -> the init -> init.work) once
# init.work runs, its pid left in STOPPED; init.work waits for that before it releases the
# backlog.
STOPPED=
stop_init() {
	local ns init
	ns=$(child_of "$1") && init=$(child_of "$ns") && child_of "$init" >/dev/null &&
		kill -STOP "$init" && STOPPED=$init
}

# run_one NAME CASE SIZE REP: one run, one line appended to $RUNS
run_one() {
	local name=$1 kase=$2 size=$3 rep=$4 t0 t1 rc bg line
	local -a argv work=("$WORK" "$size" "$WAVE")
	mapfile -t argv < <(init_argv "$name")
	[ "$kase" = backlog ] && work=("$WORK" "$size" "$size" backlog)
	t0=$(date +%s%N)
	timeout "$RUN_TIMEOUT" unshare --pid --fork --mount-proc "${argv[@]}" "${work[@]}" \
		>"$OUT/init.out" 2>"$OUT/init.err" &
	bg=$!
	if [ "$kase" = backlog ] && ! stop_init "$bg"; then
		log "$name: cannot stop the init for the backlog case"
	fi
	wait "$bg"
	rc=$?
	# A round that failed (or timed out) before init.work woke the init must not leave it stopped.
	[ -n "$STOPPED" ] && kill -CONT "$STOPPED" 2>/dev/null
	STOPPED=
	t1=$(date +%s%N)
	line=$(tail -n 1 "$OUT/init.out")
	# shellcheck disable=SC2086 # split the workload's four numbers
	set -- $line
	if [ "$rc" != 0 ] || [ $# != 4 ] || [ "$1" != "$size" ]; then
		log "$name $kase $size rep $rep FAILED (rc $rc): $(head -c 300 "$OUT/init.err")"
		printf '%s\t%s\t%s\t%s\tfail\t\t\t\n' "$name" "$kase" "$size" "$rep" >>"$RUNS"
		return 1
	fi
	printf '%s\t%s\t%s\t%s\tok\t%s\t%s\t%s\n' "$name" "$kase" "$size" "$rep" "$2" "$3" \
		$(((t1 - t0) / 1000)) >>"$RUNS"
	log "$(printf '%-10s %-7s %6s rep %s: reap %8.1f ms, init cpu %7.1f ms, total %7.1f ms' \
		"$name" "$kase" "$size" "$rep" "$(awk -v v="$2" 'BEGIN{print v/1e6}')" \
		"$(awk -v v="$3" 'BEGIN{print v/1e6}')" "$(awk -v v=$(((t1 - t0) / 1000)) 'BEGIN{print v/1e3}')")"
}

printf 'init\tcase\torphans\trep\tstatus\treap_ns\tcpu_ns\ttotal_wall_us\n' >"$RUNS"
log "inits: ${NAMES[*]}; bursts of ${SIZE_LIST[*]} (waves of $WAVE), backlog $BACKLOG; rounds: ${ROUNDS[*]}; pid_max $pid_max; $(nproc) CPUs"
start=$(date +%s)
for rep in $(seq 1 "$max_reps"); do
	for i in "${!CASES[@]}"; do
		[ "$rep" -le "${ROUNDS[i]}" ] || continue
		for n in $(printf '%s\n' "${NAMES[@]}" | shuf); do
			run_one "$n" "${CASES[i]}" "${CASE_SIZE[i]}" "$rep"
		done
	done
done
log "runs took $(($(date +%s) - start)) s"

# ------------------------------------------------------------------ report

# One awk pass: medians, min/max, CPU means (a round of either kind counts at its weight: what
# bursts cost on average), ratios vs the best other init, the table and the JSON. A case is
# named "burst SIZE" or "backlog SIZE" (cases: those names, comma-separated, in order).
cases=""
for i in "${!CASES[@]}"; do
	cases+="${cases:+,}${CASES[i]} ${CASE_SIZE[i]}"
done
awk -F'\t' -v json="$JSON" -v wave="$WAVE" -v rounds="${ROUNDS[*]}" -v nproc="$(nproc)" \
	-v kernel="$(uname -r)" -v order="${NAMES[*]}" -v cases="$cases" '
function median(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
NR > 1 && $5 == "ok" {
	k = $1 SUBSEP $2 " " $3; c = ++cnt[k]
	rate[k, c] = $3 / ($6 / 1e9); cpu[k, c] = $7 / 1e6; wall[k, c] = $8 / 1e3
}
NR > 1 && $5 != "ok" { fails[$1 SUBSEP $2 " " $3]++ }
END {
	ni = split(order, inits, " "); nc = split(cases, cs, ",")
	for (s = 1; s <= nc; s++) for (i = 1; i <= ni; i++) {
		k = inits[i] SUBSEP cs[s]; n = cnt[k]
		if (!n) continue
		csum = 0
		for (c = 1; c <= n; c++) { r[c] = rate[k, c]; p[c] = cpu[k, c]; w[c] = wall[k, c]; csum += p[c] }
		cmean[k] = csum / n
		mr[k] = median(r, n); rmin[k] = r[1]; rmax[k] = r[n]
		mc[k] = median(p, n); cmin[k] = p[1]; cmax[k] = p[n]
		mw[k] = median(w, n)
	}
	printf "\nOrphan reaping: each init is PID 1 of a fresh pid namespace; burst: orphans released at once, %s per wave;\n", wave
	printf "backlog: one wave released while the init is stopped, timed from its SIGCONT (every zombie near the front, no exit to come);\n"
	printf "reap phase only (release -> last orphan reaped); medians [min..max] and CPU means over the rounds (runs: %s, in the order of the cases), interleaved; %s CPUs, kernel %s\n", rounds, nproc, kernel
	printf "ratio columns: this init / best median among the OTHER inits but wait-loop (rate: >1 is faster; cpu: <1 is cheaper);\n"
	printf "cpu/floor: this init CPU median / wait-loop (a bare blocking wait() loop as PID 1)\n\n"
	printf "%-10s %-13s  %-30s %-26s %9s %10s %10s %9s %11s %4s\n", "init", "case", "reaped/s median [min..max]", "init CPU ms median [min..max]", "CPU mean", "rate ratio", "cpu ratio", "cpu/floor", "total ms", "runs"
	for (s = 1; s <= nc; s++) for (i = 1; i <= ni; i++) {
		k = inits[i] SUBSEP cs[s]
		if (!cnt[k]) { printf "%-10s %-13s  all %d runs failed\n", inits[i], cs[s], fails[k]; continue }
		br = -1; bc = -1
		for (j = 1; j <= ni; j++) {
			o = inits[j] SUBSEP cs[s]
			if (j == i || !cnt[o] || inits[j] == "wait-loop") continue
			if (br < 0 || mr[o] > br) br = mr[o]
			if (bc < 0 || mc[o] < bc) bc = mc[o]
		}
		rr[k] = br > 0 ? sprintf("%.2f", mr[k] / br) : "-"
		cr[k] = bc > 0 ? sprintf("%.2f", mc[k] / bc) : "-"
		fl = "wait-loop" SUBSEP cs[s]
		wr[k] = cnt[fl] && mc[fl] > 0 ? sprintf("%.2f", mc[k] / mc[fl]) : "-"
		printf "%-10s %-13s  %-30s %-26s %9.1f %10s %10s %9s %11.0f %4d\n", inits[i], cs[s],
			sprintf("%.0f [%.0f..%.0f]", mr[k], rmin[k], rmax[k]),
			sprintf("%.1f [%.1f..%.1f]", mc[k], cmin[k], cmax[k]), cmean[k], rr[k], cr[k], wr[k], mw[k], cnt[k]
	}
	rj = rounds; gsub(/ /, ", ", rj)
	cj = cases; gsub(/,/, "\", \"", cj)
	printf "{\n  \"benchmark\": \"init-orphan-reaping\",\n  \"wave\": %s, \"cases\": [\"%s\"], \"rounds_per_case\": [%s], \"cpus\": %s, \"kernel\": \"%s\",\n", wave, cj, rj, nproc, kernel > json
	printf "  \"method\": \"unshare --pid --fork --mount-proc INIT -- init.work TOTAL WAVE [backlog]; reap phase = release of a wave of orphans (backlog: SIGCONT to the init, stopped while they all exited) to last one reaped (kill 0 == ESRCH); init CPU = clock_getcpuclockid(1) delta over the reap phases; ratios vs best median among the other inits\",\n  \"results\": [" > json
	first = 1
	for (s = 1; s <= nc; s++) for (i = 1; i <= ni; i++) {
		k = inits[i] SUBSEP cs[s]; split(cs[s], kase, " ")
		printf "%s\n    {\"init\": \"%s\", \"case\": \"%s\", \"orphans\": %s, \"runs\": %d, \"failed\": %d", first ? "" : ",", inits[i], kase[1], kase[2], cnt[k], fails[k] > json
		first = 0
		if (cnt[k])
			printf ", \"reaped_per_s\": {\"median\": %.1f, \"min\": %.1f, \"max\": %.1f}, \"init_cpu_ms\": {\"median\": %.3f, \"mean\": %.3f, \"min\": %.3f, \"max\": %.3f}, \"total_wall_ms_median\": %.1f, \"rate_ratio_vs_best_other\": %s, \"cpu_ratio_vs_best_other\": %s, \"cpu_ratio_vs_wait_loop\": %s", mr[k], rmin[k], rmax[k], mc[k], cmean[k], cmin[k], cmax[k], mw[k], rr[k] == "-" ? "null" : rr[k], cr[k] == "-" ? "null" : cr[k], wr[k] == "-" ? "null" : wr[k] > json
		printf "}" > json
	}
	printf "\n  ]\n}\n" > json
}' "$RUNS"
printf '\nruns: %s\njson: %s\n' "$RUNS" "$JSON"
