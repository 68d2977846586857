/* test_outfile.c - outfile.c's size rotation (FILE -> FILE.1 -> ... -> FILE.N, oldest dropped,
 * whole lines) and file_atomic.c's replace-by-rename, in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "file_atomic.h"
#include "outfile.h"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/zr-outfile-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/ev.jsonl", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The size of path + suffix, -1 when it does not exist. */
static long size_of(const char *suffix)
{
	char p[160];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) ? -1 : (long)st.st_size;
}

/* Writes n lines of 10 bytes ("line NNNN\n"), asking for a rotation before each. */
static void write_lines(struct outfile *o, int from, int n)
{
	int i;

	for (i = from; i < from + n; i++) {
		assert_int_equal(outfile_rotate_if_full(o), 0);
		assert_non_null(o->f);
		fprintf(o->f, "line %04d\n", i);
	}
}

static void test_rotation_keeps_n(void **state)
{
	struct outfile o = { 0 };
	char buf[160];
	FILE *f;

	(void)state;
	assert_int_equal(outfile_open(&o, path, 100, 2), 0);
	write_lines(&o, 0, 35); /* 10 lines per file: 0-9, 10-19, 20-29 rotated; 30-34 current */
	assert_int_equal(outfile_close(&o), 0);
	assert_int_equal(size_of(""), 50);
	assert_int_equal(size_of(".1"), 100);
	assert_int_equal(size_of(".2"), 100);
	assert_int_equal(size_of(".3"), -1); /* 0-9 dropped */
	snprintf(buf, sizeof(buf), "%s.2", path);
	f = fopen(buf, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_string_equal(buf, "line 0010\n");
	fclose(f);
}

static void test_reopen_appends_and_keep_zero(void **state)
{
	struct outfile o = { 0 };

	(void)state;
	assert_int_equal(outfile_open(&o, path, 100, 0), 0);
	write_lines(&o, 0, 3);
	assert_int_equal(outfile_close(&o), 0);
	assert_int_equal(outfile_open(&o, path, 100, 0), 0); /* a restart appends */
	write_lines(&o, 3, 7);
	assert_int_equal(outfile_close(&o), 0);
	assert_int_equal(size_of(""), 100);
	assert_int_equal(outfile_open(&o, path, 100, 0), 0);
	write_lines(&o, 10, 1); /* full: keep 0 starts the file again */
	assert_int_equal(outfile_close(&o), 0);
	assert_int_equal(size_of(""), 10);
	assert_int_equal(size_of(".1"), -1);
	assert_int_equal(outfile_close(&o), 0); /* twice is fine */
}

static void test_open_failure(void **state)
{
	struct outfile o = { 0 };

	(void)state;
	assert_int_equal(outfile_open(&o, "/nonexistent-dir/x", 100, 1), -2 /* -ENOENT */);
	assert_null(o.f);
}

static void test_atomic_write(void **state)
{
	char tmp[160];

	(void)state;
	assert_int_equal(file_atomic_write(path, "a 1\n", 4), 0);
	assert_int_equal(size_of(""), 4);
	assert_int_equal(file_atomic_write(path, "bb 22\n", 6), 0);
	assert_int_equal(size_of(""), 6);
	assert_int_equal(size_of(".tmp"), -1);
	snprintf(tmp, sizeof(tmp), "%s/no/such/dir", dir);
	assert_int_equal(file_atomic_write(tmp, "x", 1), -2 /* -ENOENT */);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rotation_keeps_n),
		T(test_reopen_appends_and_keep_zero),
		T(test_open_failure),
		T(test_atomic_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
