#!/usr/bin/env bats
# reap.bats - `zreaper reap`: inject reaps exactly the zombies of a sleeping, a read()-blocked,
# a spinning, a handler and a multi-threaded parent, which then behave as before; nudge works
# on a handler that lost its SIGCHLD and does nothing to a parent that never waits, then
# escalates; refusals (traced parent, host PID 1, outside --only); a container's PID 1 with
# pids translated; kill-parent; --dry-run changes nothing; the daemon's zombies from kernel
# events (trace's detector) and, without BPF, from /proc with one warning; a flood of 200
# zombies a second reaped in one stop of the parent a pass; bad options exit 2.
# Real processes from tools/zr-parent.c. Every run names its parents with --only (other
# suites' zombies on this host are never touched), or is a --dry-run.
# shellcheck disable=SC2154 # bats sets $stderr and $stderr_lines

bats_require_minimum_version 1.5.0
load helpers

PARENT=${PARENT:-$BATS_TEST_DIRNAME/../../build/zr-parent}
FAST=(--older-than 0 --step 300ms --json) # 0: any age, at once (--once)

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# start_parent NAME MODE [ARGS...]: zr-parent MODE in the background, commands through
# NAME.fifo, output in NAME.out; returns at "ready". Sets P (its pid as seen here), KEEPER,
# Z (its zombies, space-separated). With PIDNS=1 it runs as PID 1 of a new pid namespace and
# the pids it prints are its own namespace's: P, KEEPER and Z are then read from /proc.
start_parent() {
	local name=$1 mode=$2 bg
	shift 2
	mkfifo "$name.fifo"
	if [[ ${PIDNS:-0} == 1 ]]; then
		unshare --pid --fork --kill-child --mount-proc "$PARENT" -c "$name.fifo" "$@" \
			"$mode" >"$name.out" 2>"$name.err" 3>&- &
	else
		"$PARENT" -c "$name.fifo" "$@" "$mode" >"$name.out" 2>"$name.err" 3>&- &
	fi
	bg=$!
	record_pid "$bg"
	wait_until "grep -qx ready '$name.out'" 10
	if [[ ${PIDNS:-0} == 1 ]]; then
		P=$(tr -d ' ' <"/proc/$bg/task/$bg/children")
		Z=$(zombies_of "$P")
		KEEPER=$(live_children_of "$P")
	else
		P=$bg
		Z=$(awk '$1 == "zombie" { print $2 }' "$name.out" | xargs)
		KEEPER=$(awk '$1 == "keeper" { print $2 }' "$name.out")
	fi
	record_pid "$KEEPER"
	[[ -n $Z ]] || fail "no zombies from $mode"
}

# zombies_of PID / live_children_of PID: children of every thread of PID, by state.
zombies_of() {
	local c
	# shellcheck disable=SC2013 # one line of space-separated pids per thread
	for c in $(cat /proc/"$1"/task/*/children); do
		[[ $(state_of "$c") == Z ]] && echo "$c"
	done | xargs
}

# count_zombies_of PID: how many children of PID are zombies, in one pass (a flood has 1,000).
count_zombies_of() {
	local kids=()
	read -r -a kids <<<"$(cat /proc/"$1"/task/*/children)"
	((${#kids[@]})) || { echo 0 && return; }
	(cd /proc && awk '$3 == "Z" { n++ } END { print n + 0 }' "${kids[@]/%//stat}" 2>/dev/null)
}

live_children_of() {
	local c
	# shellcheck disable=SC2013 # one line of space-separated pids per thread
	for c in $(cat /proc/"$1"/task/*/children); do
		[[ $(state_of "$c") != Z ]] && echo "$c"
	done | xargs
}

# state_of PID: the ps letter (comm holds no ')' here), empty when gone.
state_of() {
	sed -n 's/.*) \(.\) .*/\1/p' "/proc/$1/stat" 2>/dev/null
}

# ask NAME CMD PATTERN: sends CMD to the parent, waits for a new line matching PATTERN (grep -E)
# and leaves the last such line in $ANSWER.
ask() {
	local n
	n=$(wc -l <"$1.out")
	echo "$2" >"$1.fifo"
	wait_until "tail -n +$((n + 1)) '$1.out' | grep -qE '$3'" 5
	ANSWER=$(tail -n +$((n + 1)) "$1.out" | grep -E "$3" | tail -n 1)
}

# assert_jq PID EXPR: EXPR is true on every action line of zombie PID (jq 1.6's -e misjudges
# inputs that select nothing, hence no -e).
assert_jq() {
	local got
	got=$(jq -r "select(.event == \"action\" and .pid == $1) | $2" <<<"$output" | sort -u)
	assert_equal "$1: $got" "$1: true"
}

# reap ARGS...: `zreaper reap ARGS...`, stdout in $output (JSON lines), stderr in $stderr.
reap() {
	run --separate-stderr "$ZR" reap "$@"
}

# outcome PID ACTION: the outcomes of ACTION on zombie PID, in order, space-separated.
outcome() {
	jq -r "select(.event == \"action\" and .pid == $1 and .action == \"$2\") | .outcome" \
		<<<"$output" | xargs
}

# assert_all_reaped ACTION PIDS...: each zombie's ACTION says reaped and it is gone.
assert_all_reaped() {
	local action=$1 z
	shift
	for z in "$@"; do
		assert_equal "$z $(outcome "$z" "$action")" "$z reaped"
		[[ -z $(state_of "$z") ]] || fail "zombie $z still there"
	done
}

# assert_unharmed NAME: the parent is alive, not traced, not stopped, reported no error, and
# a waitpid of its live child still works.
assert_unharmed() {
	local name=$1
	kill -0 "$P"
	assert_equal "$(awk '/^TracerPid:/ { print $2 }' "/proc/$P/status")" 0
	[[ $(state_of "$P") != [Tt] ]] || fail "parent $P left stopped"
	ask "$name" wait '^(waited|error) '
	# KEEPER as the parent sees it: in a pid namespace, its own number there.
	assert_regex "$ANSWER" '^waited [0-9]+ 9$'
	run -1 grep '^error' "$name.out"
}

@test "inject: a sleeping parent's zombies are reaped; it sleeps on, waitpid still works" {
	start_parent s sleep -n 3
	reap --once --actions inject "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 0
	# shellcheck disable=SC2086
	assert_all_reaped inject $Z
	assert_equal "$(jq -r 'select(.pid == '"${Z%% *}"') | [.parent.pid, .dry_run, .policy] | @tsv' <<<"$output")" \
		"$P	false	pid=$P"
	assert_unharmed s
}

@test "inject: a parent blocked in read() on a pipe reads what is written later" {
	start_parent r read
	# Blocked in read(2) (syscall 0) when the injection comes.
	wait_until "[[ \$(cut -d' ' -f1 /proc/$P/syscall) == 0 ]]" 5
	reap --once --actions inject "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 0
	# shellcheck disable=SC2086
	assert_all_reaped inject $Z
	ask r "echo still-reading" '^echo still-reading$'
	assert_equal "$(cut -d' ' -f1 "/proc/$P/syscall")" 0
	assert_unharmed r
}

@test "inject: a parent spinning in user code keeps counting" {
	local before after
	start_parent p spin
	ask p count '^count '
	before=$(awk '{ print $2 }' <<<"$ANSWER")
	reap --once --actions inject "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 0
	# shellcheck disable=SC2086
	assert_all_reaped inject $Z
	ask p count '^count '
	after=$(awk '{ print $2 }' <<<"$ANSWER")
	((after > before)) || fail "counter stuck: $before then $after"
	assert_unharmed p
}

@test "inject: a multi-threaded parent, zombies forked by two threads, keeps its threads" {
	start_parent t threads -n 4 -t 3
	assert_equal "$(awk '/^Threads:/ { print $2 }' "/proc/$P/status")" 4
	reap --once --actions inject "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 0
	# shellcheck disable=SC2086
	assert_all_reaped inject $Z
	ask t threads '^threads '
	assert_equal "$ANSWER" "threads 4"
	assert_unharmed t
}

@test "inject: a parent with a SIGCHLD handler; the handler never ran for them" {
	start_parent h handler
	reap --once --actions inject "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 0
	# shellcheck disable=SC2086
	assert_all_reaped inject $Z
	ask h count '^count '
	assert_regex "$ANSWER" '^count [0-9]+ reaped 0$'
	assert_unharmed h
}

@test "nudge: a handler that lost its SIGCHLD reaps once nudged" {
	start_parent h handler
	reap --once --actions nudge "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 0
	# shellcheck disable=SC2086
	assert_all_reaped nudge $Z
	ask h count '^count '
	assert_regex "$ANSWER" '^count [0-9]+ reaped 2$'
}

@test "nudge: no effect on a parent that never waits; escalates to inject when allowed" {
	local z
	start_parent s sleep
	reap --once --actions nudge "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 1
	for z in $Z; do
		assert_equal "$(outcome "$z" nudge)" no_effect
		assert_equal "$(state_of "$z")" Z
		assert_jq "$z" '.reason | test("did not reap")'
	done
	reap --once --actions nudge,inject "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 0
	for z in $Z; do
		assert_equal "$(jq -r "select(.pid == $z) | \"\(.action)=\(.outcome)\"" <<<"$output" | xargs)" \
			"nudge=no_effect inject=reaped"
	done
	assert_unharmed s
}

@test "refused: a parent already traced is left alone, not stopped, zombies kept; said once" {
	local tracer z
	start_parent s sleep -n 3
	"$PARENT" tracer "$P" >tracer.out 2>&1 3>&- &
	tracer=$!
	record_pid "$tracer"
	wait_until "grep -q '^tracing' tracer.out" 5
	reap --once --actions inject "${FAST[@]}" --only "pid=$P" --metrics-textfile m.prom
	assert_equal "$status" 1
	# one line for the parent and this reason, not one per zombie (other parents' zombies on
	# this host, outside --only, may add lines of their own)
	assert_equal "$(jq -r "select(.parent.pid == $P) | [.action, .outcome, .reason] | @tsv" <<<"$output")" \
		"inject	refused	parent $P is already traced by $tracer; it is left alone"
	# the counter has every one of the three (and those other parents' zombies)
	(($(awk '$1 == "zreaper_reap_actions_total{action=\"inject\",outcome=\"refused\"}" { print $2 }' m.prom) >= 3))
	for z in $Z; do
		assert_equal "$(state_of "$z")" Z
	done
	kill "$tracer"
	wait "$tracer" || true
	forget_pid "$tracer"
	assert_unharmed s
}

@test "refused: the host's PID 1 is protected (dry run, so nothing could change anyway)" {
	local z='' comm _
	comm=$(cat /proc/1/comm)
	# An orphan that exits while the host's PID 1 (slow to reap here) holds it.
	for _ in 1 2 3; do
		(sleep 0.2 3>&- & echo $! >orphan.pid) 3>&- &
		wait
		z=$(cat orphan.pid)
		wait_until "[[ \$(state_of $z) != S ]]" 5 || true
		if [[ $(state_of "$z") == Z ]] && [[ $(awk '{ print $4 }' "/proc/$z/stat") == 1 ]]; then
			break
		fi
		z=
	done
	[[ -n $z ]] || skip "no zombie under PID 1 lasted (a subreaper above us, or PID 1 is quick)"
	reap --once --dry-run --actions nudge,inject --older-than 10ms --json --only "comm=$comm"
	# one line for PID 1 and this reason, whichever of its zombies it names
	assert_equal "$(jq -r "select(.parent.pid == 1) | [.outcome, .policy] | @tsv" <<<"$output")" \
		"refused	protected:host_init"
}

@test "refused: a parent outside --only; inject reaps exactly the selected parent's zombies" {
	local a az b bz z
	start_parent a sleep
	a=$P az=$Z
	start_parent b sleep
	b=$P bz=$Z
	reap --once --actions inject "${FAST[@]}" --only "pid=$a" --only "comm=zr-parent"
	assert_equal "$status" 0
	# shellcheck disable=SC2086
	assert_all_reaped inject $az
	# b's two zombies: one line for the parent and its reason
	assert_equal "$(jq -r "select(.parent.pid == $b) | [.outcome, .policy, .reason] | @tsv" <<<"$output")" \
		"refused	only	parent $b is outside every --only selection"
	for z in $bz; do
		assert_equal "$(state_of "$z")" Z
	done
	reap --once --actions inject "${FAST[@]}" --only "pid=$b" --except "comm=zr-*"
	assert_equal "$status" 0
	assert_equal "$(jq -r "select(.parent.pid == $b) | [.outcome, .policy] | @tsv" <<<"$output")" \
		"refused	except"
}

@test "a container's PID 1 is not protected: inject with pids translated into its namespace" {
	local z
	PIDNS=1 start_parent c sleep
	assert_equal "$(awk '/^NSpid:/ { print $3 }' "/proc/$P/status")" 1
	reap --once --actions inject "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 0
	# shellcheck disable=SC2086
	assert_all_reaped inject $Z
	for z in $Z; do
		assert_jq "$z" '.ns_pid > 1 and .pidns > 0'
	done
	assert_unharmed c
}

@test "kill-parent: a container's PID 1 shrugs off SIGTERM, SIGKILL ends it and its zombies" {
	PIDNS=1 start_parent c sleep
	reap --once --actions kill-parent "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 0
	# shellcheck disable=SC2086
	assert_all_reaped kill-parent $Z
	wait_until "[[ -z \$(state_of $P) || \$(state_of $P) == Z ]]" 5
}

@test "--dry-run changes nothing and logs each planned action" {
	local z
	start_parent s sleep
	reap --once --dry-run --actions nudge,inject,kill-parent "${FAST[@]}" --only "pid=$P"
	assert_equal "$status" 1
	for z in $Z; do
		assert_equal "$(jq -r "select(.pid == $z) | \"\(.action)=\(.outcome)=\(.dry_run)\"" <<<"$output" | xargs)" \
			"nudge=planned=true inject=planned=true kill-parent=planned=true"
		assert_equal "$(state_of "$z")" Z
	done
	assert_unharmed s
}

@test "daemon mode: acts after --older-than, ends at --duration; columns without --json" {
	start_parent s sleep -n 1
	reap --actions inject --older-than 100ms --step 200ms --duration 1s --only "pid=$P"
	assert_equal "$status" 0
	assert_line --index 0 --regexp '^TIME +EVENT +PID +PPID +COMM +DETAILS$'
	assert_line --regexp "^[0-9:.]+ action +$Z +$P +zr-parent +inject reaped, parent $P \(zr-parent\), policy pid=$P$"
	assert_equal "$(state_of "$Z")" ""
}

@test "daemon: zombies from before start (snapshot) and after it (kernel events) are reaped" {
	local name a az bz rp st=0
	# A comm of this run's own, so --only comm= cannot select another suite's parents.
	name=zrp-$$
	cp "$PARENT" "./$name"
	PARENT=./$name start_parent a sleep -n 2
	a=$P az=$Z
	"$ZR" reap -v --actions inject --older-than 200ms --step 200ms --json --only "comm=$name" \
		>reap.out 2>reap.err 3>&- &
	rp=$!
	record_pid "$rp"
	wait_until "grep -q 'through kernel events' reap.err" 10
	PARENT=./$name start_parent b sleep -n 2
	bz=$Z
	wait_until "[[ \$(jq -s '[.[] | select(.outcome == \"reaped\")] | length' reap.out) == 4 ]]" 10
	kill -INT "$rp"
	wait "$rp" || st=$?
	forget_pid "$rp"
	assert_equal "$st" 0
	output=$(cat reap.out)
	# shellcheck disable=SC2086
	assert_all_reaped inject $az $bz
	assert_equal "$(head -n 1 reap.err)" "zreaper: watching zombies through kernel events (trace's detector)"
	# then one line per stop (-v): 4 waitids in all, two per parent at most
	assert_equal "$(tail -n +2 reap.err | awk '{ n += $8 } END { print n }')" 4
	assert_equal "$(tail -n +2 reap.err | grep -cvE '^zreaper: inject: parent [0-9]+ \(thread [0-9]+\) ran [12] of [12] waitid\(s\), held [0-9.]+ ms in [0-9]+ stop\(s\)$')" 0
	assert_unharmed b
	P=$a assert_unharmed a
}

@test "flood: 200 zombies a second for 5 s, each reaped within 2 s of --older-than, one stop a pass" {
	local rp st=0 n stops held late resumed
	start_parent f leak -r 200 -d 5000
	"$ZR" reap -v --actions inject --older-than 1s --json --only "pid=$P" \
		>reap.out 2>reap.err 3>&- &
	rp=$!
	record_pid "$rp"
	wait_until "grep -q 'through kernel events' reap.err" 10
	echo leak >f.fifo
	wait_until "grep -q '^leaked ' f.out" 10
	# the last zombie is 1 s old at most 3 s after it came (each one's own delay is checked
	# below, from the timestamps: this only waits, with room for a busy machine)
	wait_until "[[ \$(count_zombies_of $P) == 0 ]]" 30
	kill -INT "$rp"
	wait "$rp" || st=$?
	forget_pid "$rp"
	assert_equal "$st" 0
	# each zombie's reap (the action's ktime_ns) came at most 3 s after its fork (the parent's
	# CLOCK_BOOTTIME): 1 s of --older-than, 2 s of slack
	awk '$1 == "zombie" && NF == 3 { print $2, $3 }' f.out >forks
	n=$(wc -l <forks)
	assert_equal "$n" 1000
	jq -r 'select(.outcome == "reaped") | "\(.pid) \(.ktime_ns)"' reap.out >reaps
	# shellcheck disable=SC2016 # awk's fields
	run -0 awk 'NR == FNR { t[$1] = $2; next } ($1 in t) { d = ($2 - t[$1]) / 1e6; k++; if (d > m) m = d }
		END { printf "%d %d\n", k, m }' forks reaps
	read -r n late <<<"$output"
	assert_equal "reaped $n" "reaped 1000"
	((late <= 3000)) || fail "a zombie was reaped $late ms after it exited"
	# one stop of the parent per pass (100 ms): many zombies each, not one per zombie
	stops=$(grep -c '^zreaper: inject: parent' reap.err)
	held=$(grep -o 'held [0-9.]*' reap.err | sort -k2 -n | tail -n 1)
	# a stop cut short by a SIGCHLD handed back (a new zombie) goes on in another: counted
	resumed=$(grep -cE 'in ([2-9]|[1-9][0-9]+) stop' reap.err || true)
	((stops <= 100)) || fail "$stops stops for 1,000 zombies"
	assert_equal "$(jq -s "[.[] | select(.parent.pid == $P and .outcome != \"reaped\")] | length" reap.out)" 0
	echo "# flood: 1000 zombies reaped, at most $late ms after exit (--older-than 1s);" \
		"$stops passes with a stop, $resumed of them resumed after a signal, longest $held ms;" \
		"parent: $(grep '^leaked' f.out)" >&3
	# the parent kept going all along, and still does
	ask f count '^count '
	n=$(awk '{ print $2 }' <<<"$ANSWER")
	ask f count '^count '
	(($(awk '{ print $2 }' <<<"$ANSWER") > n)) || fail "parent stopped counting"
	assert_unharmed f
}

@test "ZREAPER_NO_BPF=1: /proc rescans instead, said once on stderr; zombies still reaped" {
	start_parent s sleep
	ZREAPER_NO_BPF=1 reap --actions inject --older-than 100ms --step 200ms --duration 1s \
		--json --only "pid=$P"
	assert_equal "$status" 0
	assert_equal "$stderr" "zreaper: ZREAPER_NO_BPF is set, BPF not loaded; watching zombies by rescanning /proc instead"
	# shellcheck disable=SC2086
	assert_all_reaped inject $Z
	assert_unharmed s
}

@test "unprivileged: BPF cannot load, one warning, then /proc; nobody reaps its own parent's zombies" {
	local bin
	command -v setpriv >/dev/null || skip "needs setpriv to drop to nobody"
	# The checkout may sit in a directory only root can enter: nobody gets copies.
	bin=$(mktemp -d /tmp/zr-reap-nobody.XXXXXX)
	chmod 755 "$bin"
	cp "$ZR" "$PARENT" "$bin/"
	cd "$bin" || exit 1
	mkfifo n.fifo
	chmod 666 n.fifo
	setpriv --reuid=65534 --regid=65534 --clear-groups ./zr-parent -c n.fifo sleep \
		>n.out 2>n.err 3>&- &
	P=$!
	record_pid "$P"
	wait_until "grep -qx ready n.out" 10
	Z=$(awk '$1 == "zombie" { print $2 }' n.out | xargs)
	KEEPER=$(awk '$1 == "keeper" { print $2 }' n.out)
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups ./zreaper reap \
		--actions inject --older-than 100ms --step 200ms --duration 1s --json --only "pid=$P"
	assert_equal "$status" 0
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" '^zreaper: cannot load BPF programs: .*; watching zombies by rescanning /proc instead$'
	# shellcheck disable=SC2086
	assert_all_reaped inject $Z
	assert_unharmed n
	cd / && rm -rf "$bin"
}

@test "bad options exit 2 with one line on stderr" {
	local args
	while IFS= read -r args; do
		# shellcheck disable=SC2086 # word splitting is the point
		run -2 --separate-stderr "$ZR" reap $args
		assert_equal "$output" ""
		assert_equal "${#stderr_lines[@]}" 1
		[[ ${stderr_lines[0]} == zreaper:* ]] || fail "[$args]: ${stderr_lines[0]}"
	done <<-'EOF'
		--actions zap
		--actions nudge,nudge
		--actions
		--older-than 1x
		--older-than -1s
		--step -1s
		--only foo=1
		--only pid=abc
		--except uid=no-such-user-here
		--only cgroup=relative
		--max-per-minute -1
		--once --duration 1s
		--bogus
		extra
	EOF
	run -2 --separate-stderr "$ZR" reap --actions zap
	assert_equal "$stderr" "zreaper: --actions: unknown or repeated action 'zap' (choose from nudge, inject, kill-parent)"
}

@test "--help shows the protected list and how age is measured" {
	run -0 "$ZR" reap --help
	assert_output --partial "containerd-shim*"
	assert_output --partial "/proc/PID/sched"
	assert_output --partial "(default 30s; 0: any age)"
	assert_output --partial "--only pid=N"
}
