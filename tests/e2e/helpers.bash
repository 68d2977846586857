# helpers.bash - shared helpers for the e2e bats suites: root check, the tracer in the
# background, polling instead of sleeps, jq queries over the JSON-lines trace, cleanup.
# shellcheck shell=bash

bats_load_library bats-support
bats_load_library bats-assert

ZR=${ZR:-$BATS_TEST_DIRNAME/../../build/zreaper}
WORK=${WORK:-$BATS_TEST_DIRNAME/../../build/zr-work}
TRACE=
TRACER_PID=

# Skips the test unless we are root (BPF, cgroups, setpriv need it).
require_root() {
	if [[ $(id -u) -ne 0 ]]; then
		skip "needs root"
	fi
}

# Remembers a pid for teardown to kill.
record_pid() {
	echo "$1" >>"$BATS_TEST_TMPDIR/pids"
}

# Forgets a recorded pid once it has been waited for (so teardown never hits a reused pid).
forget_pid() {
	[[ -f $BATS_TEST_TMPDIR/pids ]] || return 0
	sed -i "/^$1\$/d" "$BATS_TEST_TMPDIR/pids"
}

# Kills every recorded pid still alive: TERM, a short grace, then KILL.
kill_recorded() {
	local pids=() pid
	[[ -f $BATS_TEST_TMPDIR/pids ]] || return 0
	mapfile -t pids <"$BATS_TEST_TMPDIR/pids"
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait_until "! kill -0 $pid 2>/dev/null" 5 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	done
	rm -f "$BATS_TEST_TMPDIR/pids"
}

teardown() {
	kill_recorded
}

# poll TIMEOUT CMD [ARG...]: runs CMD every 50 ms until it succeeds; fails after TIMEOUT
# seconds. Fails at once when the tracer has died meanwhile (with its stderr shown).
poll() {
	local timeout=$1 i tries
	shift
	tries=$((timeout * 20))
	for ((i = 0; i < tries; i++)); do
		if "$@"; then
			return 0
		fi
		if [[ -n $TRACER_PID ]] && ! kill -0 "$TRACER_PID" 2>/dev/null; then
			echo "poll: tracer $TRACER_PID died while waiting for: $*" >&2
			cat "$BATS_TEST_TMPDIR/trace.err" >&2 2>/dev/null || true
			return 1
		fi
		sleep 0.05
	done
	echo "poll: timed out after ${timeout}s: $*" >&2
	return 1
}

# wait_until CMD [TIMEOUT]: polls the shell command string CMD (eval) for TIMEOUT (10) seconds.
wait_until() {
	poll "${2:-10}" eval "$1"
}

# start_tracer ARGS...: runs `zreaper trace --json ARGS...` in the background, its stdout in
# $TRACE and stderr in trace.err, and returns once the `start` line is there (printed after
# every program is attached, so everything the test does next is seen).
start_tracer() {
	TRACE=$BATS_TEST_TMPDIR/trace.jsonl
	: >"$TRACE"
	"$ZR" trace --json "$@" >"$TRACE" 2>"$BATS_TEST_TMPDIR/trace.err" 3>&- &
	TRACER_PID=$!
	record_pid "$TRACER_PID"
	poll 30 trace_has_lines 1
	assert_equal "$(trace_lines | head -n 1 | jq -r .event)" start
}

# stop_tracer: SIGINT, then the tracer must exit 0 with a `stop` line last.
stop_tracer() {
	local rc=0
	kill -INT "$TRACER_PID"
	wait "$TRACER_PID" || rc=$?
	forget_pid "$TRACER_PID"
	TRACER_PID=
	if [[ $rc -ne 0 ]]; then
		cat "$BATS_TEST_TMPDIR/trace.err" >&2
	fi
	assert_equal "tracer exit $rc" "tracer exit 0"
	assert_equal "$(tail -n 1 "$TRACE" | jq -r .event)" stop
}

# trace_lines: the complete lines of the trace so far (a line still being written is left out).
trace_lines() {
	local n
	n=$(wc -l <"$TRACE")
	head -n "$n" "$TRACE"
}

# trace_has_lines N: does the trace hold at least N complete lines?
trace_has_lines() {
	[[ $(wc -l <"$TRACE") -ge $1 ]]
}

# json_select FILTER: the trace lines for which the jq expression FILTER is true.
json_select() {
	trace_lines | jq -c "select($1)"
}

# json_count FILTER: how many trace lines match FILTER.
json_count() {
	json_select "$1" | wc -l
}

# has_events FILTER COUNT: are there at least COUNT lines matching FILTER?
has_events() {
	[[ $(json_count "$1") -ge $2 ]]
}

# wait_event FILTER [COUNT [TIMEOUT]]: polls until at least COUNT (1) lines match FILTER.
wait_event() {
	poll "${3:-10}" has_events "$1" "${2:-1}"
}

# roles ROLE [TEXT]: the pids zr-work printed for ROLE (TEXT defaults to $output).
roles() {
	awk -v r="$1" '$1 == r { print $2 }' <<<"${2-$output}"
}

# jq_pids PIDS...: a jq expression true when .pid is one of PIDS.
jq_pids() {
	local p expr=
	for p in "$@"; do
		expr+="${expr:+ or }.pid == $p"
	done
	echo "(${expr:-false})"
}

# remove_cgroups: removes the cgroup directories a test listed in CG_DIRS, deepest first (for
# teardown; a directory still holding a process stays, and says nothing).
CG_DIRS=()
remove_cgroups() {
	local d
	for d in "${CG_DIRS[@]}"; do
		rmdir "$d" 2>/dev/null || true
	done
}

# cgroup2_root: the cgroup v2 mount point, read from /proc/self/mountinfo (never assumed).
cgroup2_root() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' \
		/proc/self/mountinfo
}

# assert_count FILTER N: exactly N trace lines match FILTER (the lines are shown when not).
assert_count() {
	local got
	got=$(json_count "$1")
	if [[ $got -ne $2 ]]; then
		json_select "$1" >&2
		fail "expected $2 lines matching [$1], got $got"
	fi
}

# pick FILTER PROJECTION: the jq PROJECTION (compact) of every line matching FILTER.
pick() {
	json_select "$1" | jq -c "$2"
}

# run_work ARGS...: runs `zr-work --self ARGS...` in the foreground; it must exit 0. Leaves its
# stdout in $output and its pid in $SELF, and returns once the tracer has seen zr-work reaped
# (the last thing the workload does), so every event of the workload has been read.
run_work() {
	run -0 --separate-stderr "$WORK" --self "$@"
	SELF=$(roles self)
	wait_event ".event == \"reap\" and .pid == $SELF"
}

# start_work ARGS...: starts `zr-work --self --sync FILE ARGS...` in the background, held
# before its scenario until release_work; sets $SELF (its pid, known before any tracer starts,
# so a test can filter on it) and WORK_PID.
start_work() {
	local out=$BATS_TEST_TMPDIR/work.out
	rm -f "$BATS_TEST_TMPDIR/go"
	: >"$out"
	"$WORK" --self --sync "$BATS_TEST_TMPDIR/go" "$@" >"$out" 2>"$BATS_TEST_TMPDIR/work.err" 3>&- &
	WORK_PID=$!
	record_pid "$WORK_PID"
	wait_until "grep -q '^self ' '$out'"
	SELF=$(roles self "$(cat "$out")")
	assert_equal "$SELF" "$WORK_PID"
}

# release_work: lets the held zr-work run, waits for it (it must exit 0) and leaves its stdout
# in $output.
release_work() {
	local rc=0
	touch "$BATS_TEST_TMPDIR/go"
	wait "$WORK_PID" || rc=$?
	forget_pid "$WORK_PID"
	if [[ $rc -ne 0 ]]; then
		cat "$BATS_TEST_TMPDIR/work.err" >&2
	fi
	assert_equal "zr-work exit $rc" "zr-work exit 0"
	output=$(cat "$BATS_TEST_TMPDIR/work.out")
}

# run_work_nowait ARGS...: as run_work, without waiting for the tracer (for a workload a
# filter hides: wait for a sentinel event instead).
run_work_nowait() {
	run -0 --separate-stderr "$WORK" --self "$@"
	SELF=$(roles self)
}

# metrics_port: a free port for `--metrics` in $PORT, and its page's address in $URL.
metrics_port() {
	PORT=$(free_port)
	# shellcheck disable=SC2034 # read by the suites
	URL=http://127.0.0.1:$PORT/metrics
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on (for servers a test starts).
free_port() {
	local p low
	# Below the ephemeral range: a port chosen there can be taken by any outgoing connection
	# (a curl poll) between this check and the bind.
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[[ $low -gt 21000 ]] || low=32768
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % (low - 20000)))
		if ! (exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# long_options TEXT: every --long-option TEXT names (a --help, a man page), one per line, sorted.
long_options() {
	grep -oE -- '--[a-z][a-z0-9-]*' <<<"$1" | sort -u
}

# man_text PAGE: a man page's roff source with its minus signs (\-) as plain hyphens.
man_text() {
	sed -e 's/\\-/-/g' "$1"
}
