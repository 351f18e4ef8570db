/* test_dues_rate.c: the official dues table at every band edge (a band
 * edge belongs to the lower band), the fixed and farmer amounts, and the
 * percentage text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/dues_rate.h"
#include "common/hearth.h"

#define EMPLOYED HEARTH__DUES_GROUP__DUES_GROUP_EMPLOYED
#define RETIRED HEARTH__DUES_GROUP__DUES_GROUP_RETIRED

static dues_rate_result rule(Hearth__DuesGroup g, int64_t income, int64_t farmer, dues_rate_status want)
{
	dues_rate_result r;

	assert_int_equal(dues_rate_compute(&(dues_rate_args){ .group = g, .income_fen = income,
	                                                     .farmer_fen = farmer },
	                                   &r),
	                 want);
	return r;
}

static void test_employed_band_edges(void **state)
{
	static const struct {
		int64_t income_fen;
		int32_t rate_bp;
		int64_t due_fen;
	} cases[] = {
		{ 1, 50, 0 },                  /* 0.01 yuan x 0.5% rounds to 0 */
		{ 100000, 50, 500 },           /* 1,000.00: 5.00 */
		{ 300000, 50, 1500 },          /* 3,000.00 exactly: still 0.5% */
		{ 300001, 100, 3000 },         /* 3,000.01: 1% of the whole income */
		{ 500000, 100, 5000 },         /* 5,000.00: 1% */
		{ 500001, 150, 7500 },         /* 5,000.01: 1.5% */
		{ 600000, 150, 9000 },         /* 6,000.00: 90.00 */
		{ 1000000, 150, 15000 },       /* 10,000.00: 1.5% */
		{ 1000001, 200, 20000 },       /* 10,000.01: 2% */
		{ 2500000, 200, 50000 },
	};

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(cases); i++) {
		dues_rate_result r = rule(EMPLOYED, cases[i].income_fen, 0, DUES_RATE_OK);
		assert_int_equal(r.basis, DUES_BASIS_INCOME);
		assert_int_equal(r.rate_bp, cases[i].rate_bp);
		assert_int_equal(r.due_fen, cases[i].due_fen);
	}
}

static void test_retired_band_edges(void **state)
{
	dues_rate_result r;

	(void)state;
	r = rule(RETIRED, 500000, 0, DUES_RATE_OK);   /* 5,000.00: 0.5% */
	assert_int_equal(r.rate_bp, 50);
	assert_int_equal(r.due_fen, 2500);
	r = rule(RETIRED, 500001, 0, DUES_RATE_OK);   /* 5,000.01: 1% */
	assert_int_equal(r.rate_bp, 100);
	assert_int_equal(r.due_fen, 5000);
	r = rule(RETIRED, 300000, 0, DUES_RATE_OK);   /* no 3,000 edge for pensions */
	assert_int_equal(r.rate_bp, 50);
	assert_int_equal(r.due_fen, 1500);
}

static void test_fixed_and_farmer(void **state)
{
	static const Hearth__DuesGroup fixed[] = {
		HEARTH__DUES_GROUP__DUES_GROUP_STUDENT,
		HEARTH__DUES_GROUP__DUES_GROUP_UNEMPLOYED,
		HEARTH__DUES_GROUP__DUES_GROUP_LOW_INCOME,
	};
	dues_rate_result r;

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(fixed); i++) {
		r = rule(fixed[i], 0, 0, DUES_RATE_OK);   /* no income needed */
		assert_int_equal(r.basis, DUES_BASIS_FIXED);
		assert_int_equal(r.due_fen, 20);
		assert_int_equal(r.rate_bp, 0);
		r = rule(fixed[i], 900000, 0, DUES_RATE_OK);   /* income does not matter */
		assert_int_equal(r.due_fen, 20);
	}
	r = rule(HEARTH__DUES_GROUP__DUES_GROUP_FARMER, 0, 0, DUES_RATE_OK);
	assert_int_equal(r.basis, DUES_BASIS_FARMER);
	assert_int_equal(r.due_fen, 20);   /* the branch has no setting: 0.2 yuan */
	r = rule(HEARTH__DUES_GROUP__DUES_GROUP_FARMER, 0, 100, DUES_RATE_OK);
	assert_int_equal(r.due_fen, 100);
	r = rule(HEARTH__DUES_GROUP__DUES_GROUP_FARMER, 0, 50, DUES_RATE_OK);
	assert_int_equal(r.due_fen, 50);
	rule(HEARTH__DUES_GROUP__DUES_GROUP_FARMER, 0, 19, DUES_RATE_BAD_FARMER);
	rule(HEARTH__DUES_GROUP__DUES_GROUP_FARMER, 0, 101, DUES_RATE_BAD_FARMER);
}

static void test_refusals(void **state)
{
	dues_rate_result r;

	(void)state;
	r = rule(EMPLOYED, 0, 0, DUES_RATE_NO_INCOME);
	assert_int_equal(r.basis, DUES_BASIS_INCOME);
	rule(RETIRED, 0, 0, DUES_RATE_NO_INCOME);
	rule(EMPLOYED, -1, 0, DUES_RATE_BAD_INCOME);
	rule(EMPLOYED, DUES_INCOME_MAX_FEN + 1, 0, DUES_RATE_BAD_INCOME);
	r = rule(HEARTH__DUES_GROUP__DUES_GROUP_UNSPECIFIED, 600000, 0, DUES_RATE_NO_GROUP);
	assert_int_equal(r.basis, DUES_BASIS_NONE);
	rule((Hearth__DuesGroup)99, 600000, 0, DUES_RATE_NO_GROUP);
	assert_int_equal(dues_rate_apply(-1, 50), 0);
	assert_int_equal(dues_rate_apply(500000, 50), 2500);
	assert_int_equal(dues_rate_apply(100, 50), 1);      /* 0.5 fen rounds half up */
	assert_int_equal(dues_rate_apply(99, 50), 0);
}

static void test_rate_text(void **state)
{
	char t[DUES_RATE_TEXT_MAX];

	(void)state;
	dues_rate_format(50, t);
	assert_string_equal(t, "0.5%");
	dues_rate_format(150, t);
	assert_string_equal(t, "1.5%");
	dues_rate_format(200, t);
	assert_string_equal(t, "2%");
	dues_rate_format(25, t);
	assert_string_equal(t, "0.25%");
	dues_rate_format(0, t);
	assert_string_equal(t, "0%");
	dues_rate_format(10000, t);
	assert_string_equal(t, "100%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_employed_band_edges),
		cmocka_unit_test(test_retired_band_edges),
		cmocka_unit_test(test_fixed_and_farmer),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_rate_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
