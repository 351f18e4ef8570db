/* test_record_limits.c: what a body the server stores may hold: no C1, bidi or stray zero-width characters in its text, and unknown fields and packed size within their limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "common/record.h"

static void member(Hearth__Member *m)
{
	*m = (Hearth__Member)HEARTH__MEMBER__INIT;
	m->name = "张三";
	m->birth_date = "1949-12-31";
	m->phone = "13912345678";
	m->notes = "第一行\n第二行";
}

/* Packs m and validates it as the server does a pushed body. */
static int validate_member(const Hearth__Member *m, record_error *err)
{
	size_t n = hearth__member__get_packed_size(m);
	uint8_t *buf = malloc(n ? n : 1);
	int rc;

	assert_non_null(buf);
	hearth__member__pack(m, buf);
	memset(err, 0, sizeof(*err));
	rc = record_validate_body(kind_find(HEARTH__KIND__KIND_MEMBER), buf, n, err);
	free(buf);
	return rc;
}

struct refused_text {
	const char *name;      /* value of member.name */
	const char *message;   /* the whole message */
};

static const struct refused_text refused[] = {
	{ "张\xc2\x9b" "2J三", "姓名 contains a control character U+009B" },
	{ "张\xc2\x9d" "0;x", "姓名 contains a control character U+009D" },
	{ "\xc2\x85张三", "姓名 contains a control character U+0085" },
	{ "张三\xe2\x80\xae", "姓名 contains a bidirectional control character U+202E" },
	{ "\xe2\x80\xaa张三", "姓名 contains a bidirectional control character U+202A" },
	{ "张\xe2\x81\xa6三\xe2\x81\xa9", "姓名 contains a bidirectional control character U+2066" },
	{ "张\xe2\x81\xa9三", "姓名 contains a bidirectional control character U+2069" },
	{ "张\xe2\x80\x8f三", "姓名 contains a bidirectional control character U+200F" },
	{ "张\xd8\x9c三", "姓名 contains a bidirectional control character U+061C" },
	{ "张\xe2\x80\x8b三", "姓名 contains an invisible character U+200B" },
	{ "\xef\xbb\xbf张三", "姓名 contains an invisible character U+FEFF" },
	{ "张\xe2\x81\xa0三", "姓名 contains an invisible character U+2060" },
};

static void test_text_refuses_invisible(void **state)
{
	Hearth__Member m;
	record_error err;

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(refused); i++) {
		member(&m);
		m.name = (char *)refused[i].name;
		if (validate_member(&m, &err) != HEARTH_EINVAL)
			fail_msg("case %zu (%s) was accepted", i, refused[i].message);
		assert_string_equal(err.field, "name");
		assert_string_equal(err.message, refused[i].message);
	}
	/* Multi-line text is held to the same rule, and so is the client's
	 * own check of an unpacked message. */
	member(&m);
	m.notes = "第一行\n\xe2\x80\xae第二行";
	assert_int_equal(validate_member(&m, &err), HEARTH_EINVAL);
	assert_string_equal(err.field, "notes");
	assert_string_equal(err.message, "备注 contains a bidirectional control character U+202E");
	member(&m);
	m.address = "幸福路\xc2\x9b" "1号";
	assert_int_equal(record_validate_message(kind_find(HEARTH__KIND__KIND_MEMBER),
	                                         &m.base, &err),
	                 HEARTH_EINVAL);
	assert_string_equal(err.message, "地址 contains a control character U+009B");
}

static void test_text_keeps_joiners_and_cjk(void **state)
{
	Hearth__Member m;
	record_error err;

	(void)state;
	member(&m);
	m.name = "欧阳娜娜";
	m.address = "北京市东城区幸福路1号（东门）";
	/* A family emoji is man ZWJ woman ZWJ girl; ZWNJ occurs in Persian. */
	m.notes = "全家福 \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7\n"
	          "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85";
	assert_int_equal(validate_member(&m, &err), 0);
	/* U+00A0 (no-break space) follows C1 and is ordinary text. */
	m.address = "幸福路\xc2\xa0" "1号";
	assert_int_equal(validate_member(&m, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_refuses_invisible),
		cmocka_unit_test(test_text_keeps_joiners_and_cjk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
