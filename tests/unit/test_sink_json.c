/* test_sink_json.c - sink_json.c and sink_common.c: every kind as exact JSON lines, escaping,
 * seq, big numbers, long lines, write errors; zombie, orphan, snapshot and summary payloads.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ev_build.h"
#include "sink_capture.h"
#include "filter.h"
#include "sink.h"
#include "summary.h"
#include "kernel_report.h"

#define HEAD(kind, seq)                                                                            \
	"{\"ts\":\"" EVB_TS "\",\"ktime_ns\":6000000000,\"seq\":" #seq ",\"event\":\"" kind "\""
#define SUBJ                                                                                       \
	"\"pid\":4242,\"ppid\":100,\"comm\":\"sleep\",\"uid\":1000,\"gid\":1000,"                  \
	"\"start_ns\":5000000000,\"entity_id\":\"4242:5000000000\",\"cgroup_id\":77"
#define LINE(kind, rest) HEAD(kind, 1) "," SUBJ rest "}\n"

/* A tiny JSON checker, independent of the sink: one value, nothing after it. Recursive, as
 * JSON is; the lines under test nest two levels at most. */
static const char *js_value(const char *p);

static const char *js_ws(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++) {
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				}
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return p + 1;
}

static const char *js_list(const char *p, char close, int is_object) /* NOLINT(misc-no-recursion) */
{
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (is_object) {
			p = js_string(js_ws(p));
			if (!p || *(p = js_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = js_value(p);
		if (!p)
			return NULL;
		p = js_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *js_value(const char *p) /* NOLINT(misc-no-recursion) */
{
	p = js_ws(p);
	if (*p == '{')
		return js_list(p, '}', 1);
	if (*p == '[')
		return js_list(p, ']', 0);
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

static void assert_json_line(const char *line)
{
	const char *end = js_value(line);

	assert_non_null(end);
	assert_string_equal(end, "\n");
}

static struct run_info info = { .schema_version = 1, .version = "0.1.0", .kernel = "6.18.0" };

static struct sink new_sink(void)
{
	struct sink s;

	sink_json_init(&s, NULL, &info);
	s.boot_to_real_ns = EVB_BOOT_TO_REAL;
	return s;
}

static const char *emit1(struct zr_ev ev)
{
	struct sink s = new_sink();
	const char *out = emit_on(&s, &ev, 1);

	assert_json_line(out);
	return out;
}

static void test_fork(void **state)
{
	struct zr_ev ev = evb_fork("bash");

	(void)state;
	assert_string_equal(emit1(ev), LINE("fork", ",\"parent\":{\"pid\":100,\"comm\":\"bash\","
						    "\"entity_id\":\"100:1000\"}"));
	ev.parent.role = "parent";
	assert_string_equal(emit1(ev),
			    LINE("fork", ",\"parent\":{\"pid\":100,\"comm\":\"bash\","
					 "\"entity_id\":\"100:1000\",\"role\":\"parent\"}"));
}

/* A process's members are rendered once and copied on its later events (json_memo.c): a
 * change in any of them (exec's comm, reparenting, a pid reused) must show at once, in the
 * subject and in the nested parent alike. */
static void test_members_remembered_exactly(void **state)
{
	struct zr_ev ev = evb_fork("bash");

	(void)state;
	assert_string_equal(emit1(ev), LINE("fork", ",\"parent\":{\"pid\":100,\"comm\":\"bash\","
						    "\"entity_id\":\"100:1000\"}"));
	assert_string_equal(emit1(ev), LINE("fork", ",\"parent\":{\"pid\":100,\"comm\":\"bash\","
						    "\"entity_id\":\"100:1000\"}"));
	snprintf(ev.comm, sizeof(ev.comm), "sleepy");
	ev.ppid = 1;
	snprintf(ev.parent.comm, sizeof(ev.parent.comm), "sh");
	assert_string_equal(
	    emit1(ev),
	    HEAD("fork", 1) ",\"pid\":4242,\"ppid\":1,\"comm\":\"sleepy\",\"uid\":1000,"
			    "\"gid\":1000,\"start_ns\":5000000000,\"entity_id\":"
			    "\"4242:5000000000\",\"cgroup_id\":77,\"parent\":{\"pid\":100,"
			    "\"comm\":\"sh\",\"entity_id\":\"100:1000\"}}\n");
	ev.start_ns = 6000000000ULL;
	ev.parent.start_ns = 2000;
	assert_string_equal(
	    emit1(ev),
	    HEAD("fork", 1) ",\"pid\":4242,\"ppid\":1,\"comm\":\"sleepy\",\"uid\":1000,"
			    "\"gid\":1000,\"start_ns\":6000000000,\"entity_id\":"
			    "\"4242:6000000000\",\"cgroup_id\":77,\"parent\":{\"pid\":100,"
			    "\"comm\":\"sh\",\"entity_id\":\"100:2000\"}}\n");
}

/* container_id and pod_uid follow cgroup_id when known; absent (not null) otherwise. */
static void test_container_and_pod(void **state)
{
	struct zr_ev ev = evb_fork("bash");

	(void)state;
	ev.container_id = "containerd://0123456789ab";
	ev.pod_uid = "5f8a2b1c-3d4e-4f60-8a9b-0c1d2e3f4a5b";
	assert_string_equal(emit1(ev),
			    LINE("fork", ",\"container_id\":\"containerd://0123456789ab\","
					 "\"pod_uid\":\"5f8a2b1c-3d4e-4f60-8a9b-0c1d2e3f4a5b\","
					 "\"parent\":{\"pid\":100,\"comm\":\"bash\","
					 "\"entity_id\":\"100:1000\"}"));
	ev.pod_uid = NULL; /* docker alone: a container, no pod */
	assert_string_equal(emit1(ev),
			    LINE("fork", ",\"container_id\":\"containerd://0123456789ab\","
					 "\"parent\":{\"pid\":100,\"comm\":\"bash\","
					 "\"entity_id\":\"100:1000\"}"));
}

static void test_thread_and_pidns(void **state)
{
	struct zr_ev ev = evb_thread_fork(4243);

	(void)state;
	assert_string_equal(
	    emit1(ev),
	    HEAD("fork", 1) ",\"pid\":4242,\"tid\":4243,\"ppid\":100,\"comm\":\"sleep\","
			    "\"uid\":1000,\"gid\":1000,\"start_ns\":5000000000,"
			    "\"entity_id\":\"4242:5000000000\",\"cgroup_id\":77,\"thread\":true,"
			    "\"parent\":{\"pid\":4242,\"comm\":\"sleep\",\"entity_id\":"
			    "\"4242:5000000000\",\"role\":\"thread\"}}\n");

	ev = evb_exit(0, 0);
	ev.ns_pid = 7;
	ev.pidns = 4026532000u;
	assert_string_equal(
	    emit1(ev),
	    HEAD("exit",
		 1) ",\"pid\":4242,\"ppid\":100,\"comm\":\"sleep\",\"uid\":1000,"
		    "\"gid\":1000,\"start_ns\":5000000000,\"entity_id\":\"4242:5000000000\","
		    "\"ns_pid\":7,\"pidns\":4026532000,\"cgroup_id\":77,\"exit_code\":0,"
		    "\"signal\":null,\"core_dumped\":false,\"oom_killed\":false,"
		    "\"group_dead\":true,\"lifetime_ns\":0}\n");
}

static void test_exec(void **state)
{
	static const char args[] = "ls\0-l\0/tmp";
	struct zr_ev ev = evb_exec("/bin/ls", args, 3, 0);

	(void)state;
	assert_string_equal(emit1(ev),
			    LINE("exec",
				 ",\"filename\":\"/bin/ls\",\"argv\":[\"ls\",\"-l\",\"/tmp\"],"
				 "\"argv_truncated\":false,\"old_comm\":\"bash\",\"error\":null"));
	ev.u.exec.argv_truncated = true;
	ev.u.exec.argc = 1;
	assert_string_equal(emit1(ev),
			    LINE("exec",
				 ",\"filename\":\"/bin/ls\",\"argv\":[\"ls\"],"
				 "\"argv_truncated\":true,\"old_comm\":\"bash\",\"error\":null"));
}

static void test_exec_failed_and_empty(void **state)
{
	struct zr_ev ev = evb_exec("/nope", "nope", 1, ENOENT);

	(void)state;
	assert_string_equal(emit1(ev),
			    LINE("exec", ",\"filename\":\"/nope\",\"argv\":[\"nope\"],"
					 "\"argv_truncated\":false,\"old_comm\":\"bash\","
					 "\"error\":\"ENOENT\""));
	ev = evb_exec(NULL, NULL, 0, EACCES);
	assert_string_equal(emit1(ev),
			    LINE("exec", ",\"filename\":null,\"argv\":[],\"argv_truncated\":false,"
					 "\"old_comm\":\"bash\",\"error\":\"EACCES\""));
	ev = evb_exec("/x", "", 1, 4095);
	assert_string_equal(
	    emit1(ev), LINE("exec", ",\"filename\":\"/x\",\"argv\":[\"\"],\"argv_truncated\":false,"
				    "\"old_comm\":\"bash\",\"error\":\"E4095\""));
}

static void test_hostile_text(void **state)
{
	static const char args[] = "a\"b\0\x1b[2J\0\xff\xfe\0\\";
	struct zr_ev ev = evb_exec("/tmp/\n\x7f", args, 4, 0);
	const char *out;

	(void)state;
	evb_comm(ev.comm, "x\ty\xc3");
	evb_comm(ev.u.exec.old_comm, "\"q\"");
	out = emit1(ev);
	assert_non_null(strstr(out, "\"comm\":\"x\\ty\xef\xbf\xbd\""));
	assert_non_null(strstr(out, "\"filename\":\"/tmp/\\n\\u007f\""));
	assert_non_null(strstr(out, "\"argv\":[\"a\\\"b\",\"\\u001b[2J\","
				    "\"\xef\xbf\xbd\xef\xbf\xbd\",\"\\\\\"]"));
	assert_non_null(strstr(out, "\"old_comm\":\"\\\"q\\\"\""));
	/* A comm using all 16 bytes (no NUL inside the kernel's array) stays bounded. */
	memset(ev.comm, 'A', sizeof(ev.comm));
	ev.comm[16] = '\0';
	assert_non_null(strstr(emit1(ev), "\"comm\":\"AAAAAAAAAAAAAAAA\","));
}

static void test_exit(void **state)
{
	(void)state;
	assert_string_equal(emit1(evb_exit(3 << 8, 1230000000)),
			    LINE("exit", ",\"exit_code\":3,\"signal\":null,\"core_dumped\":false,"
					 "\"oom_killed\":false,\"group_dead\":true,"
					 "\"lifetime_ns\":1230000000"));
	assert_string_equal(emit1(evb_exit(SIGKILL, 5)),
			    LINE("exit", ",\"exit_code\":null,\"signal\":\"SIGKILL\","
					 "\"core_dumped\":false,\"oom_killed\":false,"
					 "\"group_dead\":true,\"lifetime_ns\":5"));
	assert_string_equal(emit1(evb_exit(SIGSEGV | 0x80, 5)),
			    LINE("exit", ",\"exit_code\":null,\"signal\":\"SIGSEGV\","
					 "\"core_dumped\":true,\"oom_killed\":false,"
					 "\"group_dead\":true,\"lifetime_ns\":5"));
}

static void test_exit_status_table(void **state)
{
	char want[160];
	int code, sig;

	(void)state;
	for (code = 0; code < 256; code++) {
		snprintf(want, sizeof(want), ",\"exit_code\":%d,\"signal\":null,", code);
		assert_non_null(strstr(emit1(evb_exit(code << 8, 0)), want));
	}
	for (sig = 1; sig <= 64; sig++) {
		snprintf(want, sizeof(want),
			 ",\"exit_code\":null,\"signal\":\"%s\",\"core_dumped\":true,",
			 status_signal_name(sig));
		assert_non_null(strstr(emit1(evb_exit(sig | 0x80, 0)), want));
	}
}

static void test_wait(void **state)
{
	struct zr_ev ev;

	(void)state;
	assert_string_equal(emit1(evb_wait(ZR_SYS_WAIT4, -1, 0, ZR_WAIT_REAPED, 4300, 0)),
			    LINE("wait",
				 ",\"syscall\":\"wait4\",\"target\":-1,\"options\":0,"
				 "\"result\":\"reaped\",\"reaped_pid\":4300,\"exit_code\":0,"
				 "\"signal\":null,\"core_dumped\":false,\"oom_killed\":false,"
				 "\"error\":null"));
	assert_string_equal(emit1(evb_wait(ZR_SYS_WAITID, 0, 5, ZR_WAIT_WOULD_BLOCK, 0, 0)),
			    LINE("wait", ",\"syscall\":\"waitid\",\"target\":0,\"options\":5,"
					 "\"result\":\"would_block\",\"reaped_pid\":null,"
					 "\"error\":null"));
	ev = evb_wait(ZR_SYS_WAIT4, 77, 0, ZR_WAIT_NO_CHILD, 0, 0);
	ev.u.wait.error = ECHILD;
	assert_string_equal(emit1(ev), LINE("wait", ",\"syscall\":\"wait4\",\"target\":77,"
						    "\"options\":0,\"result\":\"no_child\","
						    "\"reaped_pid\":null,\"error\":\"ECHILD\""));
	assert_non_null(
	    strstr(emit1(evb_wait(ZR_SYS_WAITID, -1, 0x01000004, ZR_WAIT_PEEKED, 9, SIGTERM)),
		   ",\"options\":16777220,\"result\":\"peeked\",\"reaped_pid\":9,"
		   "\"exit_code\":null,\"signal\":\"SIGTERM\","));
	assert_non_null(strstr(emit1(evb_wait(ZR_SYS_WAIT4, -1, 2, ZR_WAIT_STOPPED, 9, 0x137f)),
			       "\"result\":\"stopped\",\"reaped_pid\":9,\"error\":null}"));
	assert_non_null(strstr(emit1(evb_wait(ZR_SYS_WAIT4, -1, 8, ZR_WAIT_CONTINUED, 9, 0)),
			       "\"result\":\"continued\","));
	ev = evb_wait(ZR_SYS_WAIT4, -1, 0, ZR_WAIT_ERROR, 0, 0);
	ev.u.wait.error = EINTR;
	assert_non_null(strstr(emit1(ev), "\"result\":\"error\",\"reaped_pid\":null,"
					  "\"error\":\"EINTR\"}"));
	/* A wait begun before the trace on a kernel without bpf_task_pt_regs: no arguments. */
	ev = evb_wait(ZR_SYS_WAIT4, 0, 0, ZR_WAIT_REAPED, 4300, 0);
	ev.u.wait.args_unknown = true;
	assert_non_null(strstr(emit1(ev), ",\"syscall\":\"wait4\",\"target\":null,"
					  "\"options\":null,\"result\":\"reaped\","));
}

static void test_reap(void **state)
{
	struct zr_ref bash = evb_ref(100, 1000, "bash", "parent");

	(void)state;
	assert_string_equal(emit1(evb_reap(ZR_HOW_WAIT4, bash, 1 << 8, 1200000, 9000000)),
			    LINE("reap", ",\"reaper\":{\"pid\":100,\"comm\":\"bash\","
					 "\"entity_id\":\"100:1000\",\"role\":\"parent\"},"
					 "\"how\":\"wait4\",\"zombie_ns\":1200000,"
					 "\"lifetime_ns\":9000000,\"exit_code\":1,\"signal\":null,"
					 "\"core_dumped\":false,\"oom_killed\":false"));
	assert_string_equal(
	    emit1(evb_reap(ZR_HOW_AUTOREAP, evb_ref(0, 0, "", NULL), SIGKILL, 0, 10)),
	    LINE("reap", ",\"reaper\":{\"pid\":0,\"comm\":\"kernel\","
			 "\"entity_id\":null,\"role\":\"kernel\"},"
			 "\"how\":\"autoreap\",\"zombie_ns\":0,\"lifetime_ns\":10,"
			 "\"exit_code\":null,\"signal\":\"SIGKILL\","
			 "\"core_dumped\":false,\"oom_killed\":false"));
	bash.role = "subreaper";
	assert_non_null(strstr(emit1(evb_reap(ZR_HOW_WAITID, bash, 0, 0, 0)),
			       "\"role\":\"subreaper\"},\"how\":\"waitid\","));
	assert_non_null(strstr(emit1(evb_reap(ZR_HOW_SELF, bash, 0, 0, 0)), "\"how\":\"self\","));
}

static void test_signal(void **state)
{
	static const char *const results[] = { "delivered",	"ignored",   "already_pending",
					       "overflow_fail", "lose_info", "unknown" };
	char want[64];
	int r;

	(void)state;
	assert_string_equal(emit1(evb_signal(SIGTERM, 0, 0, evb_ref(55, 77, "kill", NULL))),
			    LINE("signal", ",\"signal\":\"SIGTERM\",\"code\":0,"
					   "\"result\":\"delivered\",\"sender\":{\"pid\":55,"
					   "\"comm\":\"kill\",\"entity_id\":\"55:77\"}"));
	assert_string_equal(emit1(evb_signal(SIGCHLD, 1, 1, evb_ref(0, 0, "", NULL))),
			    LINE("signal", ",\"signal\":\"SIGCHLD\",\"code\":1,"
					   "\"result\":\"ignored\",\"sender\":null"));
	for (r = 0; r < 6; r++) {
		snprintf(want, sizeof(want), "\"result\":\"%s\",", results[r]);
		assert_non_null(strstr(emit1(evb_signal(9, -6, r, evb_ref(0, 0, "", NULL))), want));
	}
}

static void test_subreaper_lost_stop(void **state)
{
	struct zr_ev ev = evb_plain(ZR_EV_STOP);

	(void)state;
	assert_string_equal(emit1(evb_subreaper(true, true, 0)),
			    LINE("subreaper", ",\"value\":true,\"subreaper\":true,\"error\":null"));
	assert_string_equal(
	    emit1(evb_subreaper(false, true, EPERM)),
	    LINE("subreaper", ",\"value\":false,\"subreaper\":true,\"error\":\"EPERM\""));
	assert_string_equal(emit1(evb_lost(12, "ringbuf")),
			    HEAD("lost", 1) ",\"count\":12,\"source\":\"ringbuf\"}\n");
	ev.u.stop.events = 41;
	ev.u.stop.lost = 12;
	ev.u.stop.tracked = 300;
	assert_string_equal(emit1(ev),
			    HEAD("stop", 1) ",\"events\":41,\"lost\":12,\"tracked\":300}\n");
	assert_string_equal(emit1(evb_plain(ZR_EV_SUMMARY)), HEAD("summary", 1) "}\n");
}

static void test_start(void **state)
{
	static struct zr_filters f;
	struct sink s = new_sink();
	struct zr_ev ev = evb_plain(ZR_EV_START);

	(void)state;
	f.event_mask = ZR_KIND_BIT(ZR_EV_FORK) | ZR_KIND_BIT(ZR_EV_EXIT) | ZR_KIND_BIT(ZR_EV_LOST);
	info.filters = &f;
	assert_string_equal(emit1(ev),
			    HEAD("start", 1) ",\"schema_version\":1,\"version\":\"0.1.0\","
					     "\"kernel\":\"6.18.0\",\"filters\":{\"pids\":null,"
					     "\"tree\":false,\"comm\":null,\"uid\":null,"
					     "\"cgroup\":null,\"failures_only\":false,"
					     "\"threads\":false,\"events\":[\"fork\",\"exit\","
					     "\"lost\"]}}\n");
	f.pids[0] = 1;
	f.pids[1] = 4294967295u;
	f.n_pids = 2;
	f.tree = true;
	f.comm = "we\"ird\n";
	f.has_uid = true;
	f.uid = 0;
	f.cgroup_path = "/sys/fs/cgroup/a b";
	f.failures_only = true;
	f.threads = true;
	f.event_mask = 0;
	assert_string_equal(
	    emit1(ev),
	    HEAD("start", 1) ",\"schema_version\":1,\"version\":\"0.1.0\","
			     "\"kernel\":\"6.18.0\",\"filters\":{\"pids\":[1,4294967295],"
			     "\"tree\":true,\"comm\":\"we\\\"ird\\n\",\"uid\":0,"
			     "\"cgroup\":\"/sys/fs/cgroup/a b\",\"failures_only\":true,"
			     "\"threads\":true,\"events\":[]}}\n");
	info.filters = NULL;
	assert_string_equal(emit1(ev), HEAD("start", 1) ",\"schema_version\":1,\"version\":"
							"\"0.1.0\",\"kernel\":\"6.18.0\","
							"\"filters\":null}\n");
	/* A live trace adds how BPF adapted to the kernel; reasons are escaped like all text. */
	info.kernel_report = &(struct zr_kernel_report){
		.current_task = "probe_read",
		.syscall_args = "entry",
		.group_dead = "live_count",
		.n_degraded = 1,
		.degraded = { { .feature = "signal", .reason = "rejected: \"R2\"\n" } },
	};
	assert_non_null(strstr(emit1(ev),
			       "\"filters\":null,\"bpf\":{\"current_task\":\"probe_read\","
			       "\"syscall_args\":\"entry\",\"group_dead\":\"live_count\"},"
			       "\"degraded\":[{\"feature\":\"signal\",\"reason\":"
			       "\"rejected: \\\"R2\\\"\\n\"}]}\n"));
	info.kernel_report = &(struct zr_kernel_report){ .current_task = "btf",
							 .syscall_args = "registers",
							 .group_dead = "argument" };
	assert_non_null(strstr(emit1(ev), "\"group_dead\":\"argument\"},\"degraded\":[]}\n"));
	info.kernel_report = NULL;
	s.info = NULL;
	assert_string_equal(emit_on(&s, &ev, 1),
			    HEAD("start", 1) ",\"schema_version\":null,\"version\":null,"
					     "\"kernel\":null,\"filters\":null}\n");
}

static void test_every_kind_is_one_json_line(void **state)
{
	char want[64];
	const char *out;
	int k;

	(void)state;
	for (k = 0; k < ZR_EV__COUNT; k++) {
		out = emit1(evb_base((enum zr_kind)k));
		snprintf(want, sizeof(want), ",\"seq\":1,\"event\":\"%s\"",
			 ev_kind_name((enum zr_kind)k));
		assert_non_null(strstr(out, want));
		assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	}
	/* action names the parent when there is one. */
	{
		struct zr_ev ev = evb_base(ZR_EV_ACTION);

		ev.parent = evb_ref(100, 1000, "node", "parent");
		assert_string_equal(
		    emit1(ev), LINE("action", ",\"parent\":{\"pid\":100,\"comm\":\"node\","
					      "\"entity_id\":\"100:1000\",\"role\":\"parent\"}"));
	}
}

#define ZPARENT(state, sigchld, blocked, last_wait)                                                \
	",\"parent\":{\"pid\":100,\"comm\":\"node\",\"entity_id\":\"100:1000\",\"state\":" state   \
	",\"sigchld\":" sigchld ",\"sigchld_blocked\":" blocked ",\"last_wait_ts\":" last_wait     \
	",\"zombies_held\":14}"

static void test_zombie(void **state)
{
	struct zr_ev ev = evb_zombie("node", "parent 100 (node) has never called wait");

	(void)state;
	assert_string_equal(emit1(ev),
			    LINE("zombie",
				 ",\"exit_code\":0,\"signal\":null,\"core_dumped\":false,"
				 "\"oom_killed\":false,\"zombie_ns\":1000000000,"
				 "\"zombie_ns_source\":\"trace\"" ZPARENT(
				     "\"sleeping\"", "\"default\"", "false",
				     "null") ",\"reason_code\":\"parent_never_waits\",\"reason\":"
					     "\"parent 100 (node) has never called wait\""));

	/* Found at start-up: age unknown; SIGCHLD disposition unreadable; killed. */
	ev.u.zombie.age_source = ZR_AGE_UNKNOWN;
	ev.u.zombie.zombie_ns = 123; /* not shown: meaningless without the age */
	ev.u.zombie.pinfo.sigchld = NULL;
	ev.u.zombie.st = status_decode(SIGKILL);
	assert_string_equal(emit1(ev),
			    LINE("zombie",
				 ",\"exit_code\":null,\"signal\":\"SIGKILL\","
				 "\"core_dumped\":false,\"oom_killed\":false,"
				 "\"zombie_ns\":null,\"zombie_ns_source\":null" ZPARENT(
				     "\"sleeping\"", "null", "false",
				     "null") ",\"reason_code\":\"parent_never_waits\",\"reason\":"
					     "\"parent 100 (node) has never called wait\""));

	/* A handler, SIGCHLD blocked, a wait 1 s before the event: its wall-clock time. */
	ev = evb_zombie("node", "");
	ev.u.zombie.pinfo.sigchld = "handler";
	ev.u.zombie.pinfo.sigchld_blocked = true;
	ev.u.zombie.pinfo.last_wait_ns = EVB_KTIME - 1000000000;
	ev.u.zombie.pinfo.state = "stopped";
	ev.u.zombie.reason_code = "sigchld_blocked";
	assert_string_equal(
	    emit1(ev),
	    LINE("zombie", ",\"exit_code\":0,\"signal\":null,\"core_dumped\":false,"
			   "\"oom_killed\":false,\"zombie_ns\":1000000000,"
			   "\"zombie_ns_source\":\"trace\"" ZPARENT(
			       "\"stopped\"", "\"handler\"", "true",
			       "\"2026-03-14T10:22:06.412339021Z\"") ",\"reason_code\":\"sigchld_"
								     "blocked\",\"reason\":\"\""));
	ev.u.zombie.pinfo.sigchld = "ignored";
	assert_non_null(strstr(emit1(ev), ",\"sigchld\":\"ignored\","));

	/* Older than the trace: the age procfs gave, or only a bound on it. */
	ev.u.zombie.age_source = ZR_AGE_SCHED;
	assert_non_null(
	    strstr(emit1(ev), ",\"zombie_ns\":1000000000,\"zombie_ns_source\":\"sched\","));
	ev.u.zombie.age_source = ZR_AGE_START_BOUND;
	assert_non_null(
	    strstr(emit1(ev), ",\"zombie_ns\":1000000000,\"zombie_ns_source\":\"start_bound\","));
}

static void test_zombie_hostile_and_no_parent(void **state)
{
	struct zr_ev ev = evb_zombie("a\"b\n", "parent 100 (a\"b\n\x1b) \xff holds 14 zombies");

	(void)state;
	assert_non_null(strstr(emit1(ev), ",\"parent\":{\"pid\":100,\"comm\":\"a\\\"b\\n\","));
	assert_non_null(strstr(emit1(ev), ",\"reason\":\"parent 100 (a\\\"b\\n\\u001b) "
					  "\xef\xbf\xbd holds 14 zombies\"}\n"));
	/* The reason uses all 256 bytes, no NUL: bounded all the same. */
	memset(ev.u.zombie.reason, 'r', sizeof(ev.u.zombie.reason));
	assert_true(strlen(emit1(ev)) < 1024);
	ev = evb_zombie("node", "x");
	ev.parent.pid = 0;
	ev.u.zombie.reason_code = NULL;
	assert_string_equal(emit1(ev),
			    LINE("zombie", ",\"exit_code\":0,\"signal\":null,\"core_dumped\":false,"
					   "\"oom_killed\":false,\"zombie_ns\":1000000000,"
					   "\"zombie_ns_source\":\"trace\",\"parent\":null,"
					   "\"reason_code\":null,\"reason\":\"x\""));
}

static void test_orphan(void **state)
{
	struct zr_ev ev =
	    evb_orphan(evb_ref(700, 650, "bash", "parent"), evb_ref(1, 10, "init", "pidns_init"));

	(void)state;
	assert_string_equal(
	    emit1(ev), HEAD("orphan", 1) ",\"pid\":4242,\"ppid\":1,\"comm\":\"sleep\","
					 "\"uid\":1000,\"gid\":1000,\"start_ns\":5000000000,"
					 "\"entity_id\":\"4242:5000000000\",\"cgroup_id\":77,"
					 "\"old_parent\":{\"pid\":700,\"comm\":\"bash\","
					 "\"entity_id\":\"700:650\"},\"new_parent\":{\"pid\":1,"
					 "\"comm\":\"init\",\"entity_id\":\"1:10\","
					 "\"role\":\"pidns_init\"}}\n");
	ev.u.orphan.new_parent.role = "subreaper";
	assert_non_null(strstr(emit1(ev), "\"1:10\",\"role\":\"subreaper\"}}\n"));
	ev.u.orphan.new_parent.role = "thread";
	assert_non_null(strstr(emit1(ev), "\"1:10\",\"role\":\"thread\"}}\n"));
	/* Unknown role stays a key (null), unknown old parent is null. */
	ev.u.orphan.new_parent.role = NULL;
	ev.u.orphan.old_parent.pid = 0;
	assert_non_null(strstr(emit1(ev),
			       ",\"old_parent\":null,\"new_parent\":{\"pid\":1,"
			       "\"comm\":\"init\",\"entity_id\":\"1:10\",\"role\":null}}\n"));
}

static void test_snapshot(void **state)
{
	(void)state;
	assert_string_equal(emit1(evb_snapshot('Z')),
			    LINE("snapshot", ",\"state\":\"Z\",\"state_name\":\"zombie\""));
	assert_string_equal(emit1(evb_snapshot('S')),
			    LINE("snapshot", ",\"state\":\"S\",\"state_name\":\"sleeping\""));
	assert_string_equal(emit1(evb_snapshot('D')),
			    LINE("snapshot", ",\"state\":\"D\",\"state_name\":\"disk_sleep\""));
	assert_string_equal(emit1(evb_snapshot('t')),
			    LINE("snapshot", ",\"state\":\"t\",\"state_name\":\"traced\""));
	assert_string_equal(emit1(evb_snapshot('?')),
			    LINE("snapshot", ",\"state\":\"?\",\"state_name\":\"unknown\""));
	assert_string_equal(emit1(evb_snapshot('\0')),
			    LINE("snapshot", ",\"state\":null,\"state_name\":\"unknown\""));
	assert_string_equal(emit1(evb_snapshot('\n')),
			    LINE("snapshot", ",\"state\":\"\\n\",\"state_name\":\"unknown\""));
}

static void test_summary(void **state)
{
	struct summary sum = { 0 };

	(void)state;
	sum.kinds[ZR_EV_FORK] = 3;
	sum.kinds[ZR_EV_EXIT] = 2;
	assert_string_equal(
	    emit1(evb_summary(&sum, 4, 1)),
	    HEAD("summary", 1) ",\"counts\":{\"fork\":3,\"exit\":2},\"lifetime_hist\":[],"
			       "\"zombie_hist\":[],\"top_zombie_parents\":[],"
			       "\"exit_codes\":{},\"signals\":{},\"lost\":4,"
			       "\"evicted\":1}\n");
	assert_string_equal(emit1(evb_summary(NULL, 4, 1)), HEAD("summary", 1) "}\n");
}

static void test_seq_and_big_numbers(void **state)
{
	struct zr_ev evs[3] = { evb_fork("bash"), evb_exit(0, 0), evb_lost(1, "ringbuf") };
	struct sink s = new_sink();
	const char *out;

	(void)state;
	evs[1].cgroup_id = UINT64_MAX;
	evs[1].uid = UINT32_MAX;
	evs[1].u.exit.lifetime_ns = UINT64_MAX;
	evs[2].u.lost.count = UINT64_MAX;
	out = emit_on(&s, evs, 3);
	assert_int_equal(s.seq, 3);
	assert_non_null(strstr(out, ",\"seq\":1,\"event\":\"fork\""));
	assert_non_null(strstr(out, ",\"seq\":2,\"event\":\"exit\""));
	assert_non_null(strstr(out, ",\"seq\":3,\"event\":\"lost\""));
	assert_non_null(strstr(out, "\"uid\":4294967295,"));
	assert_non_null(strstr(out, "\"cgroup_id\":18446744073709551615,"));
	assert_non_null(strstr(out, "\"lifetime_ns\":18446744073709551615}"));
	assert_non_null(strstr(out, "\"count\":18446744073709551615,"));
}

/* seq and ktime_ns are written from the line before's text: every carry of seq (9 to 10, 99 to
 * 100, 999 to 1000), ktime jumping across 100 ms boundaries, back, to small and to the largest
 * values, and two sinks taking turns must all still give printf's digits. */
static void test_head_counters(void **state)
{
	static const uint64_t kt[] = {
		5,	    99999999,	100000000, 6000000000, 6099999999,
		6100000000, 6100000001, 42,	   UINT64_MAX, 18446744073700000000ULL,
		6100000002
	};
	struct sink a = new_sink(), b = new_sink();
	char want[96];
	unsigned i;

	(void)state;
	for (i = 1; i <= 1200; i++) {
		struct zr_ev ev = evb_lost(1, "ringbuf");
		struct sink *s = i % 7 ? &a : &b;
		const char *out;

		ev.ktime_ns = kt[i % (sizeof(kt) / sizeof(kt[0]))];
		out = emit_on(s, &ev, 1);
		snprintf(want, sizeof(want), "\"ktime_ns\":%" PRIu64 ",\"seq\":%" PRIu64 ",",
			 ev.ktime_ns, s->seq);
		assert_non_null(strstr(out, want));
	}
	assert_int_equal(a.seq + b.seq, 1200);
}

/* The biggest exec a record can hold, all control bytes: the line outgrows the inline buffer. */
static void test_long_line(void **state)
{
	char args[512], want[64];
	struct zr_ev ev;
	const char *out;
	int i;

	(void)state;
	memset(args, 0x01, sizeof(args));
	for (i = 15; i < 512; i += 16)
		args[i] = '\0';
	ev = evb_exec("/bin/true", args, 32, 0);
	out = emit1(ev);
	/* 32 args of 15 x "\u0001", quotes and commas, plus the rest of the line. */
	assert_true(strlen(out) > (size_t)32 * (15 * 6 + 3));
	snprintf(want, sizeof(want), "],\"argv_truncated\":false,\"old_comm\":\"bash\"");
	assert_non_null(strstr(out, want));
}

static void test_write_errors(void **state)
{
	struct zr_ev ev = evb_exit(0, 0);
	struct sink s = new_sink();
	int fds[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	s.out = fdopen(fds[1], "w");
	assert_non_null(s.out);
	s.flush_each = true;
	assert_int_equal(s.ops->emit(&s, &ev), -EPIPE);
	fclose(s.out);

	/* Buffered: the error comes with the flush. */
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	s.out = fdopen(fds[1], "w");
	s.flush_each = false;
	assert_int_equal(s.ops->emit(&s, &ev), 0);
	assert_int_equal(s.ops->flush(&s), -EPIPE);
	fclose(s.out);

	s.out = fopen("/dev/full", "w");
	if (!s.out)
		skip();
	s.flush_each = true;
	assert_int_equal(s.ops->emit(&s, &ev), -ENOSPC);
	fclose(s.out);
}

/* Batched (trace's lines): nothing reaches the FILE before a flush, and then the same bytes a
 * line at a time would have written; past 64 KiB the batch goes out by itself; close writes
 * what is left. */
static void test_batched(void **state)
{
	enum { N = 600 }; /* some 300 bytes each: past the 64 KiB hand-off */
	static struct zr_ev evs[N];
	struct sink one = new_sink(), b = new_sink();
	char *mem = NULL, *want;
	size_t len = 0;
	int i, fds[2];

	(void)state;
	for (i = 0; i < N; i++)
		evs[i] = i % 2 ? evb_exit(i & 0xff, 0) : evb_fork("bash");
	want = strdup(emit_on(&one, evs, N));
	assert_non_null(want);
	assert_true(strlen(want) > 64 * 1024 + 4096);

	b.is_batched = true;
	b.out = open_memstream(&mem, &len);
	assert_non_null(b.out);
	assert_int_equal(b.ops->emit(&b, &evs[0]), 0);
	assert_int_equal(fflush(b.out), 0);
	assert_int_equal(len, 0); /* still in the batch */
	assert_int_equal(b.ops->flush(&b), 0);
	assert_int_equal(len, strchr(want, '\n') + 1 - want);
	for (i = 1; i < N; i++)
		assert_int_equal(b.ops->emit(&b, &evs[i]), 0);
	assert_int_equal(fflush(b.out), 0);
	assert_true(len > 64 * 1024 && len < strlen(want)); /* one hand-off, the rest held */
	b.ops->close(&b);
	assert_null(b.pending);
	assert_int_equal(fclose(b.out), 0);
	assert_string_equal(mem, want);
	free(mem);

	/* A FILE with a descriptor gets the batch by write(2), after what stdio held for it. */
	b = new_sink();
	b.is_batched = true;
	b.out = tmpfile();
	assert_non_null(b.out);
	assert_true(fputs("held\n", b.out) >= 0);
	for (i = 0; i < N; i++)
		assert_int_equal(b.ops->emit(&b, &evs[i]), 0);
	b.ops->close(&b);
	assert_int_equal(fseek(b.out, 0, SEEK_SET), 0);
	mem = calloc(1, strlen(want) + 16);
	assert_non_null(mem);
	assert_int_equal(fread(mem, 1, strlen(want) + 15, b.out), strlen(want) + 5);
	assert_memory_equal(mem, "held\n", 5);
	assert_string_equal(mem + 5, want);
	assert_int_equal(fclose(b.out), 0);
	free(mem);
	free(want);

	/* Batched, the reader gone: the error comes with the flush. */
	b = new_sink();
	b.is_batched = true;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	b.out = fdopen(fds[1], "w");
	assert_non_null(b.out);
	assert_int_equal(b.ops->emit(&b, &evs[0]), 0);
	assert_int_equal(b.ops->flush(&b), -EPIPE);
	b.ops->close(&b);
	fclose(b.out);

	/* flush_each wins over batching: every line is out at once. */
	mem = NULL;
	b = new_sink();
	b.is_batched = b.flush_each = true;
	b.out = open_memstream(&mem, &len);
	assert_non_null(b.out);
	assert_int_equal(b.ops->emit(&b, &evs[0]), 0);
	assert_true(len > 0);
	assert_null(b.pending);
	b.ops->close(&b);
	assert_int_equal(fclose(b.out), 0);
	free(mem);
}

static void test_common_formats(void **state)
{
	char ts[40];

	(void)state;
	assert_int_equal(sink_format_rfc3339(ts, sizeof(ts), 0), 30);
	assert_string_equal(ts, "1970-01-01T00:00:00.000000000Z");
	sink_format_rfc3339(ts, sizeof(ts), 1773483727412339021LL);
	assert_string_equal(ts, EVB_TS);
	sink_format_rfc3339(ts, sizeof(ts), -1);
	assert_string_equal(ts, "1969-12-31T23:59:59.999999999Z");
	sink_format_rfc3339(ts, sizeof(ts), 951782400000000001LL); /* a leap day */
	assert_string_equal(ts, "2000-02-29T00:00:00.000000001Z");
	/* The same second again (its date is kept), then the next one, then a short buffer. */
	sink_format_rfc3339(ts, sizeof(ts), 951782400999000000LL);
	assert_string_equal(ts, "2000-02-29T00:00:00.999000000Z");
	sink_format_rfc3339(ts, sizeof(ts), 951782401000000000LL);
	assert_string_equal(ts, "2000-02-29T00:00:01.000000000Z");
	assert_int_equal(sink_format_rfc3339(ts, 12, 951782401000000000LL), 11);
	assert_string_equal(ts, "2000-02-29T");
	/* Room for the whole stamp but under SINK_RFC3339_LEN: whole, and its own length. */
	assert_int_equal(sink_format_rfc3339(ts, 31, 951782401000000000LL), 30);
	assert_string_equal(ts, "2000-02-29T00:00:01.000000000Z");
	assert_int_equal(sink_format_rfc3339(ts, 35, 951782401000000000LL), 30);
	assert_string_equal(ts, "2000-02-29T00:00:01.000000000Z");
	sink_format_rfc3339(ts, sizeof(ts), 951782401123456789LL);
	assert_string_equal(ts, "2000-02-29T00:00:01.123456789Z");
	sink_format_rfc3339(ts, sizeof(ts), 951782401908070605LL);
	assert_string_equal(ts, "2000-02-29T00:00:01.908070605Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_batched),
		cmocka_unit_test(test_members_remembered_exactly),
		cmocka_unit_test(test_container_and_pod),
		cmocka_unit_test(test_thread_and_pidns),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_exec_failed_and_empty),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_exit_status_table),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_reap),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_subreaper_lost_stop),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_every_kind_is_one_json_line),
		cmocka_unit_test(test_zombie),
		cmocka_unit_test(test_zombie_hostile_and_no_parent),
		cmocka_unit_test(test_orphan),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_seq_and_big_numbers),
		cmocka_unit_test(test_head_counters),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_common_formats),
	};

	return cmocka_run_group_tests_name("sink_json", tests, NULL, NULL);
}
