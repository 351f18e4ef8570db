/* test_record.c: the member rules refuse each bad value with a message naming field and rule, masking and enum names work, bodies attach to records, and validation frees everything when memory runs out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hearth.h"
#include "hearth.pb-c.h"

/* Fault injection as in test_merge.c: record.c and fieldmap.c are compiled
 * in with their allocations (including protobuf-c's, which record.c routes
 * through malloc) counted and made to fail at call number fail_at. */
static long fail_at = -1;
static long n_calls;
static long live;

static void *fault_malloc(size_t n)
{
	void *p;

	if (fail_at >= 0 && n_calls++ == fail_at)
		return NULL;
	p = malloc(n ? n : 1);
	if (p != NULL)
		live++;
	return p;
}

static void *fault_calloc(size_t n, size_t size)
{
	void *p;

	if (fail_at >= 0 && n_calls++ == fail_at)
		return NULL;
	p = calloc(n ? n : 1, size ? size : 1);
	if (p != NULL)
		live++;
	return p;
}

static void *fault_realloc(void *old, size_t n)
{
	void *p;

	if (fail_at >= 0 && n_calls++ == fail_at)
		return NULL;
	p = realloc(old, n ? n : 1);
	if (p != NULL && old == NULL)
		live++;
	return p;
}

static void fault_free(void *p)
{
	if (p != NULL)
		live--;
	free(p);
}

#define malloc fault_malloc
#define calloc fault_calloc
#define realloc fault_realloc
#define free fault_free
#include "../../common/fieldmap.c"
#include "../../common/record.c"
#undef malloc
#undef calloc
#undef realloc
#undef free

static Hearth__CareTag two_tags[] = { HEARTH__CARE_TAG__CARE_ELDERLY,
	                              HEARTH__CARE_TAG__CARE_LIVES_ALONE };

static void good_member(Hearth__Member *m)
{
	*m = (Hearth__Member)HEARTH__MEMBER__INIT;
	m->name = "张三";
	m->gender = HEARTH__GENDER__GENDER_MALE;
	m->ethnicity = "汉族";
	m->birth_date = "1949-12-31";
	m->id_card = "11010519491231002X";
	m->education = "大专";
	m->category = HEARTH__MEMBER_CATEGORY__CATEGORY_FULL;
	m->join_date = "1975-07-01";
	m->full_member_date = "1976-07-01";
	m->standing = HEARTH__STANDING__STANDING_NORMAL;
	m->phone = "+86 138-1234-5678";
	m->address = "幸福路1号";
	m->n_care_tags = 2;
	m->care_tags = two_tags;
	m->notes = "第一行\n第二行\t缩进";
}

static int validate(const Hearth__Member *m, record_error *err)
{
	uint8_t buf[8192];
	size_t n = hearth__member__get_packed_size(m);

	assert_true(n <= sizeof(buf));
	hearth__member__pack(m, buf);
	memset(err, 0, sizeof(*err));
	return record_validate_body(kind_find(HEARTH__KIND__KIND_MEMBER), buf, n, err);
}

enum mutation {
	M_NONE, M_NAME_EMPTY, M_NAME_LONG, M_NAME_NEWLINE, M_BIRTH_BAD, M_BIRTH_FORMAT,
	M_NOTES_UTF8, M_NOTES_ESC, M_NOTES_LONG, M_GENDER_7, M_TAGS_9, M_TAG_UNKNOWN,
	M_ETHNICITY_LONG, M_ID_SHORT, M_ID_LETTER, M_ID_CHECK, M_ID_LOWER_X, M_PHONE_LETTERS,
	M_PHONE_LONG, M_FULL_BEFORE_JOIN, M_JOIN_NOT_AFTER_BIRTH, M_DESTINATION_NOT_MOBILE,
	M_MINIMAL, M_STANDING_9, M_CATEGORY_BAD,
};

struct rule_case {
	enum mutation mut;
	const char *field;     /* NULL: must pass */
	const char *message;
};

static const struct rule_case cases[] = {
	{ M_NONE, NULL, NULL },
	{ M_MINIMAL, NULL, NULL },
	{ M_DESTINATION_NOT_MOBILE, NULL, NULL },
	{ M_NAME_EMPTY, "name", "name is required" },
	{ M_NAME_LONG, "name", "name is longer than 64 bytes (70)" },
	{ M_NAME_NEWLINE, "name", "name contains a line break or tab (only multi-line text may)" },
	{ M_BIRTH_BAD, "birth_date", "birth_date 2026-02-30 is not a date that exists (YYYY-MM-DD)" },
	{ M_BIRTH_FORMAT, "birth_date", "birth_date 1949-1-31 is not a date that exists (YYYY-MM-DD)" },
	{ M_NOTES_UTF8, "notes", "notes is not valid UTF-8" },
	{ M_NOTES_ESC, "notes", "notes contains a control character" },
	{ M_NOTES_LONG, "notes", "notes is longer than 2000 bytes (2001)" },
	{ M_GENDER_7, "gender", "gender: 7 is not a known value" },
	{ M_STANDING_9, "standing", "standing: 9 is not a known value" },
	{ M_CATEGORY_BAD, "category", "category: -1 is not a known value" },
	{ M_TAGS_9, "care_tags", "care_tags has more than 8 values (9)" },
	{ M_TAG_UNKNOWN, "care_tags", "care_tags: 5 is not a known value" },
	{ M_ETHNICITY_LONG, "ethnicity", "ethnicity is longer than 32 bytes (33)" },
	{ M_ID_SHORT, "id_card",
	  "id_card must be 18 characters: 17 digits and a check digit or X (got 17)" },
	{ M_ID_LETTER, "id_card", "id_card must be 17 digits followed by a digit or X (GB 11643)" },
	{ M_ID_LOWER_X, "id_card", "id_card must be 17 digits followed by a digit or X (GB 11643)" },
	{ M_ID_CHECK, "id_card", "id_card check digit is wrong (GB 11643); check the number for a typo" },
	{ M_PHONE_LETTERS, "phone", "phone may contain only digits, '+', '-' and spaces" },
	{ M_PHONE_LONG, "phone", "phone is longer than 20 bytes (21)" },
	{ M_FULL_BEFORE_JOIN, "full_member_date",
	  "full_member_date 2020-01-01 is before join_date 2021-05-01" },
	{ M_JOIN_NOT_AFTER_BIRTH, "join_date", "join_date 1949-12-31 is not after birth_date 1949-12-31" },
};

static void test_member_rules(void **state)
{
	static char long_notes[2002];
	Hearth__CareTag nine[9] = { 1, 2, 3, 4, 1, 2, 3, 4, 1 };
	Hearth__CareTag bad_tag[2] = { 1, 5 };
	record_error err;

	(void)state;
	memset(long_notes, 'x', 2001);
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(cases); i++) {
		Hearth__Member m;
		int rc;

		good_member(&m);
		switch (cases[i].mut) {
		case M_NONE: break;
		case M_MINIMAL:
			m = (Hearth__Member)HEARTH__MEMBER__INIT;
			m.name = "李";
			break;
		case M_DESTINATION_NOT_MOBILE: m.destination = "深圳"; m.mobile = 0; break;
		case M_NAME_EMPTY: m.name = ""; break;
		case M_NAME_LONG:
			m.name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
			break;
		case M_NAME_NEWLINE: m.name = "张\n三"; break;
		case M_BIRTH_BAD: m.birth_date = "2026-02-30"; break;
		case M_BIRTH_FORMAT: m.birth_date = "1949-1-31"; break;
		case M_NOTES_UTF8: m.notes = "ok\xc0\xaf"; break;
		case M_NOTES_ESC: m.notes = "red\x1b[31m"; break;
		case M_NOTES_LONG: m.notes = long_notes; break;
		case M_GENDER_7: m.gender = (Hearth__Gender)7; break;
		case M_STANDING_9: m.standing = (Hearth__Standing)9; break;
		case M_CATEGORY_BAD: m.category = (Hearth__MemberCategory)-1; break;
		case M_TAGS_9: m.n_care_tags = 9; m.care_tags = nine; break;
		case M_TAG_UNKNOWN: m.n_care_tags = 2; m.care_tags = bad_tag; break;
		case M_ETHNICITY_LONG: m.ethnicity = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; break;
		case M_ID_SHORT: m.id_card = "11010519491231002"; break;
		case M_ID_LETTER: m.id_card = "1101051949123100AX"; break;
		case M_ID_LOWER_X: m.id_card = "11010519491231002x"; break;
		case M_ID_CHECK: m.id_card = "110105194912310021"; break;
		case M_PHONE_LETTERS: m.phone = "138abc"; break;
		case M_PHONE_LONG: m.phone = "123456789012345678901"; break;
		case M_FULL_BEFORE_JOIN:
			m.join_date = "2021-05-01";
			m.full_member_date = "2020-01-01";
			break;
		case M_JOIN_NOT_AFTER_BIRTH:
			m.join_date = "1949-12-31";
			m.full_member_date = "";
			break;
		}
		rc = validate(&m, &err);
		if (cases[i].field == NULL) {
			if (rc != 0)
				fail_msg("case %zu refused: %s: %s", i, err.field, err.message);
			continue;
		}
		if (rc != HEARTH_EINVAL)
			fail_msg("case %zu (%s) accepted", i, cases[i].message);
		assert_string_equal(err.field, cases[i].field);
		assert_string_equal(err.message, cases[i].message);
	}
}

/* The same checks through record_validate_message, without packing. */
static void test_validate_message(void **state)
{
	Hearth__Member m;
	record_error err;
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);

	(void)state;
	good_member(&m);
	assert_int_equal(record_validate_message(k, &m.base, &err), 0);
	m.full_member_date = "1970-01-01";
	assert_int_equal(record_validate_message(k, &m.base, &err), HEARTH_EINVAL);
	assert_string_equal(err.field, "full_member_date");
	assert_int_equal(record_validate_message(k, &m.base, NULL), HEARTH_EINVAL);
}

static void test_raw_bodies(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	record_error err;
	/* name = "ab\0cd" */
	static const uint8_t nul[] = { 0x0a, 0x05, 'a', 'b', 0, 'c', 'd' };
	/* name = "a", plus field 99 = 7 from a newer client */
	static const uint8_t unknown[] = { 0x0a, 0x01, 'a', 0x98, 0x06, 0x07 };
	/* name sent as a varint */
	static const uint8_t wrong_type[] = { 0x08, 0x01 };
	static const uint8_t malformed[] = { 0x0a, 0x05, 'a' };

	(void)state;
	assert_int_equal(record_validate_body(k, unknown, sizeof(unknown), &err), 0);
	assert_int_equal(record_validate_body(k, nul, sizeof(nul), &err), HEARTH_EINVAL);
	assert_string_equal(err.message, "name contains a NUL character");
	assert_int_equal(record_validate_body(k, wrong_type, sizeof(wrong_type), &err),
	                 HEARTH_EINVAL);
	assert_string_equal(err.message, "the body does not decode as a 党员 (member)");
	assert_int_equal(record_validate_body(k, malformed, sizeof(malformed), &err),
	                 HEARTH_EINVAL);
	assert_string_equal(err.message, "the member body is not well-formed protobuf");
	assert_int_equal(record_validate_body(k, NULL, 0, &err), HEARTH_EINVAL);
	assert_string_equal(err.message, "name is required");
	assert_int_equal(record_validate_body(NULL, unknown, sizeof(unknown), &err), HEARTH_EINVAL);
}

static void test_id_card_check_digit(void **state)
{
	(void)state;
	assert_int_equal(id_card_check_char("11010519491231002X"), 'X');
	assert_int_equal(id_card_check_char("110101199001011237"), '7');
	assert_int_equal(id_card_check_char("110101199003074477"), '7');
	assert_int_equal(check_id_card("110101199003074477", NULL), 0);
	assert_int_equal(check_id_card("110101199003074478", NULL), HEARTH_EINVAL);
	assert_int_equal(check_id_card("", NULL), 0);
}

static void test_mask(void **state)
{
	char out[64];

	(void)state;
	record_mask("110101199001011234", out, sizeof(out));
	assert_string_equal(out, "110101********1234");
	record_mask("11010519491231002X", out, sizeof(out));
	assert_string_equal(out, "110105********002X");
	record_mask("13812345678", out, sizeof(out));
	assert_string_equal(out, "138****5678");
	record_mask("+86 138-1234-5678", out, sizeof(out));
	assert_string_equal(out, "+86**********5678");
	record_mask("欧阳娜娜娜", out, sizeof(out));
	assert_string_equal(out, "欧***娜");
	record_mask("幸福路1号", out, sizeof(out));
	assert_string_equal(out, "幸***号");
	record_mask("张三丰", out, sizeof(out));
	assert_string_equal(out, "***");
	record_mask("abcd", out, sizeof(out));
	assert_string_equal(out, "****");
	record_mask("abcde", out, sizeof(out));
	assert_string_equal(out, "a***e");
	record_mask("", out, sizeof(out));
	assert_string_equal(out, "");
	record_mask(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	record_mask("a\xffz\xfe" "b", out, sizeof(out));
	assert_string_equal(out, "*****");
	/* A small buffer truncates, never inside a character. */
	record_mask("110101199001011234", out, 5);
	assert_string_equal(out, "1101");
	record_mask("欧阳娜娜娜", out, 3);
	assert_string_equal(out, "");
	record_mask("欧阳娜娜娜", out, 6);
	assert_string_equal(out, "欧**");
}

static void test_enum_parse_and_label(void **state)
{
	static const struct {
		const ProtobufCEnumDescriptor *d;
		const char *text;
		int want;   /* -100: refused */
	} words[] = {
		{ &hearth__gender__descriptor, "male", 1 },
		{ &hearth__gender__descriptor, "MALE", 1 },
		{ &hearth__gender__descriptor, "GENDER_MALE", 1 },
		{ &hearth__gender__descriptor, "gender_female", 2 },
		{ &hearth__gender__descriptor, "2", 2 },
		{ &hearth__gender__descriptor, "男", 1 },
		{ &hearth__gender__descriptor, "女", 2 },
		{ &hearth__gender__descriptor, "", 0 },
		{ &hearth__gender__descriptor, "unspecified", -100 },
		{ &hearth__gender__descriptor, "GENDER_UNSPECIFIED", -100 },
		{ &hearth__gender__descriptor, "0", -100 },
		{ &hearth__gender__descriptor, "7", -100 },
		{ &hearth__gender__descriptor, "1x", -100 },
		{ &hearth__gender__descriptor, "-1", -100 },
		{ &hearth__gender__descriptor, "mal", -100 },
		{ &hearth__gender__descriptor, "正式", -100 },
		{ &hearth__member_category__descriptor, "full", 1 },
		{ &hearth__member_category__descriptor, "probationary", 2 },
		{ &hearth__member_category__descriptor, "正式", 1 },
		{ &hearth__member_category__descriptor, "预备", 2 },
		{ &hearth__member_category__descriptor, "预备党员", 2 },
		{ &hearth__care_tag__descriptor, "lives_alone", 2 },
		{ &hearth__care_tag__descriptor, "lives-alone", 2 },
		{ &hearth__care_tag__descriptor, "Lives-Alone", 2 },
		{ &hearth__care_tag__descriptor, "高龄", 1 },
		{ &hearth__care_tag__descriptor, "disabled", 4 },
		{ &hearth__standing__descriptor, "停止党籍", 2 },
		{ &hearth__standing__descriptor, "left", 4 },
		{ &hearth__kind__descriptor, "党员", 1 },
		{ &hearth__kind__descriptor, "member", 1 },
		{ &hearth__kind__descriptor, "KIND_DUES", 9 },
		{ &hearth__role__descriptor, "admin", 2 },
		{ &hearth__error_code__descriptor, "none", 0 },
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(words); i++) {
		int v = -42, rc = enum_parse(words[i].d, words[i].text, &v);

		if (words[i].want == -100) {
			if (rc != HEARTH_EINVAL)
				fail_msg("%s: accepted as %d", words[i].text, v);
		} else if (rc != 0 || v != words[i].want) {
			fail_msg("%s: rc %d value %d, want %d", words[i].text, rc, v, words[i].want);
		}
	}
	assert_int_equal(enum_parse(NULL, "male", &(int){ 0 }), HEARTH_EINVAL);
	assert_int_equal(enum_parse(&hearth__gender__descriptor, NULL, &(int){ 0 }), HEARTH_EINVAL);

	assert_string_equal(enum_label(&hearth__gender__descriptor, 1), "男");
	assert_string_equal(enum_label(&hearth__member_category__descriptor, 2), "预备党员");
	assert_string_equal(enum_label(&hearth__care_tag__descriptor, 2), "独居");
	assert_string_equal(enum_label(&hearth__kind__descriptor, 1), "党员");
	assert_string_equal(enum_label(&hearth__role__descriptor, 2), "ADMIN");
	assert_string_equal(enum_label(&hearth__gender__descriptor, 9), "?");

	enum_short_name(&hearth__care_tag__descriptor, 2, out, sizeof(out));
	assert_string_equal(out, "lives_alone");
	enum_short_name(&hearth__member_category__descriptor, 1, out, sizeof(out));
	assert_string_equal(out, "full");
	enum_short_name(&hearth__gender__descriptor, 9, out, sizeof(out));
	assert_string_equal(out, "9");
	enum_short_name(&hearth__care_tag__descriptor, 2, out, 5);
	assert_string_equal(out, "live");
}

/* Guards the table itself: every body field of every kind has a rule with
 * a Chinese label, and the lookups agree with each other. */
static void test_kind_table(void **state)
{
	(void)state;
	assert_true(kind_count() >= 1);
	assert_null(kind_at(kind_count()));
	for (size_t i = 0; i < kind_count(); i++) {
		const kind_info *k = kind_at(i);
		const ProtobufCFieldDescriptor *fd;

		assert_ptr_equal(kind_find(k->kind), k);
		assert_ptr_equal(kind_by_name(k->name), k);
		assert_ptr_equal(kind_by_name(k->label), k);
		assert_ptr_equal(kind_by_record_field(k->record_field), k);
		fd = protobuf_c_message_descriptor_get_field(&hearth__record__descriptor,
		                                             k->record_field);
		assert_non_null(fd);
		assert_ptr_equal(fd->descriptor, k->desc);
		assert_string_equal(enum_label(&hearth__kind__descriptor, (int)k->kind), k->label);
		assert_int_equal(k->n_rules, k->desc->n_fields);
		for (unsigned f = 0; f < k->desc->n_fields; f++) {
			const field_rule *r = kind_rule(k, k->desc->fields[f].id);

			assert_non_null(r);
			assert_non_null(r->label);
			assert_true(strlen(r->label) > 0);
		}
	}
	assert_ptr_equal(kind_by_name("MEMBER"), kind_find(HEARTH__KIND__KIND_MEMBER));
	assert_null(kind_by_name("nosuch"));
	assert_null(kind_find(HEARTH__KIND__KIND_UNSPECIFIED));
	assert_null(kind_by_record_field(1));
	assert_string_equal(kind_rule(kind_find(HEARTH__KIND__KIND_MEMBER), 16)->label, "关怀标签");
	assert_null(kind_rule(kind_find(HEARTH__KIND__KIND_MEMBER), 99));
}

static void test_set_and_pack_body(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	Hearth__Record r = HEARTH__RECORD__INIT, *back;
	Hearth__Member m;
	uint8_t buf[1024], *out = NULL, *whole;
	size_t len, out_len, whole_len;
	const Hearth__Member *body;

	(void)state;
	good_member(&m);
	len = hearth__member__pack(&m, buf);

	assert_null(record_body(&r));
	assert_int_equal(record_pack_body(&r, &out, &out_len), HEARTH_EINVAL);
	assert_int_equal(out_len, 0);
	assert_null(out);

	assert_int_equal(record_set_body(&r, k, buf, len), 0);
	assert_int_equal(r.kind, HEARTH__KIND__KIND_MEMBER);
	assert_int_equal(r.body_case, HEARTH__RECORD__BODY_MEMBER);
	body = (const Hearth__Member *)record_body(&r);
	assert_ptr_equal(body, r.member);
	assert_string_equal(body->name, "张三");
	assert_int_equal(record_pack_body(&r, &out, &out_len), 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, buf, len);
	free(out);

	/* A malformed body leaves the record as it was. */
	assert_int_equal(record_set_body(&r, k, (const uint8_t *)"\x0a\x05", 2), HEARTH_EINVAL);
	assert_ptr_equal(record_body(&r), body);
	/* Replacing frees the old body (LeakSanitizer checks). */
	assert_int_equal(record_set_body(&r, k, NULL, 0), 0);
	assert_int_equal(record_pack_body(&r, &out, &out_len), 0);
	assert_int_equal(out_len, 0);
	assert_int_equal(record_set_body(&r, k, buf, len), 0);

	/* The kind must match the body. */
	r.kind = HEARTH__KIND__KIND_HARDSHIP;
	assert_int_equal(record_pack_body(&r, &out, &out_len), HEARTH_EINVAL);
	r.kind = HEARTH__KIND__KIND_MEMBER;

	/* Whole records carry the body through pack/unpack and free whole. */
	whole_len = hearth__record__get_packed_size(&r);
	whole = malloc(whole_len);
	assert_non_null(whole);
	hearth__record__pack(&r, whole);
	back = hearth__record__unpack(NULL, whole_len, whole);
	assert_non_null(back);
	assert_string_equal(((const Hearth__Member *)record_body(back))->name, "张三");
	assert_int_equal(record_set_body(back, k, buf, len), 0);
	hearth__record__free_unpacked(back, NULL);
	free(whole);

	record_clear_body(&r);
	assert_int_equal(r.body_case, HEARTH__RECORD__BODY__NOT_SET);
	assert_null(r.member);
	record_clear_body(&r);
}

/* Each allocation validate_body and set_body make fails in turn; each
 * failure is HEARTH_ENOMEM (never "invalid") and leaves nothing behind. */
static void test_allocation_failures(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	Hearth__Member m;
	Hearth__Record r = HEARTH__RECORD__INIT;
	uint8_t buf[1024];
	size_t len;
	record_error err;
	long points = 0;
	int rc;

	(void)state;
	good_member(&m);
	len = hearth__member__pack(&m, buf);
	buf[len++] = 0x98;   /* field 99 = 7: an unknown field is copied too */
	buf[len++] = 0x06;
	buf[len++] = 0x07;

	for (fail_at = 0;; fail_at++) {
		n_calls = 0;
		live = 0;
		rc = record_validate_body(k, buf, len, &err);
		assert_int_equal(live, 0);
		if (rc == 0)
			break;
		assert_int_equal(rc, HEARTH_ENOMEM);
		points++;
	}
	assert_true(points > 5);

	for (fail_at = 0;; fail_at++) {
		n_calls = 0;
		live = 0;
		rc = record_set_body(&r, k, buf, len);
		if (rc == 0)
			break;
		assert_int_equal(rc, HEARTH_ENOMEM);
		assert_null(record_body(&r));
		assert_int_equal(live, 0);
	}
	fail_at = -1;
	record_clear_body(&r);
	assert_int_equal(live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_rules),
		cmocka_unit_test(test_validate_message),
		cmocka_unit_test(test_raw_bodies),
		cmocka_unit_test(test_id_card_check_digit),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_enum_parse_and_label),
		cmocka_unit_test(test_kind_table),
		cmocka_unit_test(test_set_and_pack_body),
		cmocka_unit_test(test_allocation_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
