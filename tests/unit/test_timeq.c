/* test_timeq.c - timeq.c: FIFO order, due times, growth past the first 64 slots while the ring
 * is wrapped, UINT64_MAX as "any head", the empty queue and free.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "timeq.h"

static struct timeq_item item(uint32_t pid, uint64_t due)
{
	struct timeq_item it;

	memset(&it, 0, sizeof(it));
	it.who.pid = pid;
	it.who.start_ns = 1000ULL * pid;
	snprintf(it.who.comm, sizeof(it.who.comm), "p%u", pid);
	it.at_ns = due - 5;
	it.due_ns = due;
	it.tries = (int)(pid % 7);
	return it;
}

/* Pops the head, checking it is pid with all its fields intact. */
static void pop_expect(struct timeq *q, uint32_t pid)
{
	const struct timeq_item *it = timeq_due(q, UINT64_MAX);
	char comm[ZR_COMM_BUF];

	assert_non_null(it);
	assert_int_equal(it->who.pid, pid);
	assert_int_equal(it->who.start_ns, 1000ULL * pid);
	snprintf(comm, sizeof(comm), "p%u", pid);
	assert_string_equal(it->who.comm, comm);
	assert_int_equal(it->due_ns, 100ULL * pid);
	assert_int_equal(it->at_ns, 100ULL * pid - 5);
	assert_int_equal(it->tries, (int)(pid % 7));
	timeq_pop(q);
}

static void push_pid(struct timeq *q, uint32_t pid)
{
	struct timeq_item it = item(pid, 100ULL * pid);

	assert_int_equal(timeq_push(q, &it), 0);
}

static void test_empty(void **state)
{
	struct timeq q = { 0 };

	(void)state;
	assert_null(timeq_due(&q, 0));
	assert_null(timeq_due(&q, 12345));
	assert_null(timeq_due(&q, UINT64_MAX));
	timeq_pop(&q); /* no-op */
	assert_int_equal(q.n, 0);
	timeq_free(&q);
	timeq_free(&q); /* twice is harmless */
	assert_null(q.v);
}

static void test_push_due_pop(void **state)
{
	struct timeq q = { 0 };
	const struct timeq_item *it;

	(void)state;
	push_pid(&q, 1); /* due 100 */
	push_pid(&q, 2); /* due 200 */
	push_pid(&q, 3); /* due 300 */
	assert_int_equal(q.n, 3);
	assert_null(timeq_due(&q, 0));
	assert_null(timeq_due(&q, 99));
	it = timeq_due(&q, 100);
	assert_non_null(it);
	assert_int_equal(it->who.pid, 1);
	/* due does not consume */
	assert_ptr_equal(timeq_due(&q, 150), it);
	pop_expect(&q, 1);
	assert_null(timeq_due(&q, 199));
	assert_int_equal(timeq_due(&q, 200)->who.pid, 2);
	assert_int_equal(timeq_due(&q, 1000)->who.pid, 2);
	pop_expect(&q, 2);
	pop_expect(&q, 3);
	assert_int_equal(q.n, 0);
	assert_null(timeq_due(&q, UINT64_MAX));
	/* reusable after emptying */
	push_pid(&q, 4);
	pop_expect(&q, 4);
	timeq_free(&q);
	assert_null(q.v);
	assert_int_equal(q.n, 0);
	assert_int_equal(q.cap, 0);
}

static void test_due_uint64_max(void **state)
{
	struct timeq q = { 0 };
	struct timeq_item it = item(9, 100ULL * 9);

	(void)state;
	it.due_ns = UINT64_MAX - 1; /* far future: only "any head" reaches it */
	assert_int_equal(timeq_push(&q, &it), 0);
	assert_null(timeq_due(&q, UINT64_MAX - 2));
	assert_non_null(timeq_due(&q, UINT64_MAX - 1));
	assert_non_null(timeq_due(&q, UINT64_MAX));
	assert_int_equal(timeq_due(&q, UINT64_MAX)->who.pid, 9);
	timeq_free(&q);
}

static void test_growth(void **state)
{
	struct timeq q = { 0 };
	uint32_t pid;

	(void)state;
	for (pid = 1; pid <= 200; pid++)
		push_pid(&q, pid);
	assert_int_equal(q.n, 200);
	assert_true(q.cap >= 200);
	for (pid = 1; pid <= 200; pid++)
		pop_expect(&q, pid);
	assert_null(timeq_due(&q, UINT64_MAX));
	timeq_free(&q);
}

/* A queue that grew for a storm gives its array back as it drains, and works on. */
static void test_drained_storm_frees(void **state)
{
	struct timeq q = { 0 };
	uint32_t pid;

	(void)state;
	for (pid = 1; pid <= 5000; pid++)
		push_pid(&q, pid);
	for (pid = 1; pid <= 4990; pid++)
		pop_expect(&q, pid);
	/* Ten left: shrunk to the floor, in order still. */
	assert_int_equal(q.n, 10);
	assert_true(q.cap <= 1024);
	for (pid = 4991; pid <= 4999; pid++)
		pop_expect(&q, pid);
	pop_expect(&q, 5000);
	assert_int_equal(q.n, 0);
	assert_true(q.cap <= 1024);
	push_pid(&q, 7);
	pop_expect(&q, 7);
	assert_null(timeq_due(&q, UINT64_MAX));
	timeq_free(&q);
}

static void test_growth_while_wrapped(void **state)
{
	struct timeq q = { 0 };
	uint32_t next = 1, head = 1, i;

	(void)state;
	/* fill the first 64 slots */
	for (i = 0; i < 64; i++)
		push_pid(&q, next++);
	assert_int_equal(q.cap, 64);
	/* pop 40, push 40: the tail wraps to the start of the array */
	for (i = 0; i < 40; i++)
		pop_expect(&q, head++);
	for (i = 0; i < 40; i++)
		push_pid(&q, next++);
	assert_int_equal(q.cap, 64);
	assert_int_equal(q.n, 64);
	assert_true(q.head != 0);
	/* full and wrapped: the next push grows */
	for (i = 0; i < 100; i++)
		push_pid(&q, next++);
	assert_true(q.cap > 64);
	assert_int_equal(q.n, 164);
	/* interleave pops and pushes across the new capacity, wrapping again */
	for (i = 0; i < 400; i++) {
		pop_expect(&q, head++);
		if (i % 3)
			push_pid(&q, next++);
	}
	while (q.n)
		pop_expect(&q, head++);
	assert_int_equal(head, next);
	assert_null(timeq_due(&q, UINT64_MAX));
	timeq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_push_due_pop),
		cmocka_unit_test(test_due_uint64_max),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_drained_storm_frees),
		cmocka_unit_test(test_growth_while_wrapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
