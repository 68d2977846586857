/* test_replay.c - record.c, journal.c and replay.c: the recorded sample replays to its golden
 * JSON lines (no kernel, no root); the writer's records come back as written, across blocks
 * and flushes; /proc answers replay in order; and hostile files (empty, wrong magic or
 * version, gzip, cut at any byte, flipped bytes, huge or zero lengths) give one error that
 * names the byte offset, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "journal.h"
#include "log.h"
#include "pipeline.h"
#include "record.h"
#include "replay.h"
#include "replay_run.h"

#define SAMPLE	"tests/data/sample.zr"
#define GOLDEN	"tests/data/sample.json"
#define HOSTILE "tests/data/hostile"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A memfd holding n bytes of data, at offset 0. */
static int mem_file(const void *data, size_t n)
{
	char path[] = "/tmp/zr-replay-test.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

struct replay_out {
	char *text; /* what the JSON sink wrote */
	int end;    /* replay_feed's result */
	char why[256];
	unsigned long mismatches;
};

/* Replays fd as `zreaper replay FILE --json` would, lines into memory. Returns -1 when the
 * header is rejected (why set). */
static int replay_fd(int fd, struct replay_out *o)
{
	size_t len = 0;
	FILE *out;

	memset(o, 0, sizeof(*o));
	out = open_memstream(&o->text, &len);
	assert_non_null(out);
	o->end = replay_run_json(fd, out, false, o->why, sizeof(o->why), &o->mismatches);
	fclose(out);
	if (o->end == -2) {
		free(o->text);
		o->text = NULL;
		return -1;
	}
	return 0;
}

/* The golden file with its version placeholder filled in. */
static char *golden(void)
{
	size_t n, vlen = strlen(ZR_VERSION);
	char *g = slurp(GOLDEN, &n), *at, *out;

	out = malloc(n + vlen + 1);
	assert_non_null(out);
	at = strstr(g, "@VERSION@");
	assert_non_null(at);
	memcpy(out, g, (size_t)(at - g));
	memcpy(out + (at - g), ZR_VERSION, vlen);
	strcpy(out + (at - g) + vlen, at + 9);
	free(g);
	return out;
}

static void test_sample_replays_to_golden(void **state)
{
	char *want = golden(), *wl, *gl, *ws = NULL, *gs = NULL;
	struct replay_out o;
	size_t n;
	char *file = slurp(SAMPLE, &n);
	int fd = mem_file(file, n), line = 0;

	(void)state;
	assert_int_equal(replay_fd(fd, &o), 0);
	assert_int_equal(o.end, 1); /* the recorder's end mark */
	assert_int_equal(o.mismatches, 0);
	/* line by line, so a failure names the first line that differs */
	wl = strtok_r(want, "\n", &ws);
	gl = strtok_r(o.text, "\n", &gs);
	while (wl || gl) {
		line++;
		if (!wl || !gl || strcmp(wl, gl))
			fail_msg("line %d differs:\nwant %s\ngot  %s", line, wl ? wl : "(none)",
				 gl ? gl : "(none)");
		wl = strtok_r(NULL, "\n", &ws);
		gl = strtok_r(NULL, "\n", &gs);
	}
	assert_true(line > 20);
	close(fd);
	free(o.text);
	free(want);
	free(file);
}

/* Every kind the sample was made to hold is in the golden lines: the test above checks them. */
static void test_sample_covers_the_scenario(void **state)
{
	char *want = golden();
	const char *kinds[] = { "start", "fork",   "exec",   "exit",   "wait",
				"reap",	 "zombie", "orphan", "signal", "stop" };
	char key[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(key, sizeof(key), "\"event\":\"%s\"", kinds[i]);
		if (!strstr(want, key))
			fail_msg("golden file has no %s line", kinds[i]);
	}
	assert_non_null(strstr(want, "\"how\":\"autoreap\""));
	assert_non_null(strstr(want, "\"error\":\"ENOENT\""));
	free(want);
}

/* ------------------------------------------------------------ writer and reader */

struct tmpfile {
	char path[64];
};

static void tmp_path(struct tmpfile *t)
{
	int fd;

	snprintf(t->path, sizeof(t->path), "/tmp/zr-rec-test.XXXXXX");
	fd = mkstemp(t->path);
	assert_true(fd >= 0);
	close(fd);
}

static const struct record_meta meta = {
	.host = "testhost",
	.kernel = "6.18.0-test",
	.version = "9.9.9",
	.boot_to_real_ns = 1700000000000000000LL,
	.start_ns = 5000,
	.tick_ns = 10000000,
	.zombie_after_ns = 1000000000,
};

/* n records of growing length (type 1 + i % 200), flushed every `every` records. */
static void write_file(const char *path, int n, int every)
{
	uint8_t buf[RECORD_MAX];
	struct record_writer *w;
	int i, err;

	w = record_writer_open(path, &meta, 0, &err);
	assert_non_null(w);
	for (i = 0; i < n; i++) {
		size_t len = (size_t)(i * 37) % RECORD_MAX;

		memset(buf, i & 0xff, len);
		assert_int_equal(record_put(w, (uint8_t)(1 + i % 200), buf, len), 0);
		if (every && i % every == every - 1)
			assert_int_equal(record_flush(w), 0);
	}
	assert_int_equal(record_writer_close(w), 0);
}

static void test_round_trip(void **state)
{
	struct record_meta m;
	struct record_reader *r;
	struct tmpfile t = { "" };
	const uint8_t *data;
	uint8_t type;
	size_t len, k;
	char why[256];
	int fd, i, rc;

	(void)state;
	tmp_path(&t);
	write_file(t.path, 1000, 97); /* 1000 x ~2 KiB: several full blocks and flushes */
	fd = open(t.path, O_RDONLY);
	r = record_reader_open(fd, &m, why, sizeof(why));
	assert_non_null(r);
	assert_string_equal(m.host, "testhost");
	assert_string_equal(m.kernel, "6.18.0-test");
	assert_string_equal(m.version, "9.9.9");
	assert_int_equal(m.boot_to_real_ns, meta.boot_to_real_ns);
	assert_int_equal(m.start_ns, 5000);
	assert_int_equal(m.tick_ns, 10000000);
	assert_int_equal(m.zombie_after_ns, 1000000000);
	for (i = 0; i < 1000; i++) {
		rc = record_next(r, &type, &data, &len, why, sizeof(why));
		assert_int_equal(rc, 1);
		assert_int_equal(type, 1 + i % 200);
		assert_int_equal(len, (size_t)(i * 37) % RECORD_MAX);
		for (k = 0; k < len; k++)
			assert_int_equal(data[k], i & 0xff);
	}
	assert_int_equal(record_next(r, &type, &data, &len, why, sizeof(why)), 0);
	record_reader_close(r);
	close(fd);
	unlink(t.path);
}

static void test_put_limits(void **state)
{
	static uint8_t big[RECORD_MAX + 1];
	struct record_writer *w;
	struct tmpfile t = { "" };
	int err;

	(void)state;
	tmp_path(&t);
	w = record_writer_open(t.path, &meta, 0, &err);
	assert_non_null(w);
	assert_int_equal(record_put(w, 0, big, 1), -EINVAL); /* type 0 is never written */
	assert_int_equal(record_put(w, 1, big, RECORD_MAX + 1), -EINVAL);
	assert_int_equal(record_put(w, 1, big, RECORD_MAX), 0);
	assert_int_equal(record_writer_close(w), 0);
	assert_null(record_writer_open("/nonexistent/dir/f.zr", &meta, 0, &err));
	assert_int_equal(err, -ENOENT);
	unlink(t.path);
}

/* Rotation keeps at most RECORD_KEEP files, each a complete recording. */
static void test_rotation(void **state)
{
	uint8_t buf[RECORD_MAX];
	struct record_writer *w;
	struct record_meta m;
	struct record_reader *r;
	char path[96], why[256];
	const uint8_t *data;
	uint8_t type;
	size_t len;
	int i, err, fd, n;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/zr-rot-test.%d", (int)getpid());
	w = record_writer_open(path, &meta, 64 * 1024, &err);
	assert_non_null(w);
	for (i = 0; i < 400; i++) {
		for (n = 0; n < (int)RECORD_MAX; n++)
			buf[n] = (uint8_t)(rand() & 0xff); /* incompressible: the files fill */
		assert_int_equal(record_put(w, 7, buf, sizeof(buf)), 0);
		if (i % 8 == 7)
			assert_int_equal(record_full(w) ? record_rotate(w) : record_flush(w), 0);
	}
	assert_int_equal(record_writer_close(w), 0);
	for (i = 0; i <= RECORD_KEEP; i++) {
		char p[128];

		if (i)
			snprintf(p, sizeof(p), "%s.%d", path, i);
		else
			snprintf(p, sizeof(p), "%s", path);
		fd = open(p, O_RDONLY);
		if (i == RECORD_KEEP) {
			assert_true(fd < 0); /* bounded */
			break;
		}
		assert_true(fd >= 0);
		r = record_reader_open(fd, &m, why, sizeof(why));
		assert_non_null(r);
		n = 0;
		while (record_next(r, &type, &data, &len, why, sizeof(why)) == 1)
			n++;
		assert_true(n > 0 || i == 0); /* the newest may hold only its header */
		record_reader_close(r);
		close(fd);
		unlink(p);
	}
}

/* What the reader says about fd's bytes: the first error, or "" when it reads to the end. */
static void read_all(const void *bytes, size_t n, char *why, size_t len, int *records)
{
	struct record_reader *r;
	struct record_meta m;
	const uint8_t *data;
	uint8_t type;
	size_t dl;
	int fd = mem_file(bytes, n), rc;

	why[0] = '\0';
	*records = 0;
	r = record_reader_open(fd, &m, why, len);
	if (r) {
		while ((rc = record_next(r, &type, &data, &dl, why, len)) == 1)
			(*records)++;
		if (rc == 0)
			why[0] = '\0';
		record_reader_close(r);
	}
	close(fd);
}

static void assert_error(const void *bytes, size_t n, const char *needle)
{
	char why[256];
	int recs;

	read_all(bytes, n, why, sizeof(why), &recs);
	if (!strstr(why, needle) || !strstr(why, "offset") || strchr(why, '\n'))
		fail_msg("want an error with '%s' and an offset, got '%s'", needle, why);
}

static void test_hostile_headers(void **state)
{
	static const uint8_t gzip[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6 };
	struct tmpfile t = { "" };
	size_t n;
	char *f;

	(void)state;
	assert_error("", 0, "empty file");
	assert_error(gzip, sizeof(gzip), "bad magic");
	assert_error("{\"event\":\"start\"}\n", 18, "bad magic");
	tmp_path(&t);
	write_file(t.path, 3, 0);
	f = slurp(t.path, &n);
	f[8] = 2; /* a future version */
	assert_error(f, n, "version 2");
	f[8] = 1;
	f[10] = (char)0xff; /* header length over the cap */
	f[11] = (char)0xff;
	assert_error(f, n, "header length");
	f[10] = 35 + 24;
	f[11] = 0;
	f[20] ^= 1; /* a header field byte: its CRC fails */
	assert_error(f, n, "header checksum");
	free(f);
	unlink(t.path);
}

/* Offset of the first block: past the header. */
static size_t first_block(const char *f)
{
	return 12 + (size_t)((uint8_t)f[10] | (uint8_t)f[11] << 8) + 4;
}

static void test_hostile_blocks(void **state)
{
	struct tmpfile t = { "" };
	size_t n, b;
	char *f, why[256];
	int recs;

	(void)state;
	tmp_path(&t);
	write_file(t.path, 50, 10);
	f = slurp(t.path, &n);
	b = first_block(f);
	/* a flipped payload byte: the block's CRC */
	f[b + 20] ^= 0x40;
	assert_error(f, n, "checksum mismatch in the block at offset");
	f[b + 20] ^= 0x40;
	/* huge sizes are refused before anything is allocated or read */
	memset(f + b + 4, 0xff, 4);
	assert_error(f, n, "bad block sizes");
	memset(f + b + 4, 0, 4); /* zero length */
	assert_error(f, n, "bad block sizes");
	free(f);
	f = slurp(t.path, &n);
	f[b] = 'X';
	assert_error(f, n, "bad block magic at offset");
	free(f);
	/* cut at the end of a block: a clean end with the records before it */
	f = slurp(t.path, &n);
	read_all(f, n, why, sizeof(why), &recs);
	assert_string_equal(why, "");
	assert_int_equal(recs, 50);
	free(f);
	unlink(t.path);
}

/* The sample cut at every byte: records up to the cut, an error naming an offset or a clean
 * end (a cut between blocks), never a crash. */
static void test_cut_everywhere(void **state)
{
	size_t n, cut;
	char *f = slurp(SAMPLE, &n), why[256];
	struct replay_out o;
	int fd;

	(void)state;
	for (cut = 0; cut < n; cut++) {
		fd = mem_file(f, cut);
		if (replay_fd(fd, &o) < 0) {
			assert_non_null(strstr(o.why, "offset"));
		} else {
			assert_true(o.end <= 0);
			if (o.end < 0)
				assert_non_null(strstr(o.why, "offset"));
			free(o.text);
		}
		close(fd);
	}
	(void)why;
	free(f);
}

/* Files the fuzzer or a review found bad, kept in tests/data/hostile/: each is read to an
 * error or an end, and replays without a crash. */
static void test_hostile_corpus(void **state)
{
	static const char *names[] = { "zero-len-record.zr", "bad-kernel-size.zr",
				       "proc-answers-out-of-order.zr" };
	char path[256];
	struct replay_out o;
	size_t i, n;
	char *f;
	int fd;

	(void)state;
	log_verbosity = LOG_ERROR; /* their replay warns, as it should */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", HOSTILE, names[i]);
		f = slurp(path, &n);
		fd = mem_file(f, n);
		if (replay_fd(fd, &o) == 0)
			free(o.text);
		close(fd);
		free(f);
	}
}

/* /proc answers journaled by a recording source come back in order from the replay source,
 * and a question out of order is a mismatch answered "gone". */
static int fake_stat(const struct procsrc *src, uint32_t pid, struct procfs_stat *st)
{
	(void)src;
	if (pid == 404)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->pid = pid;
	snprintf(st->comm, sizeof(st->comm), "c%u", pid);
	st->state = 'S';
	st->ppid = pid - 1;
	st->start_ticks = 1000ULL * pid;
	st->threads = 3;
	st->exit_code = -1;
	return 0;
}

static int fake_status(const struct procsrc *src, uint32_t pid, struct procfs_status *st)
{
	(void)src;
	memset(st, 0, sizeof(*st));
	st->sig_ign = 1ULL << 16;
	st->uid = pid + 1;
	st->ns_pid = 1;
	st->ns_depth = 1;
	return 0;
}

static int fake_each(const struct procsrc *src, procsrc_pid_fn fn, void *arg)
{
	uint32_t pid;
	int rc = 0;

	(void)src;
	for (pid = 10; pid < 13 && !rc; pid++)
		rc = fn(pid, arg);
	return rc;
}

static int fake_zombie(const struct procsrc *src, const struct procfs_stat *st, uint64_t now_ns,
		       struct zombie_info *zi)
{
	(void)src;
	if (st->pid == 404)
		return -ENOENT;
	zombie_info_set(zi, 7 << 8, ZR_AGE_SCHED, now_ns - 1234567);
	return 0;
}

static const struct procsrc_ops fake_ops = { fake_stat, fake_status, fake_each, fake_zombie };

static int count_pid(uint32_t pid, void *arg)
{
	*(uint32_t *)arg += pid;
	return 0;
}

static void test_proc_answers(void **state)
{
	struct procsrc fake = { &fake_ops, NULL, NULL }, rec, rep;
	struct journal_writer jw;
	struct journal_reader jr;
	struct journal_item it;
	struct record_writer *w;
	struct record_reader *r;
	struct record_meta m;
	struct procfs_stat st;
	struct procfs_status ss;
	struct zombie_info zi;
	struct tmpfile t = { "" };
	uint32_t sum = 0;
	char why[256];
	int err, fd;

	(void)state;
	tmp_path(&t);
	w = record_writer_open(t.path, &meta, 0, &err);
	assert_non_null(w);
	journal_writer_init(&jw, w, &fake);
	rec = journal_recording_src(&jw);
	assert_int_equal(journal_put_op(&jw, JOURNAL_START, 1000, 0), 0);
	assert_int_equal(procsrc_each_pid(&rec, count_pid, &sum), 0);
	assert_int_equal(procsrc_stat(&rec, 42, &st), 0);
	assert_int_equal(procsrc_stat(&rec, 404, &st), -ENOENT);
	assert_int_equal(procsrc_status(&rec, 42, &ss), 0);
	st.pid = 42;
	assert_int_equal(procsrc_zombie(&rec, &st, 5000000, &zi), 0);
	st.pid = 404;
	assert_int_equal(procsrc_zombie(&rec, &st, 5000000, &zi), -ENOENT);
	assert_int_equal(journal_put_op(&jw, JOURNAL_TICK, 900, 0), 0); /* times may go back */
	assert_int_equal(journal_put_op(&jw, JOURNAL_LOST, 2000, 77), 0);
	assert_int_equal(record_writer_close(w), 0);

	fd = open(t.path, O_RDONLY);
	r = record_reader_open(fd, &m, why, sizeof(why));
	assert_non_null(r);
	journal_reader_init(&jr, r);
	rep = journal_replay_src(&jr);
	assert_int_equal(journal_next(&jr, &it), 1);
	assert_int_equal(it.type, JOURNAL_START);
	assert_int_equal(it.now, 1000);
	sum = 0;
	assert_int_equal(procsrc_each_pid(&rep, count_pid, &sum), 0);
	assert_int_equal(sum, 10 + 11 + 12);
	memset(&st, 0, sizeof(st));
	assert_int_equal(procsrc_stat(&rep, 42, &st), 0);
	assert_string_equal(st.comm, "c42");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 41);
	assert_int_equal(st.start_ticks, 42000);
	assert_int_equal(st.threads, 3);
	assert_int_equal(st.exit_code, -1);
	/* asked out of order: the recording has 404's stat next, not 43's */
	assert_int_equal(procsrc_stat(&rep, 43, &st), -ENOENT);
	assert_int_equal(jr.mismatches, 1);
	assert_int_equal(procsrc_stat(&rep, 404, &st), -ENOENT);
	assert_int_equal(procsrc_status(&rep, 42, &ss), 0);
	assert_int_equal(ss.sig_ign, 1ULL << 16);
	assert_int_equal(ss.uid, 43);
	assert_int_equal(ss.ns_pid, 1);
	assert_int_equal(ss.ns_depth, 1);
	/* the zombie answers, whatever now the replay passes */
	st.pid = 42;
	memset(&zi, 0, sizeof(zi));
	assert_int_equal(procsrc_zombie(&rep, &st, 1, &zi), 0);
	assert_int_equal(zi.wait_status, 7 << 8);
	assert_true(zi.st.is_known);
	assert_int_equal(zi.st.exit_code, 7);
	assert_int_equal(zi.source, ZR_AGE_SCHED);
	assert_int_equal(zi.age_ns, 5000000 - 1234567);
	st.pid = 404;
	assert_int_equal(procsrc_zombie(&rep, &st, 1, &zi), -ENOENT);
	assert_int_equal(jr.mismatches, 1);
	/* none recorded here (as in recordings made before them): no answer, no mismatch */
	assert_int_equal(procsrc_zombie(&rep, &st, 1, &zi), -ENOENT);
	assert_int_equal(jr.mismatches, 1);
	assert_int_equal(journal_next(&jr, &it), 1);
	assert_int_equal(it.type, JOURNAL_TICK);
	assert_int_equal(it.now, 900);
	assert_int_equal(journal_next(&jr, &it), 1);
	assert_int_equal(it.type, JOURNAL_LOST);
	assert_int_equal(it.now, 2000);
	assert_int_equal(it.value, 77);
	assert_int_equal(journal_next(&jr, &it), 0);
	record_reader_close(r);
	close(fd);
	unlink(t.path);
}

/* A kernel record keeps its size and bytes though its zero tail is not stored. */
static void test_kernel_record_zero_tail(void **state)
{
	uint64_t rec[128] = { 0 };
	struct journal_writer jw;
	struct journal_reader jr;
	struct journal_item it;
	struct record_writer *w;
	struct record_reader *r;
	struct record_meta m;
	struct procsrc none = { 0 };
	struct tmpfile t = { "" };
	char why[256];
	int err, fd;

	(void)state;
	rec[0] = 0x0058000300000001ULL;
	rec[1] = 123456789; /* ts at offset 8 */
	rec[5] = 0xabcdef;
	tmp_path(&t);
	w = record_writer_open(t.path, &meta, 0, &err);
	assert_non_null(w);
	journal_writer_init(&jw, w, &none);
	assert_int_equal(journal_put_kernel(&jw, rec, sizeof(rec)), 0);
	assert_int_equal(record_writer_close(w), 0);
	fd = open(t.path, O_RDONLY);
	r = record_reader_open(fd, &m, why, sizeof(why));
	assert_non_null(r);
	journal_reader_init(&jr, r);
	assert_int_equal(journal_next(&jr, &it), 1);
	assert_int_equal(it.type, JOURNAL_KERNEL);
	assert_int_equal(it.size, sizeof(rec));
	assert_int_equal(it.now, 123456789);
	assert_memory_equal(it.data, rec, sizeof(rec));
	assert_int_equal((uintptr_t)it.data % 8, 0);
	record_reader_close(r);
	close(fd);
	unlink(t.path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_replays_to_golden),
		cmocka_unit_test(test_sample_covers_the_scenario),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_put_limits),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_hostile_blocks),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_hostile_corpus),
		cmocka_unit_test(test_proc_answers),
		cmocka_unit_test(test_kernel_record_zero_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
