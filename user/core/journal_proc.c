/* journal_proc.c - the /proc answers in a recording: a procsrc that asks the live one and
 * journals each answer field by field (trace --record), and one that gives them back in the
 * order the live run asked (replay); a question the recording does not answer is a mismatch.
 */
#include <errno.h>
#include <string.h>

#include "journal_int.h"

static void enc_stat(struct enc *e, const void *answer)
{
	const struct procfs_stat *st = answer;
	size_t cl = strnlen(st->comm, ZR_COMM_BUF - 1);

	put_var(e, cl);
	put_bytes(e, st->comm, cl);
	put_var(e, (uint8_t)st->state);
	put_var(e, st->ppid);
	put_var(e, st->pgrp);
	put_var(e, st->session);
	put_var(e, st->start_ticks);
	put_svar(e, st->threads);
	put_svar(e, st->exit_code);
}

static void enc_status(struct enc *e, const void *answer)
{
	const struct procfs_status *st = answer;

	put_var(e, st->sig_blk);
	put_var(e, st->sig_ign);
	put_var(e, st->sig_cgt);
	put_var(e, st->uid);
	put_var(e, st->gid);
	put_var(e, st->ns_pid);
	put_svar(e, st->ns_depth);
	put_svar(e, st->threads);
}

static void enc_zombie(struct enc *e, const void *answer)
{
	const struct zombie_info *zi = answer;

	put_svar(e, zi->wait_status);
	put_var(e, (uint64_t)zi->source);
	put_var(e, zi->age_ns);
}

/* Journals one answer: the pid asked about, the result and, when it is 0, the fields enc
 * writes from answer. Passes the result on; a write error is sticky, seen at flush. */
static int put_answer(const struct procsrc *src, enum journal_type type, uint32_t pid, int rc,
		      void (*enc)(struct enc *, const void *), const void *answer)
{
	struct journal_writer *j = src->ctx;
	struct enc e = { .n = 0 };

	put_var(&e, pid);
	put_svar(&e, rc);
	if (!rc)
		enc(&e, answer);
	record_put(j->w, (uint8_t)type, e.b, e.n);
	return rc;
}

static const struct procsrc *inner(const struct procsrc *src)
{
	return &((const struct journal_writer *)src->ctx)->inner;
}

static int rec_stat(const struct procsrc *src, uint32_t pid, struct procfs_stat *st)
{
	return put_answer(src, JOURNAL_STAT, pid, procsrc_stat(inner(src), pid, st), enc_stat, st);
}

static int rec_status(const struct procsrc *src, uint32_t pid, struct procfs_status *st)
{
	return put_answer(src, JOURNAL_STATUS, pid, procsrc_status(inner(src), pid, st), enc_status,
			  st);
}

static int rec_zombie(const struct procsrc *src, const struct procfs_stat *st, uint64_t now_ns,
		      struct zombie_info *zi)
{
	return put_answer(src, JOURNAL_ZOMBIE, st->pid, procsrc_zombie(inner(src), st, now_ns, zi),
			  enc_zombie, zi);
}

struct rec_scan {
	struct journal_writer *j;
	procsrc_pid_fn fn;
	void *arg;
};

static int rec_pid(uint32_t pid, void *arg)
{
	struct rec_scan *s = arg;
	struct enc e = { .n = 0 };

	put_var(&e, pid);
	record_put(s->j->w, JOURNAL_PID, e.b, e.n);
	return s->fn(pid, s->arg);
}

static int rec_each_pid(const struct procsrc *src, procsrc_pid_fn fn, void *arg)
{
	struct journal_writer *j = src->ctx;
	struct rec_scan s = { j, fn, arg };
	struct enc e = { .n = 0 };
	int rc = procsrc_each_pid(&j->inner, rec_pid, &s);

	put_svar(&e, rc);
	record_put(j->w, JOURNAL_PID_END, e.b, e.n);
	return rc;
}

static const struct procsrc_ops rec_ops = PROCSRC_OPS(rec);

struct procsrc journal_recording_src(struct journal_writer *j)
{
	return (struct procsrc){ &rec_ops, j, NULL };
}

/* The recorded answer for (type, pid) if it is next; else -ENOENT, as if the process were
 * gone (the replay asked something the live run did not: a mismatch). */
static int answer(struct journal_reader *j, uint8_t type, uint32_t pid, struct dec *d, int *rc)
{
	struct dec probe;

	if (journal_peek(j) <= 0 || j->peek_type != type)
		goto miss;
	probe = (struct dec){ j->peek_data, j->peek_len, 0, false };
	if (get_var(&probe) != pid || probe.bad)
		goto miss;
	*d = journal_take(j);
	get_var(d);
	*rc = (int)get_svar(d);
	if (*rc > 0 || *rc < -4095)
		*rc = -EIO;
	return 0;
miss:
	j->mismatches++;
	*rc = -ENOENT;
	return -1;
}

static int rep_stat(const struct procsrc *src, uint32_t pid, struct procfs_stat *st)
{
	struct journal_reader *j = src->ctx;
	struct dec d;
	uint64_t cl;
	int rc;

	if (answer(j, JOURNAL_STAT, pid, &d, &rc) || rc)
		return rc;
	memset(st, 0, sizeof(*st));
	st->pid = pid;
	cl = get_var(&d);
	if (cl > ZR_COMM_BUF - 1)
		return -EIO;
	get_bytes(&d, st->comm, (size_t)cl);
	st->state = (char)get_var(&d);
	st->ppid = (uint32_t)get_var(&d);
	st->pgrp = (uint32_t)get_var(&d);
	st->session = (uint32_t)get_var(&d);
	st->start_ticks = get_var(&d);
	st->threads = (int)get_svar(&d);
	st->cpu = -1; /* not recorded: the zombie answers are */
	st->exit_code = (int)get_svar(&d);
	return d.bad ? -EIO : 0;
}

static int rep_zombie(const struct procsrc *src, const struct procfs_stat *st, uint64_t now_ns,
		      struct zombie_info *zi)
{
	struct journal_reader *j = src->ctx;
	uint64_t source, age;
	struct dec d;
	int rc, status;

	(void)now_ns;
	/* Recordings made before zombie answers existed have none: no mismatch, just nothing. */
	if (journal_peek(j) <= 0 || j->peek_type != JOURNAL_ZOMBIE)
		return -ENOENT;
	if (answer(j, JOURNAL_ZOMBIE, st->pid, &d, &rc) || rc)
		return rc;
	status = (int)get_svar(&d);
	source = get_var(&d);
	age = get_var(&d);
	if (d.bad || source > ZR_AGE_START_BOUND)
		return -EIO;
	zombie_info_set(zi, status, (enum zr_age_source)source, age);
	return 0;
}

static int rep_status(const struct procsrc *src, uint32_t pid, struct procfs_status *st)
{
	struct journal_reader *j = src->ctx;
	struct dec d;
	int rc;

	if (answer(j, JOURNAL_STATUS, pid, &d, &rc) || rc)
		return rc;
	memset(st, 0, sizeof(*st));
	st->sig_blk = get_var(&d);
	st->sig_ign = get_var(&d);
	st->sig_cgt = get_var(&d);
	st->uid = (uint32_t)get_var(&d);
	st->gid = (uint32_t)get_var(&d);
	st->ns_pid = (uint32_t)get_var(&d);
	st->ns_depth = (int)get_svar(&d);
	st->threads = (int)get_svar(&d);
	return d.bad ? -EIO : 0;
}

static int rep_each_pid(const struct procsrc *src, procsrc_pid_fn fn, void *arg)
{
	struct journal_reader *j = src->ctx;
	struct dec d;
	uint64_t pid;
	int rc = 0;

	while (journal_peek(j) > 0 && j->peek_type == JOURNAL_PID) {
		d = journal_take(j);
		pid = get_var(&d);
		if (d.bad || pid > UINT32_MAX)
			continue;
		rc = fn((uint32_t)pid, arg);
		if (rc)
			break;
	}
	if (journal_peek(j) > 0 && j->peek_type == JOURNAL_PID_END) {
		d = journal_take(j);
		if (!rc)
			rc = (int)get_svar(&d);
	} else {
		j->mismatches++;
	}
	return rc;
}

static const struct procsrc_ops rep_ops = PROCSRC_OPS(rep);

struct procsrc journal_replay_src(struct journal_reader *j)
{
	return (struct procsrc){ &rep_ops, j, NULL };
}
