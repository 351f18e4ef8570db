/* test_record.c: the member rules refuse each bad value with a message naming field and rule, masking and enum names work, bodies attach to records, and validation frees everything when memory runs out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "proto/hearth.pb-c.h"

/* Fault injection as in test_merge.c: record.c and fieldmap.c are compiled
 * in with their allocations (including protobuf-c's, which record.c routes
 * through malloc) counted and made to fail at call number fail_at. */
#include "fault_alloc.h"

#define malloc fault_malloc
#define calloc fault_calloc
#define realloc fault_realloc
#define free fault_free
#include "common/fieldmap.c"
#include "common/record.c"
#include "common/kinds.c"
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
	{ M_NAME_LONG, "name", "name is longer than 64 characters (70)" },
	{ M_NAME_NEWLINE, "name", "name contains a line break or tab (only multi-line text may)" },
	{ M_BIRTH_BAD, "birth_date", "birth_date 2026-02-30 is not a date that exists (YYYY-MM-DD)" },
	{ M_BIRTH_FORMAT, "birth_date", "birth_date 1949-1-31 is not a date that exists (YYYY-MM-DD)" },
	{ M_NOTES_UTF8, "notes", "notes is not valid UTF-8" },
	{ M_NOTES_ESC, "notes", "notes contains a control character" },
	{ M_NOTES_LONG, "notes", "notes is longer than 2000 characters (2001)" },
	{ M_GENDER_7, "gender", "gender: 7 is not a known value" },
	{ M_STANDING_9, "standing", "standing: 9 is not a known value" },
	{ M_CATEGORY_BAD, "category", "category: -1 is not a known value" },
	{ M_TAGS_9, "care_tags", "care_tags has more than 8 values (9)" },
	{ M_TAG_UNKNOWN, "care_tags", "care_tags: 5 is not a known value" },
	{ M_ETHNICITY_LONG, "ethnicity", "ethnicity is longer than 32 characters (33)" },
	{ M_ID_SHORT, "id_card",
	  "id_card must be 18 characters: 17 digits and a check digit or X (got 17)" },
	{ M_ID_LETTER, "id_card", "id_card must be 17 digits followed by a digit or X (GB 11643)" },
	{ M_ID_LOWER_X, "id_card", "id_card must be 17 digits followed by a digit or X (GB 11643)" },
	{ M_ID_CHECK, "id_card", "id_card check digit is wrong (GB 11643); check the number for a typo" },
	{ M_PHONE_LETTERS, "phone", "phone may contain only digits, '+', '-' and spaces" },
	{ M_PHONE_LONG, "phone", "phone is longer than 20 characters (21)" },
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
	assert_string_equal(out, "1****************4");
	record_mask("11010519491231002X", out, sizeof(out));
	assert_string_equal(out, "1****************X");
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
	assert_string_equal(out, "1***");
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
		/* Every body field has its own rule, except the attachments
		 * (issue 18), whose one rule all kinds share. */
		assert_int_equal(k->n_rules + 1, k->desc->n_fields);
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

/* ------------------------------------------- care and assistance kinds */

static uint8_t mid1[16] = { 0x01, 0x90, 0xab, 0xcd, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 1 };
static uint8_t mid2[16] = { 0x01, 0x90, 0xab, 0xcd, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 2 };
#define MID1_TEXT "0190abcd-0000-7000-8000-000000000001"

/* One good body of every kind; each case changes one thing. */
struct bodies {
	Hearth__Hardship hardship;
	Hearth__Visit visit;
	Hearth__Talk talk;
	Hearth__Pairing pairing;
	Hearth__Honor honor;
	Hearth__Activity activity;
	Hearth__Disclosure disclosure;
	Hearth__Dues dues;
	Hearth__Transfer transfer;
	ProtobufCBinaryData ids[3];
	Hearth__HardshipType types[2];
	char *visitors[1];
	Hearth__ProgressNote note, *notes[1];
};

static void good_bodies(struct bodies *b)
{
	memset(b, 0, sizeof(*b));
	b->ids[0] = (ProtobufCBinaryData){ 16, mid1 };
	b->ids[1] = (ProtobufCBinaryData){ 16, mid2 };
	b->ids[2] = (ProtobufCBinaryData){ 16, mid1 };
	b->types[0] = HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ILL;
	b->types[1] = HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ALONE;
	b->visitors[0] = "李书记";

	b->hardship = (Hearth__Hardship)HEARTH__HARDSHIP__INIT;
	b->hardship.member = b->ids[0];
	b->hardship.n_types = 2;
	b->hardship.types = b->types;
	b->hardship.income = 120000;
	b->hardship.health = "慢性病";
	b->hardship.certified_at = "2026-01-05";
	b->hardship.year = 2026;
	b->hardship.status = HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED;

	b->visit = (Hearth__Visit)HEARTH__VISIT__INIT;
	b->visit.n_members = 2;
	b->visit.members = b->ids;
	b->visit.occasion = HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL;
	b->visit.date = "2026-02-10";
	b->visit.n_visitors = 1;
	b->visit.visitors = b->visitors;
	b->visit.cash = 50000;
	b->visit.goods = "米、油";
	b->visit.goods_value = 20000;
	b->visit.fund_source = HEARTH__FUND_SOURCE__FUND_SOURCE_DUES;
	b->visit.status = HEARTH__VISIT_STATUS__VISIT_STATUS_DONE;

	b->talk = (Hearth__Talk)HEARTH__TALK__INIT;
	b->talk.form = HEARTH__TALK_FORM__TALK_FORM_INDIVIDUAL;
	b->talk.trigger = HEARTH__TALK_TRIGGER__TALK_TRIGGER_HARDSHIP;
	b->talk.talker = "李书记";
	b->talk.n_members = 1;
	b->talk.members = b->ids;
	b->talk.date = "2026-03-01";
	b->talk.topic = "生活情况";
	b->talk.content = "谈了家里的困难\n表示感谢组织";

	b->note = (Hearth__ProgressNote)HEARTH__PROGRESS_NOTE__INIT;
	b->note.date = "2026-03-15";
	b->note.note = "上门送药";
	b->notes[0] = &b->note;
	b->pairing = (Hearth__Pairing)HEARTH__PAIRING__INIT;
	b->pairing.mode = HEARTH__PAIRING_MODE__PAIRING_MODE_MEMBER;
	b->pairing.helper = "王五";
	b->pairing.member = b->ids[0];
	b->pairing.start_date = "2026-03-01";
	b->pairing.n_notes = 1;
	b->pairing.notes = b->notes;
	b->pairing.status = HEARTH__PAIRING_STATUS__PAIRING_STATUS_ACTIVE;

	b->honor = (Hearth__Honor)HEARTH__HONOR__INIT;
	b->honor.year = 2025;
	b->honor.title = HEARTH__HONOR_TITLE__HONOR_TITLE_EXCELLENT_MEMBER;
	b->honor.member = b->ids[0];
	b->honor.award = 100000;
	b->honor.status = HEARTH__HONOR_STATUS__HONOR_STATUS_AWARDED;

	b->activity = (Hearth__Activity)HEARTH__ACTIVITY__INIT;
	b->activity.type = HEARTH__ACTIVITY_TYPE__ACTIVITY_TYPE_ORG_DAY;
	b->activity.date = "2026-04-15";
	b->activity.title = "学习党章";
	b->activity.n_members = 2;
	b->activity.members = b->ids;
	b->activity.participant_count = 12;

	b->disclosure = (Hearth__Disclosure)HEARTH__DISCLOSURE__INIT;
	b->disclosure.category = HEARTH__DISCLOSURE_CATEGORY__DISCLOSURE_CATEGORY_DUES_COLLECTION;
	b->disclosure.title = "一季度党费收缴情况";
	b->disclosure.content = "应缴 12 人，实缴 12 人。";
	b->disclosure.from_date = "2026-04-01";
	b->disclosure.to_date = "2026-04-30";

	b->dues = (Hearth__Dues)HEARTH__DUES__INIT;
	b->dues.member = b->ids[0];
	b->dues.month = "2026-03";
	b->dues.base_income = 500000;
	b->dues.rate = 50;
	b->dues.due = 2500;
	b->dues.paid = 2500;
	b->dues.paid_date = "2026-03-20";
	b->dues.status = HEARTH__DUES_STATUS__DUES_STATUS_PAID;

	b->transfer = (Hearth__Transfer)HEARTH__TRANSFER__INIT;
	b->transfer.member = b->ids[0];
	b->transfer.from_branch = "b001";
	b->transfer.to_branch = "b002";
	b->transfer.issued_date = "2026-05-01";
	b->transfer.valid_until = "2026-07-31";
	b->transfer.status = HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_PENDING;
}

#define MUT(name, ...) \
	static void name(struct bodies *b) { __VA_ARGS__; }

MUT(m_none, (void)b)
MUT(h_no_member, b->hardship.member.len = 0)
MUT(h_short_id, b->hardship.member.len = 8)
MUT(h_no_types, b->hardship.n_types = 0)
MUT(h_dup_type, b->types[1] = b->types[0])
MUT(h_no_status, b->hardship.status = 0)
MUT(h_income_neg, b->hardship.income = -1)
MUT(h_year, b->hardship.year = 1800)
MUT(h_closed_no_date, b->hardship.status = HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED)
MUT(h_open_with_date, b->hardship.closed_date = "2026-05-01")
MUT(h_closed_before, b->hardship.status = HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REMOVED;
    b->hardship.closed_date = "2025-12-31")
MUT(v_no_members, b->visit.n_members = 0)
MUT(v_dup_member, b->visit.n_members = 3)
MUT(v_bad_date, b->visit.date = "2026-02-30")
MUT(v_no_fund, b->visit.fund_source = 0)
MUT(v_no_goods, b->visit.goods = "")
MUT(v_cash_neg, b->visit.cash = -100)
MUT(v_occasion, b->visit.occasion = 42)
MUT(t_two_individual, b->talk.n_members = 2)
MUT(t_group_ok, b->talk.n_members = 2; b->talk.form = HEARTH__TALK_FORM__TALK_FORM_GROUP)
MUT(t_no_topic, b->talk.topic = "")
MUT(t_no_date, b->talk.date = "")
MUT(p_end_before, b->pairing.end_date = "2026-02-01")
MUT(p_note_no_date, b->note.date = "")
MUT(p_note_bad_date, b->note.date = "2026-13-01")
MUT(p_note_empty, b->note.note = "")
MUT(p_note_early, b->note.date = "2026-02-28")
MUT(p_closed_no_end, b->pairing.status = HEARTH__PAIRING_STATUS__PAIRING_STATUS_CLOSED;
    b->pairing.outcome = HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_IMPROVED)
MUT(p_closed_no_outcome, b->pairing.status = HEARTH__PAIRING_STATUS__PAIRING_STATUS_CLOSED;
    b->pairing.end_date = "2026-12-31")
MUT(p_outcome_open, b->pairing.outcome = HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_RESOLVED)
MUT(p_closed_ok, b->pairing.status = HEARTH__PAIRING_STATUS__PAIRING_STATUS_CLOSED;
    b->pairing.end_date = "2026-12-31";
    b->pairing.outcome = HEARTH__PAIRING_OUTCOME__PAIRING_OUTCOME_RESOLVED)
MUT(o_year, b->honor.year = 0)
MUT(o_year_range, b->honor.year = 1900)
MUT(o_both, b->honor.recipient_branch = "b001")
MUT(o_org_no_branch, b->honor.title = HEARTH__HONOR_TITLE__HONOR_TITLE_ADVANCED_ORG;
    b->honor.member.len = 0)
MUT(o_org_ok, b->honor.title = HEARTH__HONOR_TITLE__HONOR_TITLE_ADVANCED_ORG;
    b->honor.member.len = 0; b->honor.recipient_branch = "b001")
MUT(o_member_title, b->honor.member.len = 0; b->honor.recipient_branch = "b001")
MUT(o_other_no_name, b->honor.title = HEARTH__HONOR_TITLE__HONOR_TITLE_OTHER)
MUT(o_nobody, b->honor.title = HEARTH__HONOR_TITLE__HONOR_TITLE_INNOVATION;
    b->honor.member.len = 0)
MUT(o_bad_branch, b->honor.title = HEARTH__HONOR_TITLE__HONOR_TITLE_ADVANCED_ORG;
    b->honor.member.len = 0; b->honor.recipient_branch = "b 1")
MUT(o_award_neg, b->honor.award = -5)
MUT(a_count_low, b->activity.participant_count = 1)
MUT(a_count_neg, b->activity.participant_count = -3)
MUT(a_no_title, b->activity.title = "")
MUT(a_dup, b->activity.n_members = 3)
MUT(d_to_before, b->disclosure.to_date = "2026-03-31")
MUT(d_no_content, b->disclosure.content = "")
MUT(u_bad_month, b->dues.month = "2026-13")
MUT(u_day_month, b->dues.month = "2026-03-01")
MUT(u_due_wrong, b->dues.due = 2400; b->dues.paid = 2400)
MUT(u_rate_range, b->dues.rate = 20000)
/* With a dues group the official table decides (common/dues_rate.h). */
#define EMPLOYED_5000 b->dues.dues_group = HEARTH__DUES_GROUP__DUES_GROUP_EMPLOYED
MUT(u_group_ok, EMPLOYED_5000; b->dues.rate = 100; b->dues.due = 5000; b->dues.paid = 5000)
MUT(u_group_due_wrong, EMPLOYED_5000; b->dues.rate = 0)
MUT(u_group_reason_ok, EMPLOYED_5000; b->dues.rate = 0; b->dues.due_reason = "收入核定有误")
MUT(u_group_rate_wrong, EMPLOYED_5000)
MUT(u_group_no_income, b->dues.dues_group = HEARTH__DUES_GROUP__DUES_GROUP_RETIRED;
    b->dues.base_income = 0; b->dues.rate = 0)
MUT(u_student_ok, b->dues.dues_group = HEARTH__DUES_GROUP__DUES_GROUP_STUDENT; b->dues.base_income = 0;
    b->dues.rate = 0; b->dues.due = 20; b->dues.paid = 20)
MUT(u_farmer_high, b->dues.dues_group = HEARTH__DUES_GROUP__DUES_GROUP_FARMER; b->dues.base_income = 0;
    b->dues.rate = 0; b->dues.due = 200; b->dues.paid = 200)
MUT(u_relief_half, EMPLOYED_5000; b->dues.rate = 0; b->dues.relief_decision = "支委会决定")
MUT(u_relief_ok, EMPLOYED_5000; b->dues.rate = 0; b->dues.due = 0; b->dues.paid = 0;
    b->dues.paid_date = ""; b->dues.status = HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT;
    b->dues.relief_decision = "支委会决定"; b->dues.relief_approval = "党委批准")
MUT(u_rate_missing, b->dues.rate = 0)
MUT(u_base_missing, b->dues.base_income = 0)
MUT(u_fixed_ok, b->dues.base_income = 0; b->dues.rate = 0; b->dues.due = 20; b->dues.paid = 20)
MUT(u_rounding, b->dues.base_income = 333333; b->dues.rate = 50; b->dues.due = 1667;
    b->dues.paid = 1667)
MUT(u_paid_short, b->dues.paid = 2000)
MUT(u_paid_more_ok, b->dues.paid = 10000)
MUT(u_paid_no_date, b->dues.paid_date = "")
MUT(u_unpaid_paid, b->dues.status = HEARTH__DUES_STATUS__DUES_STATUS_UNPAID)
MUT(u_exempt_paid, b->dues.status = HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT)
MUT(u_partial_full, b->dues.status = HEARTH__DUES_STATUS__DUES_STATUS_PARTIAL)
MUT(u_partial_zero, b->dues.status = HEARTH__DUES_STATUS__DUES_STATUS_PARTIAL; b->dues.paid = 0;
    b->dues.paid_date = "")
MUT(u_date_no_paid, b->dues.status = HEARTH__DUES_STATUS__DUES_STATUS_UNPAID; b->dues.paid = 0)
MUT(u_negative, b->dues.paid = -1)
MUT(x_same, b->transfer.to_branch = "b001")
MUT(x_bad_branch, b->transfer.to_branch = "b/002")
MUT(x_until_before, b->transfer.valid_until = "2026-04-30")
MUT(x_acc_no_date, b->transfer.status = HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED)
MUT(x_acc_expired, b->transfer.status = HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED;
    b->transfer.accepted_date = "2026-08-01")
MUT(x_acc_early, b->transfer.status = HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED;
    b->transfer.accepted_date = "2026-04-01")
MUT(x_acc_ok, b->transfer.status = HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED;
    b->transfer.accepted_date = "2026-07-31")
MUT(x_date_pending, b->transfer.accepted_date = "2026-06-01")
MUT(x_returned, b->transfer.status = HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_RETURNED)
MUT(x_no_to, b->transfer.to_branch = "")

struct kind_case {
	Hearth__Kind kind;
	void (*mut)(struct bodies *b);
	const char *field;     /* NULL: must pass */
	const char *message;
};

#define HS HEARTH__KIND__KIND_HARDSHIP
#define VI HEARTH__KIND__KIND_VISIT
#define TK HEARTH__KIND__KIND_TALK
#define PA HEARTH__KIND__KIND_PAIRING
#define HO HEARTH__KIND__KIND_HONOR
#define AC HEARTH__KIND__KIND_ACTIVITY
#define DI HEARTH__KIND__KIND_DISCLOSURE
#define DU HEARTH__KIND__KIND_DUES
#define TR HEARTH__KIND__KIND_TRANSFER

static const struct kind_case kind_cases[] = {
	{ HS, m_none, NULL, NULL },
	{ HS, h_no_member, "member", "member is required" },
	{ HS, h_short_id, "member", "member must be a 16-byte record id (got 8 bytes)" },
	{ HS, h_no_types, "types", "types is required" },
	{ HS, h_dup_type, "types", "types lists 患病 twice" },
	{ HS, h_no_status, "status", "status is required" },
	{ HS, h_income_neg, "income", "income is negative (-1 fen); money must be 0 or more" },
	{ HS, h_year, "year", "year 1800 is not a year from 1921 to 2199" },
	{ HS, h_closed_no_date, "closed_date", "closed_date is required when status is 脱困" },
	{ HS, h_open_with_date, "closed_date", "closed_date is only for status 脱困 or 移出" },
	{ HS, h_closed_before, "closed_date", "closed_date 2025-12-31 is before certified_at 2026-01-05" },
	{ VI, m_none, NULL, NULL },
	{ VI, v_no_members, "members", "members is required" },
	{ VI, v_dup_member, "members", "members lists " MID1_TEXT " twice" },
	{ VI, v_bad_date, "date", "date 2026-02-30 is not a date that exists (YYYY-MM-DD)" },
	{ VI, v_no_fund, "fund_source", "fund_source is required when cash or goods_value is given" },
	{ VI, v_no_goods, "goods", "goods is required when goods_value is given" },
	{ VI, v_cash_neg, "cash", "cash is negative (-100 fen); money must be 0 or more" },
	{ VI, v_occasion, "occasion", "occasion: 42 is not a known value" },
	{ TK, m_none, NULL, NULL },
	{ TK, t_group_ok, NULL, NULL },
	{ TK, t_two_individual, "members",
	  "members: an individual talk (个别谈话) is with one member (got 2)" },
	{ TK, t_no_topic, "topic", "topic is required" },
	{ TK, t_no_date, "date", "date is required" },
	{ PA, m_none, NULL, NULL },
	{ PA, p_closed_ok, NULL, NULL },
	{ PA, p_end_before, "end_date", "end_date 2026-02-01 is before start_date 2026-03-01" },
	{ PA, p_note_no_date, "notes", "notes[1].date is required" },
	{ PA, p_note_bad_date, "notes", "notes[1].date 2026-13-01 is not a date that exists (YYYY-MM-DD)" },
	{ PA, p_note_empty, "notes", "notes[1].note is required" },
	{ PA, p_note_early, "notes", "notes[1].date 2026-02-28 is before start_date 2026-03-01" },
	{ PA, p_closed_no_end, "end_date", "end_date is required when status is 已结束" },
	{ PA, p_closed_no_outcome, "outcome", "outcome is required when status is 已结束" },
	{ PA, p_outcome_open, "outcome", "outcome is only for a closed pairing (status 已结束)" },
	{ HO, m_none, NULL, NULL },
	{ HO, o_org_ok, NULL, NULL },
	{ HO, o_year, "year", "year is required" },
	{ HO, o_year_range, "year", "year 1900 is not a year from 1921 to 2199" },
	{ HO, o_both, "recipient_branch",
	  "an honor goes to a member or to a branch, not both (member and recipient_branch are both "
	  "set)" },
	{ HO, o_org_no_branch, "recipient_branch", "recipient_branch is required for 先进基层党组织" },
	{ HO, o_member_title, "member", "member is required for 优秀共产党员" },
	{ HO, o_other_no_name, "title_other", "title_other is required when title is 其他" },
	{ HO, o_nobody, "member", "member or recipient_branch is required" },
	{ HO, o_bad_branch, "recipient_branch",
	  "recipient_branch \"b 1\" is not a branch id (letters, digits, '-', '_', '.')" },
	{ HO, o_award_neg, "award", "award is negative (-5 fen); money must be 0 or more" },
	{ AC, m_none, NULL, NULL },
	{ AC, a_count_low, "participant_count", "participant_count 1 is less than the 2 members listed" },
	{ AC, a_count_neg, "participant_count", "participant_count is negative (-3)" },
	{ AC, a_no_title, "title", "title is required" },
	{ AC, a_dup, "members", "members lists " MID1_TEXT " twice" },
	{ DI, m_none, NULL, NULL },
	{ DI, d_to_before, "to_date", "to_date 2026-03-31 is before from_date 2026-04-01" },
	{ DI, d_no_content, "content", "content is required" },
	{ DU, m_none, NULL, NULL },
	{ DU, u_fixed_ok, NULL, NULL },
	{ DU, u_rounding, NULL, NULL },
	{ DU, u_paid_more_ok, NULL, NULL },
	{ DU, u_bad_month, "month", "month 2026-13 is not a month (YYYY-MM)" },
	{ DU, u_day_month, "month", "month 2026-03-01 is not a month (YYYY-MM)" },
	{ DU, u_due_wrong, "due",
	  "due 24.00 yuan differs from the 25.00 yuan the rules give (base_income x rate: 5000.00 yuan x 0.5%); give the reason in due_reason (调整原因) to override" },
	{ DU, u_group_ok, NULL, NULL },
	{ DU, u_group_reason_ok, NULL, NULL },
	{ DU, u_student_ok, NULL, NULL },
	{ DU, u_relief_ok, NULL, NULL },
	{ DU, u_group_due_wrong, "due",
	  "due 25.00 yuan differs from the 50.00 yuan the rules give (在职, 5000.00 yuan x 1%); give the reason in due_reason (调整原因) to override" },
	{ DU, u_group_rate_wrong, "rate",
	  "rate 0.5% is not the 1% the table gives for 在职 on 5000.00 yuan; give the reason in due_reason (调整原因) to depart from it" },
	{ DU, u_group_no_income, "base_income",
	  "base_income (计算基数) is required for dues group 离退休: its rate depends on the monthly income" },
	{ DU, u_farmer_high, "due",
	  "due 2.00 yuan is outside the 0.20 yuan to 1.00 yuan a farmer (农民) pays a month; give the reason in due_reason (调整原因) to override" },
	{ DU, u_relief_half, "relief_approval",
	  "relief_approval (党委批准) is required with relief_decision (支部决定): lower dues need the committee's approval" },
	{ DU, u_rate_range, "rate", "rate 20000 is not between 0 and 10000 basis points (0% to 100%)" },
	{ DU, u_rate_missing, "rate", "rate is required when base_income is given" },
	{ DU, u_base_missing, "base_income", "base_income is required when rate is given" },
	{ DU, u_paid_short, "paid", "paid 2000 fen is less than due 2500 fen; use status 部分缴纳" },
	{ DU, u_paid_no_date, "paid_date", "paid_date is required when paid is given" },
	{ DU, u_unpaid_paid, "paid", "paid must be 0 when status is 未缴 (got 2500 fen)" },
	{ DU, u_exempt_paid, "paid", "paid must be 0 when status is 免缴 (got 2500 fen)" },
	{ DU, u_partial_full, "paid",
	  "paid 2500 fen is not less than due 2500 fen; status 部分缴纳 means part of it" },
	{ DU, u_partial_zero, "paid", "paid is required when status is 部分缴纳" },
	{ DU, u_date_no_paid, "paid", "paid is required when paid_date is given" },
	{ DU, u_negative, "paid", "paid is negative (-1 fen); money must be 0 or more" },
	{ TR, m_none, NULL, NULL },
	{ TR, x_acc_ok, NULL, NULL },
	{ TR, x_same, "to_branch", "to_branch b001 is the same as from_branch" },
	{ TR, x_no_to, "to_branch", "to_branch is required" },
	{ TR, x_bad_branch, "to_branch",
	  "to_branch \"b/002\" is not a branch id (letters, digits, '-', '_', '.')" },
	{ TR, x_until_before, "valid_until", "valid_until 2026-04-30 is before issued_date 2026-05-01" },
	{ TR, x_acc_no_date, "accepted_date", "accepted_date is required when status is 已接收" },
	{ TR, x_acc_expired, "accepted_date",
	  "accepted_date 2026-08-01 is after valid_until 2026-07-31: the letter had expired; issue a "
	  "new one" },
	{ TR, x_acc_early, "accepted_date", "accepted_date 2026-04-01 is before issued_date 2026-05-01" },
	{ TR, x_date_pending, "accepted_date", "accepted_date is only for status 已接收" },
	{ TR, x_returned, "return_reason", "return_reason is required when status is 已退回" },
};

static const ProtobufCMessage *body_of(struct bodies *b, Hearth__Kind kind)
{
	switch (kind) {
	case HS: return &b->hardship.base;
	case VI: return &b->visit.base;
	case TK: return &b->talk.base;
	case PA: return &b->pairing.base;
	case HO: return &b->honor.base;
	case AC: return &b->activity.base;
	case DI: return &b->disclosure.base;
	case DU: return &b->dues.base;
	case TR: return &b->transfer.base;
	default: return NULL;
	}
}

/* Every rule of every care kind, through the packed path the server runs
 * (record_validate_body) and the message path the client runs. */
static void test_kind_rules(void **state)
{
	static struct bodies b;
	uint8_t buf[8192];

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(kind_cases); i++) {
		const kind_info *k = kind_find(kind_cases[i].kind);
		const ProtobufCMessage *m;
		record_error err, err2;
		size_t n;
		int rc, rc2;

		assert_non_null(k);
		good_bodies(&b);
		kind_cases[i].mut(&b);
		m = body_of(&b, kind_cases[i].kind);
		n = protobuf_c_message_get_packed_size(m);
		assert_true(n <= sizeof(buf));
		protobuf_c_message_pack(m, buf);
		memset(&err, 0, sizeof(err));
		memset(&err2, 0, sizeof(err2));
		rc = record_validate_body(k, buf, n, &err);
		rc2 = record_validate_message(k, m, &err2);
		if (kind_cases[i].field == NULL) {
			if (rc != 0 || rc2 != 0)
				fail_msg("case %zu (%s) refused: %s: %s", i, k->name, err.field, err.message);
			continue;
		}
		if (rc != HEARTH_EINVAL)
			fail_msg("case %zu (%s: %s) accepted", i, k->name, kind_cases[i].message);
		assert_string_equal(err.field, kind_cases[i].field);
		assert_string_equal(err.message, kind_cases[i].message);
		/* The unpacked path agrees, except where packing itself cannot
		 * carry the value (a short id still packs; all others agree). */
		assert_int_equal(rc2, HEARTH_EINVAL);
		assert_string_equal(err2.message, kind_cases[i].message);
	}
}

/* Labels people read and type for the new enums, and the kind words. */
static void test_kind_labels(void **state)
{
	int v;

	(void)state;
	assert_string_equal(enum_label(&hearth__hardship_status__descriptor, 2), "帮扶中");
	assert_int_equal(enum_parse(&hearth__hardship_status__descriptor, "在册", &v), 0);
	assert_int_equal(v, HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED);
	assert_int_equal(enum_parse(&hearth__visit_occasion__descriptor, "spring-festival", &v), 0);
	assert_int_equal(v, HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL);
	assert_int_equal(enum_parse(&hearth__visit_occasion__descriptor, "七一", &v), 0);
	assert_int_equal(v, HEARTH__VISIT_OCCASION__VISIT_OCCASION_JULY_FIRST);
	assert_int_equal(enum_parse(&hearth__talk_form__descriptor, "个别", &v), 0);
	assert_int_equal(v, HEARTH__TALK_FORM__TALK_FORM_INDIVIDUAL);
	assert_int_equal(enum_parse(&hearth__transfer_status__descriptor, "已接收", &v), 0);
	assert_int_equal(v, HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED);
	assert_int_equal(enum_parse(&hearth__transfer_status__descriptor, "accepted", &v), 0);
	assert_int_equal(enum_parse(&hearth__dues_status__descriptor, "免交", &v), 0);
	assert_int_equal(v, HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT);
	assert_ptr_equal(kind_by_name("困难党员"), kind_find(HEARTH__KIND__KIND_HARDSHIP));
	assert_ptr_equal(kind_by_name("visit"), kind_find(HEARTH__KIND__KIND_VISIT));
	assert_ptr_equal(kind_by_name("组织关系转接"), kind_find(HEARTH__KIND__KIND_TRANSFER));
	assert_int_equal(kind_count(), 10);
	/* Every value of every enum a kind uses has a Chinese label. */
	for (size_t i = 0; i < kind_count(); i++) {
		const kind_info *k = kind_at(i);

		for (unsigned f = 0; f < k->desc->n_fields; f++) {
			const ProtobufCEnumDescriptor *d = k->desc->fields[f].descriptor;

			if (k->desc->fields[f].type != PROTOBUF_C_TYPE_ENUM)
				continue;
			for (unsigned e = 0; e < d->n_values; e++) {
				const char *l = enum_label(d, d->values[e].value);

				if (d->values[e].value != 0 && (unsigned char)l[0] < 0x80)
					fail_msg("%s.%s: %s has no Chinese label", k->name,
					         k->desc->fields[f].name, d->values[e].name);
			}
		}
	}
}

static int count_refs(void *ctx, const char *field, const uint8_t id[16])
{
	(void)field, (void)id;
	(*(int *)ctx)++;
	return 0;
}

/* A transfer names its member until it is the sending branch's summary
 * (issue 15 item 5): then it refers to nobody, so no store rule checks
 * her in that branch and no later transfer moves it with her. */
/* record_id_set gives the field its own copy of the id, which the message
 * frees with the rest of it. */
static void test_id_set(void **state)
{
	Hearth__Hardship *h = calloc(1, sizeof(*h));
	uint8_t id[16];
	(void)state;

	assert_non_null(h);
	hearth__hardship__init(h);
	for (int i = 0; i < 16; i++)
		id[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(record_id_set(&h->member, id), 0);
	assert_int_equal(h->member.len, 16);
	assert_ptr_not_equal(h->member.data, id);
	id[0] = 0;
	assert_int_equal(h->member.data[0], 0xa0);
	assert_int_equal(h->member.data[15], 0xaf);
	hearth__hardship__free_unpacked(h, NULL);
}

static void test_transfer_summary_refers_to_nobody(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_TRANSFER);
	Hearth__Transfer t = HEARTH__TRANSFER__INIT;
	Hearth__TransferSummary mark = HEARTH__TRANSFER_SUMMARY__INIT;
	Hearth__Member m = HEARTH__MEMBER__INIT;
	uint8_t id[16] = { 1, 2, 3 };
	int n = 0;

	(void)state;
	t.member.data = id;
	t.member.len = 16;
	assert_null(record_transfer_summary(k, &t.base));
	assert_int_equal(record_refs_each(k, &t.base, count_refs, &n), 0);
	assert_int_equal(n, 1);
	t.summary = &mark;
	assert_ptr_equal(record_transfer_summary(k, &t.base), &mark);
	n = 0;
	assert_int_equal(record_refs_each(k, &t.base, count_refs, &n), 0);
	assert_int_equal(n, 0);
	/* Only a transfer body of the transfer kind is one. */
	assert_null(record_transfer_summary(kind_find(HEARTH__KIND__KIND_MEMBER), &m.base));
	assert_null(record_transfer_summary(k, NULL));
	assert_null(record_transfer_summary(NULL, &t.base));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_set),
		cmocka_unit_test(test_transfer_summary_refers_to_nobody),
		cmocka_unit_test(test_member_rules),
		cmocka_unit_test(test_validate_message),
		cmocka_unit_test(test_raw_bodies),
		cmocka_unit_test(test_id_card_check_digit),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_enum_parse_and_label),
		cmocka_unit_test(test_kind_table),
		cmocka_unit_test(test_set_and_pack_body),
		cmocka_unit_test(test_allocation_failures),
		cmocka_unit_test(test_kind_rules),
		cmocka_unit_test(test_kind_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
