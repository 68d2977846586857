/* journal.c - encoding the pipeline's inputs as records (journal.h) and reading them back:
 * times as zigzag varint differences, kernel records without their trailing zero bytes (the
 * fixed-size path and argv buffers), /proc answers field by field.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

#include "journal_int.h"
#include "zr_event.h"

/* ------------------------------------------------------------------ kernel records */

/* zr_event_hdr: ts and start_boottime, little-endian u64 at these offsets. */
#define HDR_TS	  8
#define HDR_START 16
#define HDR_SIZE  88

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void set_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Nanosecond times are most of a record's entropy: stored as the gap since the previous
 * record's timestamp and the age at that timestamp, their high bytes are zeros zlib drops. */
static void times_encode(uint8_t *r, size_t size, uint64_t *last)
{
	uint64_t ts;

	if (size < HDR_SIZE)
		return;
	ts = get_u64(r + HDR_TS);
	set_u64(r + HDR_START, ts - get_u64(r + HDR_START));
	set_u64(r + HDR_TS, ts - *last);
	*last = ts;
}

static void times_decode(uint8_t *r, size_t size, uint64_t *last)
{
	uint64_t ts;

	if (size < HDR_SIZE)
		return;
	ts = get_u64(r + HDR_TS) + *last;
	set_u64(r + HDR_TS, ts);
	set_u64(r + HDR_START, ts - get_u64(r + HDR_START));
	*last = ts;
}

/* The bytes of an exec record decode never reads (past the filename's NUL, past args_len)
 * hold whatever the ring buffer held before: zeroed, they cost nothing. */
static void canonical(uint8_t *r, size_t size)
{
	const size_t fname = HDR_SIZE + 32, args = fname + ZR_PATH_LEN;
	uint16_t kind, args_len;
	uint8_t *nul;

	if (size < args + ZR_ARGS_LEN)
		return;
	memcpy(&kind, r, sizeof(kind));
	if (kind != ZR_REC_EXEC && kind != ZR_REC_EXEC_FAIL)
		return;
	nul = memchr(r + fname, 0, ZR_PATH_LEN);
	if (nul)
		memset(nul, 0, (size_t)(r + args - nul));
	memcpy(&args_len, r + HDR_SIZE + 10, sizeof(args_len));
	if (args_len < ZR_ARGS_LEN)
		memset(r + args + args_len, 0, ZR_ARGS_LEN - args_len);
}

/* XOR with the previous record of the same kind (kind and times excluded: the kind picks the
 * previous one, the times are gaps already): what repeats (parent, comm, uid, cgroup, flags)
 * becomes zeros. Its own inverse. */
static void xor_prev(const struct journal_prev *pv, uint8_t *r, size_t size)
{
	uint16_t kind;
	size_t n, i;

	if (size < HDR_SIZE)
		return;
	memcpy(&kind, r, sizeof(kind));
	if (kind >= JOURNAL_KINDS)
		return;
	n = size < pv->len[kind] ? size : pv->len[kind];
	for (i = 2; i < HDR_TS && i < n; i++)
		r[i] ^= pv->b[kind][i];
	/* the rest a word at a time: this runs for every record */
	for (i = HDR_START + 8; i + 8 <= n; i += 8)
		set_u64(r + i, get_u64(r + i) ^ get_u64(pv->b[kind] + i));
	for (; i < n; i++)
		r[i] ^= pv->b[kind][i];
}

/* plain: a record as it is before xor_prev (times already encoded). */
static void remember(struct journal_prev *pv, const uint8_t *plain, size_t size)
{
	uint16_t kind;

	if (size < HDR_SIZE)
		return;
	memcpy(&kind, plain, sizeof(kind));
	if (kind >= JOURNAL_KINDS)
		return;
	if (size > JOURNAL_PREV_MAX)
		size = JOURNAL_PREV_MAX;
	memcpy(pv->b[kind], plain, size);
	pv->len[kind] = (uint16_t)size;
}

/* ------------------------------------------------------------------ writer */

void journal_writer_init(struct journal_writer *j, struct record_writer *w,
			 const struct procsrc *inner)
{
	j->w = w;
	j->last_ns = 0;
	memset(&j->prev, 0, sizeof(j->prev));
	j->inner = *inner;
}

int journal_put_kernel(struct journal_writer *j, const void *data, size_t size)
{
	struct enc e = { .n = 0 };
	uint8_t plain[JOURNAL_PREV_MAX];
	size_t used = size, head;
	uint8_t *p;

	if (size > RECORD_MAX - 4)
		return -EINVAL;
	put_var(&e, size);
	head = e.n;
	put_bytes(&e, data, size);
	p = e.b + head;
	canonical(p, size);
	times_encode(p, size, &j->prev.last_kts);
	memcpy(plain, p, size < sizeof(plain) ? size : sizeof(plain));
	xor_prev(&j->prev, p, size);
	remember(&j->prev, plain, size);
	/* fixed-size path and argv buffers end in zeros: the size brings them back */
	while (used && !p[used - 1])
		used--;
	e.n = head + used;
	return record_put(j->w, JOURNAL_KERNEL, e.b, e.n);
}

int journal_put_op(struct journal_writer *j, enum journal_type type, uint64_t now, uint64_t value)
{
	struct enc e = { .n = 0 };

	put_svar(&e, (int64_t)(now - j->last_ns));
	j->last_ns = now;
	if (type == JOURNAL_LOST || type == JOURNAL_FINISH)
		put_var(&e, value);
	return record_put(j->w, (uint8_t)type, e.b, e.n);
}

int journal_put_adapt(struct journal_writer *j, const struct zr_kernel_report *r)
{
	struct enc e = { .n = 0 };
	int i;

	put_str(&e, r->current_task, sizeof(r->current_task));
	put_str(&e, r->syscall_args, sizeof(r->syscall_args));
	put_str(&e, r->group_dead, sizeof(r->group_dead));
	put_var(&e, (uint64_t)r->n_degraded);
	for (i = 0; i < r->n_degraded; i++) {
		put_str(&e, r->degraded[i].feature, sizeof(r->degraded[i].feature));
		put_str(&e, r->degraded[i].reason, sizeof(r->degraded[i].reason));
		put_var(&e, r->degraded[i].is_limit);
	}
	return record_put(j->w, JOURNAL_ADAPT, e.b, e.n);
}

static int decode_adapt(struct zr_kernel_report *r, struct dec *d)
{
	uint64_t n;
	int i;

	memset(r, 0, sizeof(*r));
	get_str(d, r->current_task, sizeof(r->current_task));
	get_str(d, r->syscall_args, sizeof(r->syscall_args));
	get_str(d, r->group_dead, sizeof(r->group_dead));
	n = get_var(d);
	if (d->bad || n > ZR_DEGRADED_MAX)
		return -1;
	for (i = 0; i < (int)n; i++) {
		get_str(d, r->degraded[i].feature, sizeof(r->degraded[i].feature));
		get_str(d, r->degraded[i].reason, sizeof(r->degraded[i].reason));
		r->degraded[i].is_limit = get_var(d) != 0;
	}
	r->n_degraded = (int)n;
	return d->bad ? -1 : 0;
}

int journal_flush(struct journal_writer *j, uint64_t now)
{
	int err;

	if (!record_full(j->w))
		return record_flush(j->w);
	/* The full file ends as a closed one does; the next stands alone (no snapshot in it). */
	journal_put_op(j, JOURNAL_END, now, 0);
	err = record_rotate(j->w);
	j->last_ns = 0;
	memset(&j->prev, 0, sizeof(j->prev));
	if (!err)
		err = journal_put_op(j, JOURNAL_CONT, now, 0);
	return err;
}

/* ------------------------------------------------------------------ reader */

void journal_reader_init(struct journal_reader *j, struct record_reader *r)
{
	memset(j, 0, sizeof(*j));
	j->r = r;
}

int journal_peek(struct journal_reader *j)
{
	int rc;

	if (j->has_peek)
		return 1;
	if (j->err)
		return j->err;
	rc = record_next(j->r, &j->peek_type, &j->peek_data, &j->peek_len, j->why, sizeof(j->why));
	if (rc < 0)
		j->err = -1;
	j->has_peek = rc > 0;
	return rc;
}

struct dec journal_take(struct journal_reader *j)
{
	j->has_peek = false;
	return (struct dec){ j->peek_data, j->peek_len, 0, false };
}

static int decode_kernel(struct journal_reader *j, struct dec *d, struct journal_item *it)
{
	uint64_t size = get_var(d);
	size_t used = d->n - d->at;

	if (d->bad || size > sizeof(j->kbuf) || used > size)
		return -1;
	memcpy(j->kbuf, d->p + d->at, used);
	memset((uint8_t *)j->kbuf + used, 0, (size_t)size - used);
	xor_prev(&j->prev, (uint8_t *)j->kbuf, (size_t)size);
	remember(&j->prev, (uint8_t *)j->kbuf, (size_t)size);
	times_decode((uint8_t *)j->kbuf, (size_t)size, &j->prev.last_kts);
	it->data = j->kbuf;
	it->size = (size_t)size;
	/* zr_event_hdr: ts at offset 8 */
	if (size >= 16)
		memcpy(&it->now, (uint8_t *)j->kbuf + 8, sizeof(it->now));
	return 0;
}

int journal_next(struct journal_reader *j, struct journal_item *it)
{
	struct dec d;
	int rc;

	for (;;) {
		rc = journal_peek(j);
		if (rc <= 0)
			return rc;
		memset(it, 0, sizeof(*it));
		it->type = (enum journal_type)j->peek_type;
		d = journal_take(j);
		switch (it->type) {
		case JOURNAL_KERNEL:
			if (decode_kernel(j, &d, it))
				goto bad;
			return 1;
		case JOURNAL_START:
		case JOURNAL_CONT:
		case JOURNAL_TICK:
		case JOURNAL_LOST:
		case JOURNAL_FINISH:
			j->last_ns += (uint64_t)get_svar(&d);
			it->now = j->last_ns;
			if (it->type == JOURNAL_LOST || it->type == JOURNAL_FINISH)
				it->value = get_var(&d);
			if (d.bad)
				goto bad;
			return 1;
		case JOURNAL_END:
			return 1;
		case JOURNAL_ADAPT:
			if (decode_adapt(&j->adapt, &d))
				goto bad;
			it->report = &j->adapt;
			return 1;
		case JOURNAL_STAT:
		case JOURNAL_STATUS:
		case JOURNAL_PID:
		case JOURNAL_PID_END:
		case JOURNAL_ZOMBIE:
			j->mismatches++; /* an answer to a question this replay did not ask */
			break;
		default:
			break; /* a type this version does not know: later ones only add types */
		}
	}
bad:
	snprintf(j->why, sizeof(j->why), "bad %s record in the block at offset %llu",
		 it->type == JOURNAL_KERNEL ? "kernel" : "step",
		 (unsigned long long)record_block_offset(j->r));
	j->err = -1;
	return -1;
}
