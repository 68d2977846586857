/* initd_reap.c - `run`'s reaping: one child at a time until none is ready, the child's own
 * exit recorded, and the optional line per reaped orphan (text, tini's wording, or JSON).
 */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "clock.h"
#include "escape.h"
#include "initd_int.h"
#include "jsonw.h"
#include "log.h"
#include "procfs.h"
#include "sink.h"
#include "status.h"

/* The reap line as a JSON object, fields as in a trace `reap` event. */
static size_t format_reap_json(char *buf, size_t len, const struct initd_reap *r,
			       const struct zr_exit_status *st)
{
	struct jsonw w;
	char ts[48];
	size_t n;

	jsonw_init(&w);
	sink_format_rfc3339(ts, sizeof(ts), r->real_ns);
	jsonw_obj_begin(&w, NULL);
	jsonw_named(&w, "ts", ts);
	jsonw_named(&w, "event", "reap");
	jsonw_int(&w, "pid", r->pid);
	jsonw_str(&w, "comm", r->comm, ZR_COMM_BUF);
	if (st->is_signaled) {
		jsonw_null(&w, "exit_code");
		jsonw_named(&w, "signal", status_signal_name(st->signal));
	} else {
		jsonw_int(&w, "exit_code", st->exit_code);
		jsonw_null(&w, "signal");
	}
	jsonw_bool(&w, "core_dumped", st->core_dumped);
	if (r->lifetime_ns == UINT64_MAX)
		jsonw_null(&w, "lifetime_ns");
	else
		jsonw_u64(&w, "lifetime_ns", r->lifetime_ns);
	jsonw_obj_end(&w);
	n = (size_t)snprintf(buf, len, "%s",
			     jsonw_has_failed(&w) ? "{\"event\":\"reap\"}" : jsonw_text(&w));
	jsonw_release(&w);
	return n;
}

size_t initd_format_reap(char *buf, size_t len, const struct initd_opts *o,
			 const struct initd_reap *r)
{
	struct zr_exit_status st = status_decode(r->raw_status);
	char comm[ZR_COMM_BUF * 4 + 1], what[64];
	size_t n;

	if (o->is_json)
		return format_reap_json(buf, len, r, &st);
	if (r->comm)
		escape_str(ESCAPE_TEXT, r->comm, strnlen(r->comm, ZR_COMM_BUF), comm, sizeof(comm));
	else
		snprintf(comm, sizeof(comm), "?");
	status_describe(&st, what, sizeof(what));
	n = (size_t)snprintf(buf, len, "%s%d (%s): %s",
			     o->is_tini ? "Reaped zombie process with pid=" : "reaped orphan ",
			     r->pid, comm, what);
	if (r->lifetime_ns == UINT64_MAX || n >= len)
		return n;
	return n + (size_t)snprintf(buf + n, len - n, ", lived %llu.%03llus",
				    (unsigned long long)(r->lifetime_ns / 1000000000ULL),
				    (unsigned long long)(r->lifetime_ns / 1000000ULL % 1000));
}

static void log_reap(const struct initd *d, pid_t pid, const struct procfs_stat *st, int status)
{
	struct initd_reap r = {
		.pid = pid,
		.comm = st ? st->comm : NULL,
		.raw_status = status,
		.lifetime_ns = UINT64_MAX,
		.real_ns = (int64_t)clock_ns(CLOCK_REALTIME),
	};
	char line[640];
	size_t n;

	if (st) {
		uint64_t now = clock_ns(CLOCK_BOOTTIME),
			 start = procfs_ticks_to_ns(st->start_ticks);

		if (now >= start)
			r.lifetime_ns = now - start;
	}
	n = d->o->is_json ? 0 : (size_t)snprintf(line, sizeof(line), "zreaper: ");
	n += initd_format_reap(line + n, sizeof(line) - n - 1, d->o, &r);
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line; the lines bypass the verbosity: they were asked for. */
	fwrite(line, 1, n, stderr);
}

/* Reaps one child. Returns its pid, 0 when none is ready (never when is_blocking), -ECHILD
 * when there is no child at all. With reap logging, the zombie is peeked at first (WNOWAIT),
 * so its comm and start time are still in /proc when they are read. */
pid_t initd_reap_next(struct initd *d, bool is_blocking)
{
	int flags = is_blocking ? 0 : WNOHANG, status = 0;
	struct procfs_stat st;
	bool has_stat = false;
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
	pid_t pid;

	if (d->is_log_reaps) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si,
			   WEXITED | WNOWAIT | flags | (d->is_follow_stop ? WSTOPPED : 0)) < 0)
			return errno == EINTR ? 0 : -errno;
		if (!is_blocking)
			d->wait_ns += clock_ns(CLOCK_MONOTONIC) - t0;
		if (si.si_pid == 0)
			return 0;
		if (si.si_code != CLD_STOPPED && si.si_pid != d->child)
			has_stat = procfs_read_stat(NULL, (uint32_t)si.si_pid, &st) == 0 &&
				   st.state == 'Z';
		t0 = clock_ns(CLOCK_MONOTONIC); /* the /proc read is no walk */
		pid = waitpid(si.si_pid, &status, WNOHANG | WUNTRACED);
	} else {
		pid = waitpid(-1, &status, flags | (d->is_follow_stop ? WUNTRACED : 0));
	}
	if (!is_blocking)
		d->wait_ns += clock_ns(CLOCK_MONOTONIC) - t0;
	if (pid < 0)
		return errno == EINTR ? 0 : -errno;
	if (pid == 0)
		return 0;
	if (WIFSTOPPED(status)) {
		if (pid == d->child)
			initd_follow_stop(d);
		return pid;
	}
	if (pid == d->child) {
		char what[64];
		struct zr_exit_status es = status_decode(status);

		d->child_status = status;
		d->is_child_done = true;
		status_describe(&es, what, sizeof(what));
		zr_info("child %d exited: %s", (int)pid, what);
	} else if (d->is_log_reaps) {
		log_reap(d, pid, has_stat ? &st : NULL, status);
	}
	return pid;
}

int initd_drain_for(struct initd *d, uint64_t slice_ns, bool *is_cut)
{
	uint64_t until = d->wait_ns + slice_ns;
	pid_t pid;
	int n = 0;

	if (is_cut)
		*is_cut = false;
	while ((pid = initd_reap_next(d, false)) > 0) {
		n++;
		if (slice_ns && d->wait_ns >= until) {
			if (is_cut)
				*is_cut = true;
			break;
		}
	}
	return pid < 0 ? (int)pid : n;
}

int initd_drain(struct initd *d)
{
	return initd_drain_for(d, 0, NULL);
}
