/* test_date.c: ISO dates parse only when they exist and are spelled one way, and day numbers round-trip and order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/date.h"
#include "common/hearth.h"

static void test_known_days(void **state)
{
	int32_t d;

	(void)state;
	assert_int_equal(date_parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(date_parse("2000-03-01", &d), 0);
	assert_int_equal(d, 11017);
	assert_int_equal(date_parse("1969-12-31", &d), 0);
	assert_int_equal(d, -1);
	assert_int_equal(date_parse("2024-02-29", &d), 0);
	assert_int_equal(date_parse("2000-02-29", &d), 0);
	assert_int_equal(date_parse("1900-01-01", &d), 0);
	assert_int_equal(date_parse("2199-12-31", &d), 0);
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00", "2026-1-01", "2026-01-1",
		"2026-01-01x", "2026-01-01 ", " 2026-01-01", "2026/01/01", "20260101", "",
		"1900-02-29", "2023-02-29", "1899-12-31", "2200-01-01", "2026-04-31", "+026-01-01",
		"2026-01", "abcd-ef-gh",
	};
	int32_t d = 12345;

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(bad); i++) {
		if (date_parse(bad[i], &d) != HEARTH_EINVAL)
			fail_msg("accepted %s", bad[i]);
	}
	assert_int_equal(d, 12345);
	assert_int_equal(date_parse(NULL, &d), HEARTH_EINVAL);
}

/* Every day in the accepted range formats and parses back to itself, and
 * each day is one more than the one before. */
static void test_round_trip_and_order(void **state)
{
	int32_t first, last, d;
	char text[11];

	(void)state;
	assert_int_equal(date_parse("1900-01-01", &first), 0);
	assert_int_equal(date_parse("2199-12-31", &last), 0);
	for (int32_t day = first; day <= last; day++) {
		date_format(day, text);
		assert_int_equal(date_parse(text, &d), 0);
		assert_int_equal(d, day);
	}
	date_format(first, text);
	assert_string_equal(text, "1900-01-01");
	date_format(19782, text);
	assert_string_equal(text, "2024-02-29");
	assert_int_equal(date_parse("2021-05-01", &first), 0);
	assert_int_equal(date_parse("2020-01-01", &last), 0);
	assert_true(last < first);
}

static void test_month(void **state)
{
	int32_t m;

	(void)state;
	assert_int_equal(date_parse_month("2026-01", &m), 0);
	assert_int_equal(m, 2026 * 12);
	assert_int_equal(date_parse_month("2026-12", &m), 0);
	assert_int_equal(m, 2026 * 12 + 11);
	assert_int_equal(date_parse_month("2026-13", &m), HEARTH_EINVAL);
	assert_int_equal(date_parse_month("2026-1", &m), HEARTH_EINVAL);
	assert_int_equal(date_parse_month("2026-01-01", &m), HEARTH_EINVAL);
	assert_int_equal(date_parse_month("", &m), HEARTH_EINVAL);
}

/* date_month_format and date_month_start: what "%04d-%02d" and date_parse
 * of "YYYY-MM-01" give, for every month of the range, and nothing outside. */
static void test_month_text_and_start(void **state)
{
	char text[8], want[16];
	int32_t back, day, want_day;

	(void)state;
	for (int32_t m = 1900 * 12; m < 2200 * 12; m++) {
		snprintf(want, sizeof(want), "%04d-%02d", (int)(m / 12), (int)(m % 12 + 1));
		assert_int_equal(date_month_format(m, text), 0);
		assert_string_equal(text, want);
		assert_int_equal(date_parse_month(text, &back), 0);
		assert_int_equal(back, m);
		strcat(want, "-01");
		assert_int_equal(date_parse(want, &want_day), 0);
		assert_int_equal(date_month_start(m, &day), 0);
		assert_int_equal(day, want_day);
	}
	day = 7;
	assert_int_equal(date_month_format(1900 * 12 - 1, text), HEARTH_EINVAL);
	assert_string_equal(text, "");
	assert_int_equal(date_month_format(2200 * 12, text), HEARTH_EINVAL);
	assert_int_equal(date_month_format(-5, text), HEARTH_EINVAL);
	assert_int_equal(date_month_start(1900 * 12 - 1, &day), HEARTH_EINVAL);
	assert_int_equal(date_month_start(2200 * 12, &day), HEARTH_EINVAL);
	assert_int_equal(date_month_start(-5, &day), HEARTH_EINVAL);
	assert_int_equal(day, 7);
}

/* What Excel on Chinese Windows and people write: slashes, single digits,
 * 年月日; the same day as the ISO spelling, and only days that exist. */
static void test_loose(void **state)
{
	static const char *const same[] = { "1946-03-15", "1946-3-15", "1946/3/15", "1946/03/15",
	                                    "1946\xe5\xb9\xb4" "3\xe6\x9c\x88" "15\xe6\x97\xa5" };
	static const char *const bad[] = {
		"1946/2/30", "1946/13/1", "1946-3/15", "1946/3-15", "1946/3/", "1946//15", "46/3/15",
		"1946/3/15 ", " 1946/3/15", "1946/003/15", "1946\xe5\xb9\xb4" "3\xe6\x9c\x88" "15",
		"1899/12/31", "2200/1/1", "1946.3.15", "", "1946/3/15x",
	};
	int32_t want, d;

	(void)state;
	assert_int_equal(date_parse("1946-03-15", &want), 0);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		d = 0;
		assert_int_equal(date_parse_loose(same[i], &d), 0);
		assert_int_equal(d, want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (date_parse_loose(bad[i], &d) != HEARTH_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(date_parse_loose(NULL, &d), HEARTH_EINVAL);
	/* The strict parser is unchanged: what is stored has one spelling. */
	assert_int_equal(date_parse("1946/3/15", &d), HEARTH_EINVAL);
}

static void test_today(void **state)
{
	int32_t d;

	(void)state;
	assert_int_equal(date_parse("2024-01-01", &d), 0);
	assert_true(date_today() > d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_days),
		cmocka_unit_test(test_month_text_and_start),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_round_trip_and_order),
		cmocka_unit_test(test_month),
		cmocka_unit_test(test_loose),
		cmocka_unit_test(test_today),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
