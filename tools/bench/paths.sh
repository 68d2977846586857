# shellcheck shell=bash disable=SC2034 # the scripts that source this file use what it sets
# paths.sh - sourced by every tools/bench script: where the tree and its build are, and how a
# sub-benchmark files its figures in results.json.
# ROOT: the checkout; BUILD: its build folder (BUILD from the environment, made absolute);
# OUT: where the benchmarks write; ZR: the zreaper they measure.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/bench
ZR=$BUILD/zreaper

# add_to_results KEY FILE: FILE's JSON becomes build/bench/results.json's member KEY (the file
# is made when `make bench` has not written one); every sub-benchmark files its figures so.
add_to_results() {
	local results=$OUT/results.json
	if [ -s "$results" ]; then
		jq --arg k "$1" --slurpfile v "$2" '.[$k] = $v[0]' "$results" >"$results.tmp"
	else
		jq --arg k "$1" '{($k): .}' "$2" >"$results.tmp"
	fi
	mv "$results.tmp" "$results"
	printf '\njson: %s (and "%s" in %s)\n' "$2" "$1" "$results"
}

# log and die for the script that sources this file, named by its BENCH_NAME (empty for make
# bench's own run.sh): progress as "  TRACER-BENCH ..." on stderr, and a one-line error as
# "tracer-bench: ..." with exit 1.
log() { printf '  %sBENCH %s\n' "${BENCH_NAME:+${BENCH_NAME^^}-}" "$*" >&2; }
die() {
	printf '%sbench: %s\n' "${BENCH_NAME:+$BENCH_NAME-}" "$*" >&2
	exit 1
}
