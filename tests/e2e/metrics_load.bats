#!/usr/bin/env bats
# metrics_load.bats - the /metrics endpoint under load, on loopback: 200 clients that send half a
# request and reconnect whenever dropped (tools/zr-conns), alone and with 1,000 short connections
# a second; 20 scrapes started while they hold on must all be answered. Each test stops by
# itself in about 7 s.

bats_require_minimum_version 1.5.0
load helpers

CONNS=${CONNS:-$BATS_TEST_DIRNAME/../../build/zr-conns}

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
	metrics_port
}

# scrapes_under_load ZR-CONNS-ARGS...: starts zr-conns (10 s: longer than the 20 scrapes can
# take, 2 s of pacing plus curl's 5 s at most, however busy the machine) and, once every slow client has
# connected, 20 scrapes 100 ms apart, each a curl of its own with 5 s to finish. Asserts 20 of 20
# answered with the page, and zr-conns still running when the last one ended (so all of them
# ran under the load); leaves zr-conns' figures in $output.
scrapes_under_load() {
	local pid i ok=0 scrapes=()
	start_tracer --metrics "127.0.0.1:$PORT"
	poll 5 curl -sf -o /dev/null "$URL"
	"$CONNS" -d 10000 "$@" 127.0.0.1 "$PORT" >conns.out 2>conns.err &
	pid=$!
	record_pid "$pid"
	wait_until "grep -q '^ready$' conns.out" 5
	for i in $(seq 20); do
		curl -sf --max-time 5 -o "page.$i" -w '%{time_total}\n' "$URL" >"time.$i" 2>&1 &
		scrapes+=($!)
		sleep 0.1 # pacing, not synchronisation
	done
	for i in "${!scrapes[@]}"; do
		if wait "${scrapes[$i]}" && grep -q '^zreaper_forks_total' "page.$((i + 1))"; then
			ok=$((ok + 1))
		fi
	done
	kill -0 "$pid" # the load outlasted the scrapes
	wait "$pid"
	forget_pid "$pid"
	echo "# scrape seconds: $(sort -n time.* | awk '{ a[NR] = $1 } END { print "min", a[1], "median", a[int((NR + 1) / 2)], "max", a[NR] }')" >&3
	echo "# zr-conns: $(tail -n 1 conns.out)" >&3
	assert_equal "answered $ok of 20" "answered 20 of 20"
	run -0 tail -n 1 conns.out
	stop_tracer
}

@test "200 slow clients holding connections: 20 of 20 scrapes answered" {
	scrapes_under_load -s 200
	# every one of the 200 got in (and was dropped for others) again and again
	read -r _ slow _ connects _ dropped _ <<<"$output"
	assert_equal "$slow" 200
	(( connects > 200 && dropped > 0 ))
}

@test "200 slow clients and 1,000 short connections a second: 20 of 20 scrapes answered" {
	scrapes_under_load -s 200 -r 1000
	read -r _ _ _ _ _ _ _ _ _ short _ failed <<<"$output"
	(( short >= 5000 )) # 10 s at 1,000 a second: at least half, however busy the machine
	assert_equal "short failed $failed" "short failed 0"
}
