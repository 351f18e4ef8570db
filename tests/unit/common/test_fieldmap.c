/* test_fieldmap.c: bodies split into fields and build back byte for byte, and malformed or oversized wire input is refused before anything is allocated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/fieldmap.h"
#include "common/hearth.h"
#include "proto/hearth.pb-c.h"

static size_t pack_member(const Hearth__Member *m, uint8_t *buf, size_t cap)
{
	size_t n = hearth__member__get_packed_size(m);

	assert_true(n <= cap);
	assert_int_equal(hearth__member__pack(m, buf), n);
	return n;
}

static void test_round_trip_member(void **state)
{
	Hearth__Member m = HEARTH__MEMBER__INIT;
	Hearth__CareTag tags[] = { HEARTH__CARE_TAG__CARE_ELDERLY, HEARTH__CARE_TAG__CARE_ILL,
		                   HEARTH__CARE_TAG__CARE_DISABLED };
	uint8_t buf[512], *out = NULL;
	size_t len, out_len;
	fieldmap fm;
	const field_entry *e;
	/* Field 99 (varint 5) and 1000 (string "x"): from a newer client. */
	static const uint8_t unknown[] = { 0x98, 0x06, 0x05, 0xc2, 0x3e, 0x01, 'x' };

	(void)state;
	m.name = "张三";
	m.gender = HEARTH__GENDER__GENDER_MALE;
	m.join_date = "2001-07-01";
	m.n_care_tags = 3;
	m.care_tags = tags;
	m.notes = "第一行\n第二行";
	len = pack_member(&m, buf, sizeof(buf));
	memcpy(buf + len, unknown, sizeof(unknown));
	len += sizeof(unknown);

	assert_int_equal(fieldmap_parse(buf, len, &fm), 0);
	assert_int_equal(fm.n, 7);
	for (size_t i = 1; i < fm.n; i++)
		assert_true(fm.f[i - 1].number < fm.f[i].number);
	e = fieldmap_get(&fm, 16);
	assert_non_null(e);
	/* Packed: tag (16<<3|2 = 0x82 0x01), length 3, values 1 3 4. */
	assert_int_equal(e->len, 6);
	assert_memory_equal(e->bytes, "\x82\x01\x03\x01\x03\x04", 6);
	assert_null(fieldmap_get(&fm, 3));
	assert_non_null(fieldmap_get(&fm, 99));
	assert_non_null(fieldmap_get(&fm, 1000));

	assert_int_equal(fieldmap_build(&fm, &out, &out_len), 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, buf, len);
	free(out);
	fieldmap_free(&fm);
	assert_int_equal(fm.n, 0);
	assert_null(fm.f);
}

/* Unpacked repeated occurrences interleaved with other fields are all kept,
 * in wire order, under one number. */
static void test_occurrences_concatenated(void **state)
{
	static const uint8_t in[] = { 0x80, 0x01, 0x02, 0x0a, 0x01, 'a', 0x80, 0x01, 0x01,
		                      0x80, 0x01, 0x04 };
	static const uint8_t want[] = { 0x0a, 0x01, 'a', 0x80, 0x01, 0x02, 0x80, 0x01, 0x01,
		                        0x80, 0x01, 0x04 };
	fieldmap fm;
	uint8_t *out;
	size_t out_len;

	(void)state;
	assert_int_equal(fieldmap_parse(in, sizeof(in), &fm), 0);
	assert_int_equal(fm.n, 2);
	assert_int_equal(fieldmap_get(&fm, 16)->len, 9);
	assert_int_equal(fieldmap_build(&fm, &out, &out_len), 0);
	assert_int_equal(out_len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	free(out);
	fieldmap_free(&fm);
}

static void test_empty(void **state)
{
	fieldmap fm;
	uint8_t *out = (uint8_t *)"x";
	size_t out_len = 7;

	(void)state;
	assert_int_equal(fieldmap_parse(NULL, 0, &fm), 0);
	assert_int_equal(fm.n, 0);
	assert_int_equal(fieldmap_build(&fm, &out, &out_len), 0);
	assert_int_equal(out_len, 0);
	free(out);
	fieldmap_free(&fm);
}

struct bad {
	const char *what;
	const uint8_t *bytes;
	size_t len;
};

#define BAD(what, ...) \
	{ what, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }) }

static void test_malformed(void **state)
{
	const struct bad bad[] = {
		BAD("truncated tag", 0x80),
		BAD("truncated varint value", 0x08, 0x80),
		BAD("11-byte varint", 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0x01),
		BAD("11-byte tag", 0x88, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00),
		BAD("length beyond buffer", 0x0a, 0x05, 'a'),
		BAD("huge length", 0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
		BAD("truncated length", 0x0a),
		BAD("start group", 0x0b, 0x0c),
		BAD("end group", 0x0c),
		BAD("wire type 6", 0x0e, 0x00),
		BAD("wire type 7", 0x0f, 0x00),
		BAD("field 0", 0x00, 0x01),
		BAD("field 0 padded", 0x80, 0x00, 0x01),
		BAD("field above 2^29-1", 0xf8, 0xff, 0xff, 0xff, 0x7f, 0x00),
		BAD("fixed64 short", 0x09, 1, 2, 3, 4, 5, 6, 7),
		BAD("fixed32 short", 0x0d, 1, 2, 3),
		BAD("good then bad", 0x08, 0x01, 0x12),
	};
	fieldmap fm;

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(bad); i++) {
		int rc = fieldmap_parse(bad[i].bytes, bad[i].len, &fm);

		if (rc != HEARTH_EINVAL)
			fail_msg("%s: got %d", bad[i].what, rc);
		assert_int_equal(fm.n, 0);
		assert_null(fm.f);
	}
}

/* Writes fields 1..n as one-byte varints; returns the length. */
static size_t many_fields(uint8_t *buf, uint32_t n)
{
	size_t len = 0;

	for (uint32_t f = 1; f <= n; f++) {
		uint32_t tag = f << 3;

		while (tag >= 0x80) {
			buf[len++] = (uint8_t)(tag | 0x80);
			tag >>= 7;
		}
		buf[len++] = (uint8_t)tag;
		buf[len++] = 0x01;
	}
	return len;
}

static void test_too_many_fields(void **state)
{
	uint8_t buf[2048];
	size_t len;
	fieldmap fm;

	(void)state;
	len = many_fields(buf, FIELDMAP_MAX_FIELDS);
	assert_int_equal(fieldmap_parse(buf, len, &fm), 0);
	assert_int_equal(fm.n, FIELDMAP_MAX_FIELDS);
	/* A 257th field may not be added by set either. */
	assert_int_equal(fieldmap_set(&fm, 1000, (const uint8_t *)"\xc0\x3e\x01", 3),
	                 HEARTH_ETOOBIG);
	fieldmap_free(&fm);

	len = many_fields(buf, FIELDMAP_MAX_FIELDS + 1);
	assert_int_equal(fieldmap_parse(buf, len, &fm), HEARTH_ETOOBIG);
	assert_int_equal(fm.n, 0);
	/* Malformed wins over too many. */
	buf[len++] = 0x0b;
	assert_int_equal(fieldmap_parse(buf, len, &fm), HEARTH_EINVAL);
}

static void test_set_remove_same_copy(void **state)
{
	fieldmap a = FIELDMAP_INIT, b;
	const field_entry *e;

	(void)state;
	assert_int_equal(fieldmap_set(&a, 14, (const uint8_t *)"\x72\x02" "12", 4), 0);
	assert_int_equal(fieldmap_set(&a, 1, (const uint8_t *)"\x0a\x01" "a", 3), 0);
	assert_int_equal(fieldmap_set(&a, 2, (const uint8_t *)"\x10\x01", 2), 0);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.f[0].number, 1);
	assert_int_equal(a.f[1].number, 2);
	assert_int_equal(a.f[2].number, 14);

	assert_int_equal(fieldmap_copy(&a, &b), 0);
	assert_true(fieldmap_same(&a, &b, 1));
	assert_true(fieldmap_same(&a, &b, 99));    /* both absent */

	assert_int_equal(fieldmap_set(&a, 1, (const uint8_t *)"\x0a\x01" "b", 3), 0);
	assert_false(fieldmap_same(&a, &b, 1));
	e = fieldmap_get(&a, 1);
	assert_memory_equal(e->bytes, "\x0a\x01" "b", 3);

	assert_int_equal(fieldmap_set(&a, 2, NULL, 0), 0);
	assert_null(fieldmap_get(&a, 2));
	assert_int_equal(a.n, 2);
	assert_false(fieldmap_same(&a, &b, 2));
	assert_int_equal(fieldmap_set(&a, 2, NULL, 0), 0);   /* removing the absent is fine */

	/* Bytes must be whole occurrences of that very number. */
	assert_int_equal(fieldmap_set(&a, 3, (const uint8_t *)"\x0a\x01" "a", 3), HEARTH_EINVAL);
	assert_int_equal(fieldmap_set(&a, 1, (const uint8_t *)"\x0a\x05" "a", 3), HEARTH_EINVAL);
	assert_int_equal(fieldmap_set(&a, 0, (const uint8_t *)"\x00\x01", 2), HEARTH_EINVAL);
	assert_int_equal(a.n, 2);

	fieldmap_free(&a);
	fieldmap_free(&b);
	fieldmap_free(&b);   /* freeing twice is harmless: free leaves the map empty */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_member),
		cmocka_unit_test(test_occurrences_concatenated),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_set_remove_same_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
