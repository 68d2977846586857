#!/usr/bin/env bash
# Installs the Debian packages zreaper needs to build and test, only those missing;
# silent when nothing is missing. Usage: tools/deps.sh [extra-package...]
#        tools/deps.sh --kernels DIR   Debian's kernels of the `make test-kernels` matrix
set -eu

# The kernels of the matrix: bullseye's newest 5.10, bookworm's newest 6.1 and 6.12, each
# kept as DIR/vmlinuz-<release> (only the image: the rest of the package is not needed to
# boot with an initramfs). Bullseye comes through a private apt configuration under DIR,
# from the archive this machine already uses, so the system's sources stay untouched.
fetch_kernels() {
	local dir=$1 mirror apt_opts series glob suite regex pkg
	mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/apt/parts" "$dir/tmp"
	dir=$(cd "$dir" && pwd) # apt takes relative paths as relative to /etc/apt
	mirror=$(sed -n -e 's|^URIs: *\(http[^ ]*/debian\)/*$|\1|p' \
		-e 's|^deb  *\(\[[^]]*\] *\)\{0,1\}\(http[^ ]*/debian\)/* .*|\2|p' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
		2>/dev/null | head -n 1)
	mirror=${mirror:-http://deb.debian.org/debian}
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bullseye main" \
		>"$dir/apt/bullseye.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$dir/apt/bullseye.list" -o "Dir::Etc::sourceparts=$dir/apt/parts"
		  -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache"
		  -o Dir::State::status=/dev/null -o APT::Get::List-Cleanup=0)
	for series in '5.10.0-*-amd64|bullseye|^linux-image-5\.10\.0-[0-9]+-amd64$' \
		'6.1.0-*-amd64|bookworm|^linux-image-6\.1\.0-[0-9]+-amd64$' \
		'6.12.*+deb12-amd64|bookworm|^linux-image-6\.12\.[0-9]+\+deb12-amd64$'; do
		IFS='|' read -r glob suite regex <<<"$series"
		# shellcheck disable=SC2086 # the glob is meant to expand
		if compgen -G "$dir/vmlinuz-$glob" >/dev/null; then
			continue
		fi
		if [ "$suite" = bullseye ]; then
			[ -e "$dir/apt/lists/lock" ] || apt-get "${apt_opts[@]}" update -qq >/dev/null
			pkg=$(apt-cache "${apt_opts[@]}" search --names-only "$regex" | awk '{print $1}' | sort -V | tail -n 1)
		else
			pkg=$(apt-cache search --names-only "$regex" | awk '{print $1}' | sort -V | tail -n 1)
			if [ -z "$pkg" ]; then
				apt-get update -qq >/dev/null
				pkg=$(apt-cache search --names-only "$regex" | awk '{print $1}' | sort -V | tail -n 1)
			fi
		fi
		if [ -z "$pkg" ]; then
			echo "zreaper: no package matching $regex in $suite" >&2
			return 1
		fi
		echo "  KERNEL $pkg"
		if [ "$suite" = bullseye ]; then
			(cd "$dir/tmp" && apt-get "${apt_opts[@]}" download -qq "$pkg" 2>/dev/null)
		else
			(cd "$dir/tmp" && apt-get download -qq "$pkg" 2>/dev/null)
		fi
		dpkg-deb --fsys-tarfile "$dir"/tmp/"$pkg"_*.deb | tar -x -C "$dir/tmp" --wildcards './boot/vmlinuz-*'
		mv "$dir"/tmp/boot/vmlinuz-* "$dir/"
		rm -rf "${dir:?}/tmp"/*
	done
}

if [ "${1:-}" = --kernels ]; then
	[ $# -eq 2 ] || { echo "usage: tools/deps.sh --kernels DIR" >&2; exit 2; }
	fetch_kernels "$2"
	exit
fi

pkgs=(clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config make gcc
      libcmocka-dev bats bats-support bats-assert bats-file jq util-linux procps
      curl prometheus qemu-system-x86 busybox-static cpio musl-tools mandoc bash-completion
      debhelper lintian podman runc)
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
