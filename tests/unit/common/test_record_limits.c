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
#include "common/record_limits.h"

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

/* Appends an unknown length-delimited field (number 1000) of n bytes to the
 * packed member m: what a newer client, or an attacker, sends. */
static uint8_t *with_unknown(const Hearth__Member *m, uint32_t number, size_t n, size_t *len)
{
	size_t base = hearth__member__get_packed_size(m);
	uint8_t *buf = malloc(base + 20 + n);
	size_t pos;
	uint64_t v;

	assert_non_null(buf);
	hearth__member__pack(m, buf);
	pos = base;
	for (v = (uint64_t)number << 3 | 2; v >= 0x80; v >>= 7)
		buf[pos++] = (uint8_t)(v | 0x80);
	buf[pos++] = (uint8_t)v;
	for (v = n; v >= 0x80; v >>= 7)
		buf[pos++] = (uint8_t)(v | 0x80);
	buf[pos++] = (uint8_t)v;
	memset(buf + pos, 'x', n);
	*len = pos + n;
	return buf;
}

static void test_unknown_allowance(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	Hearth__Member m;
	record_error err;
	uint8_t *buf;
	size_t len;

	(void)state;
	member(&m);
	/* Forward compatibility: a few unknown fields are kept. */
	buf = with_unknown(&m, 1000, 500, &len);
	assert_int_equal(record_validate_body(k, buf, len, &err), 0);
	free(buf);
	buf = with_unknown(&m, 1000, RECORD_UNKNOWN_MAX - 4, &len);
	assert_int_equal(record_validate_body(k, buf, len, &err), 0);
	free(buf);
	/* Over the allowance, even when the body is small enough. */
	buf = with_unknown(&m, 1000, 2000, &len);
	assert_true(len < record_body_limit(k));
	assert_int_equal(record_validate_body(k, buf, len, &err), HEARTH_EINVAL);
	assert_string_equal(err.message, "the member body carries 2004 bytes of unknown fields "
	                                 "(from a newer version); at most 1024 are kept");
	free(buf);
	/* The ~4 MiB member whose payload is one unknown field. */
	buf = with_unknown(&m, 1000, 4u << 20, &len);
	assert_int_equal(record_validate_body(k, buf, len, &err), HEARTH_EINVAL);
	assert_non_null(strstr(err.message, "a 党员 body is at most"));
	free(buf);
}

/* Unknown fields inside a nested message (a pairing's progress note) count
 * toward the same allowance. */
static void test_nested_unknown(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_PAIRING);
	static uint8_t member_id[16] = { 7 };
	Hearth__Pairing p = HEARTH__PAIRING__INIT;
	Hearth__ProgressNote note = HEARTH__PROGRESS_NOTE__INIT;
	record_error err;
	size_t n, note_len, pos;
	uint8_t *buf;

	(void)state;
	p.mode = HEARTH__PAIRING_MODE__PAIRING_MODE_MEMBER;
	p.helper = "王五";
	p.member.data = member_id;
	p.member.len = 16;
	p.start_date = "2026-03-01";
	p.status = HEARTH__PAIRING_STATUS__PAIRING_STATUS_ACTIVE;
	note.date = "2026-03-02";
	note.note = "第一次走访";
	n = hearth__pairing__get_packed_size(&p);
	note_len = hearth__progress_note__get_packed_size(&note);
	buf = malloc(n + note_len + 2100);
	assert_non_null(buf);
	hearth__pairing__pack(&p, buf);
	assert_int_equal(record_validate_body(k, buf, n, &err), 0);
	/* notes (field 9) = the note + unknown field 15 of 2,000 bytes. */
	pos = n;
	buf[pos++] = 9 << 3 | 2;
	buf[pos++] = (uint8_t)((note_len + 3 + 2000) | 0x80);
	buf[pos++] = (uint8_t)((note_len + 3 + 2000) >> 7);
	pos += hearth__progress_note__pack(&note, buf + pos);
	buf[pos++] = 15 << 3 | 2;
	buf[pos++] = (uint8_t)((2000 & 0x7f) | 0x80);
	buf[pos++] = (uint8_t)(2000 >> 7);
	memset(buf + pos, 'x', 2000);
	pos += 2000;
	assert_true(note_len + 3 + 2000 < 16384);
	assert_int_equal(record_validate_body(k, buf, pos, &err), HEARTH_EINVAL);
	assert_string_equal(err.message, "the pairing body carries 2003 bytes of unknown fields "
	                                 "(from a newer version); at most 1024 are kept");
	free(buf);
}

/* A known field sent many times unpacks as its last value, but the raw
 * body (which the store keeps) holds every copy: the packed size catches
 * it. */
static void test_body_limit(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	size_t limit = record_body_limit(k), n = 0;
	uint8_t *buf = malloc(limit + 100);
	record_error err;
	char want[160];

	(void)state;
	assert_non_null(buf);
	while (n <= limit) {
		memcpy(buf + n, "\x0a\x04" "abcd", 6);   /* name = "abcd" */
		n += 6;
	}
	assert_int_equal(record_validate_body(k, buf, n, &err), HEARTH_EINVAL);
	snprintf(want, sizeof(want), "the member body is %zu bytes; a 党员 body is at most %zu bytes",
	         n, limit);
	assert_string_equal(err.message, want);
	free(buf);
	/* Every kind has a limit that holds its fields but not a blob. */
	for (size_t i = 0; i < kind_count(); i++) {
		const kind_info *ki = kind_at(i);

		print_message("%s body limit %zu bytes\n", ki->name, record_body_limit(ki));
		assert_true(record_body_limit(ki) > RECORD_UNKNOWN_MAX);
		/* Limits are in characters of up to 4 bytes; a pairing's 64
		 * notes at their limit come to about 500 KiB. */
		assert_true(record_body_limit(ki) < 1024 * 1024);
	}
}

/* A member at every string's limit in ASCII is still accepted. */
static void test_full_member_fits(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	char big[4][2001];
	Hearth__Member m;
	record_error err;

	(void)state;
	memset(big, 'a', sizeof(big));
	big[0][64] = big[1][32] = big[2][200] = '\0';
	big[3][2000] = '\0';
	member(&m);
	m.name = big[0];
	m.ethnicity = m.education = big[1];
	m.destination = m.address = big[2];
	m.notes = big[3];
	m.id_card = "11010519491231002X";
	m.phone = "+86 138-1234-5678 00";
	assert_int_equal(validate_member(&m, &err), 0);
	assert_true(hearth__member__get_packed_size(&m) < record_body_limit(k));
}

/* Fills buf with n copies of the UTF-8 character ch and a NUL. */
static char *repeat(char *buf, const char *ch, size_t n)
{
	size_t w = strlen(ch);

	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * w, ch, w);
	buf[n * w] = '\0';
	return buf;
}

/* Limits count characters, not bytes (issue 15 item 7): a name of 64
 * Chinese characters (192 bytes) is as good as one of 64 letters, the 65th
 * character is refused in characters, and a member with every string at
 * its limit in 4-byte characters still fits the body limit the server
 * checks first. */
static void test_limits_count_characters(void **state)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	static char name[65 * 4 + 1], ethnicity[32 * 4 + 1], place[200 * 4 + 1],
		notes[2000 * 4 + 1];
	Hearth__Member m;
	record_error err;

	(void)state;
	member(&m);
	m.name = repeat(name, "张", 64);
	assert_int_equal(validate_member(&m, &err), 0);
	m.name = repeat(name, "张", 65);
	assert_int_equal(validate_member(&m, &err), HEARTH_EINVAL);
	assert_string_equal(err.field, "name");
	assert_string_equal(err.message, "name is longer than 64 characters (65)");
	m.name = repeat(name, "\xf0\xa0\x80\x80", 64);   /* U+20000, 4 bytes */
	m.ethnicity = m.education = repeat(ethnicity, "\xf0\xa0\x80\x80", 32);
	m.destination = m.address = repeat(place, "\xf0\xa0\x80\x80", 200);
	m.notes = repeat(notes, "\xf0\xa0\x80\x80", 2000);
	m.id_card = "11010519491231002X";
	m.phone = "+86 138-1234-5678 00";
	assert_int_equal(validate_member(&m, &err), 0);
	assert_true(hearth__member__get_packed_size(&m) < record_body_limit(k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_refuses_invisible),
		cmocka_unit_test(test_text_keeps_joiners_and_cjk),
		cmocka_unit_test(test_unknown_allowance),
		cmocka_unit_test(test_nested_unknown),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_full_member_fits),
		cmocka_unit_test(test_limits_count_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
