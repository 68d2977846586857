/* sink_json_body.c - an event's members after the head of its JSON line, kind by kind (keys as
 * the README's "JSON fields"); a process's members are rendered once and copied on its later
 * lines (json_memo.c). The line around them and its way out are sink_json.c's.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ev_kind.h"
#include "json_memo.h"
#include "jsonw.h"
#include "names.h"
#include "sink.h"
#include "sink_json_int.h"
#include "status.h"
#include "summary.h"

static void put_errno(struct jsonw *w, const char *key, int err)
{
	char buf[16];

	if (err)
		jsonw_named(w, key, status_errno_name(err, buf, sizeof(buf)));
	else
		jsonw_null(w, key);
}

static void put_entity(struct jsonw *w, uint32_t pid, uint64_t start_ns)
{
	jsonw_key(w, "entity_id");
	jsonw_raw(w, "\"");
	jsonw_uint(w, pid);
	jsonw_raw(w, ":");
	jsonw_uint(w, start_ns);
	jsonw_raw(w, "\"");
}

/* Rendered members of the processes seen last, by slot: a process's members are the same on
 * each of its events. Keys hold every input of the text, so a hit is always exact. */
static struct json_memo subject_memo, ref_memo;

/* Appends the memo's text for key after a separator, or renders it with render and keeps it.
 * Separator first, so the text kept never starts with one. */
static void put_memo(struct jsonw *w, struct json_memo *m, unsigned hash, const void *key,
		     size_t key_len, void (*render)(struct jsonw *w, const void *arg),
		     const void *arg)
{
	const char *text;
	size_t at, n;

	jsonw_next(w);
	text = json_memo_find(m, hash, key, key_len, &n);
	if (text) {
		jsonw_append(w, text, n);
		return;
	}
	at = jsonw_len(w);
	render(w, arg);
	if (!jsonw_has_failed(w))
		json_memo_keep(m, hash, key, key_len, jsonw_text(w) + at, jsonw_len(w) - at);
}

/* A memo key: a comm as far as it is printed, NUL-padded. */
static void key_comm(char *dst, const char *comm)
{
	memcpy(dst, comm, strnlen(comm, ZR_COMM_BUF));
}

static void render_ref(struct jsonw *w, const void *arg)
{
	const struct zr_ref *r = arg;

	jsonw_u64(w, "pid", r->pid);
	jsonw_str(w, "comm", r->comm, sizeof(r->comm));
	put_entity(w, r->pid, r->start_ns);
}

/* pid, comm, entity_id of another process. */
static void put_ref_members(struct jsonw *w, const struct zr_ref *r)
{
	struct {
		uint64_t start_ns;
		uint32_t pid;
		char comm[ZR_COMM_BUF];
	} k;

	memset(&k, 0, sizeof(k));
	k.start_ns = r->start_ns;
	k.pid = r->pid;
	key_comm(k.comm, r->comm);
	put_memo(w, &ref_memo, json_memo_hash(r->pid), &k, sizeof(k), render_ref, r);
}

/* {pid, comm, entity_id}, plus role (null when unknown) if with_role; null for nobody. */
static void put_ref_as(struct jsonw *w, const char *key, const struct zr_ref *r, bool with_role)
{
	if (!r->pid) {
		jsonw_null(w, key);
		return;
	}
	jsonw_obj_begin(w, key);
	put_ref_members(w, r);
	if (with_role)
		jsonw_named(w, "role", r->role);
	jsonw_obj_end(w);
}

/* {pid, comm, entity_id[, role]}: the role when the event knows one. */
static void put_ref(struct jsonw *w, const char *key, const struct zr_ref *r)
{
	put_ref_as(w, key, r, r->role != NULL);
}

/* exit_code and signal, exactly one null (both when the status is unknown), then core_dumped
 * and oom_killed; after the first member the separators are certain, so the rest goes out in
 * literal runs (three of every five lines of a fork storm carry a status). */
static void put_status(struct jsonw *w, const struct zr_exit_status *st)
{
	bool is_core = st->is_known && st->core_dumped, is_oom = st->is_known && st->oom_killed;

	if (st->is_known && !st->is_signaled) {
		jsonw_int(w, "exit_code", st->exit_code);
		JSONW_LIT(w, ",\"signal\":null");
	} else {
		jsonw_null(w, "exit_code");
		JSONW_LIT(w, ",\"signal\":");
		jsonw_name(w, st->is_known ? status_signal_name(st->signal) : NULL);
	}
	if (is_core)
		JSONW_LIT(w, ",\"core_dumped\":true");
	else
		JSONW_LIT(w, ",\"core_dumped\":false");
	if (is_oom)
		JSONW_LIT(w, ",\"oom_killed\":true");
	else
		JSONW_LIT(w, ",\"oom_killed\":false");
}

static void render_subject(struct jsonw *w, const void *arg)
{
	const struct zr_ev *ev = arg;

	jsonw_u64(w, "pid", ev->pid);
	if (ev->is_thread)
		jsonw_u64(w, "tid", ev->tid);
	jsonw_u64(w, "ppid", ev->ppid);
	jsonw_str(w, "comm", ev->comm, sizeof(ev->comm));
	jsonw_u64(w, "uid", ev->uid);
	jsonw_u64(w, "gid", ev->gid);
	jsonw_u64(w, "start_ns", ev->start_ns);
	put_entity(w, ev->pid, ev->start_ns);
	if (ev->pidns) {
		jsonw_u64(w, "ns_pid", ev->ns_pid);
		if (ev->is_thread)
			jsonw_u64(w, "ns_tid", ev->ns_tid);
		jsonw_u64(w, "pidns", ev->pidns);
	}
	jsonw_u64(w, "cgroup_id", ev->cgroup_id);
	if (ev->container_id)
		jsonw_str(w, "container_id", ev->container_id, SIZE_MAX);
	if (ev->pod_uid)
		jsonw_str(w, "pod_uid", ev->pod_uid, SIZE_MAX);
	if (ev->is_thread)
		jsonw_bool(w, "thread", true);
}

/* The subject's members, pid to cgroup_id (and the container's, uncached: the text behind
 * their pointers is not the key's to hold). */
static void put_subject(struct jsonw *w, const struct zr_ev *ev)
{
	struct {
		uint64_t start_ns, cgroup_id;
		uint32_t pid, tid, ppid, uid, gid, ns_pid, ns_tid, pidns;
		char comm[ZR_COMM_BUF];
		uint32_t is_thread;
	} k;

	if (ev->container_id || ev->pod_uid) {
		render_subject(w, ev);
		return;
	}
	memset(&k, 0, sizeof(k));
	k.start_ns = ev->start_ns;
	k.cgroup_id = ev->cgroup_id;
	k.pid = ev->pid;
	k.tid = ev->tid;
	k.ppid = ev->ppid;
	k.uid = ev->uid;
	k.gid = ev->gid;
	k.ns_pid = ev->ns_pid;
	k.ns_tid = ev->ns_tid;
	k.pidns = ev->pidns;
	key_comm(k.comm, ev->comm);
	k.is_thread = ev->is_thread;
	put_memo(w, &subject_memo, json_memo_hash(ev->pid), &k, sizeof(k), render_subject, ev);
}

static void put_exec(struct jsonw *w, const struct zr_ev *ev)
{
	const char *a = ev->u.exec.args;
	unsigned i;

	jsonw_str(w, "filename", ev->u.exec.filename, SIZE_MAX);
	jsonw_arr_begin(w, "argv");
	for (i = 0; a && i < ev->u.exec.argc; i++) {
		jsonw_next(w);
		jsonw_string(w, a, SIZE_MAX);
		a += strlen(a) + 1;
	}
	jsonw_arr_end(w);
	jsonw_bool(w, "argv_truncated", ev->u.exec.argv_truncated);
	jsonw_str(w, "old_comm", ev->u.exec.old_comm, sizeof(ev->u.exec.old_comm));
	put_errno(w, "error", ev->u.exec.error);
}

static void put_wait(struct jsonw *w, const struct zr_ev *ev)
{
	enum zr_wait_result r = ev->u.wait.result;

	jsonw_named(w, "syscall", names_wait_syscall(ev->u.wait.syscall));
	if (ev->u.wait.args_unknown) {
		jsonw_null(w, "target");
		jsonw_null(w, "options");
	} else {
		jsonw_int(w, "target", ev->u.wait.target);
		jsonw_int(w, "options", ev->u.wait.options);
	}
	jsonw_named(w, "result", names_wait_result(r));
	if (ev->u.wait.reaped_pid)
		jsonw_u64(w, "reaped_pid", ev->u.wait.reaped_pid);
	else
		jsonw_null(w, "reaped_pid");
	/* A WNOWAIT peek sees the same status a reap would: worth showing. */
	if (r == ZR_WAIT_REAPED || r == ZR_WAIT_PEEKED)
		put_status(w, &ev->u.wait.st);
	put_errno(w, "error", ev->u.wait.error);
}

static void put_reap(struct jsonw *w, const struct zr_ev *ev)
{
	if (ev->u.reap.how == ZR_HOW_AUTOREAP) {
		/* Nobody waited: the kernel released it, so the reaper is no process. */
		jsonw_key(w, "reaper");
		jsonw_raw(w,
			  "{\"pid\":0,\"comm\":\"kernel\",\"entity_id\":null,\"role\":\"kernel\"}");
	} else {
		put_ref(w, "reaper", &ev->u.reap.reaper);
	}
	jsonw_named(w, "how", names_reap_how(ev->u.reap.how));
	jsonw_u64(w, "zombie_ns", ev->u.reap.zombie_ns);
	jsonw_u64(w, "lifetime_ns", ev->u.reap.lifetime_ns);
	put_status(w, &ev->u.reap.st);
}

/* The zombie's parent: who it is and what it is doing about its dead child. */
static void put_zombie_parent(struct jsonw *w, const struct sink *s, const struct zr_ev *ev)
{
	const struct zr_parent_info *pi = &ev->u.zombie.pinfo;
	const struct zr_ref *r = &ev->parent;
	char ts[40];

	if (!r->pid) {
		jsonw_null(w, "parent");
		return;
	}
	jsonw_obj_begin(w, "parent");
	jsonw_u64(w, "pid", r->pid);
	jsonw_str(w, "comm", r->comm, sizeof(r->comm));
	put_entity(w, r->pid, r->start_ns);
	jsonw_str(w, "state", pi->state, SIZE_MAX);
	jsonw_str(w, "sigchld", pi->sigchld, SIZE_MAX);
	jsonw_bool(w, "sigchld_blocked", pi->sigchld_blocked);
	if (pi->last_wait_ns) {
		sink_format_rfc3339(ts, sizeof(ts), (int64_t)pi->last_wait_ns + s->boot_to_real_ns);
		jsonw_str(w, "last_wait_ts", ts, sizeof(ts));
	} else {
		jsonw_null(w, "last_wait_ts");
	}
	jsonw_u64(w, "zombies_held", pi->zombies_held);
	jsonw_obj_end(w);
}

static void put_zombie(struct jsonw *w, const struct sink *s, const struct zr_ev *ev)
{
	put_status(w, &ev->u.zombie.st);
	/* How the age is known: seen (trace), or for a zombie older than the trace read from
	 * procfs (sched), or only bounded by its start (start_bound: at most zombie_ns). */
	if (ev->u.zombie.age_source != ZR_AGE_UNKNOWN)
		jsonw_u64(w, "zombie_ns", ev->u.zombie.zombie_ns);
	else
		jsonw_null(w, "zombie_ns");
	jsonw_str(w, "zombie_ns_source", names_age_source(ev->u.zombie.age_source), SIZE_MAX);
	put_zombie_parent(w, s, ev);
	jsonw_str(w, "reason_code", ev->u.zombie.reason_code, SIZE_MAX);
	/* The reason quotes process names: untrusted, escaped like any comm. */
	jsonw_str(w, "reason", ev->u.zombie.reason, sizeof(ev->u.zombie.reason));
}

static void put_snapshot(struct jsonw *w, const struct zr_ev *ev)
{
	char letter[2] = { ev->u.snapshot.state, '\0' };

	if (letter[0])
		jsonw_str(w, "state", letter, 1);
	else
		jsonw_null(w, "state");
	jsonw_str(w, "state_name", names_state(letter[0]), SIZE_MAX);
}

/* reap's decision about one zombie (the subject): its parent, what, and how it went. */
static void put_action(struct jsonw *w, const struct zr_ev *ev)
{
	const char *reason = ev->u.action.reason;

	if (ev->parent.pid)
		put_ref(w, "parent", &ev->parent);
	if (!ev->u.action.action)
		return;
	jsonw_str(w, "action", ev->u.action.action, SIZE_MAX);
	jsonw_bool(w, "dry_run", ev->u.action.dry_run);
	jsonw_str(w, "outcome", ev->u.action.outcome, SIZE_MAX);
	jsonw_str(w, "policy", ev->u.action.policy, SIZE_MAX);
	/* Quotes process names: untrusted, escaped like any comm. */
	jsonw_str(w, "reason", reason[0] ? reason : NULL, sizeof(ev->u.action.reason));
}

static void put_signal(struct jsonw *w, const struct zr_ev *ev)
{
	jsonw_named(w, "signal", status_signal_name(ev->u.signal.sig));
	jsonw_int(w, "code", ev->u.signal.code);
	jsonw_named(w, "result", names_signal_result(ev->u.signal.result));
	put_ref(w, "sender", &ev->u.signal.sender);
}

void sink_json_put_body(struct jsonw *w, const struct sink *s, const struct zr_ev *ev)
{
	if (ev_kind_info(ev->kind)->has_subject)
		put_subject(w, ev);
	switch (ev->kind) {
	case ZR_EV_START:
		sink_json_put_start(w, s->info);
		break;
	case ZR_EV_STOP:
		jsonw_u64(w, "events", ev->u.stop.events);
		jsonw_u64(w, "lost", ev->u.stop.lost);
		jsonw_u64(w, "tracked", ev->u.stop.tracked);
		break;
	case ZR_EV_LOST:
		jsonw_u64(w, "count", ev->u.lost.count);
		jsonw_str(w, "source", ev->u.lost.source, SIZE_MAX);
		break;
	case ZR_EV_FORK:
		put_ref(w, "parent", &ev->parent);
		break;
	case ZR_EV_EXEC:
		put_exec(w, ev);
		break;
	case ZR_EV_EXIT:
		put_status(w, &ev->u.exit.st);
		jsonw_bool(w, "group_dead", ev->u.exit.group_dead);
		jsonw_u64(w, "lifetime_ns", ev->u.exit.lifetime_ns);
		break;
	case ZR_EV_WAIT:
		put_wait(w, ev);
		break;
	case ZR_EV_REAP:
		put_reap(w, ev);
		break;
	case ZR_EV_SIGNAL:
		put_signal(w, ev);
		break;
	case ZR_EV_SUBREAPER:
		jsonw_bool(w, "value", ev->u.subreaper.is_set);
		jsonw_bool(w, "subreaper", ev->u.subreaper.is_now);
		put_errno(w, "error", ev->u.subreaper.error);
		break;
	case ZR_EV_ZOMBIE:
		put_zombie(w, s, ev);
		break;
	case ZR_EV_ORPHAN:
		/* The old parent's role is moot; the new one's says how it came to adopt. */
		put_ref_as(w, "old_parent", &ev->u.orphan.old_parent, false);
		put_ref_as(w, "new_parent", &ev->u.orphan.new_parent, true);
		break;
	case ZR_EV_SNAPSHOT:
		put_snapshot(w, ev);
		break;
	case ZR_EV_SUMMARY:
		summary_put_json(w, ev);
		break;
	case ZR_EV_ACTION:
		put_action(w, ev);
		break;
	case ZR_EV__COUNT:
	default:
		break;
	}
}
