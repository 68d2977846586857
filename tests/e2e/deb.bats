#!/usr/bin/env bats
# deb.bats - the package make deb builds (build/zreaper_<version>_<arch>.deb, a prerequisite of
# make test): lintian finds no error; installed on this machine, zreaper runs from PATH, its
# man pages, completion and unit (present, not enabled, verified by systemd) are in place;
# removed and purged, nothing of it is left.
# shellcheck disable=SC2154 # bats sets $stderr
# shellcheck disable=SC2016 # ${...} in single quotes is for dpkg-query and the inner bash

bats_require_minimum_version 1.5.0
load helpers

ROOT=$BATS_TEST_DIRNAME/../..
DEB=$ROOT/build/zreaper_$(cat "$ROOT/VERSION")_$(dpkg --print-architecture).deb
# The PATH a root shell on Debian starts with.
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

setup() {
	require_root
	[[ -f $DEB ]] || fail "$DEB not built (make deb)"
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# Whatever a failed test left installed goes.
teardown() {
	if [[ -f $BATS_TEST_TMPDIR/installed ]]; then
		dpkg -P zreaper >/dev/null 2>&1 || true
	fi
	kill_recorded
}

@test "lintian: no error" {
	command -v lintian >/dev/null || fail "lintian missing (make deps)"
	run -0 --separate-stderr lintian --fail-on error "$DEB"
	echo "$output" # warnings, for the log
}

@test "installed: zreaper from PATH, man pages, completion, the unit not enabled; purge leaves nothing" {
	if dpkg-query -W -f='${db:Status-Status}' zreaper 2>/dev/null | grep -qv not-installed; then
		skip "a zreaper package is already installed on this machine: not touching it"
	fi
	local f files=()
	touch installed
	run -0 dpkg -i "$DEB"

	run -0 env PATH=$SYS_PATH sh -c 'command -v zreaper'
	assert_output /usr/sbin/zreaper
	run -0 env PATH=$SYS_PATH zreaper --version
	assert_output "zreaper $(cat "$ROOT/VERSION")"
	run -0 --separate-stderr env PATH=$SYS_PATH zreaper trace --json --duration 1s
	assert_equal "$(head -n 1 <<<"$output" | jq -r .event) $(tail -n 1 <<<"$output" | jq -r .event)" \
		"start stop"

	run -0 man -w zreaper
	assert_output /usr/share/man/man8/zreaper.8.gz
	run -0 env MANPAGER=cat MANWIDTH=80 man zreaper-trace
	assert_output --partial "stream the life and death of processes"

	# The completion file, found by bash-completion's loader as an interactive shell would.
	[[ -f /usr/share/bash-completion/completions/zreaper ]] || fail "no completion file"
	run -0 bash -c 'source /usr/share/bash-completion/bash_completion
		_completion_loader zreaper
		COMP_WORDS=(zreaper tr) COMP_CWORD=1 COMP_LINE="zreaper tr" COMP_POINT=10
		_zreaper zreaper tr zreaper
		echo "${COMPREPLY[*]}"'
	assert_output "trace tree"

	[[ -f /lib/systemd/system/zreaper.service ]] || fail "no unit"
	run -0 grep '^ExecStart=/usr/sbin/zreaper trace ' /lib/systemd/system/zreaper.service
	run systemctl is-enabled zreaper.service
	assert_output disabled
	[[ ! -e /etc/systemd/system/multi-user.target.wants/zreaper.service ]] || fail "unit enabled"
	run -0 --separate-stderr systemd-analyze verify /lib/systemd/system/zreaper.service
	assert_equal "$output$stderr" ""

	mapfile -t files < <(dpkg -L zreaper)
	run -0 dpkg -r zreaper
	run -0 dpkg -P zreaper
	rm installed
	run -1 dpkg-query -W -f='${db:Status-Status}' zreaper
	for f in "${files[@]}"; do
		[[ -d $f && $f != */zreaper ]] && continue # shared folders (/usr/share/man...) stay
		[[ ! -e $f ]] || fail "left behind: $f"
	done
	[[ ! -e /var/log/zreaper ]] || fail "left behind: /var/log/zreaper"
	run -0 find /etc/systemd /var/lib/systemd -name '*zreaper*'
	assert_output ""
}
