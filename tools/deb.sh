#!/usr/bin/env bash
# Builds the Debian package (make deb): stages a copy of the sources in BUILD/deb with
# tools/debian as debian/ (the top-level layout keeps no debian/ folder), runs
# dpkg-buildpackage on it (debhelper: tools/debian/rules) and leaves the .deb in BUILD.
# Usage: tools/deb.sh BUILD VERSION ARCH
set -euo pipefail

build=$1 version=$2 arch=$3
cd "$(dirname "$0")/.."

changelog=$(dpkg-parsechangelog -l tools/debian/changelog -S Version)
if [ "$changelog" != "$version" ]; then
	echo "zreaper: tools/debian/changelog is at $changelog, VERSION at $version: add an entry" >&2
	exit 1
fi

stage=$build/deb
src=$stage/zreaper-$version
rm -rf "$stage"
mkdir -p "$src"
cp -r Makefile VERSION README.md bpf user tools "$src/"
cp -r tools/debian "$src/debian"

log=$stage/build.log
# The staged build is a make of its own: not a job of ours (no jobserver reaches it), nor
# bound by our command-line variables (BUILD=..., V=1).
unset MAKEFLAGS MFLAGS MAKELEVEL
if ! (cd "$src" && dpkg-buildpackage -b --no-sign -j"$(nproc)") >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "zreaper: dpkg-buildpackage failed (whole log: $log)" >&2
	exit 1
fi
mv "$stage/zreaper_${version}_$arch.deb" "$build/"
