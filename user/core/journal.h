/* journal.h - what a recording holds: the pipeline's inputs in the order it took them. Kernel
 * records as the ring buffer gave them, the clock at each step (start, ticks that had work,
 * lost counts, finish) and every answer /proc gave the state machine. Replaying the inputs
 * through the same code gives the same output, /proc answers and timestamps included.
 */
#ifndef ZR_JOURNAL_H
#define ZR_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel_report.h"
#include "procsrc.h"
#include "record.h"

enum journal_type {
	JOURNAL_KERNEL = 1, /* a ring-buffer record */
	JOURNAL_START,	    /* the trace started (start line, then the /proc snapshot) */
	JOURNAL_CONT,	    /* a rotated file starts: start line, no snapshot */
	JOURNAL_TICK,	    /* lifecycle_tick ran with work due */
	JOURNAL_LOST,	    /* the kernel's drop counter grew (value: its total) */
	JOURNAL_FINISH,	    /* the trace ended normally (value: drops total) */
	JOURNAL_STAT,	    /* a /proc/PID/stat answer */
	JOURNAL_STATUS,	    /* a /proc/PID/status answer */
	JOURNAL_PID,	    /* one pid listed by the /proc scan */
	JOURNAL_PID_END,    /* the /proc scan ended */
	JOURNAL_END,	    /* the recorder closed the file */
	JOURNAL_ADAPT,	    /* how BPF adapted to the kernel (before START: the start line's) */
	JOURNAL_ZOMBIE,	    /* a zombie_read answer (recordings before it have none) */
};

/* Kernel records are stored as the difference from the previous record of the same kind. */
#define JOURNAL_KINDS	 16
#define JOURNAL_PREV_MAX 1280

struct journal_prev {
	uint8_t b[JOURNAL_KINDS][JOURNAL_PREV_MAX];
	uint16_t len[JOURNAL_KINDS];
	uint64_t last_kts; /* the last kernel record's timestamp */
};

/* One top-level input. */
struct journal_item {
	enum journal_type type;
	uint64_t now;	  /* ktime of the step; of a kernel record, its timestamp */
	uint64_t value;	  /* LOST, FINISH: drops total */
	const void *data; /* KERNEL: the record, 8-byte aligned, valid until the next item */
	size_t size;
	const struct zr_kernel_report *report; /* ADAPT: valid as long as the reader */
};

struct journal_writer {
	struct record_writer *w;
	uint64_t last_ns; /* times are stored as differences */
	struct journal_prev prev;
	struct procsrc inner;
};

void journal_writer_init(struct journal_writer *j, struct record_writer *w,
			 const struct procsrc *inner);
int journal_put_kernel(struct journal_writer *j, const void *data, size_t size);
int journal_put_op(struct journal_writer *j, enum journal_type type, uint64_t now, uint64_t value);
int journal_put_adapt(struct journal_writer *j, const struct zr_kernel_report *r);

/* Writes what is buffered; when the file is full, ends it and starts the next with a CONT at
 * now (--rotate). */
int journal_flush(struct journal_writer *j, uint64_t now);

/* A /proc source that asks j->inner and journals each answer. */
struct procsrc journal_recording_src(struct journal_writer *j);

struct journal_reader {
	struct record_reader *r;
	uint64_t last_ns;
	struct journal_prev prev;
	bool has_peek;
	uint8_t peek_type;
	const uint8_t *peek_data;
	size_t peek_len;
	int err; /* -1 once the file went bad (why says where) */
	char why[256];
	unsigned long mismatches; /* /proc questions the recording did not answer */
	uint64_t kbuf[RECORD_MAX / 8];
	struct zr_kernel_report adapt; /* the last ADAPT read */
};

void journal_reader_init(struct journal_reader *j, struct record_reader *r);

/* The next top-level input: 1, 0 at the end of the file, -1 when it is bad (j->why). /proc
 * answers met here (not asked for by the replay) are skipped and counted as mismatches. */
int journal_next(struct journal_reader *j, struct journal_item *it);

/* A /proc source answering from the recording, in the order the live run asked. */
struct procsrc journal_replay_src(struct journal_reader *j);

#endif /* ZR_JOURNAL_H */
