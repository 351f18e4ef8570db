/* fault_alloc.h: the countdown allocator (SQLite's test_malloc.c, in small)
 * that the fault-injection unit tests route the allocations of the sources
 * they compile in through.
 *
 * A test includes this header, then #defines malloc, calloc, realloc and free
 * to the fault_ functions below around its #include of the .c files under
 * test, and #undefs them afterwards so cmocka and the test itself use the
 * real allocator. Allocation number fail_at (from 0) returns NULL; fail_at < 0
 * means nothing fails. live counts blocks not yet freed, so a run at every
 * failure point proves each error path frees what it took.
 *
 * Ownership: the fault_ functions hand out and take back ordinary malloc
 * memory; a block from fault_malloc may be released by fault_free only, or
 * live goes wrong. The counters are static, one set per test program, and the
 * test resets n_calls and live before each run. */
#ifndef HEARTH_TEST_FAULT_ALLOC_H
#define HEARTH_TEST_FAULT_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

static long fail_at = -1;
static long n_calls;
static long live;

static void *fault_malloc(size_t n)
{
	void *p;

	if (fail_at >= 0 && n_calls++ == fail_at)
		return NULL;
	p = malloc(n ? n : 1);
	if (p != NULL)
		live++;
	return p;
}

static void *fault_calloc(size_t n, size_t size)
{
	void *p;

	if (fail_at >= 0 && n_calls++ == fail_at)
		return NULL;
	p = calloc(n ? n : 1, size ? size : 1);
	if (p != NULL)
		live++;
	return p;
}

/* Only a realloc from NULL is a new block; growing one keeps live as is. */
static void *fault_realloc(void *old, size_t n)
{
	void *p;

	if (fail_at >= 0 && n_calls++ == fail_at)
		return NULL;
	p = realloc(old, n ? n : 1);
	if (p != NULL && old == NULL)
		live++;
	return p;
}

static void fault_free(void *p)
{
	if (p != NULL)
		live--;
	free(p);
}

#endif
