/* test_reasons.c: a refusal written in English (by the shared rules or by the server) is shown unchanged in English and in Chinese with the fields named by their labels, nested reasons translated too, and a long one cut only between characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "client/core/reasons.h"
#include "common/i18n.h"
#include "common/utf8.h"

static const kind_info *kind(Hearth__Kind k)
{
	const kind_info *ki = kind_find(k);

	assert_non_null(ki);
	return ki;
}

static void expect(const kind_info *k, const char *english, const char *shown)
{
	char buf[640];

	assert_string_equal(reasons_localize(k, english, buf, sizeof(buf)), shown);
}

/* English: every reason reads as it was written, known or not. */
static void test_english_unchanged(void **state)
{
	(void)state;
	assert_non_null(setlocale(LC_MESSAGES, "C"));
	assert_false(i18n_is_zh());
	expect(kind(HEARTH__KIND__KIND_MEMBER), "name is longer than 64 characters (65)",
	       "name is longer than 64 characters (65)");
	expect(kind(HEARTH__KIND__KIND_PAIRING), "end_date is required when status is 已结束",
	       "end_date is required when status is 已结束");
	expect(NULL, "a reason from a newer server", "a reason from a newer server");
	assert_string_equal(reasons_field_name(kind(HEARTH__KIND__KIND_DUES), "month"), "month");
}

/* The build's catalog (build/locale, beside testtmp) under zh_CN.UTF-8;
 * skipped where that locale is not installed. */
static int use_chinese(void)
{
	const char *tmp = getenv("HEARTH_TEST_TMP");
	char dir[4096];

	if (tmp == NULL || setlocale(LC_MESSAGES, "zh_CN.UTF-8") == NULL)
		return 0;
	snprintf(dir, sizeof(dir), "%s/../locale", tmp);
	bindtextdomain(HEARTH_TEXTDOMAIN, dir);
	bind_textdomain_codeset(HEARTH_TEXTDOMAIN, "UTF-8");
	return i18n_is_zh();
}

static void test_chinese_with_labels(void **state)
{
	(void)state;
	if (!use_chinese())
		skip();
	/* The example: a cross-field rule, whole. */
	expect(kind(HEARTH__KIND__KIND_PAIRING), "end_date is required when status is 已结束",
	       "状态为已结束时必须填写结束日期");
	/* A generic rule: the field argument becomes its label; the limit is in 字. */
	expect(kind(HEARTH__KIND__KIND_MEMBER), "name is longer than 64 characters (65)",
	       "姓名超过 64 字（现有 65 字）");
	expect(kind(HEARTH__KIND__KIND_PAIRING), "end_date 2026-01-01 is before start_date 2026-02-01",
	       "结束日期 2026-01-01 早于开始日期 2026-02-01");
	expect(kind(HEARTH__KIND__KIND_MEMBER), "name is required", "必须填写姓名");
	/* The most specific format wins over "%s is required". */
	expect(kind(HEARTH__KIND__KIND_DUES), "paid is required when paid_date is given",
	       "填写了缴纳日期时必须填写实缴");
	/* The server's "record ID: REASON", with a reason of server/db inside. */
	expect(kind(HEARTH__KIND__KIND_DUES),
	       "record 01a2-b: dues for member 01a2-m in 2026-09 already exist (record 01a2-c)",
	       "记录 01a2-b：党员 01a2-m 2026-09 的党费记录已存在（记录 01a2-c）");
	/* A word the shared rules put in a reason. */
	expect(kind(HEARTH__KIND__KIND_MEMBER), "record 01a2-b: birth_date (hidden) is not a date that exists (YYYY-MM-DD)",
	       "记录 01a2-b：出生日期 （已隐藏） 不是存在的日期（格式为 YYYY-MM-DD）");
	/* A request the server refused (server/api), not a record. */
	expect(NULL, "push of 600 ops exceeds the limit of 500 ops per push; send smaller batches",
	       "一次发送 600 项操作，超过了每次最多 500 项的限制；请分批发送");
	/* Unknown text stays as it came. */
	expect(kind(HEARTH__KIND__KIND_MEMBER), "a reason from a newer server", "a reason from a newer server");
	assert_string_equal(reasons_field_name(kind(HEARTH__KIND__KIND_DUES), "month"), "月份");
	assert_string_equal(reasons_field_name(kind(HEARTH__KIND__KIND_DUES), "no_such_field"),
	                    "no_such_field");
	setlocale(LC_MESSAGES, "C");
}

/* A buffer too small for the translation gets a prefix of whole characters. */
static void test_cut_between_characters(void **state)
{
	char buf[11];

	(void)state;
	if (!use_chinese())
		skip();
	reasons_localize(kind(HEARTH__KIND__KIND_PAIRING), "end_date is required when status is 已结束", buf,
	                 sizeof(buf));
	assert_string_equal(buf, "状态为");
	assert_true(utf8_chars(buf, strlen(buf)) == 3);
	setlocale(LC_MESSAGES, "C");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_english_unchanged),
		cmocka_unit_test(test_chinese_with_labels),
		cmocka_unit_test(test_cut_between_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
