/* test_values.c: yuan amounts parse strictly and print with two decimals;
 * yes/no words are the same everywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/values.h"
#include "common/hearth.h"

static void test_client_yuan_parse(void **state)
{
	int64_t fen = -1;
	const char *why = NULL;
	(void)state;

	assert_int_equal(value_yuan_parse("12.5", &fen, &why), 0);
	assert_int_equal(fen, 1250);
	assert_int_equal(value_yuan_parse("12", &fen, &why), 0);
	assert_int_equal(fen, 1200);
	assert_int_equal(value_yuan_parse("0.05", &fen, &why), 0);
	assert_int_equal(fen, 5);
	assert_int_equal(value_yuan_parse("12.50", &fen, &why), 0);
	assert_int_equal(fen, 1250);
	assert_int_equal(value_yuan_parse("0", &fen, &why), 0);
	assert_int_equal(fen, 0);
	assert_int_equal(value_yuan_parse("999999999999.99", &fen, &why), 0);
	assert_int_equal(fen, VALUE_YUAN_MAX_FEN);

	assert_int_equal(value_yuan_parse("12.345", &fen, &why), HEARTH_EINVAL);
	assert_string_equal(why, "has more than two decimals (1 fen = 0.01 yuan)");
	assert_int_equal(value_yuan_parse("-5", &fen, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is negative; amounts are 0 or more");
	assert_int_equal(value_yuan_parse("abc", &fen, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is not an amount in yuan (e.g. 12 or 12.50)");
	assert_int_equal(value_yuan_parse("1000000000000", &fen, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is too large (at most 999999999999.99 yuan)");
	const char *bad[] = { "", ".5", "12.", "1,000", " 12", "12 ", "+1", "1e3", "12.5x", "１２" };
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(bad); i++) {
		why = NULL;
		assert_int_equal(value_yuan_parse(bad[i], &fen, &why), HEARTH_EINVAL);
		assert_non_null(why);
	}
	assert_int_equal(value_yuan_parse("1.5", &fen, NULL), 0);
	assert_int_equal(value_yuan_parse("x", &fen, NULL), HEARTH_EINVAL);
}

static void test_client_yuan_format(void **state)
{
	char out[VALUE_YUAN_TEXT_MAX];
	(void)state;

	value_yuan_format(1250, out);
	assert_string_equal(out, "12.50");
	value_yuan_format(5, out);
	assert_string_equal(out, "0.05");
	value_yuan_format(0, out);
	assert_string_equal(out, "0.00");
	value_yuan_format(-5, out);
	assert_string_equal(out, "-0.05");
	value_yuan_format(INT64_MIN, out);
	assert_string_equal(out, "-92233720368547758.08");
}

static void test_client_parse_bool(void **state)
{
	static const char *const yes[] = { "true", "YES", "1", "y", "是" };
	static const char *const no[] = { "false", "No", "0", "n", "否" };
	int v;
	(void)state;

	for (size_t i = 0; i < HEARTH_ARRAY_LEN(yes); i++) {
		v = -1;
		assert_int_equal(value_parse_bool(yes[i], &v), 0);
		assert_int_equal(v, 1);
		v = -1;
		assert_int_equal(value_parse_bool(no[i], &v), 0);
		assert_int_equal(v, 0);
	}
	v = 7;
	assert_int_equal(value_parse_bool("maybe", &v), HEARTH_EINVAL);
	assert_int_equal(value_parse_bool("", &v), HEARTH_EINVAL);
	assert_int_equal(v, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_yuan_parse),
		cmocka_unit_test(test_client_yuan_format),
		cmocka_unit_test(test_client_parse_bool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
