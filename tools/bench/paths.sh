# shellcheck shell=bash disable=SC2034 # the scripts that source this file use what it sets
# paths.sh - sourced by every tools/bench script: where the tree and its build are.
# ROOT: the checkout; BUILD: its build folder (BUILD from the environment, made absolute);
# OUT: where the benchmarks write; ZR: the zreaper they measure.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/bench
ZR=$BUILD/zreaper
