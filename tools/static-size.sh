#!/usr/bin/env bash
# Prints the size of each binary `make static` built; the last one, the init-only build for
# images, must be at most MAX_KB KiB (tini-static's size, which image authors compare it with).
# Usage: tools/static-size.sh MAX_KB BINARY... (the last BINARY is held to MAX_KB)
set -eu

max_kb=$1
shift
for f in "$@"; do
	bytes=$(stat -c %s "$f")
	kb=$(((bytes + 1023) / 1024))
	printf '  %-5s %s %d bytes (%d KB)\n' SIZE "$f" "$bytes" "$kb"
done
if [ "$kb" -gt "$max_kb" ]; then
	echo "zreaper: $f is $kb KB, over the $max_kb KB limit for the init-only build" >&2
	exit 1
fi
