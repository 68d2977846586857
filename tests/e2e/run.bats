#!/usr/bin/env bats
# run.bats - `zreaper run`, the init: as PID 1 of a pid namespace and as a child subreaper.
# Exit statuses, signal forwarding, orphan reaping, stdio, the end of descendants, bad
# commands and options, -e, tini mode, environment twins, the child's signal state, reap lines.
# No BPF and no root needed by run itself; the pid namespaces need root (or a user namespace).
# run_init.bats (a symlink here) runs them all against build/zreaper-init.
# shellcheck disable=SC2154 # bats sets $stderr and $stderr_lines
# shellcheck disable=SC2016 # $(...) in single quotes is for the sh inside

bats_require_minimum_version 1.5.0
load helpers

PROBE=${PROBE:-$BATS_TEST_DIRNAME/../../build/zr-initprobe}
# run_init.bats is a symlink to this file: the same tests again against make static's init-only
# build, which must pass every one of them.
STATIC=$BATS_TEST_DIRNAME/../../build/zreaper-static
if [[ $(basename "$BATS_TEST_FILENAME") == run_init.bats ]]; then
	ZR=$BATS_TEST_DIRNAME/../../build/zreaper-init
	STATIC=$ZR
fi

setup() {
	[[ -x $ZR ]] || skip "$ZR not built (make static)"
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# in_ns CMD...: CMD as PID 1 of a new pid namespace with its own /proc.
in_ns() {
	unshare --pid --fork --mount-proc "$@"
}

require_ns() {
	if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
		skip "needs root (or user namespaces) for a pid namespace"
	fi
}

# start_init MODE ARGS...: `zreaper run ARGS...` in the background, MODE pid1 (in a pid
# namespace) or sub (a child subreaper); sets INIT (its pid as seen from here) and BG (the pid
# to wait for), stdout/stderr in init.out/init.err.
start_init() {
	local mode=$1
	shift
	if [[ $mode == pid1 ]]; then
		unshare --pid --fork --mount-proc "$ZR" run "$@" >init.out 2>init.err &
		BG=$!
		record_pid "$BG"
		wait_until "[[ -n \$(cat /proc/$BG/task/$BG/children) ]]" 5
		INIT=$(tr -d ' ' <"/proc/$BG/task/$BG/children")
		record_pid "$INIT"
	else
		"$ZR" run "$@" >init.out 2>init.err &
		BG=$!
		record_pid "$BG"
		INIT=$BG
	fi
}

# wait_init: waits for the background init; its exit status in $INIT_RC.
wait_init() {
	INIT_RC=0
	wait "$BG" || INIT_RC=$?
	forget_pid "$BG"
}

# probe_ready FILE N: N processes of `zr-initprobe signals` are recording.
probe_ready() {
	[[ -f $1 ]] && [[ $(grep -c '^ready ' "$1") -ge $2 ]]
}

# got FILE SIG N: N processes recorded SIG.
got() {
	[[ $(grep -c " $2\$" "$1") -ge $3 ]]
}

@test "exit codes 0..255 pass through, as PID 1 and as subreaper" {
	require_ns
	local i rc
	for i in $(seq 0 255); do
		rc=0
		"$ZR" run -- sh -c "exit $i" || rc=$?
		[[ $rc -eq $i ]] || fail "subreaper: exit $i gave $rc"
	done
	for i in 0 1 3 42 126 127 128 255; do
		rc=0
		in_ns "$ZR" run -- sh -c "exit $i" || rc=$?
		[[ $rc -eq $i ]] || fail "PID 1: exit $i gave $rc"
	done
}

@test "death by signal N exits 128+N, as PID 1 and as subreaper" {
	require_ns
	local sig n
	for sig in TERM KILL USR1 SEGV ABRT; do
		n=$(kill -l "$sig")
		run "$ZR" run -- sh -c "kill -$sig \$\$"
		assert_equal "sub $sig: $status" "sub $sig: $((128 + n))"
		run in_ns "$ZR" run -- sh -c "kill -$sig \$\$"
		assert_equal "pid1 $sig: $status" "pid1 $sig: $((128 + n))"
	done
}

# forward_all MODE: each forwarded signal reaches the child, one at a time, then TERM ends it.
forward_all() {
	local sig
	start_init "$1" -- "$PROBE" signals "$PWD/sigs"
	wait_until "probe_ready sigs 1" 5
	for sig in INT HUP QUIT USR1 USR2 WINCH CONT TSTP TTIN TTOU ALRM TERM; do
		kill -"$sig" "$INIT"
		wait_until "got sigs SIG$sig 1" 5
	done
	wait_init
	assert_equal "$INIT_RC" 0
	assert_equal "$(grep -c ' SIG' sigs)" 12
}

@test "every signal is forwarded to the child, as PID 1" {
	require_ns
	forward_all pid1
}

@test "every signal is forwarded to the child, as subreaper" {
	forward_all sub
}

@test "-g forwards to the child's whole process group; without it only the child" {
	require_ns
	start_init pid1 -g -- "$PROBE" signals "$PWD/sigs" 2
	wait_until "probe_ready sigs 3" 5
	kill -USR1 "$INIT"
	wait_until "got sigs SIGUSR1 3" 5
	kill -TERM "$INIT"
	wait_init
	assert_equal "$INIT_RC" 0

	rm sigs
	start_init sub -- "$PROBE" signals "$PWD/sigs" 2
	wait_until "probe_ready sigs 3" 5
	kill -USR1 "$INIT"
	kill -TERM "$INIT"
	wait_init
	assert_equal "$INIT_RC" 0
	assert_equal "$(grep -c ' SIGUSR1$' sigs)" 1
}

# ids_of LINE: pid, process group and session of a /proc/PID/stat line whose comm has no
# space, as "PID PGRP SID".
ids_of() {
	local pid pgrp sid
	read -r pid _ _ _ pgrp sid _ <<<"${1%$'\r'}"
	printf '%s %s %s\n' "$pid" "$pgrp" "$sid"
}

@test "CMD leads its own session when run has no terminal; at one it stays in run's session" {
	require_ns
	local stat='exec cat /proc/self/stat'
	# setsid -w: run gets a session with no controlling terminal, as in a container.
	run -0 setsid -w "$ZR" run -- sh -c "$stat"
	read -r pid pgrp sid <<<"$(ids_of "$output")"
	assert_equal "$pgrp $sid" "$pid $pid"
	run -0 setsid -w unshare --pid --fork --mount-proc "$ZR" run -- sh -c "$stat"
	assert_equal "$(ids_of "$output")" "2 2 2"
	# script: run has a terminal (a pty); CMD gets its own group, in front, in run's session.
	run -0 script -qec "$ZR run -- sh -c '$stat'" /dev/null
	read -r pid pgrp sid <<<"$(ids_of "$output")"
	assert_equal "$pgrp" "$pid"
	[[ $sid != "$pid" ]] || fail "CMD left the terminal's session: $output"
}

@test "2,000 double-fork orphans leave no zombie, as PID 1" {
	require_ns
	# Inside the namespace: make the orphans, then poll /proc until no zombie is left.
	run -0 in_ns "$ZR" run -- sh -c "$PROBE orphans 2000 || exit 9
		for i in \$(seq 200); do
			n=\$(grep -l '^State:.Z' /proc/[0-9]*/status 2>/dev/null | wc -l)
			[ \"\$n\" -eq 0 ] && exit 0
			sleep 0.05
		done
		echo \"\$n zombies left\"; exit 1"
}

@test "2,000 double-fork orphans are all reaped by the subreaper, one line each" {
	run -0 --separate-stderr "$ZR" run --log-reaps -- sh -c "$PROBE orphans 2000"
	assert_equal "$(grep -c 'reaped orphan .*: exit 0' <<<"$stderr")" 2000
}

# zombies_of PID: how many of PID's children are zombies.
zombies_of() {
	pgrep -c -r Z -P "$1" || true
}

@test "a backlog of zombies with no exit coming is reaped without pauses, as PID 1" {
	require_ns
	# The init is stopped while 3,000 orphans exit and continued once they are all zombies:
	# nothing exits any more, so every drain its 1 ms slice cuts short is followed by the next
	# at once (a pause would only make the backlog wait).
	start_init pid1 -vv -- sh -c 'until [ -e go.flag ]; do sleep 0.02; done
		'"$PROBE"' orphans 3000 || exit 9
		until [ -e end.flag ]; do sleep 0.02; done'
	kill -STOP "$INIT"
	touch go.flag
	wait_until "[[ \$(zombies_of $INIT) -ge 3000 ]]" 30
	kill -CONT "$INIT"
	wait_until "[[ \$(zombies_of $INIT) -eq 0 ]]" 30
	touch end.flag
	wait_init
	assert_equal "$INIT_RC" 0
	assert_equal "$(grep -c 'reaped orphan .*: exit 0' init.err)" 3000
	cut=$(grep -c 'reaped [0-9]* in [0-9]* us of waitpid, more may be ready' init.err)
	[[ $cut -ge 2 ]] || fail "no drain was cut short: $(grep 'of waitpid' init.err)"
	paused=$(grep 'more may be ready' init.err | grep -v 'no child exited meanwhile: next drain now' || true)
	assert_equal "$paused" ""
}

@test "stdin, stdout and stderr pass through untouched" {
	echo "from stdin" >in.txt
	run -0 --separate-stderr "$ZR" run -- sh -c 'cat; echo to-stderr >&2' <in.txt
	assert_output "from stdin"
	assert_equal "$stderr" "to-stderr"
	# The very same open files, not copies.
	"$ZR" run -- sh -c 'readlink /proc/self/fd/0 /proc/self/fd/1; readlink /proc/self/fd/2 >&2' \
		<in.txt >out.txt 2>err.txt
	assert_equal "$(cat out.txt)" "$PWD/in.txt
$PWD/out.txt"
	assert_equal "$(cat err.txt)" "$PWD/err.txt"
}

@test "descendants left when the child exits get SIGTERM (PID 1: kill -1; subreaper: its tree)" {
	require_ns
	run -0 --separate-stderr in_ns "$ZR" run --log-reaps -- sh -c 'sleep 100 & sleep 100 &
		until [ $(pgrep -cx sleep) -ge 2 ]; do sleep 0.01; done'
	assert_equal "$(grep -c 'reaped orphan [0-9]* (sleep): killed by SIGTERM' <<<"$stderr")" 2
	# Not PID 1 (under a namespace's sh, so the orphans never reach the host's init): a grandchild
	# in its own session is found through /proc as a descendant.
	run -0 --separate-stderr in_ns sh -c "$ZR run --log-reaps -- sh -c 'setsid sleep 100 & sh -c \"sleep 100; :\" &
			until [ \$(pgrep -cx sleep) -ge 2 ]; do sleep 0.01; done; exit 3'
		echo rc=\$?; pgrep -x sleep || echo none left"
	assert_output "rc=3
none left"
	# The setsid sleep is an orphan of run's. The other sleep and its sh both get SIGTERM: if the
	# sleep dies first its sh reaps it, else run reaps them both; 2 lines or 3.
	[[ $(grep -c 'reaped orphan [0-9]* (sleep): killed by SIGTERM' <<<"$stderr") -ge 1 &&
		$(grep -cE 'reaped orphan [0-9]* \((sleep|sh)\): killed by SIGTERM' <<<"$stderr") -ge 2 ]] ||
		fail "expected both sleeps to get SIGTERM: $stderr"
}

@test "a descendant ignoring SIGTERM gets SIGKILL after --grace" {
	require_ns
	local t0 t1
	t0=$(date +%s%N)
	# The child exits once the descendant has SIGTERM blocked (the file says so).
	run -7 --separate-stderr in_ns "$ZR" run --grace 300ms --log-reaps -- \
		sh -c "$PROBE blocked TERM bash -c 'touch $PWD/ready; exec sleep 100' &
			while [ ! -e $PWD/ready ]; do sleep 0.01; done; exit 7"
	t1=$(date +%s%N)
	assert_regex "$stderr" 'reaped orphan [0-9]+ \(sleep\): killed by SIGKILL'
	(((t1 - t0) >= 300000000)) || fail "SIGKILL came before the grace period"
	(((t1 - t0) < 5000000000)) || fail "--grace 300ms was not used"
}

@test "--no-kill leaves the descendants running" {
	require_ns
	run -0 in_ns sh -c "$ZR run --no-kill -- sh -c 'sleep 100 & echo \$! >$PWD/pid; exit 0' || exit 8
		kill -0 \$(cat $PWD/pid) && echo alive"
	assert_output "alive"
	run -0 in_ns sh -c "ZREAPER_NO_KILL=1 $ZR run -- sh -c 'sleep 100 & echo \$! >$PWD/pid'
		kill -0 \$(cat $PWD/pid) && echo alive"
	assert_output "alive"
}

@test "a command that cannot run: 127 not found, 126 not executable, one line" {
	printf 'echo hi\n' >noexec.sh
	chmod 644 noexec.sh
	run -127 --separate-stderr "$ZR" run -- no-such-command-zr
	assert_equal "$stderr" "zreaper: cannot run 'no-such-command-zr': No such file or directory"
	run -127 --separate-stderr "$ZR" run -- ./missing
	run -126 --separate-stderr "$ZR" run -- ./noexec.sh
	assert_equal "$stderr" "zreaper: cannot run './noexec.sh': Permission denied"
	run -126 --separate-stderr "$ZR" run -- /
	assert_equal "${#stderr_lines[@]}" 1
	# A script without #! runs under /bin/sh, as execvp does.
	chmod 755 noexec.sh
	run -0 "$ZR" run -- ./noexec.sh
	assert_output "hi"
}

# usage_error ARGS...: `zreaper ARGS...` exits 2, one line on stderr, nothing on stdout.
usage_error() {
	run -2 --separate-stderr "$ZR" "$@"
	assert_output ""
	[[ ${#stderr_lines[@]} -eq 1 ]] || fail "zreaper $*: expected one stderr line: $stderr"
	assert_regex "$stderr" '^zreaper: '
}

@test "bad options and a missing CMD: exit 2 with one line" {
	usage_error run
	assert_regex "$stderr" 'missing command'
	usage_error run --
	usage_error run --bogus -- true
	assert_regex "$stderr" "'--bogus'"
	usage_error run -Z true
	usage_error run -e 256 true
	usage_error run -e x true
	usage_error run -p NOTASIG true
	usage_error run --grace 0 true
	usage_error run --grace
	assert_regex "$stderr" 'needs a value'
	ZREAPER_GROUP=maybe usage_error run true
	assert_regex "$stderr" 'ZREAPER_GROUP'
	ZREAPER_GRACE=-1s usage_error run true
	TINI_VERBOSITY=x usage_error run true
	run -0 "$ZR" run --help
	assert_output --partial "Usage: zreaper run"
}

@test "-e CODE maps exit codes to 0 (143 for a SIGTERM death), repeatable" {
	run -0 "$ZR" run -e 143 -- sh -c 'kill -TERM $$'
	run -0 "$ZR" run -e 3 -e 4 -- sh -c 'exit 4'
	run -5 "$ZR" run -e 3 -e 4 -- sh -c 'exit 5'
	run -0 "$ZR" run --remap-exit 143 -- sh -c 'exit 143'
}

@test "tini mode: started as tini through a symlink, tini's command line" {
	require_ns
	ln -s "$(readlink -f "$ZR")" tini
	run -0 ./tini -e 3 -- sh -c 'exit 3'
	run -4 ./tini -s -g -w sh -c 'exit 4'
	run -0 in_ns ./tini -v -- true
	run -0 --separate-stderr ./tini -vv -- true
	assert_regex "$stderr" 'subreaper'
	run -2 --separate-stderr ./tini --no-kill true
	assert_equal "${#stderr_lines[@]}" 1
	run -2 --separate-stderr ./tini
	run -0 ./tini -h
	assert_output --partial "Usage: tini"
	run -0 ./tini --version
	# tini's options end at the first non-option: -c is sh's.
	run -0 ./tini sh -c 'exit 0'
}

@test "tini mode: under a runtime's name for its init, or with tini's options first" {
	local zr
	zr=$(readlink -f "$ZR")
	# docker runs its init as docker-init -- CMD, podman as /run/podman-init -- CMD.
	ln -s "$zr" docker-init
	ln -s "$zr" podman-init
	run -3 ./docker-init -- sh -c 'exit 3'
	run -4 ./podman-init -s -- sh -c 'exit 4'
	run -0 ./podman-init -h
	assert_output --partial "Usage: tini"
	# Under zreaper's own name: "--" or one of tini's options where a command would be.
	run -5 "$ZR" -- sh -c 'exit 5'
	run -6 "$ZR" -s -g -- sh -c 'exit 6'
	run -0 "$ZR" -e 7 sh -c 'exit 7'
	run -2 --separate-stderr "$ZR" -s
	assert_regex "$stderr" 'missing command'
	# zreaper's own command line is unchanged.
	run -8 "$ZR" run -- sh -c 'exit 8'
	run -0 "$ZR" --help
	assert_output --partial "Usage: zreaper COMMAND"
	run -0 "$ZR" --version
	run -2 --separate-stderr "$ZR" --bogus
	assert_regex "$stderr" "unknown command '--bogus'"
}

@test "tini mode: tini's subreaper rule, its warning and its reap wording" {
	ln -s "$(readlink -f "$ZR")" tini
	# Not PID 1 and no -s: as tini, no subreaper, and tini's warning says why.
	run -0 --separate-stderr ./tini -w -- "$PROBE" orphan orph 0
	assert_regex "$stderr" "zombie reaping won't work"
	refute_regex "$stderr" 'Reaped zombie process'
	run -0 --separate-stderr env TINI_VERBOSITY=0 ./tini -- true
	assert_equal "$stderr" ""
	# -s or TINI_SUBREAPER (any value): orphans come here, reported in tini's words.
	run -0 --separate-stderr ./tini -s -w -- "$PROBE" orphan orph 0
	assert_regex "$stderr" 'Reaped zombie process with pid=[0-9]+ \(orph\): exit 0'
	refute_regex "$stderr" "won't work"
	run -0 --separate-stderr env TINI_SUBREAPER= ./tini -w -- "$PROBE" orphan orph 0
	assert_regex "$stderr" 'Reaped zombie process with pid=[0-9]+ \(orph\)'
	# Without -w the reaps are silent, as in tini.
	run -0 --separate-stderr ./tini -s -- "$PROBE" orphan orph 0
	assert_equal "$stderr" ""
}

@test "environment twins: ZREAPER_* and tini's TINI_*" {
	run -0 env ZREAPER_REMAP_EXIT=3,5 "$ZR" run -- sh -c 'exit 5'
	run -0 --separate-stderr env TINI_VERBOSITY=2 "$ZR" run -- true
	assert_regex "$stderr" 'not PID 1: registered as a child subreaper'
	run -0 --separate-stderr env ZREAPER_VERBOSITY=0 TINI_VERBOSITY=3 "$ZR" run -- true
	assert_equal "$stderr" ""
	run -0 --separate-stderr env ZREAPER_LOG_REAPS=1 "$ZR" run -- "$PROBE" orphan orph 0
	assert_regex "$stderr" 'reaped orphan [0-9]+ \(orph\): exit 0'
	run -0 --separate-stderr env ZREAPER_LOG_REAPS=1 ZREAPER_JSON=true "$ZR" run -- "$PROBE" orphan orph 0
	assert_equal "$(jq -r .comm <<<"$stderr")" orph
	# TINI_KILL_PROCESS_GROUP and ZREAPER_GROUP: the whole group gets the signal.
	local var
	for var in TINI_KILL_PROCESS_GROUP ZREAPER_GROUP; do
		rm -f sigs
		env "$var=1" "$ZR" run -- "$PROBE" signals "$PWD/sigs" 2 >/dev/null &
		BG=$!
		INIT=$BG
		record_pid "$BG"
		wait_until "probe_ready sigs 3" 5
		kill -USR1 "$INIT"
		wait_until "got sigs SIGUSR1 3" 5
		kill -TERM "$INIT"
		wait_init
		assert_equal "$var: $INIT_RC" "$var: 0"
	done
}

@test "the child gets back the signal mask and ignored signals run was started with" {
	local want got
	# SIGUSR1 ignored (bit 10 of SigIgn): the child sees it ignored too.
	want=$( (trap '' USR1 HUP; grep '^SigIgn' /proc/self/status))
	got=$( (trap '' USR1 HUP; "$ZR" run -- grep '^SigIgn' /proc/self/status))
	assert_equal "$got" "$want"
	assert_regex "$got" '2[0-9a-f][0-9a-f]$' # SIGUSR1 is 0x200
	# SIGUSR1 blocked: blocked in the child as well; nothing else is.
	want=$("$PROBE" blocked USR1 grep '^SigBlk' /proc/self/status)
	got=$("$PROBE" blocked USR1 "$ZR" run -- grep '^SigBlk' /proc/self/status)
	assert_equal "$got" "$want"
	assert_equal "$got" "SigBlk:	0000000000000200"
	# And without either: nothing blocked, nothing extra ignored.
	got=$("$ZR" run -- grep '^SigBlk' /proc/self/status)
	assert_equal "$got" "SigBlk:	0000000000000000"
}

@test "--log-reaps: pid, comm (escaped), exit status, lifetime; --json fields" {
	local pid
	run -0 --separate-stderr "$ZR" run --log-reaps -- "$PROBE" orphan 'my orphan' 7
	pid=$output
	assert_regex "$stderr" "^zreaper: reaped orphan $pid \\(my orphan\\): exit 7, lived [0-9]+\\.[0-9]{3}s$"
	run -0 --separate-stderr "$ZR" run --log-reaps -- "$PROBE" orphan $'esc\033x' 0
	assert_regex "$stderr" 'reaped orphan [0-9]+ \(esc\\ex\): exit 0'
	run -0 --separate-stderr "$ZR" run --json -- "$PROBE" orphan $'esc\033x' 7
	pid=$output
	assert_equal "$(jq -c '[.event, .pid, .comm, .exit_code, .signal, .core_dumped]' <<<"$stderr")" \
		"[\"reap\",$pid,\"esc\\u001bx\",7,null,false]"
	[[ $(jq '.lifetime_ns >= 0 and (.ts | test("Z$"))' <<<"$stderr") == true ]] ||
		fail "bad lifetime_ns or ts: $stderr"
	# Killed orphans carry the signal and a null exit_code.
	run -0 --separate-stderr "$ZR" run --json -- sh -c 'sleep 100 & exit 0'
	assert_equal "$(jq -c '[.exit_code, .signal]' <<<"$stderr")" '[null,"SIGTERM"]'
}

@test "works unprivileged" {
	if [[ $(id -u) -ne 0 ]] || ! command -v setpriv >/dev/null; then
		skip "needs root to drop to nobody with setpriv"
	fi
	cd / || exit 1
	# The checkout may sit in a directory only root can enter (a CI clone in mktemp -d):
	# give nobody copies it can execute.
	bin=$(mktemp -d /tmp/zr-nobody.XXXXXX)
	chmod 755 "$bin"
	cp "$ZR" "$bin/zreaper"
	cp "$PROBE" "$bin/"
	run -3 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$bin/zreaper" run -v --log-reaps -- sh -c "$bin/$(basename "$PROBE") orphans 50; exit 3"
	rm -rf "$bin"
	assert_regex "$stderr" 'registered as a child subreaper'
	assert_equal "$(grep -c 'reaped orphan' <<<"$stderr")" 50
}

@test "make static: the static build runs in an empty chroot, running a child as PID 1" {
	[[ -x $STATIC ]] || skip "$STATIC not built (make static)"
	[[ $(id -u) -eq 0 ]] || skip "needs root for chroot"
	mkdir root
	cp "$STATIC" root/zreaper
	run -0 chroot root /zreaper run -- /zreaper --version
	assert_output --partial "zreaper "
	# PID 1 of a new pid namespace in the chroot: the child runs, its status comes back.
	run -0 unshare --pid --fork chroot root /zreaper run -- /zreaper --version
	assert_output --partial "zreaper "
	run -127 --separate-stderr unshare --pid --fork chroot root /zreaper run -- /nope
	assert_equal "$stderr" "zreaper: cannot run '/nope': No such file or directory"
	run -127 unshare --pid --fork chroot root /zreaper run -- /zreaper run -- /nope
}

@test "make static: the init-only build is at most tini-static's 708 KB, and held to it" {
	local init=$BATS_TEST_DIRNAME/../../build/zreaper-init
	local size=$BATS_TEST_DIRNAME/../../tools/static-size.sh
	[[ -x $init ]] || skip "$init not built (make static)"
	run -0 "$size" 708 "$init"
	assert_regex "$output" '^  SIZE  .*zreaper-init [0-9]+ bytes \([0-9]+ KB\)$'
	(($(stat -c %s "$init") <= 708 * 1024)) || fail "$output"
	run -1 --separate-stderr "$size" 50 "$init"
	assert_regex "$stderr" 'over the 50 KB limit'
}
