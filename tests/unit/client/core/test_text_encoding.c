/* test_text_encoding.c: UTF-8 (with or without BOM) is kept, GB18030 is detected and converted, and bytes that are neither are refused with their line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/text_encoding.h"
#include "common/hearth.h"

/* 张三,男 in GB18030 (the same bytes as GBK) and in UTF-8. */
#define GB_ZHANGSAN "\xd5\xc5\xc8\xfd"
#define U8_ZHANGSAN "\xe5\xbc\xa0\xe4\xb8\x89"
#define GB_NAN "\xc4\xd0"
#define U8_NAN "\xe7\x94\xb7"

static void test_utf8_kept(void **state)
{
	static const char bom[] = "\xef\xbb\xbf" "name\r\n" U8_ZHANGSAN "\r\n";
	static const char plain[] = "name\n" U8_ZHANGSAN "\n";
	text_decoded d;
	char err[256];

	(void)state;
	assert_int_equal(text_to_utf8(bom, sizeof(bom) - 1, TEXT_ENC_AUTO, &d, err, sizeof(err)), 0);
	assert_int_equal(d.used, TEXT_ENC_UTF8);
	assert_int_equal(d.len, sizeof(bom) - 1);
	assert_memory_equal(d.text, bom, sizeof(bom));   /* the BOM stays for the CSV reader */
	free(d.text);
	assert_int_equal(text_to_utf8(plain, sizeof(plain) - 1, TEXT_ENC_AUTO, &d, err, sizeof(err)), 0);
	assert_int_equal(d.used, TEXT_ENC_UTF8);
	assert_string_equal(d.text, plain);
	free(d.text);
	/* ASCII is UTF-8. */
	assert_int_equal(text_to_utf8("a,b\r\n", 5, TEXT_ENC_AUTO, &d, err, sizeof(err)), 0);
	assert_int_equal(d.used, TEXT_ENC_UTF8);
	free(d.text);
}

static void test_gb18030_detected(void **state)
{
	/* As Excel on Chinese Windows saves it: no BOM, CRLF. A 4-byte GB18030
	 * sequence (U+20000 𠀀 is 95 32 82 36) converts too. */
	static const char gb[] = "name,gender\r\n" GB_ZHANGSAN "," GB_NAN "\r\n\x95\x32\x82\x36\r\n";
	static const char want[] = "name,gender\r\n" U8_ZHANGSAN "," U8_NAN "\r\n\xf0\xa0\x80\x80\r\n";
	text_decoded d;
	char err[256];

	(void)state;
	assert_int_equal(text_to_utf8(gb, sizeof(gb) - 1, TEXT_ENC_AUTO, &d, err, sizeof(err)), 0);
	assert_int_equal(d.used, TEXT_ENC_GB18030);
	assert_string_equal(d.text, want);
	assert_int_equal(d.len, sizeof(want) - 1);
	free(d.text);
	/* --encoding gb18030 says so outright. */
	assert_int_equal(text_to_utf8(gb, sizeof(gb) - 1, TEXT_ENC_GB18030, &d, err, sizeof(err)), 0);
	assert_string_equal(d.text, want);
	free(d.text);
}

static void test_override_utf8(void **state)
{
	static const char gb[] = "name\n" GB_ZHANGSAN "\n";
	text_decoded d;
	char err[256];

	(void)state;
	/* --encoding utf-8 takes the bytes as they are; the CSV reader then
	 * names the line that is not UTF-8. */
	assert_int_equal(text_to_utf8(gb, sizeof(gb) - 1, TEXT_ENC_UTF8, &d, err, sizeof(err)), 0);
	assert_int_equal(d.used, TEXT_ENC_UTF8);
	assert_memory_equal(d.text, gb, sizeof(gb));
	free(d.text);
}

static void test_neither(void **state)
{
	/* 0xFF never starts a GB18030 character and is never UTF-8. */
	static const char junk[] = "name\nok\n\xff\xfe\n";
	text_decoded d;
	char err[256] = "";

	(void)state;
	assert_int_equal(text_to_utf8(junk, sizeof(junk) - 1, TEXT_ENC_AUTO, &d, err, sizeof(err)),
	                 HEARTH_EINVAL);
	assert_null(d.text);
	assert_int_equal(d.bad_line, 3);
	assert_non_null(strstr(err, "neither UTF-8 nor GB18030"));
	assert_int_equal(text_to_utf8(junk, sizeof(junk) - 1, TEXT_ENC_GB18030, &d, err, sizeof(err)),
	                 HEARTH_EINVAL);
	assert_int_equal(d.bad_line, 3);
	assert_non_null(strstr(err, "not GB18030"));
	/* A GB18030 character cut off at the end of the file. */
	assert_int_equal(text_to_utf8("a\n\xd5", 3, TEXT_ENC_GB18030, &d, err, sizeof(err)),
	                 HEARTH_EINVAL);
	assert_int_equal(d.bad_line, 2);
}

static void test_names(void **state)
{
	text_encoding e;

	(void)state;
	assert_int_equal(text_encoding_parse("utf-8", &e), 0);
	assert_int_equal(e, TEXT_ENC_UTF8);
	assert_int_equal(text_encoding_parse("UTF8", &e), 0);
	assert_int_equal(e, TEXT_ENC_UTF8);
	assert_int_equal(text_encoding_parse("GB18030", &e), 0);
	assert_int_equal(e, TEXT_ENC_GB18030);
	assert_int_equal(text_encoding_parse("gbk", &e), 0);
	assert_int_equal(e, TEXT_ENC_GB18030);
	assert_int_equal(text_encoding_parse("latin1", &e), HEARTH_EINVAL);
	assert_int_equal(text_encoding_parse(NULL, &e), HEARTH_EINVAL);
	assert_string_equal(text_encoding_name(TEXT_ENC_GB18030), "GB18030");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_gb18030_detected),
		cmocka_unit_test(test_override_utf8),
		cmocka_unit_test(test_neither),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
