#!/usr/bin/env bash
# Installs the Debian packages zreaper needs to build and test, only those missing;
# silent when nothing is missing. Usage: tools/deps.sh [extra-package...]
set -eu

pkgs=(clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config make gcc
      libcmocka-dev bats bats-support bats-assert bats-file jq util-linux procps
      curl prometheus podman runc busybox-static)
pkgs+=("$@")

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "zreaper: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "  DEPS ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list cannot find new names: refresh it once, then install.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
