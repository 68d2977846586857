/* sink_json.c - the JSON-lines sink: one object per event, built in memory, one write per line. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "filter.h"
#include "sink.h"
#include "status.h"

/* A line under construction. Most fit the inline buffer; a long argv moves it to the heap. */
struct jline {
	char *p;
	size_t len, cap;
	bool has_failed; /* out of memory: the line is dropped, emit reports -ENOMEM */
	char inline_buf[2048];
};

static bool jl_reserve(struct jline *l, size_t n)
{
	size_t cap = l->cap;
	char *p;

	if (l->has_failed)
		return false;
	if (l->len + n + 1 <= cap)
		return true;
	while (l->len + n + 1 > cap)
		cap *= 2;
	p = l->p == l->inline_buf ? malloc(cap) : realloc(l->p, cap);
	if (!p) {
		l->has_failed = true;
		return false;
	}
	if (l->p == l->inline_buf)
		memcpy(p, l->inline_buf, l->len);
	l->p = p;
	l->cap = cap;
	return true;
}

static void jl_raw(struct jline *l, const char *s)
{
	size_t n = strlen(s);

	if (!jl_reserve(l, n))
		return;
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

static void __attribute__((format(printf, 2, 3))) jl_printf(struct jline *l, const char *fmt, ...)
{
	char tmp[128]; /* numbers and entity ids only: never untrusted text */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	jl_raw(l, tmp);
}

/* Opens a member: the comma is decided by what precedes, so callers never track it. */
static void jl_key(struct jline *l, const char *key)
{
	int last = l->len ? l->p[l->len - 1] : '{';

	if (last != '{' && last != '[')
		jl_raw(l, ",");
	jl_raw(l, "\"");
	jl_raw(l, key);
	jl_raw(l, "\":");
}

/* An untrusted string (stops at NUL or max bytes), or null. */
static void jl_str_val(struct jline *l, const char *s, size_t max)
{
	size_t need;

	if (!s) {
		jl_raw(l, "null");
		return;
	}
	need = escape_str(ESCAPE_JSON, s, max, NULL, 0);
	if (!jl_reserve(l, need + 2))
		return;
	l->p[l->len++] = '"';
	escape_str(ESCAPE_JSON, s, max, l->p + l->len, need + 1);
	l->len += need;
	l->p[l->len++] = '"';
}

static void jl_str(struct jline *l, const char *key, const char *s, size_t max)
{
	jl_key(l, key);
	jl_str_val(l, s, max);
}

static void jl_u64(struct jline *l, const char *key, uint64_t v)
{
	jl_key(l, key);
	jl_printf(l, "%" PRIu64, v);
}

static void jl_int(struct jline *l, const char *key, int v)
{
	jl_key(l, key);
	jl_printf(l, "%d", v);
}

static void jl_bool(struct jline *l, const char *key, bool v)
{
	jl_key(l, key);
	jl_raw(l, v ? "true" : "false");
}

static void jl_null(struct jline *l, const char *key)
{
	jl_key(l, key);
	jl_raw(l, "null");
}

static void jl_errno(struct jline *l, const char *key, int err)
{
	char buf[16];

	if (err)
		jl_str(l, key, status_errno_name(err, buf, sizeof(buf)), SIZE_MAX);
	else
		jl_null(l, key);
}

static void jl_entity(struct jline *l, uint32_t pid, uint64_t start_ns)
{
	jl_key(l, "entity_id");
	jl_printf(l, "\"%" PRIu32 ":%" PRIu64 "\"", pid, start_ns);
}

/* {pid, comm, entity_id[, role]}, or null when the event names nobody. */
static void jl_ref(struct jline *l, const char *key, const struct zr_ref *r)
{
	jl_key(l, key);
	if (!r->pid) {
		jl_raw(l, "null");
		return;
	}
	jl_raw(l, "{");
	jl_u64(l, "pid", r->pid);
	jl_str(l, "comm", r->comm, sizeof(r->comm));
	jl_entity(l, r->pid, r->start_ns);
	if (r->role)
		jl_str(l, "role", r->role, SIZE_MAX);
	jl_raw(l, "}");
}

/* exit_code and signal, exactly one null (both when the status is unknown). */
static void jl_status(struct jline *l, const struct zr_exit_status *st)
{
	if (st->is_known && !st->is_signaled)
		jl_int(l, "exit_code", st->exit_code);
	else
		jl_null(l, "exit_code");
	if (st->is_known && st->is_signaled)
		jl_str(l, "signal", status_signal_name(st->signal), SIZE_MAX);
	else
		jl_null(l, "signal");
	jl_bool(l, "core_dumped", st->is_known && st->core_dumped);
	jl_bool(l, "oom_killed", st->is_known && st->oom_killed);
}

static void jl_subject(struct jline *l, const struct zr_ev *ev)
{
	jl_u64(l, "pid", ev->pid);
	if (ev->is_thread)
		jl_u64(l, "tid", ev->tid);
	jl_u64(l, "ppid", ev->ppid);
	jl_str(l, "comm", ev->comm, sizeof(ev->comm));
	jl_u64(l, "uid", ev->uid);
	jl_u64(l, "gid", ev->gid);
	jl_u64(l, "start_ns", ev->start_ns);
	jl_entity(l, ev->pid, ev->start_ns);
	if (ev->pidns) {
		jl_u64(l, "ns_pid", ev->ns_pid);
		if (ev->is_thread)
			jl_u64(l, "ns_tid", ev->ns_tid);
		jl_u64(l, "pidns", ev->pidns);
	}
	jl_u64(l, "cgroup_id", ev->cgroup_id);
	if (ev->is_thread)
		jl_bool(l, "thread", true);
}

static void jl_exec(struct jline *l, const struct zr_ev *ev)
{
	const char *a = ev->u.exec.args;
	unsigned i;

	jl_str(l, "filename", ev->u.exec.filename, SIZE_MAX);
	jl_key(l, "argv");
	jl_raw(l, "[");
	for (i = 0; a && i < ev->u.exec.argc; i++) {
		if (i)
			jl_raw(l, ",");
		jl_str_val(l, a, SIZE_MAX);
		a += strlen(a) + 1;
	}
	jl_raw(l, "]");
	jl_bool(l, "argv_truncated", ev->u.exec.argv_truncated);
	jl_str(l, "old_comm", ev->u.exec.old_comm, sizeof(ev->u.exec.old_comm));
	jl_errno(l, "error", ev->u.exec.error);
}

static void jl_wait(struct jline *l, const struct zr_ev *ev)
{
	enum zr_wait_result r = ev->u.wait.result;

	jl_str(l, "syscall", ev->u.wait.syscall == 1 ? "waitid" : "wait4", SIZE_MAX);
	jl_int(l, "target", ev->u.wait.target);
	jl_int(l, "options", ev->u.wait.options);
	jl_str(l, "result", sink_wait_result_name(r), SIZE_MAX);
	if (ev->u.wait.reaped_pid)
		jl_u64(l, "reaped_pid", ev->u.wait.reaped_pid);
	else
		jl_null(l, "reaped_pid");
	/* A WNOWAIT peek sees the same status a reap would: worth showing. */
	if (r == ZR_WAIT_REAPED || r == ZR_WAIT_PEEKED)
		jl_status(l, &ev->u.wait.st);
	jl_errno(l, "error", ev->u.wait.error);
}

static void jl_reap(struct jline *l, const struct zr_ev *ev)
{
	if (ev->u.reap.how == ZR_HOW_AUTOREAP) {
		/* Nobody waited: the kernel released it, so the reaper is no process. */
		jl_key(l, "reaper");
		jl_raw(l, "{\"pid\":0,\"comm\":\"kernel\",\"entity_id\":null,\"role\":\"kernel\"}");
	} else {
		jl_ref(l, "reaper", &ev->u.reap.reaper);
	}
	jl_str(l, "how", sink_reap_how_name(ev->u.reap.how), SIZE_MAX);
	jl_u64(l, "zombie_ns", ev->u.reap.zombie_ns);
	jl_u64(l, "lifetime_ns", ev->u.reap.lifetime_ns);
	jl_status(l, &ev->u.reap.st);
}

/* TRACE_SIGNAL_* from include/trace/events/signal.h, in order. */
static const char *signal_result_name(int r)
{
	static const char *const names[] = { "delivered", "ignored", "already_pending",
					     "overflow_fail", "lose_info" };

	if (r < 0 || r >= (int)(sizeof(names) / sizeof(names[0])))
		return "unknown";
	return names[r];
}

static void jl_filters(struct jline *l, const struct zr_filters *f)
{
	int i, k;

	jl_key(l, "filters");
	if (!f) {
		jl_raw(l, "null");
		return;
	}
	jl_raw(l, "{");
	jl_key(l, "pids");
	if (f->n_pids > 0) {
		jl_raw(l, "[");
		for (i = 0; i < f->n_pids && i < ZR_FILTER_PIDS_MAX; i++)
			jl_printf(l, "%s%" PRIu32, i ? "," : "", f->pids[i]);
		jl_raw(l, "]");
	} else {
		jl_raw(l, "null");
	}
	jl_bool(l, "tree", f->tree);
	jl_str(l, "comm", f->comm, SIZE_MAX);
	if (f->has_uid)
		jl_u64(l, "uid", f->uid);
	else
		jl_null(l, "uid");
	jl_str(l, "cgroup", f->cgroup_path, SIZE_MAX);
	jl_bool(l, "failures_only", f->failures_only);
	jl_bool(l, "threads", f->threads);
	jl_key(l, "events");
	jl_raw(l, "[");
	for (k = 0, i = 0; k < ZR_EV__COUNT; k++) {
		if (!(f->event_mask & ZR_KIND_BIT(k)))
			continue;
		if (i++)
			jl_raw(l, ",");
		jl_str_val(l, sink_kind_name((enum zr_kind)k), SIZE_MAX);
	}
	jl_raw(l, "]}");
}

static void jl_start(struct jline *l, const struct sink_run_info *info)
{
	if (!info) {
		jl_null(l, "schema_version");
		jl_null(l, "version");
		jl_null(l, "kernel");
		jl_null(l, "filters");
		return;
	}
	jl_int(l, "schema_version", info->schema_version);
	jl_str(l, "version", info->version, SIZE_MAX);
	jl_str(l, "kernel", info->kernel, SIZE_MAX);
	jl_filters(l, info->filters);
}

/* Lines about a process carry its subject fields; start, stop, lost and summary do not. */
static bool has_subject(enum zr_kind k)
{
	return k != ZR_EV_START && k != ZR_EV_STOP && k != ZR_EV_LOST && k != ZR_EV_SUMMARY &&
	       k < ZR_EV__COUNT;
}

static void jl_body(struct jline *l, const struct sink *s, const struct zr_ev *ev)
{
	if (has_subject(ev->kind))
		jl_subject(l, ev);
	switch (ev->kind) {
	case ZR_EV_START:
		jl_start(l, s->info);
		break;
	case ZR_EV_STOP:
		jl_u64(l, "events", ev->u.stop.events);
		jl_u64(l, "lost", ev->u.stop.lost);
		break;
	case ZR_EV_LOST:
		jl_u64(l, "count", ev->u.lost.count);
		jl_str(l, "source", ev->u.lost.source, SIZE_MAX);
		break;
	case ZR_EV_FORK:
		jl_ref(l, "parent", &ev->parent);
		break;
	case ZR_EV_EXEC:
		jl_exec(l, ev);
		break;
	case ZR_EV_EXIT:
		jl_status(l, &ev->u.exit.st);
		jl_bool(l, "group_dead", ev->u.exit.group_dead);
		jl_u64(l, "lifetime_ns", ev->u.exit.lifetime_ns);
		break;
	case ZR_EV_WAIT:
		jl_wait(l, ev);
		break;
	case ZR_EV_REAP:
		jl_reap(l, ev);
		break;
	case ZR_EV_SIGNAL:
		jl_str(l, "signal", status_signal_name(ev->u.signal.sig), SIZE_MAX);
		jl_int(l, "code", ev->u.signal.code);
		jl_str(l, "result", signal_result_name(ev->u.signal.result), SIZE_MAX);
		jl_ref(l, "sender", &ev->u.signal.sender);
		break;
	case ZR_EV_SUBREAPER:
		jl_bool(l, "value", ev->u.subreaper.is_set);
		jl_bool(l, "subreaper", ev->u.subreaper.is_now);
		jl_errno(l, "error", ev->u.subreaper.error);
		break;
	case ZR_EV_ORPHAN:
	case ZR_EV_ZOMBIE:
	case ZR_EV_SNAPSHOT:
	case ZR_EV_ACTION:
		/* struct zr_ev has no payload for these yet: the parent is all it carries. */
		if (ev->parent.pid)
			jl_ref(l, "parent", &ev->parent);
		break;
	case ZR_EV_SUMMARY:
	case ZR_EV__COUNT:
	default:
		break;
	}
}

static int errno_result(void)
{
	return errno ? -errno : -EIO;
}

static int json_emit(struct sink *s, const struct zr_ev *ev)
{
	struct jline l = { .cap = sizeof(l.inline_buf) };
	char ts[40];
	int ret = 0;

	l.p = l.inline_buf;
	s->seq++;
	sink_format_rfc3339(ts, sizeof(ts), (int64_t)ev->ktime_ns + s->boot_to_real_ns);
	jl_raw(&l, "{");
	jl_str(&l, "ts", ts, sizeof(ts));
	jl_u64(&l, "ktime_ns", ev->ktime_ns);
	jl_u64(&l, "seq", s->seq);
	jl_str(&l, "event", sink_kind_name(ev->kind), SIZE_MAX);
	jl_body(&l, s, ev);
	jl_raw(&l, "}\n");

	if (l.has_failed) {
		ret = -ENOMEM;
		goto out_free;
	}
	errno = 0;
	if (fwrite(l.p, 1, l.len, s->out) != l.len || (s->flush_each && fflush(s->out)) ||
	    ferror(s->out))
		ret = errno_result();
out_free:
	if (l.p != l.inline_buf)
		free(l.p);
	return ret;
}

static int json_flush(struct sink *s)
{
	errno = 0;
	if (fflush(s->out) || ferror(s->out))
		return errno_result();
	return 0;
}

static void json_close(struct sink *s)
{
	/* Errors were reported by emit/flush; the FILE itself belongs to the caller. */
	fflush(s->out);
}

static const struct sink_ops json_ops = {
	.emit = json_emit,
	.flush = json_flush,
	.close = json_close,
};

void sink_json_init(struct sink *s, FILE *out, const struct sink_run_info *info)
{
	memset(s, 0, sizeof(*s));
	s->ops = &json_ops;
	s->out = out;
	s->info = info;
}
