#!/usr/bin/env bats
# install.bats - make install / make uninstall with PREFIX and DESTDIR: every file where it
# belongs under DESTDIR, the systemd unit started from the installed binary, and nothing left
# after make uninstall.

bats_require_minimum_version 1.5.0
load helpers

ROOT=$BATS_TEST_DIRNAME/../..

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# installed_files PREFIX: the files make install writes under PREFIX (without the leading /).
installed_files() {
	local p=${1#/} page
	echo "$p/sbin/zreaper"
	echo "$p/lib/systemd/system/zreaper.service"
	echo "$p/share/bash-completion/completions/zreaper"
	for page in "$ROOT"/tools/man/*.8; do
		echo "$p/share/man/man8/$(basename "$page")"
	done
	echo "$p/share/zreaper/daemonset.yaml"
	echo "$p/share/zreaper/daemonset-reap.yaml"
	echo "$p/share/zreaper/zreaper-alerts.yml"
}

# make_in_root ARGS...: make in the checkout, quietly; fails the test when make does.
make_in_root() {
	run -0 make -C "$ROOT" --no-print-directory "$@"
}

@test "make install: DESTDIR and PREFIX, every file, the unit at the installed binary" {
	local d=$PWD/stage
	make_in_root install DESTDIR="$d" PREFIX=/opt/zr
	assert_equal "$(find "$d" -type f -printf '%P\n' | sort)" "$(installed_files /opt/zr | sort)"
	assert_equal "$(stat -c %a "$d/opt/zr/sbin/zreaper")" 755
	run -0 "$d/opt/zr/sbin/zreaper" --version
	assert_output "zreaper $(cat "$ROOT/VERSION")"
	# The unit is the one in tools/deploy, started from where the binary now is.
	run -0 grep '^ExecStart=' "$d/opt/zr/lib/systemd/system/zreaper.service"
	assert_regex "$output" '^ExecStart=/opt/zr/sbin/zreaper trace '
	run -0 diff <(grep -v '^ExecStart=' "$ROOT/tools/deploy/zreaper.service") \
		<(grep -v '^ExecStart=' "$d/opt/zr/lib/systemd/system/zreaper.service")
	run -0 env MANPATH="$d/opt/zr/share/man" man -w zreaper-trace
	assert_output "$d/opt/zr/share/man/man8/zreaper-trace.8"
}

@test "make install: the default PREFIX is /usr/local; the unit as tools/deploy has it" {
	local d=$PWD/stage
	make_in_root install DESTDIR="$d"
	assert_equal "$(find "$d" -type f -printf '%P\n' | sort)" "$(installed_files /usr/local | sort)"
	run -0 cmp "$ROOT/tools/deploy/zreaper.service" "$d/usr/local/lib/systemd/system/zreaper.service"
}

@test "make uninstall: removes every file it installed, and the share/zreaper folder" {
	local d=$PWD/stage
	make_in_root install DESTDIR="$d" PREFIX=/usr
	touch "$d/usr/sbin/other-tool"
	make_in_root uninstall DESTDIR="$d" PREFIX=/usr
	assert_equal "$(find "$d" -type f -printf '%P\n')" "usr/sbin/other-tool"
	[[ ! -e $d/usr/share/zreaper ]] || fail "share/zreaper left behind"
	# Twice is fine: nothing to remove is not an error.
	make_in_root uninstall DESTDIR="$d" PREFIX=/usr
}
