/* sink_text.c - the columns sink for people: one aligned line per event, untrusted text escaped. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "ev_kind.h"
#include "names.h"
#include "sink.h"
#include "status.h"
#include "summary.h"

#define COMM_COLS 16

#define C_RED	  "\033[31m"
#define C_GREEN	  "\033[32m"
#define C_YELLOW  "\033[33m"
#define C_RESET	  "\033[0m"

static const char header[] = "TIME         EVENT     PID     PPID    COMM             DETAILS\n";

/* Columns a valid UTF-8 string takes on a terminal. A small table instead of wcwidth(),
 * which depends on the locale the caller happened to set up. */
static unsigned cp_width(uint32_t cp)
{
	if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

static unsigned text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned w = 0;
	uint32_t cp;

	/* Input is escape_str output: valid UTF-8, so sequence lengths can be trusted. */
	while (*p) {
		if (*p < 0x80) {
			cp = *p++;
		} else if (*p < 0xe0) {
			cp = (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
			p += 2;
		} else if (*p < 0xf0) {
			cp = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
			p += 3;
		} else {
			cp = (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 | (p[2] & 0x3fu) << 6 |
			     (p[3] & 0x3fu);
			p += 4;
		}
		w += cp_width(cp);
	}
	return w;
}

/* "123 (bash)", comm escaped. */
static void put_ref(FILE *f, uint32_t pid, const char *comm)
{
	fprintf(f, "%" PRIu32 " (", pid);
	escape_fputs(ESCAPE_TEXT, comm, ZR_COMM_BUF, f);
	fputc(')', f);
}

static void put_status(FILE *f, const struct zr_exit_status *st)
{
	char buf[64];

	status_describe(st, buf, sizeof(buf));
	fputs(buf, f);
}

/* An argument escaped, and quoted when it would otherwise not read as one word. */
static void put_word(FILE *f, const char *s)
{
	bool quote = !*s || strchr(s, ' ');

	if (quote)
		fputc('\'', f);
	escape_fputs(ESCAPE_TEXT, s, SIZE_MAX, f);
	if (quote)
		fputc('\'', f);
}

static void put_exec(FILE *f, const struct zr_ev *ev)
{
	const char *a = ev->u.exec.args;
	char buf[16];
	unsigned i;

	if (ev->u.exec.error)
		fprintf(f, "%s ", status_errno_name(ev->u.exec.error, buf, sizeof(buf)));
	put_word(f, ev->u.exec.filename ? ev->u.exec.filename : "?");
	for (i = 0; a && i < ev->u.exec.argc; i++) {
		fputc(' ', f);
		put_word(f, a);
		a += strlen(a) + 1;
	}
	if (ev->u.exec.argv_truncated)
		fputs(" ...", f);
}

static void put_wait(FILE *f, const struct zr_ev *ev)
{
	enum zr_wait_result r = ev->u.wait.result;
	char buf[96];

	fprintf(f, "%s(", names_wait_syscall(ev->u.wait.syscall));
	if (ev->u.wait.args_unknown) {
		fputc('?', f);
	} else {
		fprintf(f, "%d", ev->u.wait.target);
		names_wait_options(ev->u.wait.options, buf, sizeof(buf));
		if (buf[0])
			fprintf(f, ", %s", buf);
	}
	fprintf(f, ") -> %s", names_wait_result(r));
	switch (r) {
	case ZR_WAIT_REAPED:
	case ZR_WAIT_PEEKED:
		fprintf(f, " %" PRIu32, ev->u.wait.reaped_pid);
		if (ev->u.wait.st.is_known) {
			fputc(' ', f);
			put_status(f, &ev->u.wait.st);
		}
		break;
	case ZR_WAIT_STOPPED:
	case ZR_WAIT_CONTINUED:
		fprintf(f, " %" PRIu32, ev->u.wait.reaped_pid);
		break;
	case ZR_WAIT_ERROR:
		fprintf(f, " %s", status_errno_name(ev->u.wait.error, buf, sizeof(buf)));
		break;
	case ZR_WAIT_NO_CHILD:
	case ZR_WAIT_WOULD_BLOCK:
	default:
		break;
	}
}

static void put_reap(FILE *f, const struct zr_ev *ev)
{
	const struct zr_ref *r = &ev->u.reap.reaper;
	char dur[32];

	fputs("by ", f);
	if (ev->u.reap.how == ZR_HOW_AUTOREAP || !r->pid) {
		fputs("kernel", f);
	} else {
		put_ref(f, r->pid, r->comm);
		/* Only an adoption is news; reaping one's own child is the normal case. */
		if (r->role && strcmp(r->role, names_role(ZR_ROLE_PARENT)) != 0)
			fprintf(f, " [%s]", r->role);
	}
	sink_format_duration(dur, sizeof(dur), ev->u.reap.zombie_ns);
	fprintf(f, " %s, zombie %s", names_reap_how(ev->u.reap.how), dur);
}

/* "zombie for 1.00s, parent 812 (python3) sleeping: <reason>", yellow: this needs a look. */
static void put_zombie(FILE *f, bool color, const struct zr_ev *ev)
{
	const struct zr_ref *p = &ev->parent;
	char dur[32];

	if (color)
		fputs(C_YELLOW, f);
	sink_format_duration(dur, sizeof(dur), ev->u.zombie.zombie_ns);
	if (zr_age_is_exact(ev->u.zombie.age_source)) {
		fprintf(f, "zombie for %s, parent ", dur);
	} else if (ev->u.zombie.age_source == ZR_AGE_START_BOUND) {
		fprintf(f, "zombie for at most %s, parent ", dur);
	} else {
		fputs("zombie, age unknown, parent ", f);
	}
	if (p->pid) {
		put_ref(f, p->pid, p->comm);
		fprintf(f, " %s", ev->u.zombie.pinfo.state ? ev->u.zombie.pinfo.state : "unknown");
	} else {
		fputs("unknown", f);
	}
	if (ev->u.zombie.reason[0]) {
		/* The reason quotes process names: escaped like them. */
		fputs(": ", f);
		escape_fputs(ESCAPE_TEXT, ev->u.zombie.reason, sizeof(ev->u.zombie.reason), f);
	}
	if (color)
		fputs(C_RESET, f);
}

/* "adopted by 1 (init) [pidns_init], was child of 700 (bash)" */
static void put_orphan(FILE *f, const struct zr_ev *ev)
{
	const struct zr_ref *np = &ev->u.orphan.new_parent, *op = &ev->u.orphan.old_parent;

	fputs("adopted by ", f);
	if (np->pid)
		put_ref(f, np->pid, np->comm);
	else
		fputs("unknown", f);
	if (np->role)
		fprintf(f, " [%s]", np->role);
	if (op->pid) {
		fputs(", was child of ", f);
		put_ref(f, op->pid, op->comm);
	}
}

/* "inject reaped (dry run), parent 812 (python3), policy pid=812: <reason>" */
static void put_action(FILE *f, const struct zr_ev *ev)
{
	if (!ev->u.action.action) {
		if (ev->parent.pid) {
			fputs("parent ", f);
			put_ref(f, ev->parent.pid, ev->parent.comm);
		}
		return;
	}
	fprintf(f, "%s %s%s, parent ", ev->u.action.action,
		ev->u.action.outcome ? ev->u.action.outcome : "?",
		ev->u.action.dry_run ? " (dry run)" : "");
	if (ev->parent.pid)
		put_ref(f, ev->parent.pid, ev->parent.comm);
	else
		fputs("unknown", f);
	if (ev->u.action.policy) {
		fputs(", policy ", f);
		escape_fputs(ESCAPE_TEXT, ev->u.action.policy, SIZE_MAX, f);
	}
	if (ev->u.action.reason[0]) {
		fputs(": ", f);
		escape_fputs(ESCAPE_TEXT, ev->u.action.reason, sizeof(ev->u.action.reason), f);
	}
}

/* "SIGTERM from 700 (bash)"; delivery is the norm, so only the other results are shown. */
static void put_signal(FILE *f, const struct zr_ev *ev)
{
	const char *words = names_signal_result_words(ev->u.signal.result);

	fprintf(f, "%s from ", status_signal_name(ev->u.signal.sig));
	if (ev->u.signal.sender.pid)
		put_ref(f, ev->u.signal.sender.pid, ev->u.signal.sender.comm);
	else
		fputs("kernel", f);
	if (words)
		fprintf(f, " (%s)", words);
	else if (ev->u.signal.result)
		fprintf(f, " (result %d)", ev->u.signal.result);
}

static void put_details(FILE *f, bool color, const struct zr_ev *ev)
{
	char buf[32];

	switch (ev->kind) {
	case ZR_EV_FORK:
		if (ev->is_thread) {
			fprintf(f, "thread of %" PRIu32, ev->pid);
		} else {
			fputs("parent ", f);
			put_ref(f, ev->parent.pid, ev->parent.comm);
		}
		break;
	case ZR_EV_EXEC:
		put_exec(f, ev);
		break;
	case ZR_EV_EXIT:
		put_status(f, &ev->u.exit.st);
		if (ev->u.exit.lifetime_ns) {
			sink_format_duration(buf, sizeof(buf), ev->u.exit.lifetime_ns);
			fprintf(f, " after %s", buf);
		}
		break;
	case ZR_EV_WAIT:
		put_wait(f, ev);
		break;
	case ZR_EV_REAP:
		put_reap(f, ev);
		break;
	case ZR_EV_SIGNAL:
		put_signal(f, ev);
		break;
	case ZR_EV_SUBREAPER:
		fputs(ev->u.subreaper.is_set ? "set" : "cleared", f);
		if (ev->u.subreaper.error)
			fprintf(f, " failed: %s",
				status_errno_name(ev->u.subreaper.error, buf, sizeof(buf)));
		break;
	case ZR_EV_LOST:
		fprintf(f, "%" PRIu64 " events lost (", ev->u.lost.count);
		escape_fputs(ESCAPE_TEXT, ev->u.lost.source ? ev->u.lost.source : "?", SIZE_MAX, f);
		fputc(')', f);
		break;
	case ZR_EV_ZOMBIE:
		put_zombie(f, color, ev);
		break;
	case ZR_EV_ORPHAN:
		put_orphan(f, ev);
		break;
	case ZR_EV_SNAPSHOT:
		/* names_state('Z') is "zombie": "existing zombie" falls out. */
		fprintf(f, "existing %s", names_state(ev->u.snapshot.state));
		break;
	case ZR_EV_ACTION:
		put_action(f, ev);
		break;
	case ZR_EV_START:
	case ZR_EV_STOP:
	case ZR_EV_SUMMARY:
	case ZR_EV__COUNT:
	default:
		break;
	}
}

/* Colour of the EVENT column: red for failures, yellow for what needs a look, else none. */
static const char *event_color(const struct zr_ev *ev)
{
	static const char *const ansi[] = {
		[ZR_COLOR_NONE] = NULL,		 [ZR_COLOR_RED] = C_RED,
		[ZR_COLOR_YELLOW] = C_YELLOW,	 [ZR_COLOR_GREEN] = C_GREEN,
		[ZR_COLOR_RED_IF_FAILED] = NULL, /* ev_kind_color resolves it */
	};

	return ansi[ev_kind_color(ev)];
}

static void put_line(struct sink *s, const struct zr_ev *ev)
{
	int64_t real = (int64_t)ev->ktime_ns + s->boot_to_real_ns;
	int64_t sec = real / 1000000000, ms = real % 1000000000 / 1000000;
	const char *name = ev_kind_name(ev->kind), *color = s->color ? event_color(ev) : NULL;
	char comm[ZR_COMM_BUF * 4 + 1];
	struct tm tm = { 0 };
	unsigned w;
	FILE *f = s->out;
	time_t t;

	if (ms < 0) {
		ms += 1000;
		sec--;
	}
	t = (time_t)sec;
	localtime_r(&t, &tm);
	fprintf(f, "%02d:%02d:%02d.%03d ", tm.tm_hour, tm.tm_min, tm.tm_sec, (int)ms);
	if (color)
		fprintf(f, "%s%s%s%*s ", color, name, C_RESET, 9 - (int)strlen(name), "");
	else
		fprintf(f, "%-9s ", name);

	if (!ev_kind_info(ev->kind)->has_subject) {
		fprintf(f, "%-7s %-7s %-16s ", "-", "-", "-");
	} else {
		/* A thread's own id is what tells its lines apart; "thread of" names the group. */
		fprintf(f, "%-7" PRIu32 " %-7" PRIu32 " ", ev->is_thread ? ev->tid : ev->pid,
			ev->ppid);
		escape_str(ESCAPE_TEXT, ev->comm, sizeof(ev->comm), comm, sizeof(comm));
		w = text_width(comm);
		fprintf(f, "%s%*s ", comm, w < COMM_COLS ? (int)(COMM_COLS - w) : 0, "");
	}
	put_details(f, s->color, ev);
	fputc('\n', f);
	s->seq++;
}

static int errno_result(void)
{
	return errno ? -errno : -EIO;
}

static int text_emit(struct sink *s, const struct zr_ev *ev)
{
	bool is_line = ev_kind_info(ev->kind)->has_line;

	errno = 0;
	/* start means "everything after this is seen": the header says so to people. */
	if ((is_line || ev->kind == ZR_EV_START) && !s->header_done) {
		fputs(header, s->out);
		s->header_done = true;
	}
	if (is_line)
		put_line(s, ev);
	if (ev->kind == ZR_EV_SUMMARY)
		summary_put_text(s->out, ev);
	if ((s->flush_each && fflush(s->out)) || ferror(s->out))
		return errno_result();
	return 0;
}

static int text_flush(struct sink *s)
{
	errno = 0;
	if (fflush(s->out) || ferror(s->out))
		return errno_result();
	return 0;
}

static void text_close(struct sink *s)
{
	/* Errors were reported by emit/flush; the FILE itself belongs to the caller. */
	fflush(s->out);
}

static const struct sink_ops text_ops = {
	.emit = text_emit,
	.flush = text_flush,
	.close = text_close,
};

void sink_text_init(struct sink *s, FILE *out, const struct run_info *info)
{
	memset(s, 0, sizeof(*s));
	s->ops = &text_ops;
	s->out = out;
	s->info = info;
}
