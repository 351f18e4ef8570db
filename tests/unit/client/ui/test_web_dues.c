/* test_web_dues.c: client/ui/web_dues.c. The 党费 month list writes its
 * answer's text itself (10,000 records are too slow as jansson values):
 * that text is the one json_dumps(JSON_COMPACT) writes for the same
 * object, for every string a record can hold (CJK, quotes, backslashes,
 * controls) and for text that is not UTF-8 (""), as web_jstr gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "client/ui/web_dues.c"

static const char *const samples[] = {
	"",
	"王00001",
	"张三（已删除）",
	"a \"quoted\" name",
	"back\\slash/and/slash",
	"tab\there, line\nbreak, cr\r",
	"bell\a, bs\b, ff\f, esc\x1b, unit\x1f",
	"DEL\x7f stays",
	"\xe2\x80\xa8 line separator",
	"not utf-8: \xff\xfe",
	"cut \xe7\x8e",
};

/* {"k0":s0,"k1":s1,...} written both ways. */
static void test_text_is_jansson_compact(void **state)
{
	json_t *o = json_object();
	text t = { 0 };
	char key[8], *want;

	(void)state;
	put_s(&t, "{");
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		put_key(&t, key, i == 0);
		put_str(&t, samples[i]);
		json_object_set_new(o, key, web_jstr(samples[i]));
	}
	put_key(&t, "records", 0);
	put_s(&t, "[]}");
	json_object_set_new(o, "records", json_array());
	assert_false(t.failed);
	want = json_dumps(o, JSON_COMPACT);
	assert_non_null(want);
	assert_string_equal(t.s, want);
	free(want);
	free(t.s);
	json_decref(o);
}

/* A NULL string is "", and the buffer grows past its first 4 KiB. */
static void test_null_and_growth(void **state)
{
	text t = { 0 };
	size_t n = 0;

	(void)state;
	put_str(&t, NULL);
	assert_string_equal(t.s, "\"\"");
	for (int i = 0; i < 2000; i++) {
		put_str(&t, "王00001");
		n += strlen("\"王00001\"");
	}
	assert_false(t.failed);
	assert_int_equal(t.len, 2 + n);
	assert_int_equal(strlen(t.s), t.len);
	free(t.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_is_jansson_compact),
		cmocka_unit_test(test_null_and_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
