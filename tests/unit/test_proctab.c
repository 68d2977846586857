/* test_proctab.c - proctab.c: insert/find/remove/replace, hash growth with many entries and
 * colliding pids, insertion-order iteration, and cap eviction.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proctab.h"

static int setup(void **state)
{
	struct proctab *t = proctab_new(0);

	if (!t)
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	proctab_free(*state);
	return 0;
}

static void test_empty(void **state)
{
	struct proctab *t = *state;

	assert_int_equal(proctab_count(t), 0);
	assert_int_equal(proctab_evicted(t), 0);
	assert_null(proctab_find(t, 1));
	assert_null(proctab_find(t, 0));
	proctab_free(NULL); /* allowed */
}

static void test_insert_find_remove(void **state)
{
	struct proctab *t = *state;
	struct zr_proc *a, *b;

	a = proctab_insert(t, 100, 111);
	assert_non_null(a);
	assert_int_equal(a->pid, 100);
	assert_int_equal(a->start_ns, 111);
	assert_int_equal(a->state, ZR_PROC_RUNNING);
	assert_int_equal(a->release_ns, 0);
	b = proctab_insert(t, 200, 222);
	assert_non_null(b);
	assert_int_equal(proctab_count(t), 2);
	assert_ptr_equal(proctab_find(t, 100), a);
	assert_ptr_equal(proctab_find(t, 200), b);
	assert_null(proctab_find(t, 300));

	proctab_remove(t, a);
	assert_null(proctab_find(t, 100));
	assert_ptr_equal(proctab_find(t, 200), b);
	assert_int_equal(proctab_count(t), 1);
	proctab_remove(t, b);
	assert_int_equal(proctab_count(t), 0);
	assert_null(proctab_find(t, 200));
	assert_int_equal(proctab_evicted(t), 0);
}

static void test_replace(void **state)
{
	struct proctab *t = *state;
	struct zr_proc *p;

	p = proctab_insert(t, 100, 1);
	assert_non_null(p);
	p->state = ZR_PROC_EXITED;
	p->ppid = 5;
	p = proctab_insert(t, 100, 2);
	assert_non_null(p);
	assert_int_equal(proctab_count(t), 1);
	assert_int_equal(proctab_evicted(t), 0); /* a new life is not an eviction */
	p = proctab_find(t, 100);
	assert_non_null(p);
	assert_int_equal(p->start_ns, 2);
	assert_int_equal(p->state, ZR_PROC_RUNNING); /* fresh entry */
	assert_int_equal(p->ppid, 0);
	proctab_remove(t, p);
	assert_int_equal(proctab_count(t), 0);
	assert_null(proctab_find(t, 100));
}

struct visit {
	uint32_t pids[64];
	unsigned n;
	uint32_t remove_pid; /* removed from inside the callback */
	struct proctab *t;
};

static void visit_fn(struct zr_proc *p, void *arg)
{
	struct visit *v = arg;

	if (v->n < 64)
		v->pids[v->n] = p->pid;
	v->n++;
	if (p->pid == v->remove_pid)
		proctab_remove(v->t, p);
}

static void test_each_order_and_remove(void **state)
{
	struct proctab *t = *state;
	static const uint32_t order[] = { 50, 10, 40, 20, 30 };
	struct visit v;
	unsigned i;

	for (i = 0; i < 5; i++)
		assert_non_null(proctab_insert(t, order[i], i));
	/* Re-inserting a pid makes it the newest. */
	assert_non_null(proctab_insert(t, 10, 99));
	memset(&v, 0, sizeof(v));
	v.t = t;
	v.remove_pid = 40;
	proctab_each(t, visit_fn, &v);
	assert_int_equal(v.n, 5);
	assert_int_equal(v.pids[0], 50);
	assert_int_equal(v.pids[1], 40);
	assert_int_equal(v.pids[2], 20);
	assert_int_equal(v.pids[3], 30);
	assert_int_equal(v.pids[4], 10);
	assert_int_equal(proctab_count(t), 4);
	assert_null(proctab_find(t, 40));

	memset(&v, 0, sizeof(v));
	v.t = t;
	v.remove_pid = 0;
	proctab_each(t, visit_fn, &v);
	assert_int_equal(v.n, 4);
	assert_int_equal(v.pids[0], 50);
	assert_int_equal(v.pids[1], 20);
}

static void remove_all(struct zr_proc *p, void *arg)
{
	proctab_remove(arg, p);
}

static void test_growth(void **state)
{
	struct proctab *t = *state;
	const uint32_t n = 4096 * 2 * 3; /* well past the first growth threshold */
	uint32_t i;

	for (i = 1; i <= n; i++) {
		struct zr_proc *p = proctab_insert(t, i * 7, i);

		assert_non_null(p);
		p->ppid = i;
	}
	assert_int_equal(proctab_count(t), n);
	assert_int_equal(proctab_evicted(t), 0);
	for (i = 1; i <= n; i++) {
		struct zr_proc *p = proctab_find(t, i * 7);

		assert_non_null(p);
		assert_int_equal(p->start_ns, i);
		assert_int_equal(p->ppid, i);
	}
	assert_null(proctab_find(t, 3));
	/* Remove the odd ones, check the rest. */
	for (i = 1; i <= n; i += 2)
		proctab_remove(t, proctab_find(t, i * 7));
	assert_int_equal(proctab_count(t), n / 2);
	for (i = 1; i <= n; i++) {
		if (i % 2)
			assert_null(proctab_find(t, i * 7));
		else
			assert_non_null(proctab_find(t, i * 7));
	}
	proctab_each(t, remove_all, t);
	assert_int_equal(proctab_count(t), 0);
}

/* A crowd of 100,000 comes and goes, leaving a few: the table shrinks back under it and still
 * finds every entry left, and takes a new crowd. */
static void test_shrink_after_crowd(void **state)
{
	struct proctab *t = *state;
	const uint32_t n = 100000, keep = 300;
	uint32_t i;

	for (i = 1; i <= n; i++)
		assert_non_null(proctab_insert(t, i, i));
	for (i = keep + 1; i <= n; i++)
		proctab_remove(t, proctab_find(t, i));
	assert_int_equal(proctab_count(t), keep);
	for (i = 1; i <= n; i++) {
		struct zr_proc *p = proctab_find(t, i);

		if (i <= keep) {
			assert_non_null(p);
			assert_int_equal(p->start_ns, i);
		} else {
			assert_null(p);
		}
	}
	for (i = n + 1; i <= 2 * n; i++)
		assert_non_null(proctab_insert(t, i, i));
	assert_int_equal(proctab_count(t), n + keep);
	assert_non_null(proctab_find(t, 2 * n));
	assert_non_null(proctab_find(t, keep));
	proctab_each(t, remove_all, t);
	assert_int_equal(proctab_count(t), 0);
	assert_null(proctab_find(t, 1));
}

static void test_colliding_pids(void **state)
{
	struct proctab *t = *state;
	const uint32_t n = 3000;
	uint32_t i;

	/* Multiples of 65536 share a bucket at every table size up to 65536 buckets. */
	for (i = 1; i <= n; i++)
		assert_non_null(proctab_insert(t, i << 16, i));
	for (i = 1; i <= n; i++) {
		struct zr_proc *p = proctab_find(t, i << 16);

		assert_non_null(p);
		assert_int_equal(p->start_ns, i);
	}
	/* Remove from the head, middle and tail of the chain. */
	for (i = 1; i <= n; i += 3)
		proctab_remove(t, proctab_find(t, i << 16));
	for (i = 1; i <= n; i++) {
		if ((i - 1) % 3 == 0)
			assert_null(proctab_find(t, i << 16));
		else
			assert_int_equal(proctab_find(t, i << 16)->start_ns, i);
	}
	assert_int_equal(proctab_count(t), n - (n + 2) / 3);
}

static void test_cap_eviction(void **state)
{
	struct proctab *t = proctab_new(3);
	struct zr_proc *p;
	uint32_t pid;

	(void)state;
	assert_non_null(t);
	for (pid = 1; pid <= 5; pid++)
		assert_non_null(proctab_insert(t, pid, pid * 10));
	assert_int_equal(proctab_count(t), 3);
	assert_int_equal(proctab_evicted(t), 2);
	assert_null(proctab_find(t, 1)); /* oldest first */
	assert_null(proctab_find(t, 2));
	assert_non_null(proctab_find(t, 3));
	assert_non_null(proctab_find(t, 4));
	assert_non_null(proctab_find(t, 5));

	/* A new life of a present pid at the cap replaces it: no eviction. */
	p = proctab_insert(t, 4, 41);
	assert_non_null(p);
	assert_int_equal(proctab_count(t), 3);
	assert_int_equal(proctab_evicted(t), 2);
	assert_non_null(proctab_find(t, 3));
	/* 4 is now the newest: the next insert evicts 3, then 5. */
	assert_non_null(proctab_insert(t, 6, 60));
	assert_null(proctab_find(t, 3));
	assert_non_null(proctab_insert(t, 7, 70));
	assert_null(proctab_find(t, 5));
	assert_int_equal(proctab_find(t, 4)->start_ns, 41);
	assert_int_equal(proctab_count(t), 3);
	assert_int_equal(proctab_evicted(t), 4);

	/* Room made by a remove is used before evicting. */
	proctab_remove(t, proctab_find(t, 6));
	assert_non_null(proctab_insert(t, 8, 80));
	assert_int_equal(proctab_evicted(t), 4);
	assert_int_equal(proctab_count(t), 3);
	proctab_free(t);
}

static void test_cap_eviction_many(void **state)
{
	struct proctab *t = proctab_new(1000);
	uint32_t pid;

	(void)state;
	assert_non_null(t);
	for (pid = 1; pid <= 20000; pid++)
		assert_non_null(proctab_insert(t, pid, pid));
	assert_int_equal(proctab_count(t), 1000);
	assert_int_equal(proctab_evicted(t), 19000);
	for (pid = 1; pid <= 20000; pid++) {
		if (pid <= 19000)
			assert_null(proctab_find(t, pid));
		else
			assert_non_null(proctab_find(t, pid));
	}
	proctab_free(t);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty),
		T(test_insert_find_remove),
		T(test_replace),
		T(test_each_order_and_remove),
		T(test_growth),
		T(test_shrink_after_crowd),
		T(test_colliding_pids),
		T(test_cap_eviction),
		T(test_cap_eviction_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
