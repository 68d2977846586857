#!/usr/bin/env bats
# prometheus.bats - the real scraper: a Prometheus server (its own config and data folder, 1 s
# scrape and rule interval) scrapes `trace --metrics` while zr-work holds a zombie; its query API
# shows zreaper_zombies rise to 1 and fall back to 0, the forks counted, and the sample alert
# rule (copied with for: 0s) firing. The rule file itself passes promtool check rules.
# shellcheck disable=SC2016 # $names inside single quotes are jq's

bats_require_minimum_version 1.5.0
load helpers

RULES=$BATS_TEST_DIRNAME/../../tools/deploy/zreaper-alerts.yml

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# query EXPR: the first value of an instant query, "none" when the result is empty.
query() {
	curl -sf --max-time 5 --data-urlencode "query=$1" "$PROM/api/v1/query" |
		jq -r 'if .data.result | length == 0 then "none" else .data.result[0].value[1] end'
}

# query_is EXPR VALUE
query_is() {
	[[ $(query "$1") == "$2" ]]
}

# alert_firing NAME
alert_firing() {
	curl -sf --max-time 5 "$PROM/api/v1/alerts" |
		jq -e --arg n "$1" '.data.alerts[] | select(.labels.alertname == $n and .state == "firing")' >/dev/null
}

# start_prometheus: serves on $pport (PROM) once ready; a server that exits at start (its port
# was taken meanwhile) is started again on another port; its log is shown when it never gets
# ready.
start_prometheus() {
	local try ppid

	for try in 1 2 3; do
		prometheus --config.file=prometheus.yml --storage.tsdb.path=data \
			--web.listen-address="127.0.0.1:$pport" --log.level=warn >prom.log 2>&1 &
		ppid=$!
		record_pid "$ppid"
		if poll 30 ready_or_gone "$ppid" && kill -0 "$ppid" 2>/dev/null; then
			return 0
		fi
		echo "prometheus on port $pport, try $try: not ready; its log:" >&2
		cat prom.log >&2
		kill "$ppid" 2>/dev/null || true
		pport=$(free_port)
		PROM=http://127.0.0.1:$pport
	done
	return 1
}

# ready_or_gone PID: Prometheus answers /-/ready, or process PID has exited.
ready_or_gone() {
	curl -sf -o /dev/null "$PROM/-/ready" || ! kill -0 "$1" 2>/dev/null
}

@test "the sample alert rules pass promtool check rules" {
	run -0 promtool check rules "$RULES"
	assert_output --partial "SUCCESS: 2 rules found"
}

@test "Prometheus scrapes zreaper: zombies 1 then 0, forks counted, the alert fires" {
	zport=$(free_port)
	pport=$(free_port)
	[[ $zport != "$pport" ]] || pport=$((zport + 1))
	PROM=http://127.0.0.1:$pport
	# a zombie for 3 s, then 20 forks; held until Prometheus has seen the counters at 0
	"$WORK" --self --sync go.z zombie 3000 >z.out 2>z.err 3>&- &
	zpid=$!
	record_pid "$zpid"
	"$WORK" --self --sync go.f fork 20 >f.out 2>f.err 3>&- &
	fpid=$!
	record_pid "$fpid"
	wait_until "grep -q '^self ' z.out && grep -q '^self ' f.out"
	"$ZR" trace --quiet -p "$zpid" -p "$fpid" --tree --zombie-after 200ms \
		--metrics "127.0.0.1:$zport" 2>trace.err &
	TRACER_PID=$!
	record_pid "$TRACER_PID"
	wait_until "curl -sf -o /dev/null http://127.0.0.1:$zport/metrics"

	sed 's/for: 15m/for: 0s/' "$RULES" >rules.yml
	cat >prometheus.yml <<-EOF
		global:
		  scrape_interval: 1s
		  evaluation_interval: 1s
		rule_files: [rules.yml]
		scrape_configs:
		  - job_name: zreaper
		    static_configs:
		      - targets: ["127.0.0.1:$zport"]
	EOF
	start_prometheus
	poll 15 query_is 'zreaper_forks_total{kind="process"}' 0

	touch go.z go.f
	poll 15 query_is 'sum(zreaper_zombies)' 1
	poll 10 alert_firing ZreaperZombiesGrowing
	wait "$zpid"
	forget_pid "$zpid"
	wait "$fpid"
	forget_pid "$fpid"
	poll 15 query_is 'sum(zreaper_zombies) or vector(0)' 0
	poll 10 query_is 'zreaper_forks_total{kind="process"} >= bool 21' 1
	# the whole story stays in the TSDB: the gauge's highest value was 1
	run -0 query 'max_over_time(zreaper_zombies{parent_comm="zr-work"}[5m])'
	assert_output 1
	run -0 query 'max_over_time(zreaper_forks_total{kind="process"}[5m])
		- min_over_time(zreaper_forks_total{kind="process"}[5m]) >= bool 21'
	assert_output 1
	run -0 query 'zreaper_exits_total{outcome="success"}'
	assert_output 23 # 1 zombie, 20 children, 2 zr-works
}
