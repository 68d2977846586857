/* test_pidset.c - pidset.c: add/has/del, pid 0, growth, and backward-shift deletion with many
 * colliding pids checked against a reference array (randomized with a fixed seed).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pidset.h"

static int setup(void **state)
{
	struct zr_pidset *s = pidset_new();

	if (!s)
		return -1;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	pidset_free(*state);
	return 0;
}

/* xorshift32: a fixed sequence on every libc. */
static uint32_t rng_state;

static uint32_t rng(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

static void test_basic(void **state)
{
	struct zr_pidset *s = *state;

	assert_false(pidset_has(s, 1));
	assert_int_equal(pidset_add(s, 1), 0);
	assert_int_equal(pidset_add(s, 4242), 0);
	assert_true(pidset_has(s, 1));
	assert_true(pidset_has(s, 4242));
	assert_false(pidset_has(s, 2));
	assert_int_equal(pidset_add(s, 4242), 0); /* twice: still one */
	pidset_del(s, 4242);
	assert_false(pidset_has(s, 4242));
	assert_true(pidset_has(s, 1));
	pidset_del(s, 4242); /* absent: no-op */
	pidset_del(s, 77);
	assert_true(pidset_has(s, 1));
	pidset_del(s, 1);
	assert_false(pidset_has(s, 1));
	assert_int_equal(pidset_add(s, UINT32_MAX), 0);
	assert_true(pidset_has(s, UINT32_MAX));
}

static void test_zero_and_null(void **state)
{
	struct zr_pidset *s = *state;

	assert_int_equal(pidset_add(s, 0), 0);
	assert_false(pidset_has(s, 0));
	pidset_del(s, 0);
	assert_false(pidset_has(NULL, 1));
	pidset_free(NULL);
}

static void test_growth(void **state)
{
	struct zr_pidset *s = *state;
	uint32_t i;

	for (i = 1; i <= 50000; i++)
		assert_int_equal(pidset_add(s, i * 3), 0);
	for (i = 1; i <= 150000; i++)
		assert_int_equal(pidset_has(s, i), i % 3 == 0);
	for (i = 1; i <= 50000; i += 2)
		pidset_del(s, i * 3);
	for (i = 1; i <= 50000; i++)
		assert_int_equal(pidset_has(s, i * 3), i % 2 == 0);
}

/* Multiples of 2^20 share the home slot at every table size up to 2^20 slots: one long
 * probe run, deleted from in every order. */
static void test_colliding_delete_orders(void **state)
{
	struct zr_pidset *s = *state;
	const uint32_t n = 200;
	uint32_t i, j;

	for (i = 1; i <= n; i++)
		assert_int_equal(pidset_add(s, i << 20), 0);
	/* Delete from the front, the back, and the middle of the run. */
	pidset_del(s, 1u << 20);
	pidset_del(s, n << 20);
	pidset_del(s, (n / 2) << 20);
	for (i = 1; i <= n; i++) {
		bool gone = i == 1 || i == n || i == n / 2;

		assert_int_equal(pidset_has(s, i << 20), !gone);
	}
	/* Delete every other one, then the rest. */
	for (i = 2; i < n; i += 2)
		pidset_del(s, i << 20);
	for (i = 1; i <= n; i++) {
		bool gone = i == 1 || i == n || i == n / 2 || i % 2 == 0;

		assert_int_equal(pidset_has(s, i << 20), !gone);
	}
	for (i = 1; i <= n; i++) {
		pidset_del(s, i << 20);
		for (j = 1; j <= n; j++)
			if (j > i && j % 2 == 1 && j != n / 2 && j != n)
				assert_true(pidset_has(s, j << 20));
	}
	for (i = 1; i <= n; i++)
		assert_false(pidset_has(s, i << 20));
}

/* Two interleaved colliding families plus neighbours that land in the run. */
static void test_colliding_mixed_runs(void **state)
{
	struct zr_pidset *s = *state;
	uint32_t pool[600];
	bool in[600];
	unsigned i, k;

	for (i = 0; i < 200; i++) {
		pool[i] = (i + 1) << 20;		/* home 0 */
		pool[200 + i] = ((i + 1) << 20) | 1;	/* same home as 1 */
		pool[400 + i] = 1000000 + i * 1048576u; /* another family */
	}
	memset(in, 0, sizeof(in));
	for (k = 0; k < 600; k++) {
		i = (k * 7) % 600; /* 7 is prime to 600: a permutation */
		assert_int_equal(pidset_add(s, pool[i]), 0);
		in[i] = true;
	}
	for (k = 0; k < 600; k++) {
		i = (k * 11) % 600;
		if (k % 3 == 0)
			continue;
		pidset_del(s, pool[i]);
		in[i] = false;
		if (k % 50 == 0) {
			unsigned m;

			for (m = 0; m < 600; m++)
				assert_int_equal(pidset_has(s, pool[m]), in[m]);
		}
	}
	for (i = 0; i < 600; i++)
		assert_int_equal(pidset_has(s, pool[i]), in[i]);
}

#define POOL 3000

static void test_randomized_against_reference(void **state)
{
	struct zr_pidset *s = *state;
	static uint32_t pool[POOL];
	static bool in[POOL];
	unsigned i, op;

	rng_state = 0x2545f491u;
	/* A third collide at home 0, a third in a narrow band, a third anywhere (non-zero). */
	for (i = 0; i < POOL; i++) {
		switch (i % 3) {
		case 0:
			pool[i] = (i / 3 + 1) << 20;
			break;
		case 1:
			pool[i] = 1 + i;
			break;
		default:
			pool[i] = rng() | 1u;
			break;
		}
	}
	/* Make the pool unique: duplicates would make the reference wrong. */
	for (i = 0; i < POOL; i++) {
		unsigned j = 0;

		while (j < i) {
			if (pool[j] == pool[i]) {
				pool[i] += 2;
				j = 0;
			} else {
				j++;
			}
		}
	}
	memset(in, 0, sizeof(in));
	for (op = 0; op < 60000; op++) {
		uint32_t r = rng();

		i = r % POOL;
		/* Biased toward adds early, deletes late, so the set grows and drains. */
		if ((r >> 16) % 100 < (op < 30000 ? 65u : 30u)) {
			assert_int_equal(pidset_add(s, pool[i]), 0);
			in[i] = true;
		} else {
			pidset_del(s, pool[i]);
			in[i] = false;
		}
		assert_int_equal(pidset_has(s, pool[i]), in[i]);
		if (op % 1000 == 999) {
			unsigned m;

			for (m = 0; m < POOL; m++)
				assert_int_equal(pidset_has(s, pool[m]), in[m]);
		}
	}
	for (i = 0; i < POOL; i++) {
		pidset_del(s, pool[i]);
		in[i] = false;
	}
	for (i = 0; i < POOL; i++)
		assert_false(pidset_has(s, pool[i]));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_basic),
		T(test_zero_and_null),
		T(test_growth),
		T(test_colliding_delete_orders),
		T(test_colliding_mixed_runs),
		T(test_randomized_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
