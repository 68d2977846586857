#!/usr/bin/env bats
# metrics.bats - `trace --metrics`: exact counts scraped with curl while zr-work scenarios run
# (scoped with -p/--tree, so the host's own activity cannot change them), the HTTP server's
# answers, the textfile, container attribution, a scrape during a fork storm, --output rotation.
# shellcheck disable=SC2016,SC2154 # $names in single quotes are jq's; bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
	metrics_port
}

teardown() {
	kill_recorded
	remove_cgroups
}

declare -gA HELD # name -> pid of a held zr-work

# hold NAME ARGS...: `zr-work --self --sync go.NAME ARGS...` in the background, held before its
# scenario until `go NAME`; its pid goes into ${HELD[NAME]}.
hold() {
	local name=$1 out=$BATS_TEST_TMPDIR/$1.out pid
	shift
	: >"$out"
	"$WORK" --self --sync "$BATS_TEST_TMPDIR/go.$name" "$@" >"$out" 2>"$BATS_TEST_TMPDIR/$name.err" 3>&- &
	pid=$!
	record_pid "$pid"
	wait_until "grep -q '^self ' '$out'"
	HELD[$name]=$pid
}

# go NAME: lets a held zr-work run (without waiting for it).
go() {
	touch "$BATS_TEST_TMPDIR/go.$1"
}

# finish NAME: waits for a released zr-work; it must exit 0.
finish() {
	local rc=0
	wait "${HELD[$1]}" || rc=$?
	forget_pid "${HELD[$1]}"
	[[ $rc -eq 0 ]] || cat "$BATS_TEST_TMPDIR/$1.err" >&2
	assert_equal "zr-work $1 exit $rc" "zr-work $1 exit 0"
}

# scrape: the page into $BATS_TEST_TMPDIR/page.
scrape() {
	curl -sf --max-time 5 "$URL" >"$BATS_TEST_TMPDIR/page"
}

# metric 'NAME{LABELS}': the sample's value in the last page, "absent" when there is none.
metric() {
	awk -v s="$1" 'index($0, s " ") == 1 { print $2; found = 1 } END { if (!found) print "absent" }' \
		"$BATS_TEST_TMPDIR/page"
}

# metric_is 'NAME{LABELS}' VALUE: scrapes and compares (for poll).
metric_is() {
	scrape && [[ $(metric "$1") == "$2" ]]
}

@test "exact counts from three scenarios: forks, exits by outcome, zombies up then gone, reaps" {
	hold z zombie 1500 --count 3
	hold f fork 4 --exit 3
	hold k fork 2 --signal KILL
	start_tracer -p "${HELD[z]}" -p "${HELD[f]}" -p "${HELD[k]}" --tree --zombie-after 200ms \
		--metrics "127.0.0.1:$PORT"
	scrape
	assert_equal "$(metric 'zreaper_forks_total{kind="process"}')" 0
	go z
	poll 10 metric_is 'zreaper_zombies{parent_comm="zr-work",container_id=""}' 3
	assert_equal "$(metric 'zreaper_zombies_created_total')" 3
	go f
	go k
	finish f
	finish k
	finish z
	for p in "${HELD[z]}" "${HELD[f]}" "${HELD[k]}"; do
		wait_event ".event == \"reap\" and .pid == $p"
	done
	scrape
	promtool check metrics <"$BATS_TEST_TMPDIR/page"
	assert_equal "$(metric 'zreaper_forks_total{kind="process"}')" 9
	assert_equal "$(metric 'zreaper_forks_total{kind="thread"}')" 0
	# 3 zombie children and the 3 zr-works exit 0; 4 exit 3; 2 are killed
	assert_equal "$(metric 'zreaper_exits_total{outcome="success"}')" 6
	assert_equal "$(metric 'zreaper_exits_total{outcome="failure"}')" 4
	assert_equal "$(metric 'zreaper_exits_total{outcome="signal"}')" 2
	assert_equal "$(metric 'zreaper_exit_signals_total{signal="SIGKILL"}')" 2
	# the 9 children by zr-work, the 3 zr-works by this shell: all by their own parent
	assert_equal "$(metric 'zreaper_reaps_total{reaper_role="parent"}')" 12
	assert_equal "$(metric 'zreaper_reaps_total{reaper_role="kernel"}')" 0
	assert_equal "$(metric 'zreaper_zombies_created_total')" 3
	assert_equal "$(metric 'zreaper_zombies{parent_comm="zr-work",container_id=""}')" absent
	assert_equal "$(metric 'zreaper_zombie_oldest_age_seconds')" 0.000000000
	assert_equal "$(metric 'zreaper_zombie_duration_seconds_count')" 12
	# the three zombies waited 1.5 s: above the 1 s bucket
	assert_equal "$(metric 'zreaper_zombie_duration_seconds_bucket{le="1"}')" 9
	assert_equal "$(metric 'zreaper_events_lost_total{source="ringbuf"}')" 0
	stop_tracer
}

@test "HTTP: HEAD, OpenMetrics on Accept, 404, 405, 400, 431, idle clients do not block" {
	start_tracer --metrics "127.0.0.1:$PORT"
	run -0 curl -sI --max-time 5 "$URL"
	assert_line --partial "HTTP/1.1 200 OK"
	assert_line --partial "Content-Type: text/plain; version=0.0.4; charset=utf-8"
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'HEAD /metrics HTTP/1.0\r\n\r\n' >&"$fd"
	run -0 timeout 5 cat <&"$fd"
	exec {fd}>&-
	assert_line --index 0 --partial "HTTP/1.1 200 OK"
	refute_output --partial zreaper_forks_total # headers only
	run -0 curl -s --max-time 5 -i -H 'Accept: application/openmetrics-text; version=1.0.0' "$URL"
	assert_line --partial "Content-Type: application/openmetrics-text; version=1.0.0"
	assert_line "# TYPE zreaper_forks counter"
	assert_equal "$(tail -n 1 <<<"$output")" "# EOF"
	run -0 curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/"
	assert_output 404
	run -0 curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X POST "$URL"
	assert_output 405
	run -0 curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 5000 /dev/zero | tr '\0' a)" "$URL"
	assert_output 431
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'BLAH\r\n\r\n' >&"$fd"
	run -0 timeout 5 head -n 1 <&"$fd"
	assert_output --partial "400 Bad Request"
	exec {fd}>&-
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /metrics HTTP/1.0\n\n' >&"$fd"
	run -0 timeout 2 head -n 1 <&"$fd"
	assert_output --partial "400 Bad Request"
	exec {fd}>&-
	# 32 clients that connect and say nothing take every slot; a scrape is still answered (it
	# takes the place of the oldest of them, which is dropped), and the trace goes on.
	fds=()
	for _ in $(seq 32); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
		fds+=("$fd")
	done
	run -0 curl -s --max-time 5 "$URL"
	assert_output --partial zreaper_forks_total
	run -0 timeout 2 cat <&"${fds[0]}" # closed by the server: EOF at once
	assert_output ""
	run_work fork 2
	for fd in "${fds[@]}"; do
		exec {fd}>&-
	done
	# one that sends half a request is let go after 2 s
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /metrics HTTP/1.1\r\n' >&"$fd"
	run -0 timeout 4 cat <&"$fd"
	assert_output ""
	exec {fd}>&-
	poll 5 scrape
	stop_tracer
}

@test "--metrics-textfile: written atomically every interval and at exit; promtool accepts it" {
	TF=$BATS_TEST_TMPDIR/zreaper.prom
	hold w fork 5
	"$ZR" trace --quiet -p "${HELD[w]}" --tree --metrics-textfile "$TF" --metrics-interval 200ms \
		>out 2>err &
	TRACER_PID=$!
	record_pid "$TRACER_PID"
	wait_until "[[ -s $TF ]]"
	promtool check metrics <"$TF"
	run -0 grep -c '^zreaper_forks_total{kind="process"} 0$' "$TF"
	go w
	finish w
	kill -INT "$TRACER_PID"
	wait "$TRACER_PID"
	forget_pid "$TRACER_PID"
	TRACER_PID=
	# the write at exit has every fork, even those after the last period
	run -0 grep -c '^zreaper_forks_total{kind="process"} 5$' "$TF"
	[[ ! -e $TF.tmp ]]
	run -0 cat out
	assert_output "" # --quiet
}

@test "--metrics: a bad address is a usage error, a port in use a runtime error" {
	for a in bogus 127.0.0.1 ':99999' '::1:80' '[::1' ':' 'nosuchhost.invalid:80'; do
		run -2 --separate-stderr "$ZR" trace --metrics "$a"
		assert_equal "${#lines[@]}" 0
		[[ $stderr == "zreaper: --metrics"* ]] || fail "[$a] $stderr"
		[[ $stderr != *$'\n'* ]] || fail "[$a] more than one line: $stderr"
	done
	start_tracer --metrics "127.0.0.1:$PORT"
	run -1 --separate-stderr "$ZR" trace --metrics "127.0.0.1:$PORT"
	assert_equal "$stderr" "zreaper: --metrics 127.0.0.1:$PORT: cannot listen: Address already in use"
	run -2 --separate-stderr "$ZR" trace --quiet --output x
	assert_equal "$stderr" "zreaper: --quiet and --output exclude each other"
	stop_tracer
}

@test "containers: container_id and pod_uid from a kubepods-shaped cgroup; --container; gauge label" {
	root=$(cgroup2_root)
	[[ -n $root ]] || skip "no cgroup v2 mount"
	id=$(printf 'e2e%d' "$$" | sha256sum | cut -c1-64)
	uid=5f8a2b1c-3d4e-4f60-8a9b-$(printf '%012d' "$$")
	pod=$root/kubepods.slice/kubepods-pod${uid//-/_}.slice
	ctr=$pod/cri-containerd-$id.scope
	CG_DIRS=("$ctr" "$pod" "$root/kubepods.slice")
	mkdir -p "$ctr"
	hold c zombie 1200
	echo "${HELD[c]}" >"$ctr/cgroup.procs"
	start_tracer --container "${id:0:12}" --zombie-after 200ms --metrics "127.0.0.1:$PORT"
	run_work_nowait fork 2 # outside the container: hidden
	outside=$SELF
	go c
	poll 10 metric_is "zreaper_zombies{parent_comm=\"zr-work\",container_id=\"containerd://$id\"}" 1
	finish c
	wait_event ".event == \"reap\" and .pid == ${HELD[c]}"
	stop_tracer
	zombie=$(awk '$1 == "zombie" { print $2 }' c.out)
	assert_count ".event == \"fork\" and .pid == $zombie" 1
	assert_count ".event == \"zombie\" and .pid == $zombie" 1
	assert_count ".pid == $outside or .ppid == $outside" 0
	run -0 jq -c --arg c "containerd://$id" --arg u "$uid" 'select(.event != "start" and
		.event != "stop" and (.container_id != $c or .pod_uid != $u))' "$TRACE"
	assert_output ""
	run -0 jq -r 'select(.event == "start") | .filters.container' "$TRACE"
	assert_output "${id:0:12}"
	# with the runtime prefix, and a wrong runtime
	start_tracer --container "containerd://${id:0:8}" --events fork
	hold d fork 1
	echo "${HELD[d]}" >"$ctr/cgroup.procs"
	go d
	finish d
	wait_event ".event == \"fork\" and .ppid == ${HELD[d]}"
	stop_tracer
	start_tracer --container "cri-o://${id:0:8}" --events fork
	hold e fork 1
	echo "${HELD[e]}" >"$ctr/cgroup.procs"
	go e
	finish e
	stop_tracer # drains what the kernel sent: the fork was read, and not shown
	assert_count ".event == \"fork\"" 0
}

@test "containers: a zombie older than the trace is counted under its container" {
	root=$(cgroup2_root)
	[[ -n $root ]] || skip "no cgroup v2 mount"
	id=$(printf 'old%d' "$$" | sha256sum | cut -c1-64)
	ctr=$root/system.slice/docker-$id.scope
	# shellcheck disable=SC2034 # teardown's remove_cgroups (helpers.bash) reads it
	CG_DIRS=("$ctr")
	mkdir -p "$ctr"
	hold o zombie 4000
	echo "${HELD[o]}" >"$ctr/cgroup.procs"
	go o
	wait_until "grep -q '^zombie ' o.out"
	start_tracer --zombie-after 200ms --metrics "127.0.0.1:$PORT"
	poll 10 metric_is "zreaper_zombies{parent_comm=\"zr-work\",container_id=\"docker://$id\"}" 1
	finish o
	poll 10 metric_is "zreaper_zombies{parent_comm=\"zr-work\",container_id=\"docker://$id\"}" absent
	stop_tracer
}

@test "a scrape every 20 ms during a 20,000-fork storm loses no event" {
	hold s fork 20000
	start_tracer -p "${HELD[s]}" --tree --events lost --metrics "127.0.0.1:$PORT"
	go s
	n=0
	while [[ $(grep -c '^child ' s.out) -lt 20000 ]] && kill -0 "${HELD[s]}" 2>/dev/null; do
		if scrape; then
			n=$((n + 1))
		fi
		sleep 0.02
	done
	finish s
	# the children by zr-work, and zr-work by this shell
	poll 30 metric_is 'zreaper_reaps_total{reaper_role="parent"}' 20001
	assert_equal "$(metric 'zreaper_forks_total{kind="process"}')" 20000
	assert_equal "$(metric 'zreaper_events_lost_total{source="ringbuf"}')" 0
	stop_tracer
	[[ $n -ge 5 ]] || fail "only $n scrapes during the storm"
	assert_count '.event == "lost"' 0
	run -0 jq -r 'select(.event == "stop") | .lost' "$TRACE"
	assert_output 0
}

@test "--output FILE: rotated by size into FILE.1 .. FILE.N, whole lines in each" {
	out=$BATS_TEST_TMPDIR/ev.jsonl
	hold r fork 300
	"$ZR" trace --json -p "${HELD[r]}" --tree --output "$out" --output-max-size 16K --output-keep 2 \
		>stdout 2>err &
	TRACER_PID=$!
	record_pid "$TRACER_PID"
	wait_until "[[ -s $out ]]"
	go r
	finish r
	wait_until "cat $out* | grep -q '\"event\":\"reap\",\"pid\":${HELD[r]},'"
	kill -INT "$TRACER_PID"
	wait "$TRACER_PID"
	forget_pid "$TRACER_PID"
	TRACER_PID=
	[[ -s $out.1 && -s $out.2 && ! -e $out.3 ]] || fail "$(ls -l "$BATS_TEST_TMPDIR")"
	for f in "$out" "$out.1" "$out.2"; do
		run -0 jq -c . "$f" # every line parses: no line split by a rotation
		[[ -z $(tail -c 1 "$f") ]] || fail "$f ends mid-line: $(tail -c 100 "$f")"
		[[ $(stat -c %s "$f") -lt $((16384 + 4096)) ]] || fail "$f: more than one line past the limit"
	done
	run -0 cat stdout
	assert_output ""
	run -0 jq -r .event <(tail -n 1 "$out")
	assert_output stop
}

@test "--output-max-size and --output-keep reject bad values" {
	run -2 --separate-stderr "$ZR" trace --output x --output-max-size 12Q
	assert_equal "$stderr" "zreaper: --output-max-size: '12Q' is not a size from 4K to 1T (e.g. 100M)"
	run -2 --separate-stderr "$ZR" trace --output x --output-keep -1
	assert_equal "$stderr" "zreaper: --output-keep: '-1' is not a count from 0 to 1000"
	run -2 --separate-stderr "$ZR" trace --metrics-interval 0
	assert_equal "$stderr" "zreaper: --metrics-interval: '0' is not a positive duration (e.g. 15s)"
}
