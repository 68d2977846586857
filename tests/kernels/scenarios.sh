#!/bin/sh
# scenarios.sh - the exact-count scenario set of `make test-kernels`, run on every kernel of the
# matrix: inside each qemu guest (started by tests/kernels/init) and on the host. One tracer
# follows this shell and every process it starts; each scenario is a zr-work run whose pids are
# known; the trace is then checked line by line with grep. POSIX sh: busybox runs it.
#
# Env: ZR, WORK           the zreaper and zr-work binaries (static ones in a guest)
#      KERNEL_NAME        prefix of each TAP description (default: uname -r)
#      EXPECT_DEGRADED    the features the start line must list as degraded (spaces or commas)
#      EXPECT_BPF         "current_task,syscall_args,group_dead" the start line must show
#                         (empty: not checked)
#      STORM              forks in the storm scenario (1000)
# Output: TAP ("ok N - KERNEL: what", plan last); exit 1 when any check failed.
set -u

ZR=${ZR:-zreaper}
WORK=${WORK:-zr-work}
KERNEL_NAME=${KERNEL_NAME:-$(uname -r)}
EXPECT_DEGRADED=${EXPECT_DEGRADED:-}
EXPECT_BPF=${EXPECT_BPF:-}
STORM=${STORM:-1000}
T=$(mktemp -d "${TMPDIR:-/tmp}/zrk.XXXXXX") || exit 1
TRACE=$T/trace.json
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $KERNEL_NAME: $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $KERNEL_NAME: $1"
	shift
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

# count REGEX: trace lines matching an extended regular expression.
count() {
	grep -cE "$1" "$TRACE"
}

# expect N REGEX WHAT: exactly N trace lines match REGEX. On a miss, the lines that match its
# start (kind and pid, up to the second comma) are shown, to say what came instead.
expect() {
	got=$(count "$2")
	if [ "$got" = "$1" ]; then
		ok "$3"
	else
		not_ok "$3" "expected $1 lines matching: $2" "got $got" \
			"$(grep -E "$(printf '%s' "$2" | cut -d, -f1-2)" "$TRACE" 2>/dev/null | head -n 3)"
	fi
}

# pid_of ROLE FILE: the first "<role> <pid>" zr-work printed.
pid_of() {
	sed -n "s/^$1 \([0-9]*\)\$/\1/p" "$2" | head -n 1
}

# wait_for SECONDS CMD...: polls every 50 ms.
wait_for() {
	tries=$(($1 * 20))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

has_start() {
	grep -q '"event":"start"' "$TRACE"
}

# work NAME ARGS...: one zr-work run, its lines in $T/NAME; fails the check on a bad exit.
work() {
	name=$1
	shift
	if ! "$WORK" "$@" >"$T/$name" 2>"$T/$name.err"; then
		not_ok "$name: zr-work $* ran as planned" "$(cat "$T/$name.err")"
	fi
}

# ---- the tracer: this shell and everything it starts, thread events too --------------------
me=$$
"$ZR" trace --json --threads -p "$me" --tree --zombie-after 300ms >"$TRACE" 2>"$T/trace.err" &
tracer=$!
if ! wait_for 180 has_start; then
	not_ok "trace starts" "$(cat "$T/trace.err")"
	kill -9 "$tracer" 2>/dev/null
	echo "1..$n"
	exit 1
fi
ok "trace starts (start line once every program is attached)"

# ---- scenarios, each with pids of its own -------------------------------------------------
work storm --self fork "$STORM"
work exit7 --self fork 1 --exit 7
work kill --self fork 1 --signal KILL
work segv --self fork 1 --signal SEGV
work waitid --self fork 1 --waitid
work sub --subreaper orphan
unshare -p -f "$WORK" --self orphan >"$T/nsinit" 2>&1 || not_ok "nsinit: unshare ran" "$(cat "$T/nsinit")"
work zombie --self zombie 1200
work autoreap --self autoreap 3
work execfail --self fork 1 --exec-fail /nonexistent
work exec --self fork 1 --exec "$WORK" --help
work threads --self threads 4
work prctl --self subreaper

# stop: SIGINT ends the trace with a stop line, exit 0
sleep 0.3
kill -INT "$tracer"
wait "$tracer"
rc=$?
if [ "$rc" -eq 0 ] && tail -n 1 "$TRACE" | grep -q '"event":"stop"'; then
	ok "SIGINT ends the trace: exit 0, stop line last"
else
	not_ok "SIGINT ends the trace: exit 0, stop line last" "exit $rc" "$(tail -n 1 "$TRACE")"
fi

# ---- the start line: this kernel's variant and degradations, nothing else -----------------
start=$(head -n 1 "$TRACE")
if echo "$start" | grep -q '"event":"start"'; then
	ok "the start line comes first"
else
	not_ok "the start line comes first" "$start"
fi
got=$(echo "$start" | sed -n 's/.*"degraded":\[\(.*\)\]}$/\1/p' | grep -oE '"feature":"[a-z_]*"' |
	sed 's/"feature":"\(.*\)"/\1/' | sort | tr '\n' ' ' | sed 's/ $//')
want=$(echo "$EXPECT_DEGRADED" | sed 's/,/ /g' | tr ' ' '\n' | grep . | sort | tr '\n' ' ' | sed 's/ $//')
if [ "$got" = "$want" ]; then
	ok "degraded features as expected: [${want}]"
else
	not_ok "degraded features as expected: [${want}]" "got [${got}]" "$start"
fi
if [ -n "$EXPECT_BPF" ]; then
	IFS=, read -r ct sa gd <<-X
		$EXPECT_BPF
	X
	bpf="\"bpf\":{\"current_task\":\"$ct\",\"syscall_args\":\"$sa\",\"group_dead\":\"$gd\"}"
	if echo "$start" | grep -qF "$bpf"; then
		ok "BPF variant $EXPECT_BPF"
	else
		not_ok "BPF variant $EXPECT_BPF" "$start"
	fi
fi
expect 0 '"event":"lost"' "no event lost"

# ---- what each scenario must have left in the trace ---------------------------------------
p=$(pid_of self "$T/storm")
expect "$STORM" "\"event\":\"fork\",\"pid\":[0-9]+,\"ppid\":$p," "storm: $STORM forks seen exactly"
expect "$STORM" "\"event\":\"exit\",\"pid\":[0-9]+,\"ppid\":$p,.*\"exit_code\":0,\"signal\":null" \
	"storm: $STORM exits with code 0"
expect "$STORM" "\"event\":\"reap\",\"pid\":[0-9]+,\"ppid\":$p,.*\"reaper\":\\{\"pid\":$p,[^}]*\"role\":\"parent\"\\},\"how\":\"wait4\"" \
	"storm: $STORM wait4 reaps by the parent"

c=$(pid_of child "$T/exit7")
expect 1 "\"event\":\"exit\",\"pid\":$c,.*\"exit_code\":7,\"signal\":null" "exit code 7"
c=$(pid_of child "$T/kill")
expect 1 "\"event\":\"exit\",\"pid\":$c,.*\"exit_code\":null,\"signal\":\"SIGKILL\"" "death by SIGKILL"
expect 1 "\"event\":\"signal\",\"pid\":$c,.*\"signal\":\"SIGKILL\".*\"sender\":\\{\"pid\":$c," \
	"SIGKILL's sender is the process itself"
c=$(pid_of child "$T/segv")
expect 1 "\"event\":\"exit\",\"pid\":$c,.*\"exit_code\":null,\"signal\":\"SIGSEGV\",\"core_dumped\":false" \
	"death by SIGSEGV"
expect 1 "\"event\":\"reap\",\"pid\":$c,.*\"how\":\"wait4\",.*\"signal\":\"SIGSEGV\"" \
	"the reap carries the SIGSEGV status"

p=$(pid_of self "$T/waitid")
c=$(pid_of child "$T/waitid")
expect 1 "\"event\":\"reap\",\"pid\":$c,.*\"reaper\":\\{\"pid\":$p,[^}]*\"role\":\"parent\"\\},\"how\":\"waitid\"" \
	"waitid reap by the parent"
expect 1 "\"event\":\"wait\",\"pid\":$p,.*\"syscall\":\"waitid\",\"target\":$c,.*\"result\":\"reaped\",\"reaped_pid\":$c," \
	"the waitid call: target and result"

s=$(pid_of subreaper "$T/sub")
o=$(pid_of orphan "$T/sub")
expect 1 "\"event\":\"subreaper\",\"pid\":$s,.*\"value\":true,\"subreaper\":true" "subreaper set (prctl)"
expect 1 "\"event\":\"orphan\",\"pid\":$o,.*\"new_parent\":\\{\"pid\":$s,[^}]*\"role\":\"subreaper\"\\}" \
	"orphan adopted by its subreaper"
expect 1 "\"event\":\"reap\",\"pid\":$o,.*\"reaper\":\\{\"pid\":$s,[^}]*\"role\":\"subreaper\"\\}" \
	"the subreaper reaps its adopted orphan"

expect 1 '"event":"orphan",.*"ns_pid":3,.*"new_parent":\{[^}]*"role":"pidns_init"\}' \
	"orphan adopted by its pid namespace's init"
expect 1 '"event":"reap",.*"ns_pid":3,.*"reaper":\{[^}]*"role":"pidns_init"\}' \
	"the namespace's init reaps it"

z=$(pid_of zombie "$T/zombie")
expect 1 "\"event\":\"zombie\",\"pid\":$z,.*\"reason_code\":\"parent_never_waits\",\"reason\":\"" \
	"zombie reported with its reason"

p=$(pid_of self "$T/autoreap")
expect 3 "\"event\":\"reap\",\"pid\":[0-9]+,\"ppid\":$p,.*\"role\":\"kernel\"\\},\"how\":\"autoreap\"" \
	"3 autoreaps (SIGCHLD ignored)"

c=$(pid_of child "$T/execfail")
expect 1 "\"event\":\"exec\",\"pid\":$c,.*\"filename\":\"/nonexistent\",.*\"old_comm\":\"zr-work\",\"error\":\"ENOENT\"" \
	"failed exec: an exec event with ENOENT"
c=$(pid_of child "$T/exec")
expect 1 "\"event\":\"exec\",\"pid\":$c,.*\"argv\":\\[\"[^\"]*zr-work\",\"--help\"\\],.*\"old_comm\":\"zr-work\",\"error\":null" \
	"exec: argv and the old comm"

p=$(pid_of self "$T/threads")
expect 4 "\"event\":\"fork\",\"pid\":$p,\"tid\":[0-9]+,.*\"thread\":true" "4 thread forks under --threads"
expect 4 "\"event\":\"exit\",\"pid\":$p,\"tid\":[0-9]+,.*\"thread\":true" "4 thread exits"
expect 1 "\"event\":\"exit\",\"pid\":$p,\"ppid\":.*\"group_dead\":true" "one group exit for the process"
p=$(pid_of self "$T/prctl")
expect 1 "\"event\":\"subreaper\",\"pid\":$p,.*\"value\":true,\"subreaper\":true,\"error\":null" "prctl: subreaper set"
expect 1 "\"event\":\"subreaper\",\"pid\":$p,.*\"value\":false,\"subreaper\":false,\"error\":null" "prctl: subreaper cleared"

# ---- -c: the processes of one cgroup v2 and below (the cgroup-ancestor read) --------------
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
cg=$cg2/zrk-$$
if [ -n "$cg2" ] && mkdir -p "$cg/inner"; then
	TRACE=$T/cgroup.json
	"$ZR" trace --json -c "$cg" --events fork >"$TRACE" 2>"$T/cgroup.err" &
	tracer=$!
	if wait_for 180 has_start; then
		sh -c "echo \$\$ >$cg/inner/cgroup.procs && exec $WORK --self fork 3" >"$T/cgin"
		work cgout --self fork 2
		sleep 0.3
		kill -INT "$tracer"
		wait "$tracer"
		p=$(pid_of self "$T/cgin")
		expect 3 "\"event\":\"fork\",\"pid\":[0-9]+,\"ppid\":$p," "-c: 3 forks in a cgroup below the one asked"
		p=$(pid_of self "$T/cgout")
		expect 0 "\"event\":\"fork\",\"pid\":[0-9]+,\"ppid\":$p," "-c: none from outside it"
	else
		kill -9 "$tracer" 2>/dev/null
		not_ok "-c: trace starts" "$(cat "$T/cgroup.err")"
	fi
	rmdir "$cg/inner" "$cg" 2>/dev/null
else
	not_ok "-c: a cgroup v2 hierarchy to make a cgroup in" "mounted at: '$cg2'"
fi

# ---- a program the verifier rejects is switched off alone, named with the reason ----------
ZREAPER_BPF_SELFTEST=reject "$ZR" trace --json --duration 1s >"$T/reject" 2>"$T/reject.err"
rc=$?
if [ "$rc" -eq 0 ] && head -n 1 "$T/reject" |
	grep -q '"feature":"selftest","reason":"program on_selftest_reject rejected by the verifier' &&
	grep -q 'degraded on this kernel: selftest: program on_selftest_reject rejected by the verifier' "$T/reject.err"; then
	ok "a rejected optional program: the trace goes on, the start line and stderr name it"
else
	not_ok "a rejected optional program: the trace goes on, the start line and stderr name it" \
		"exit $rc" "$(head -c 600 "$T/reject")" "$(cat "$T/reject.err")"
fi

echo "1..$n"
rm -rf "$T"
[ "$failed" -eq 0 ]
