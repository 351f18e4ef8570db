/* test_values.c: yuan amounts parse strictly and print with two decimals;
 * yes/no words are the same everywhere; a field's bytes print typed (fen,
 * ids) or for people (元, 是/否, notes as text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/values.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/kinds.h"

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
	const char *bad[] = { "", ".5", "12.", " 12", "12 ", "+1", "1e3", "12.5x", "１２", "1,00", "1,0000", ",100", "1,000,00", "12,5.00", "1.000,5", "元", "￥" };
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(bad); i++) {
		why = NULL;
		assert_int_equal(value_yuan_parse(bad[i], &fen, &why), HEARTH_EINVAL);
		assert_non_null(why);
	}
	assert_int_equal(value_yuan_parse("1.5", &fen, NULL), 0);
	assert_int_equal(value_yuan_parse("x", &fen, NULL), HEARTH_EINVAL);
}

/* The forms people write money in (issue 15 item 8): separators that
 * group by three, a yuan sign before, 元 after; anything else is refused
 * with a phrase that says what is wrong. */
static void test_client_yuan_written_forms(void **state)
{
	static const struct {
		const char *text;
		int64_t fen;
	} ok[] = {
		{ "1,000", 100000 },       { "1000\xe5\x85\x83", 100000 },   /* 1000元 */
		{ "\xef\xbf\xa5" "300", 30000 },                            /* ￥300 */
		{ "\xc2\xa5" "300", 30000 },                                 /* ¥300 */
		{ "3,500.00", 350000 },    { "1,234,567.5", 123456750 },
		{ "\xef\xbf\xa5" "1,000.50\xe5\x85\x83", 100050 },          /* ￥1,000.50元 */
		{ "999", 99900 },          { "12,345", 1234500 },
	};
	int64_t fen;
	const char *why = NULL;

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(ok); i++) {
		fen = -1;
		assert_int_equal(value_yuan_parse(ok[i].text, &fen, &why), 0);
		assert_int_equal(fen, ok[i].fen);
	}
	assert_int_equal(value_yuan_parse("1,00", &fen, &why), HEARTH_EINVAL);
	assert_string_equal(why, "has a thousands separator in the wrong place (write 1,000 or 1000)");
	assert_int_equal(value_yuan_parse("10,00.5", &fen, &why), HEARTH_EINVAL);
	assert_string_equal(why, "has a thousands separator in the wrong place (write 1,000 or 1000)");
	assert_int_equal(value_yuan_parse("abc", &fen, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is not an amount in yuan (e.g. 12 or 12.50)");
	assert_int_equal(value_yuan_parse("\xef\xbf\xa5-5", &fen, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is negative; amounts are 0 or more");
	assert_int_equal(value_yuan_parse("1,000.123", &fen, &why), HEARTH_EINVAL);
	assert_string_equal(why, "has more than two decimals (1 fen = 0.01 yuan)");
}

/* Rates are typed as percentages and kept in basis points. */
static void test_client_percent_parse(void **state)
{
	static const struct {
		const char *text;
		int32_t bp;
	} ok[] = {
		{ "1.5%", 150 }, { "1.5", 150 }, { "0.5", 50 }, { "2", 200 }, { "0.25%", 25 },
		{ "100", 10000 }, { "0", 0 }, { "1.5\xef\xbc\x85", 150 },   /* 1.5％ */
	};
	int32_t bp;
	const char *why = NULL;

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(ok); i++) {
		bp = -1;
		assert_int_equal(value_percent_parse(ok[i].text, &bp, &why), 0);
		assert_int_equal(bp, ok[i].bp);
	}
	assert_int_equal(value_percent_parse("150", &bp, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is more than 100%; the rate is a percentage (1.5% is written 1.5 or 1.5%)");
	assert_int_equal(value_percent_parse("100.01", &bp, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is more than 100%; the rate is a percentage (1.5% is written 1.5 or 1.5%)");
	assert_int_equal(value_percent_parse("1.555", &bp, &why), HEARTH_EINVAL);
	assert_string_equal(why, "has more than two decimals (0.01% is the smallest step)");
	assert_int_equal(value_percent_parse("-1", &bp, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is negative; a rate is 0% to 100%");
	assert_int_equal(value_percent_parse("abc", &bp, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is not a percentage (e.g. 1.5% or 1.5)");
	assert_int_equal(value_percent_parse("%", &bp, &why), HEARTH_EINVAL);
	assert_string_equal(why, "is not a percentage (e.g. 1.5% or 1.5)");
}

static void test_client_yuan_format(void **state)
{
	char out[MONEY_YUAN_TEXT_MAX];
	(void)state;

	money_yuan_format(1250, out);
	assert_string_equal(out, "12.50");
	money_yuan_format(5, out);
	assert_string_equal(out, "0.05");
	money_yuan_format(0, out);
	assert_string_equal(out, "0.00");
	money_yuan_format(-5, out);
	assert_string_equal(out, "-0.05");
	money_yuan_format(INT64_MIN, out);
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

/* Formats field of a packed body in style. */
static char *field_of(const kind_info *k, const ProtobufCMessage *body, uint32_t field, value_style style)
{
	size_t len = protobuf_c_message_get_packed_size(body);
	uint8_t *buf = malloc(len ? len : 1);
	fieldmap fm = FIELDMAP_INIT;
	const field_entry *fe;
	char *out;

	assert_non_null(buf);
	protobuf_c_message_pack(body, buf);
	assert_int_equal(fieldmap_parse(buf, len, &fm), 0);
	fe = fieldmap_get(&fm, field);
	out = value_field_format(k, field, fe ? fe->bytes : NULL, fe ? fe->len : 0,
	                         &(value_text_opts){ .view = VALUE_REVEALED, .style = style });
	fieldmap_free(&fm);
	free(buf);
	assert_non_null(out);
	return out;
}

static void test_client_field_format(void **state)
{
	Hearth__Pairing p = HEARTH__PAIRING__INIT;
	Hearth__ProgressNote n1 = HEARTH__PROGRESS_NOTE__INIT, n2 = HEARTH__PROGRESS_NOTE__INIT;
	Hearth__ProgressNote *notes[] = { &n1, &n2 };
	Hearth__Visit v = HEARTH__VISIT__INIT;
	Hearth__Talk t = HEARTH__TALK__INIT;
	char *s;
	(void)state;

	v.cash = 150050;
	s = field_of(kind_find(HEARTH__KIND__KIND_VISIT), &v.base, 5, VALUE_STYLE_PEOPLE);
	assert_string_equal(s, "1500.50\xe5\x85\x83");   /* 元 */
	free(s);
	s = field_of(kind_find(HEARTH__KIND__KIND_VISIT), &v.base, 5, VALUE_STYLE_TYPED);
	assert_string_equal(s, "150050");   /* as conflicts --json gives it to programs */
	free(s);

	t.follow_up = 1;
	s = field_of(kind_find(HEARTH__KIND__KIND_TALK), &t.base, 9, VALUE_STYLE_PEOPLE);
	assert_string_equal(s, "\xe6\x98\xaf");   /* 是 */
	free(s);
	t.follow_up = 0;   /* not encoded at all: still a "no" */
	s = field_of(kind_find(HEARTH__KIND__KIND_TALK), &t.base, 9, VALUE_STYLE_PEOPLE);
	assert_string_equal(s, "\xe5\x90\xa6");   /* 否 */
	free(s);

	n1.date = "2026-03-01";
	n1.note = "visit";
	n1.by = "sec";
	n2.date = "2026-04-01";
	n2.channel = "phone";
	n2.note = "call";
	p.notes = notes;
	p.n_notes = 2;
	s = field_of(kind_find(HEARTH__KIND__KIND_PAIRING), &p.base, 9, VALUE_STYLE_PEOPLE);
	assert_string_equal(s, "2026-03-01: visit (sec); 2026-04-01 phone: call");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_yuan_parse),
		cmocka_unit_test(test_client_yuan_written_forms),
		cmocka_unit_test(test_client_percent_parse),
		cmocka_unit_test(test_client_yuan_format),
		cmocka_unit_test(test_client_parse_bool),
		cmocka_unit_test(test_client_field_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
