/* test_uuid.c: UUIDv7 ids carry the right version and variant bits, round-trip through text, and sort in creation order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "common/uuid.h"

static void test_format_parse_round_trip(void **state)
{
	uint8_t id[UUID_LEN], back[UUID_LEN];
	char text[UUID_TEXT_LEN + 1];

	(void)state;
	assert_int_equal(uuid_v7(id), 0);
	uuid_format(id, text);
	assert_int_equal(strlen(text), UUID_TEXT_LEN);
	assert_int_equal(text[8], '-');
	assert_int_equal(text[13], '-');
	assert_int_equal(text[18], '-');
	assert_int_equal(text[23], '-');
	assert_int_equal(text[14], '7');
	assert_int_equal(uuid_parse(text, back), 0);
	assert_memory_equal(id, back, UUID_LEN);
}

static void test_parse_fixed(void **state)
{
	static const uint8_t want[UUID_LEN] = { 0x01, 0x8f, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f,
		                                0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07 };
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1];

	(void)state;
	assert_int_equal(uuid_parse("018F3A4B-5C6D-7E8F-90A1-B2C3D4E5F607", id), 0);
	assert_memory_equal(id, want, UUID_LEN);
	uuid_format(id, text);
	assert_string_equal(text, "018f3a4b-5c6d-7e8f-90a1-b2c3d4e5f607");
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"018f3a4b-5c6d-7e8f-90a1-b2c3d4e5f60",      /* short */
		"018f3a4b-5c6d-7e8f-90a1-b2c3d4e5f6071",    /* trailing */
		"018f3a4b5c6d-7e8f-90a1-b2c3d4e5f6071",     /* dash missing */
		"018f3a4b-5c6d-7e8f-90a1-b2c3d4e5f60g",     /* not hex */
		"018f3a4b-5c6d-7e8f-90a1 b2c3d4e5f607",
		" 018f3a4b-5c6d-7e8f-90a1-b2c3d4e5f607",
	};
	uint8_t id[UUID_LEN];

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(bad); i++)
		assert_int_equal(uuid_parse(bad[i], id), HEARTH_EINVAL);
	assert_int_equal(uuid_parse(NULL, id), HEARTH_EINVAL);
}

static void test_version_variant(void **state)
{
	uint8_t id[UUID_LEN];

	(void)state;
	for (int i = 0; i < 100; i++) {
		assert_int_equal(uuid_v7(id), 0);
		assert_int_equal(id[6] >> 4, 7);
		assert_int_equal(id[8] >> 6, 2);
	}
}

/* 10000 ids in a tight loop span few milliseconds, so this exercises the
 * counter and its overflow into the next millisecond. */
static void test_strictly_increasing(void **state)
{
	uint8_t prev[UUID_LEN], id[UUID_LEN];

	(void)state;
	assert_int_equal(uuid_v7(prev), 0);
	for (int i = 0; i < 10000; i++) {
		assert_int_equal(uuid_v7(id), 0);
		assert_true(memcmp(prev, id, UUID_LEN) < 0);
		memcpy(prev, id, UUID_LEN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse_round_trip),
		cmocka_unit_test(test_parse_fixed),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_version_variant),
		cmocka_unit_test(test_strictly_increasing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
