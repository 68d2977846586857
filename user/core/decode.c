/* decode.c - ring-buffer records (bpf/zr_event.h) -> struct zr_ev, the first user-space stage.
 * Kernel facts are interpreted here once: exit statuses, wait results, thread-ness.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

#include "decode.h"
#include "status.h"
#include "zr_event.h"

/* include/uapi/linux/wait.h and asm-generic/siginfo.h, spelled out to stay libc-independent. */
#define K_WUNTRACED	0x02
#define K_WCONTINUED	0x08
#define K_WNOWAIT	0x01000000
#define K_CLD_EXITED	1
#define K_CLD_KILLED	2
#define K_CLD_DUMPED	3
#define K_CLD_CONTINUED 6
#define K_ECHILD	10

static void copy_comm(char *dst, const char *src)
{
	memcpy(dst, src, ZR_COMM_LEN);
	dst[ZR_COMM_LEN] = '\0';
}

/* What a decoded event holds: the members every event has and, of the union, at most the
 * exit member's bytes. The zombie and action members' 256-byte reasons are never zeroed here:
 * zeroing all 488 bytes was some 8% of the tracer's user time in a fork storm (perf). */
#define DECODED_BYTES	(offsetof(struct zr_ev, u) + sizeof(((struct zr_ev *)0)->u.exit))
#define FITS_DECODED(m) (sizeof(((struct zr_ev *)0)->u.m) <= sizeof(((struct zr_ev *)0)->u.exit))
_Static_assert(FITS_DECODED(exec) && FITS_DECODED(wait) && FITS_DECODED(signal) &&
		   FITS_DECODED(subreaper),
	       "a decoded member outgrew the bytes decode_hdr zeroes");

static void decode_hdr(const struct zr_event_hdr *h, struct zr_ev *ev)
{
	memset(ev, 0, DECODED_BYTES);
	ev->ktime_ns = h->ts;
	ev->pid = h->pid;
	ev->tid = h->tid;
	ev->ppid = h->ppid;
	ev->uid = h->uid;
	ev->gid = h->gid;
	ev->ns_level = h->ns_level;
	if (h->ns_level) {
		ev->ns_pid = h->ns_pid;
		ev->ns_tid = h->ns_tid;
		ev->pidns = h->pidns;
	}
	ev->start_ns = h->start_boottime;
	ev->cgroup_id = h->cgroup_id;
	copy_comm(ev->comm, h->comm);
	ev->is_thread = h->flags & ZR_F_THREAD;
}

/* Counts the NUL-terminated strings in args; a last string cut short is terminated in place. */
static unsigned count_args(char *args, size_t len)
{
	unsigned n = 0;
	size_t i;

	if (len > ZR_ARGS_LEN)
		len = ZR_ARGS_LEN;
	for (i = 0; i < len; i++)
		if (args[i] == '\0')
			n++;
	if (len && args[len - 1] != '\0') {
		if (len == ZR_ARGS_LEN)
			args[len - 1] = '\0';
		else
			args[len] = '\0';
		n++;
	}
	return n;
}

/* exec and failed exec: the strings copied out of the read-only ring record, terminated. */
static int decode_exec(const struct zr_rec_exec *r, struct zr_ev *ev)
{
	static char argbuf[ZR_ARGS_LEN + 1];
	size_t n = r->args_len < ZR_ARGS_LEN ? r->args_len : ZR_ARGS_LEN;

	memcpy(argbuf, r->args, n);
	argbuf[n] = '\0';
	ev->kind = ZR_EV_EXEC;
	ev->is_thread = false; /* exec replaces the whole process */
	ev->u.exec.error = r->hdr.kind == ZR_REC_EXEC_FAIL ? r->error : 0;
	ev->u.exec.old_pid = r->old_pid;
	copy_comm(ev->u.exec.old_comm, r->old_comm);
	ev->u.exec.filename = r->filename;
	ev->u.exec.args = argbuf;
	ev->u.exec.argv_truncated = r->hdr.flags & ZR_F_ARGV_TRUNC;
	ev->u.exec.argc = count_args(argbuf, n);
	return memchr(r->filename, '\0', ZR_PATH_LEN) ? 0 : -EINVAL;
}

static struct zr_exit_status waitid_status(int code, int status)
{
	switch (code) {
	case K_CLD_EXITED:
		return status_decode((status & 0xff) << 8);
	case K_CLD_KILLED:
		return status_decode(status & 0x7f);
	case K_CLD_DUMPED:
		return status_decode((status & 0x7f) | 0x80);
	default:
		return (struct zr_exit_status){ 0 };
	}
}

static void decode_wait(const struct zr_rec_wait *r, struct zr_ev *ev)
{
	bool known = r->hdr.flags & ZR_F_STATUS_KNOWN;
	int st = r->status;

	ev->kind = ZR_EV_WAIT;
	ev->is_thread = false;
	ev->is_unmatched = !(r->hdr.flags & ZR_F_SUBJECT_WANTED);
	ev->u.wait.syscall = r->syscall == ZR_WAITID ? ZR_SYS_WAITID : ZR_SYS_WAIT4;
	ev->u.wait.target = r->target;
	ev->u.wait.options = r->options;
	ev->u.wait.reports_stops = r->options & (K_WUNTRACED | K_WCONTINUED);
	ev->u.wait.args_unknown = r->hdr.flags & ZR_F_ARGS_UNKNOWN;
	if (r->ret < 0) {
		ev->u.wait.error = (int)-r->ret;
		ev->u.wait.result = -r->ret == K_ECHILD ? ZR_WAIT_NO_CHILD : ZR_WAIT_ERROR;
		return;
	}
	if (r->syscall == ZR_WAIT4) {
		if (r->ret == 0) {
			ev->u.wait.result = ZR_WAIT_WOULD_BLOCK;
			return;
		}
		ev->u.wait.reaped_pid = (uint32_t)r->ret;
		if (!known) {
			/* No status pointer: an exit unless stop/continue reports were asked for;
			 * the lifecycle settles it from what it knows of the pid. */
			ev->u.wait.result = ZR_WAIT_REAPED;
		} else if ((st & 0xff) == 0x7f) {
			ev->u.wait.result = ZR_WAIT_STOPPED;
		} else if (st == 0xffff) {
			ev->u.wait.result = ZR_WAIT_CONTINUED;
		} else {
			ev->u.wait.result = ZR_WAIT_REAPED;
			ev->u.wait.st = status_decode(st);
		}
		return;
	}
	if (r->si_pid == 0) {
		ev->u.wait.result = ZR_WAIT_WOULD_BLOCK;
		return;
	}
	ev->u.wait.reaped_pid = (uint32_t)r->si_pid;
	switch (r->si_code) {
	case K_CLD_EXITED:
	case K_CLD_KILLED:
	case K_CLD_DUMPED:
		ev->u.wait.st = waitid_status(r->si_code, st);
		ev->u.wait.result = (r->options & K_WNOWAIT) ? ZR_WAIT_PEEKED : ZR_WAIT_REAPED;
		break;
	case K_CLD_CONTINUED:
		ev->u.wait.result = ZR_WAIT_CONTINUED;
		break;
	default: /* CLD_STOPPED, CLD_TRAPPED */
		ev->u.wait.result = ZR_WAIT_STOPPED;
		break;
	}
}

/* Minimum size per record kind; index = enum zr_rec_kind. */
static const size_t rec_size[] = {
	[ZR_REC_FORK] = sizeof(struct zr_rec_fork),
	[ZR_REC_EXEC] = sizeof(struct zr_rec_exec),
	[ZR_REC_EXIT] = sizeof(struct zr_rec_exit),
	[ZR_REC_WAIT] = sizeof(struct zr_rec_wait),
	[ZR_REC_FREE] = sizeof(struct zr_rec_free),
	[ZR_REC_SIGNAL] = sizeof(struct zr_rec_signal),
	[ZR_REC_SUBREAPER] = sizeof(struct zr_rec_subreaper),
	[ZR_REC_EXEC_FAIL] = sizeof(struct zr_rec_exec),
};

static void decode_fork(const struct zr_rec_fork *r, struct zr_ev *ev)
{
	ev->kind = ZR_EV_FORK;
	ev->parent.pid = r->parent_pid;
	ev->parent.start_ns = r->parent_start;
	copy_comm(ev->parent.comm, r->parent_comm);
}

static void decode_exit(const struct zr_rec_exit *r, struct zr_ev *ev)
{
	const struct zr_event_hdr *h = &r->hdr;

	ev->kind = ZR_EV_EXIT;
	ev->u.exit.group_dead = h->flags & ZR_F_GROUP_DEAD;
	ev->is_thread = !ev->u.exit.group_dead;
	ev->u.exit.st = status_decode(r->exit_code);
	ev->u.exit.st.oom_killed =
	    (h->flags & ZR_F_OOM_VICTIM) && ev->u.exit.st.is_signaled && ev->u.exit.st.signal == 9;
	ev->u.exit.lifetime_ns = h->ts > h->start_boottime ? h->ts - h->start_boottime : 0;
	memcpy(ev->u.exit.ns_nr, r->ns_nr, sizeof(ev->u.exit.ns_nr));
	memcpy(ev->u.exit.ns_inum, r->ns_inum, sizeof(ev->u.exit.ns_inum));
}

static void decode_signal(const struct zr_rec_signal *r, struct zr_ev *ev)
{
	ev->kind = ZR_EV_SIGNAL;
	ev->is_thread = false;
	ev->u.signal.sig = r->sig;
	ev->u.signal.code = r->code;
	ev->u.signal.result = r->result;
	ev->u.signal.sender.pid = r->sender_pid;
	ev->u.signal.sender.start_ns = r->sender_start;
	copy_comm(ev->u.signal.sender.comm, r->sender_comm);
}

static void decode_subreaper(const struct zr_rec_subreaper *r, struct zr_ev *ev)
{
	ev->kind = ZR_EV_SUBREAPER;
	ev->is_thread = false;
	ev->u.subreaper.is_set = r->value != 0;
	ev->u.subreaper.is_now = r->hdr.flags & ZR_F_SUBREAPER_NOW;
	ev->u.subreaper.error = r->ret < 0 ? (int)-r->ret : 0;
}

int decode_record(const void *data, size_t size, struct zr_ev *ev)
{
	const struct zr_event_hdr *h = data;

	if (size < sizeof(*h) || h->size > size)
		return -EINVAL;
	if (h->kind == 0 || h->kind >= sizeof(rec_size) / sizeof(rec_size[0]))
		return -ENOENT;
	if (h->size < rec_size[h->kind])
		return -EINVAL;
	decode_hdr(h, ev);
	switch ((enum zr_rec_kind)h->kind) {
	case ZR_REC_FORK:
		decode_fork(data, ev);
		break;
	case ZR_REC_EXEC:
	case ZR_REC_EXEC_FAIL:
		return decode_exec(data, ev);
	case ZR_REC_EXIT:
		decode_exit(data, ev);
		break;
	case ZR_REC_WAIT:
		decode_wait(data, ev);
		break;
	case ZR_REC_FREE:
		ev->kind = ZR_EV_REAP;
		ev->is_release = true;
		break;
	case ZR_REC_SIGNAL:
		decode_signal(data, ev);
		break;
	case ZR_REC_SUBREAPER:
		decode_subreaper(data, ev);
		break;
	}
	return 0;
}
