#!/usr/bin/env bash
# run.sh - `make test-kernels`: the exact-count scenario set (tests/kernels/scenarios.sh) on every
# kernel users run zreaper on: Debian's 5.10, 6.1 and 6.12, each booted under qemu (TCG: no KVM
# here) with a small initramfs, then on the host's own kernel, in the BPF variant the kernel
# calls for and once more with every fallback forced (ZREAPER_BPF_FALLBACK=all).
#
# Usage: tests/kernels/run.sh [--tap]
#   default: one line per kernel, then "N passed, N failed"
#   --tap:   a TAP stream (what tests/run.sh counts), per-kernel lines as comments
# Env: BUILD (build), ZR_KERNEL_CACHE (BUILD/kernels): where the kernel images are kept.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
CACHE=${ZR_KERNEL_CACHE:-$BUILD/kernels}
tap=0
[ "${1:-}" = --tap ] && tap=1

# Each kernel: image glob, the degraded features and the BPF variant its start line must show.
MATRIX=(
	'5.10.0-*-amd64|wait_args_at_start|probe_read,entry,live_count'
	'6.1.0-*-amd64||btf,registers,live_count'
	'6.12.*+deb12-amd64||btf,registers,live_count'
)

total_pass=0
total_fail=0
num=0

# say LINE: a summary line, a TAP comment under --tap.
say() {
	if [ "$tap" -eq 1 ]; then
		echo "# $*"
	else
		echo "$*"
	fi
}

# tally NAME LOGFILE SECONDS: renumbers the TAP lines of one kernel into the whole stream.
tally() {
	local name=$1 log=$2 secs=$3 line pass=0 fail=0
	while IFS= read -r line; do
		case $line in
		"ok "*)
			pass=$((pass + 1))
			num=$((num + 1))
			[ "$tap" -eq 1 ] && echo "ok $num ${line#ok * }"
			;;
		"not ok "*)
			fail=$((fail + 1))
			num=$((num + 1))
			[ "$tap" -eq 1 ] && echo "not ok $num ${line#not ok * }"
			;;
		"#"*) [ "$tap" -eq 1 ] && echo "$line" ;;
		esac
	done < <(tr -d '\r' <"$log")
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	say "$name: $pass passed, $fail failed ($secs s)"
}

# broken NAME WHY LOGFILE: a kernel whose run could not complete counts one failure.
broken() {
	num=$((num + 1))
	total_fail=$((total_fail + 1))
	[ "$tap" -eq 1 ] && echo "not ok $num - $1: $2"
	say "$1: $2"
	[ -n "${3:-}" ] && [ -f "$3" ] && tail -n 15 "$3" | tr -d '\r' | sed 's/^/#   /'
}

finish() {
	if [ "$tap" -eq 1 ]; then
		echo "1..$num"
		echo "# test-kernels: $total_pass passed, $total_fail failed"
	else
		echo "$total_pass passed, $total_fail failed"
	fi
	[ "$total_fail" -eq 0 ]
	exit
}

for f in "$BUILD/zreaper-static" "$BUILD/static/zr-work"; do
	if [ ! -x "$f" ]; then
		broken "test-kernels" "$f is missing (make test-kernels builds it)"
		finish
	fi
done
if ! tools/deps.sh --kernels "$CACHE" >&2; then
	broken "test-kernels" "cannot fetch Debian's kernels into $CACHE"
	finish
fi

# The initramfs: busybox, the static binaries, the init and the scenarios.
root=$BUILD/kernels-root
rm -rf "$root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
cp "$BUILD/zreaper-static" "$root/zreaper"
cp "$BUILD/static/zr-work" "$root/zr-work"
cp tests/kernels/init tests/kernels/scenarios.sh "$root/"
initrd=$BUILD/kernels-initramfs.cpio.gz
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd" || {
	broken "test-kernels" "cannot build the initramfs"
	finish
}

logs=$BUILD/test-logs/kernels
mkdir -p "$logs"
rm -f "$logs"/*.log.1

# boot_guest IMAGE NAME DEGRADED BPF LOG: the scenarios in a TCG guest, 300 s at most, its
# console in LOG; true when the guest reached their end.
boot_guest() {
	timeout 300 qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -kernel "$1" \
		-initrd "$initrd" -display none -serial stdio -monitor none -no-reboot \
		-append "console=ttyS0 quiet loglevel=1 panic=-1 ZRK_NAME=$2 ZRK_DEGRADED=$3 ZRK_BPF=$4" \
		</dev/null >"$5" 2>&1
	grep -q '^ZRK-END' <(tr -d '\r' <"$5")
}
for entry in "${MATRIX[@]}"; do
	IFS='|' read -r glob degraded bpf <<<"$entry"
	image=$(compgen -G "$CACHE/vmlinuz-$glob" | sort -V | tail -n 1)
	if [ -z "$image" ]; then
		broken "$glob" "no kernel image in $CACHE"
		continue
	fi
	name=${image##*/vmlinuz-}
	log=$logs/$name.log
	t0=$(date +%s)
	if ! boot_guest "$image" "$name" "$degraded" "$bpf" "$log"; then
		# The emulator can stall for minutes on a busy host: the log is kept and the guest
		# booted once more; a hang or panic of our own comes back the second time.
		mv "$log" "$log.1"
		say "$name: the guest did not finish (log: $log.1); booting it once more"
		boot_guest "$image" "$name" "$degraded" "$bpf" "$log"
	fi
	secs=$(($(date +%s) - t0))
	tally "$name" "$log" "$secs"
	# A guest that died mid-way (panic, timeout) counts one failure beyond what it reported.
	grep -q '^ZRK-END' <(tr -d '\r' <"$log") ||
		broken "$name" "the guest did not finish the scenarios (log: $log)" "$log"
done

# The host's own kernel, in its own variant and in every fallback variant.
for variant in native fallback; do
	log=$logs/host-$variant.log
	name="host $(uname -r)"
	t0=$(date +%s)
	if [ "$variant" = native ]; then
		env ZR="$BUILD/zreaper-static" WORK="$BUILD/static/zr-work" KERNEL_NAME="$name" \
			EXPECT_DEGRADED= EXPECT_BPF= busybox sh tests/kernels/scenarios.sh >"$log" 2>&1
	else
		name="$name (ZREAPER_BPF_FALLBACK=all)"
		env ZREAPER_BPF_FALLBACK=all ZR="$BUILD/zreaper-static" WORK="$BUILD/static/zr-work" \
			KERNEL_NAME="$name" EXPECT_DEGRADED=wait_args_at_start \
			EXPECT_BPF=probe_read,entry,live_count busybox sh tests/kernels/scenarios.sh \
			>"$log" 2>&1
	fi
	tally "$name" "$log" "$(($(date +%s) - t0))"
done
finish
