/* test_utf8.c: strict UTF-8 validation, CJK-aware display widths, and truncation that never splits a character. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "common/utf8.h"

struct sample {
	const char *bytes;
	size_t len;
	int valid;
	const char *what;
};

#define S(lit, v, what) { lit, sizeof(lit) - 1, v, what }

static const struct sample samples[] = {
	S("", 1, "empty"),
	S("abc", 1, "ascii"),
	S("张三", 1, "cjk"),
	S("a\tb\nc\r\n", 1, "tab and line breaks"),
	S("\xf0\x9f\x98\x80", 1, "U+1F600"),
	S("\xf4\x8f\xbf\xbf", 1, "U+10FFFF"),
	S("\xed\x9f\xbf", 1, "U+D7FF"),
	S("\xee\x80\x80", 1, "U+E000"),
	S("\xc2\x80", 1, "U+0080 is not a C0 control"),
	S("a\0b", 0, "NUL"),
	S("a\x1b[31m", 0, "escape"),
	S("\x01", 0, "C0 control"),
	S("\xc0\xaf", 0, "overlong slash"),
	S("\xc1\xbf", 0, "overlong 2-byte"),
	S("\xe0\x80\xaf", 0, "overlong 3-byte"),
	S("\xf0\x80\x80\xaf", 0, "overlong 4-byte"),
	S("\xed\xa0\x80", 0, "surrogate D800"),
	S("\xed\xbf\xbf", 0, "surrogate DFFF"),
	S("\xf4\x90\x80\x80", 0, "U+110000"),
	S("\xf8\x88\x80\x80\x80", 0, "5-byte form"),
	S("\xff", 0, "0xFF"),
	S("\x80", 0, "lone continuation"),
	S("\xe5\xbc", 0, "truncated 3-byte"),
	S("\xe5", 0, "lead byte only"),
	S("\xf0\x9f\x98", 0, "truncated 4-byte"),
	S("\xe5\xbc\x41", 0, "bad continuation"),
};

static void test_valid_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(samples); i++) {
		if (utf8_valid(samples[i].bytes, samples[i].len) != samples[i].valid)
			fail_msg("utf8_valid wrong for %s", samples[i].what);
	}
}

static void test_chars(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars("张三", strlen("张三")), 2);
	assert_int_equal(utf8_chars("abc", 3), 3);
	assert_int_equal(utf8_chars("", 0), 0);
	assert_int_equal(utf8_chars("\xed\xa0\x80", 3), -1);
	assert_int_equal(utf8_chars("\xe5\xbc", 2), -1);
	assert_int_equal(utf8_chars("a\x01", 2), 2);   /* controls are characters */
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(utf8_width("张三"), 4);
	assert_int_equal(utf8_width("abc"), 3);
	assert_int_equal(utf8_width("李a四b"), 6);
	assert_int_equal(utf8_width(""), 0);
	assert_int_equal(utf8_width("e\xcc\x81"), 1);              /* e + U+0301 */
	assert_int_equal(utf8_width("a\xe2\x80\x8b" "b"), 2);      /* zero-width space */
	assert_int_equal(utf8_width("\xef\xbc\xa1"), 2);           /* fullwidth A */
	assert_int_equal(utf8_width("\xea\xb0\x80"), 2);           /* hangul GA */
	assert_int_equal(utf8_width("\xe3\x80\x82"), 2);           /* 。 */
	assert_int_equal(utf8_width("\xe3\x80\xbf"), 1);           /* U+303F */
	assert_int_equal(utf8_width("\xf0\xa0\x80\x80"), 2);       /* U+20000 */
	assert_int_equal(utf8_width("\xff" "a"), 2);               /* invalid byte counts 1 */
	assert_int_equal(utf8_width(NULL), 0);
}

static void test_truncate(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(utf8_truncate("abc", 5, out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(utf8_truncate("张三", 4, out, sizeof(out)), 4);
	assert_string_equal(out, "张三");
	/* 张三丰 is 6 columns; in 4 the ellipsis takes one, leaving room for 张. */
	assert_int_equal(utf8_truncate("张三丰", 4, out, sizeof(out)), 3);
	assert_string_equal(out, "张…");
	assert_int_equal(utf8_truncate("张三丰", 5, out, sizeof(out)), 5);
	assert_string_equal(out, "张三…");
	assert_int_equal(utf8_truncate("abcdef", 4, out, sizeof(out)), 4);
	assert_string_equal(out, "abc…");
	assert_int_equal(utf8_truncate("abc", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* The byte cap cuts too, never inside a character: 7 bytes hold 张 + … */
	assert_int_equal(utf8_truncate("张三丰", 10, out, 7), 3);
	assert_string_equal(out, "张…");
	/* Too small for the ellipsis: whole characters only. */
	assert_int_equal(utf8_truncate("张三", 10, out, 3), 0);
	assert_string_equal(out, "");
	assert_int_equal(utf8_truncate("ab", 10, out, 2), 1);
	assert_string_equal(out, "a");
	/* Every result is valid UTF-8 for every column budget. */
	for (size_t cols = 0; cols < 12; cols++) {
		for (size_t cap = 1; cap < 20; cap++) {
			size_t used = utf8_truncate("中文ab测试\xcc\x81x", cols, out, cap);

			assert_true(used <= cols);
			assert_true(strlen(out) < cap);
			assert_true(utf8_valid(out, strlen(out)));
		}
	}
}

/* Sanitises a literal with flags and compares with want. */
static void san(const char *in, unsigned flags, const char *want)
{
	char out[128];
	size_t need = utf8_sanitize(in, strlen(in), out, sizeof(out), flags);

	assert_string_equal(out, want);
	assert_int_equal(need, strlen(want));
}

static void test_sanitize(void **state)
{
	char out[8];
	char *dup;

	(void)state;
	san("张三 abc", 0, "张三 abc");
	san("a\x1b[31mb", 0, "a\\x1B[31mb");
	san("a\x7f", 0, "a\\x7F");
	san("\xc2\x9b" "2J", 0, "\\u009B2J");                 /* C1 CSI */
	san("\xc2\x9d" "0;x", 0, "\\u009D0;x");               /* C1 OSC */
	san("abc\xe2\x80\xae" "fdp.exe", 0, "abc\\u202Efdp.exe"); /* RLO */
	san("\xe2\x81\xa6" "x\xe2\x81\xa9", 0, "\\u2066x\\u2069");  /* isolates */
	san("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0, "\\u200E\\u200F\\u061C");
	san("张\xe2\x80\x8b三", 0, "张\\u200B三");               /* ZWSP */
	san("\xef\xbb\xbf" "a\xe2\x81\xa0", 0, "\\uFEFFa\\u2060");
	san("\xe2\x80\x8c\xe2\x80\x8d", 0, "\\u200C\\u200D");
	san("a\xff\xc0\xaf" "b", 0, "a\\xFF\\xC0\\xAFb");       /* invalid bytes */
	san("a\nb\tc\rd", 0, "a\\x0Ab\\x09c\\x0Dd");
	san("a\nb\tc\rd", UTF8_SANITIZE_KEEP_LINES, "a\nb\tc\\x0Dd");
	/* A cut result is terminated and never splits a character or an escape. */
	assert_int_equal(utf8_sanitize("张三丰", 9, out, sizeof(out), 0), 9);
	assert_string_equal(out, "张三");
	assert_int_equal(utf8_sanitize("ab\x1b", 3, out, 5, 0), 6);
	assert_string_equal(out, "ab");
	assert_int_equal(utf8_sanitize(NULL, 0, out, sizeof(out), 0), 0);
	assert_string_equal(out, "");
	/* An embedded NUL is shown, not a string end. */
	assert_int_equal(utf8_sanitize("a\0b", 3, out, sizeof(out), 0), 6);
	assert_string_equal(out, "a\\x00b");
	dup = utf8_sanitize_dup("x\xe2\x80\xaey", 5, 0);
	assert_non_null(dup);
	assert_string_equal(dup, "x\\u202Ey");
	free(dup);
	/* Every result is valid text free of the unsafe classes. */
	for (unsigned c = 0; c < 0x2100; c += 1) {
		char in[5], res[32];
		size_t n = 0;
		uint32_t found;

		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		if (c < 0x80) {
			in[n++] = (char)c;
		} else if (c < 0x800) {
			in[n++] = (char)(0xc0 | (c >> 6));
			in[n++] = (char)(0x80 | (c & 0x3f));
		} else {
			in[n++] = (char)(0xe0 | (c >> 12));
			in[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
			in[n++] = (char)(0x80 | (c & 0x3f));
		}
		utf8_sanitize(in, n, res, sizeof(res), 0);
		assert_true(utf8_valid(res, strlen(res)));
		assert_false(utf8_find(res, strlen(res), ~UTF8_CLASS_BIT(UTF8_PLAIN), &found));
	}
}

static void test_classify(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(utf8_classify('a'), UTF8_PLAIN);
	assert_int_equal(utf8_classify(0x5f20), UTF8_PLAIN);      /* 张 */
	assert_int_equal(utf8_classify(0x1b), UTF8_C0);
	assert_int_equal(utf8_classify(0x7f), UTF8_C0);
	assert_int_equal(utf8_classify(0x80), UTF8_C1);
	assert_int_equal(utf8_classify(0x9f), UTF8_C1);
	assert_int_equal(utf8_classify(0xa0), UTF8_PLAIN);
	assert_int_equal(utf8_classify(0x202a), UTF8_BIDI);
	assert_int_equal(utf8_classify(0x202e), UTF8_BIDI);
	assert_int_equal(utf8_classify(0x2066), UTF8_BIDI);
	assert_int_equal(utf8_classify(0x2069), UTF8_BIDI);
	assert_int_equal(utf8_classify(0x200e), UTF8_BIDI);
	assert_int_equal(utf8_classify(0x061c), UTF8_BIDI);
	assert_int_equal(utf8_classify(0x200b), UTF8_ZERO_WIDTH);
	assert_int_equal(utf8_classify(0xfeff), UTF8_ZERO_WIDTH);
	assert_int_equal(utf8_classify(0x2060), UTF8_ZERO_WIDTH);
	assert_int_equal(utf8_classify(0x200d), UTF8_JOINER);
	assert_true(utf8_find("ab\xc2\x9b", 4, UTF8_CLASS_BIT(UTF8_C1), &cp));
	assert_int_equal(cp, 0x9b);
	assert_false(utf8_find("ab\xc2\x9b", 4, UTF8_CLASS_BIT(UTF8_BIDI), &cp));
	assert_false(utf8_find("\xff\xfe", 2, UTF8_CLASS_BIT(UTF8_C1), &cp));
}

/* utf8_scan answers in one pass what utf8_chars, utf8_valid and utf8_find
 * answer in three: the same on every sample above and on each class. */
static void test_scan(void **state)
{
	static const struct { const char *s; unsigned classes; } cls[] = {
		{ "plain 张三 \xf0\x9f\x98\x80", 0 },
		{ "ab\xc2\x9b", UTF8_CLASS_BIT(UTF8_C1) },
		{ "\xe2\x80\xae" "x", UTF8_CLASS_BIT(UTF8_BIDI) },
		{ "a\xe2\x80\x8b" "b\xef\xbb\xbf", UTF8_CLASS_BIT(UTF8_ZERO_WIDTH) },
		{ "\xe2\x80\x8d\xc2\x80\xe2\x81\xa6", UTF8_CLASS_BIT(UTF8_JOINER) | UTF8_CLASS_BIT(UTF8_C1) |
		                                             UTF8_CLASS_BIT(UTF8_BIDI) },
		{ "tab\t\x7f", 0 },
	};
	unsigned classes;
	int controls;

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(samples); i++) {
		long n = utf8_scan(samples[i].bytes, samples[i].len, &controls, &classes);
		if (n != utf8_chars(samples[i].bytes, samples[i].len))
			fail_msg("utf8_scan counts %ld for %s", n, samples[i].what);
		if (n >= 0 && (!controls) != utf8_valid(samples[i].bytes, samples[i].len))
			fail_msg("utf8_scan controls wrong for %s", samples[i].what);
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(cls); i++) {
		assert_true(utf8_scan(cls[i].s, strlen(cls[i].s), &controls, &classes) >= 0);
		assert_int_equal(controls, 0);
		assert_int_equal(classes, cls[i].classes);
	}
	assert_int_equal(utf8_scan("a\x1b", 2, &controls, &classes), 2);
	assert_int_equal(controls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_table),
		cmocka_unit_test(test_chars),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
