#!/usr/bin/env bats
# events.bats - every event kind `zreaper trace --json` reports, field by field, on workloads
# whose pids zr-work prints: fork, exec, exit, wait, reap, signal, subreaper.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require_root
	cd "$BATS_TEST_TMPDIR" || exit 1
}

@test "fork, exit, wait and reap of one child, every field" {
	start_tracer
	run_work fork 1 --exit 7
	child=$(roles child)

	assert_count ".event == \"fork\" and .pid == $child" 1
	run -0 pick ".event == \"fork\" and .pid == $child" \
		'[.ppid, .comm, .parent.pid, .parent.comm, has("tid"), .entity_id == "\(.pid):\(.start_ns)"]'
	assert_output "[$SELF,\"zr-work\",$SELF,\"zr-work\",false,true]"

	run -0 pick ".event == \"exit\" and .pid == $child" \
		'[.exit_code, .signal, .core_dumped, .oom_killed, .group_dead, .lifetime_ns > 0]'
	assert_output '[7,null,false,false,true,true]'

	run -0 pick ".event == \"wait\" and .pid == $SELF" \
		'[.syscall, .target, .options, .result, .reaped_pid, .exit_code, .signal]'
	assert_output "[\"wait4\",$child,0,\"reaped\",$child,7,null]"

	run -0 pick ".event == \"reap\" and .pid == $child" \
		'[.ppid, .reaper.pid, .reaper.comm, .reaper.role, .how, .exit_code, .signal, .zombie_ns >= 0]'
	assert_output "[$SELF,$SELF,\"zr-work\",\"parent\",\"wait4\",7,null,true]"
	stop_tracer
}

@test "exit codes 0..255 are reported exactly, on exit and on reap" {
	start_tracer
	: >expected
	for code in $(seq 0 255); do
		run -0 --separate-stderr "$WORK" fork 1 --exit "$code"
		echo "$(roles child) $code" >>expected
	done
	last=$(tail -n 1 expected | cut -d' ' -f1)
	wait_event ".event == \"reap\" and .pid == $last"
	mapfile -t pids < <(cut -d' ' -f1 expected)
	sel=$(jq_pids "${pids[@]}")
	json_select ".event == \"exit\" and $sel" | jq -r '"\(.pid) \(.exit_code)"' >exits
	json_select ".event == \"reap\" and $sel" | jq -r '"\(.pid) \(.exit_code)"' >reaps
	run diff expected exits
	assert_success
	run diff expected reaps
	assert_success
	stop_tracer
}

@test "death by signal: signal name, exit_code null, no core without RLIMIT_CORE" {
	start_tracer
	: >expected
	for sig in HUP INT QUIT KILL USR1 SEGV USR2 PIPE ALRM TERM ABRT; do
		run -0 --separate-stderr "$WORK" fork 1 --signal "$sig"
		echo "$(roles child) null SIG$sig false" >>expected
	done
	last=$(tail -n 1 expected | cut -d' ' -f1)
	wait_event ".event == \"reap\" and .pid == $last"
	mapfile -t pids < <(cut -d' ' -f1 expected)
	sel=$(jq_pids "${pids[@]}")
	json_select ".event == \"exit\" and $sel" |
		jq -r '"\(.pid) \(.exit_code) \(.signal) \(.core_dumped)"' >exits
	json_select ".event == \"reap\" and $sel" |
		jq -r '"\(.pid) \(.exit_code) \(.signal) \(.core_dumped)"' >reaps
	run diff expected exits
	assert_success
	run diff expected reaps
	assert_success
	stop_tracer
}

@test "core dump: core_dumped true for a child and for the process itself" {
	[[ $(ulimit -H -c) != 0 ]] || skip "hard RLIMIT_CORE is 0"
	start_tracer
	run_work fork 1 --signal SEGV --core
	child=$(roles child)
	run -0 pick ".event == \"exit\" and .pid == $child" '[.exit_code, .signal, .core_dumped]'
	assert_output '[null,"SIGSEGV",true]'
	run -0 pick ".event == \"reap\" and .pid == $child" '[.signal, .core_dumped]'
	assert_output '["SIGSEGV",true]'

	run -134 --separate-stderr "$WORK" --self signal-self ABRT --core
	me=$(roles self)
	wait_event ".event == \"reap\" and .pid == $me"
	run -0 pick ".event == \"exit\" and .pid == $me" '[.exit_code, .signal, .core_dumped]'
	assert_output '[null,"SIGABRT",true]'
	stop_tracer
}

@test "exec: filename, argv, old comm, error null" {
	start_tracer
	run_work fork 1 --exec /bin/echo hello "two words"
	child=$(roles child)
	assert_count ".event == \"exec\" and .pid == $child" 1
	run -0 pick ".event == \"exec\" and .pid == $child" \
		'[.filename, .argv, .argv_truncated, .comm, .old_comm, .error, .ppid]'
	assert_output "[\"/bin/echo\",[\"/bin/echo\",\"hello\",\"two words\"],false,\"echo\",\"zr-work\",null,$SELF]"
	stop_tracer
}

@test "failed exec is an exec event with the errno name" {
	start_tracer
	run_work fork 1 --exec-fail /nonexistent/zr-missing
	child=$(roles child)
	run -0 pick ".event == \"exec\" and .pid == $child" '[.filename, .error, .comm]'
	assert_output '["/nonexistent/zr-missing","ENOENT","zr-work"]'
	run -0 pick ".event == \"exit\" and .pid == $child" '.exit_code'
	assert_output 127

	printf 'not a program\n' >notexec
	chmod 0644 notexec
	run_work fork 1 --exec-fail "$BATS_TEST_TMPDIR/notexec"
	child=$(roles child)
	run -0 pick ".event == \"exec\" and .pid == $child" '[.filename, .error]'
	assert_output "[\"$BATS_TEST_TMPDIR/notexec\",\"EACCES\"]"
	stop_tracer
}

@test "threads: thread forks and exits only with --threads, each with its tid" {
	start_tracer --threads
	run_work threads 3
	tids=$(roles thread)
	for tid in $tids; do
		assert_count ".event == \"fork\" and .pid == $SELF and .tid == $tid" 1
		run -0 pick ".event == \"exit\" and .pid == $SELF and .tid == $tid" '.group_dead'
		assert_output false
	done
	# the process itself: one group exit, one reap by its parent
	assert_count ".event == \"exit\" and .pid == $SELF and .group_dead" 1
	assert_count ".event == \"reap\" and .pid == $SELF and (has(\"tid\") | not)" 1
	stop_tracer
}

@test "threads: none of the thread events without --threads" {
	start_tracer
	run_work threads 3
	for tid in $(roles thread); do
		assert_count "(.tid // 0) == $tid or .pid == $tid" 0
	done
	assert_count ".event == \"fork\" and .pid == $SELF" 1
	assert_count ".event == \"exit\" and .pid == $SELF" 1
	stop_tracer
}

@test "threads: the leader exits first, the last thread ends the group" {
	start_tracer --threads
	run_work threads 2 --leader-exits-first
	# thread 0 joins main, thread 1 joins thread 0: main, thread 0, thread 1 exit in that order
	mapfile -t t < <(roles thread)
	assert_equal "${#t[@]}" 2
	run -0 pick ".event == \"exit\" and .pid == $SELF" '[.tid, .group_dead]'
	assert_equal "${#lines[@]}" 3
	assert_equal "${lines[0]}" "[$SELF,false]"
	assert_equal "${lines[1]}" "[${t[0]},false]"
	# the group's exit (the process event, made when thread 1 exits) comes last
	assert_regex "${lines[2]}" "^\[(null|${t[1]}),true\]\$"
	stop_tracer
}

@test "wait results: would_block, reaped, no_child (wait4 and waitid)" {
	start_tracer
	run_work wait-nohang
	child=$(roles child)
	run -0 pick ".event == \"wait\" and .pid == $SELF" '[.syscall, .target, .options, .result, .reaped_pid, .error]'
	assert_equal "${#lines[@]}" 3
	assert_equal "${lines[0]}" "[\"wait4\",$child,1,\"would_block\",null,null]"
	assert_equal "${lines[1]}" "[\"wait4\",$child,0,\"reaped\",$child,null]"
	assert_equal "${lines[2]}" '["wait4",-1,0,"no_child",null,"ECHILD"]'

	run_work wait-nohang --waitid
	child=$(roles child)
	run -0 pick ".event == \"wait\" and .pid == $SELF" '[.syscall, .target, .result, .reaped_pid, .error]'
	assert_equal "${#lines[@]}" 3
	assert_equal "${lines[0]}" "[\"waitid\",$child,\"would_block\",null,null]"
	assert_equal "${lines[1]}" "[\"waitid\",$child,\"reaped\",$child,null]"
	assert_equal "${lines[2]}" '["waitid",-1,"no_child",null,"ECHILD"]'
	stop_tracer
}

@test "wait results: a WNOWAIT peek is not a reap" {
	start_tracer
	run_work wait-nowait --exit 3
	child=$(roles child)
	run -0 pick ".event == \"wait\" and .pid == $SELF" '[.syscall, .result, .reaped_pid, .exit_code]'
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[0]}" "[\"waitid\",\"peeked\",$child,3]"
	assert_equal "${lines[1]}" "[\"wait4\",\"reaped\",$child,3]"
	assert_count ".event == \"reap\" and .pid == $child" 1
	stop_tracer
}

@test "wait results: stopped and continued, then reaped" {
	start_tracer
	for how in wait4 waitid; do
		if [[ $how == waitid ]]; then
			run_work wait-stop --waitid
		else
			run_work wait-stop
		fi
		child=$(roles child)
		run -0 pick ".event == \"wait\" and .pid == $SELF" '[.result, .target]'
		assert_equal "${#lines[@]}" 3
		assert_equal "${lines[0]}" "[\"stopped\",$child]"
		assert_equal "${lines[1]}" "[\"continued\",$child]"
		assert_equal "${lines[2]}" "[\"reaped\",$child]"
		assert_count ".event == \"reap\" and .pid == $child" 1
	done
	stop_tracer
}

@test "reap how: wait4, waitid, autoreap" {
	start_tracer
	run_work fork 2 --parallel
	for c in $(roles child); do
		run -0 pick ".event == \"reap\" and .pid == $c" '[.how, .reaper.pid, .reaper.role]'
		assert_output "[\"wait4\",$SELF,\"parent\"]"
	done
	run -0 pick ".event == \"wait\" and .pid == $SELF" '.target'
	assert_equal "${lines[*]}" "-1 -1"

	run_work fork 2 --waitid
	for c in $(roles child); do
		run -0 pick ".event == \"reap\" and .pid == $c" '[.how, .reaper.pid, .reaper.role]'
		assert_output "[\"waitid\",$SELF,\"parent\"]"
	done

	run_work autoreap 3
	children=$(roles child)
	for c in $children; do
		wait_event ".event == \"reap\" and .pid == $c"
		run -0 pick ".event == \"reap\" and .pid == $c" '[.how, .reaper.role, .exit_code]'
		assert_output '["autoreap","kernel",0]'
	done
	# an autoreaped child is never waited for
	assert_count ".event == \"wait\" and .pid == $SELF" 0
	stop_tracer
}

@test "reap by a subreaper: the orphan's reaper is the subreaper, role subreaper" {
	start_tracer
	run_work --subreaper orphan --linger 50
	middle=$(roles middle)
	orphan=$(roles orphan)
	run -0 pick ".event == \"reap\" and .pid == $middle" '[.reaper.pid, .reaper.role]'
	assert_output "[$SELF,\"parent\"]"
	run -0 pick ".event == \"reap\" and .pid == $orphan" '[.ppid, .reaper.pid, .reaper.role, .how]'
	assert_output "[$SELF,$SELF,\"subreaper\",\"wait4\"]"
	run -0 pick ".event == \"fork\" and .pid == $orphan" '.ppid'
	assert_output "$middle"
	stop_tracer
}

@test "reap by a pid namespace's init: role pidns_init, namespace pids" {
	start_tracer
	unshare --pid --fork --mount-proc "$WORK" --self orphan --linger 20 >ns.out 2>ns.err 3>&- &
	upid=$!
	record_pid "$upid"
	rc=0
	wait "$upid" || rc=$?
	forget_pid "$upid"
	assert_equal "unshare exit $rc" "unshare exit 0"
	output=$(cat ns.out)
	# zr-work is PID 1 of the new namespace and prints namespace pids
	assert_equal "$(roles self)" 1
	ns_middle=$(roles middle)
	ns_orphan=$(roles orphan)
	wait_event ".event == \"fork\" and .ppid == $upid"
	init=$(pick ".event == \"fork\" and .ppid == $upid" .pid)
	wait_event ".event == \"reap\" and .pid == $init"
	pidns=$(pick ".event == \"exec\" and .pid == $init" .pidns)
	[[ $pidns =~ ^[0-9]+$ ]]
	run -0 pick ".event == \"exec\" and .pid == $init" '[.ns_pid, .comm]'
	assert_output '[1,"zr-work"]'
	# Found by ancestry, not by (pidns, ns_pid) alone: another test on the host may get the
	# same namespace inode number once an earlier namespace is gone.
	middle=$(pick ".event == \"fork\" and .ppid == $init and .ns_pid == $ns_middle" .pid)
	orphan=$(pick ".event == \"fork\" and .ppid == $middle and .ns_pid == $ns_orphan" .pid)
	run -0 pick ".event == \"reap\" and .pid == $middle" \
		'[.pidns, .ns_pid, .reaper.pid, .reaper.role]'
	assert_output "[$pidns,$ns_middle,$init,\"parent\"]"
	run -0 pick ".event == \"reap\" and .pid == $orphan" \
		'[.pidns, .ns_pid, .ppid, .reaper.pid, .reaper.role, .how]'
	assert_output "[$pidns,$ns_orphan,$init,$init,\"pidns_init\",\"wait4\"]"
	stop_tracer
}

@test "orphan event: old parent, new parent and its role (when zreaper has it)" {
	"$ZR" trace --help | grep -q orphan || skip "zreaper trace has no orphan events yet"
	start_tracer
	run_work --subreaper orphan --linger 50
	middle=$(roles middle)
	orphan=$(roles orphan)
	run -0 pick ".event == \"orphan\" and .pid == $orphan" \
		'[.old_parent.pid, .new_parent.pid, .new_parent.role]'
	assert_output "[$middle,$SELF,\"subreaper\"]"
	stop_tracer
}

@test "zombie event after --zombie-after, with the parent named (when zreaper has it)" {
	"$ZR" trace --help | grep -q -- --zombie-after || skip "zreaper trace has no --zombie-after yet"
	start_tracer --zombie-after 200ms
	run_work zombie 1000 --count 2
	for z in $(roles zombie); do
		assert_count ".event == \"zombie\" and .pid == $z" 1
		run -0 pick ".event == \"zombie\" and .pid == $z" \
			'[.ppid, .parent.pid, .exit_code, .zombie_ns >= 200000000, .zombie_ns < 1000000000,
			(.reason_code | type), (.reason | type)]'
		assert_output "[$SELF,$SELF,0,true,true,\"string\",\"string\"]"
		run -0 pick ".event == \"reap\" and .pid == $z" '.zombie_ns >= 1000000000'
		assert_output true
	done
	stop_tracer
}

@test "signal: SIGCHLD to the parent, sent by the child" {
	start_tracer
	run_work fork 1 --exit 0
	child=$(roles child)
	run -0 pick ".event == \"signal\" and .pid == $SELF and .signal == \"SIGCHLD\"" \
		'[.sender.pid, .sender.comm, .code]'
	# code 1 is CLD_EXITED
	assert_output "[$child,\"zr-work\",1]"
	stop_tracer
}

@test "signal: SIGTERM sent with kill names the sender" {
	start_tracer
	sleep 60 3>&- &
	victim=$!
	record_pid "$victim"
	wait_event ".event == \"exec\" and .pid == $victim"
	kill -TERM "$victim"
	wait "$victim" || true
	wait_event ".event == \"exit\" and .pid == $victim"
	run -0 pick ".event == \"signal\" and .pid == $victim" '[.signal, .sender.pid, .code, .comm]'
	# code 0 is SI_USER: a kill(2)
	assert_output "[\"SIGTERM\",$BASHPID,0,\"sleep\"]"
	run -0 pick ".event == \"exit\" and .pid == $victim" '[.exit_code, .signal]'
	assert_output '[null,"SIGTERM"]'
	stop_tracer
}

@test "subreaper: set then cleared" {
	start_tracer
	run_work subreaper
	run -0 pick ".event == \"subreaper\" and .pid == $SELF" '[.value, .subreaper, .error]'
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[0]}" '[true,true,null]'
	assert_equal "${lines[1]}" '[false,false,null]'
	stop_tracer
}

@test "only documented event kinds appear; free is internal" {
	start_tracer --threads
	run_work fork 3
	run_work threads 2
	run_work autoreap 2
	for c in $(roles child); do
		wait_event ".event == \"reap\" and .pid == $c"
	done
	stop_tracer
	run -0 jq -r .event "$TRACE"
	refute_line free
	run -0 jq -r '.event | select(IN("start", "stop", "fork", "exec", "exit", "wait", "reap",
		"orphan", "zombie", "signal", "subreaper", "snapshot", "lost", "action",
		"summary") | not)' "$TRACE"
	assert_output ""
	# seq counts every line, without gaps
	run -0 jq -s '[.[].seq] == [range(1; length + 1)]' "$TRACE"
	assert_output true
}
