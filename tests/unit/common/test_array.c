/* test_array.c: common/array.c. array_grow, the one doubling step of the
 * client's lists: room is made only when the array is full, the size
 * doubles from the first capacity, and an overflowing size is refused with
 * the array left as it was; array_free_strings frees all it holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/array.h"
#include "common/hearth.h"

typedef struct pair {
	int a, b;
} pair;

static void test_grows_by_doubling(void **state)
{
	pair *v = NULL;
	size_t n = 0, cap = 0;
	(void)state;

	for (int i = 0; i < 40; i++) {
		assert_int_equal(array_grow(&v, &cap, n, sizeof(*v), 4), 0);
		v[n].a = i;
		v[n++].b = -i;
	}
	assert_int_equal(cap, 64);   /* 4, 8, 16, 32, 64 */
	for (int i = 0; i < 40; i++)
		assert_int_equal(v[i].a + v[i].b, 0);
	free(v);
}

static void test_room_left_is_kept(void **state)
{
	int *v = malloc(8 * sizeof(*v));
	int *before = v;
	size_t cap = 8;
	(void)state;

	assert_non_null(v);
	assert_int_equal(array_grow(&v, &cap, 7, sizeof(*v), 4), 0);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 8);
	free(v);
}

static void test_overflow_is_refused(void **state)
{
	int *v = malloc(sizeof(*v));
	int *before = v;
	size_t cap = SIZE_MAX / 2 + 1;   /* doubling wraps */
	(void)state;

	assert_non_null(v);
	assert_int_equal(array_grow(&v, &cap, cap, sizeof(*v), 4), HEARTH_ENOMEM);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, SIZE_MAX / 2 + 1);
	cap = SIZE_MAX / 4;   /* doubles, but times the element size does not fit */
	assert_int_equal(array_grow(&v, &cap, cap, sizeof(*v), 4), HEARTH_ENOMEM);
	assert_int_equal(cap, SIZE_MAX / 4);
	free(v);
}

/* Every string and the array go (LeakSanitizer sees the rest); an empty or
 * NULL array is fine. */
static void test_free_strings(void **state)
{
	char **v = calloc(3, sizeof(*v));
	(void)state;

	assert_non_null(v);
	for (int i = 0; i < 3; i++)
		assert_non_null(v[i] = malloc(8));
	array_free_strings(v, 3);
	array_free_strings(NULL, 5);
	array_free_strings(calloc(1, sizeof(char *)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_by_doubling),
		cmocka_unit_test(test_room_left_is_kept),
		cmocka_unit_test(test_overflow_is_refused),
		cmocka_unit_test(test_free_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
