/* test_attachment.c: types are told by content (magic bytes), never by
 * name, and a record's attachment list is refused with a reason naming
 * the rule it breaks (issue 18). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/attachment.h"
#include "common/hearth.h"
#include "common/kinds.h"
#include "common/record.h"

static void test_sniff(void **state)
{
	static const uint8_t jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F' };
	static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0 };
	static const uint8_t ole[] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0 };
	uint8_t zip[200];

	(void)state;
	assert_string_equal(attachment_sniff(jpeg, sizeof(jpeg), "x.png"), "image/jpeg");
	assert_string_equal(attachment_sniff(png, sizeof(png), "x.jpg"), "image/png");
	assert_string_equal(attachment_sniff((const uint8_t *)"%PDF-1.7\n", 9, "scan"), "application/pdf");
	assert_string_equal(attachment_sniff(ole, sizeof(ole), "letter.DOC"), "application/msword");
	assert_string_equal(attachment_sniff(ole, sizeof(ole), "list.xls"), "application/vnd.ms-excel");
	assert_string_equal(attachment_sniff(ole, sizeof(ole), "talk.ppt"), "application/vnd.ms-powerpoint");
	assert_null(attachment_sniff(ole, sizeof(ole), "virus.exe"));
	/* A zip: an office document only with its content types and parts. */
	memset(zip, 0, sizeof(zip));
	memcpy(zip, "PK\x03\x04", 4);
	memcpy(zip + 30, "[Content_Types].xml", 19);
	memcpy(zip + 80, "xl/workbook.xml", 15);
	assert_string_equal(attachment_sniff(zip, sizeof(zip), "a.zip"),
	                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	memcpy(zip + 80, "ab/workbook.xml", 15);
	assert_null(attachment_sniff(zip, sizeof(zip), "a.xlsx"));
	assert_null(attachment_sniff((const uint8_t *)"MZ\x90\0", 4, "photo.jpg"));
	assert_null(attachment_sniff((const uint8_t *)"\xff\xd8", 2, "short.jpg"));
	assert_null(attachment_sniff(NULL, 0, "empty.pdf"));
	assert_true(attachment_type_known("image/png"));
	assert_false(attachment_type_known("text/plain"));
	assert_string_equal(attachment_type_word("application/vnd.ms-excel"), "Excel");
}

static void test_hex(void **state)
{
	uint8_t h[32], back[32];
	char hex[ATTACHMENT_HEX_LEN + 1];

	(void)state;
	for (int i = 0; i < 32; i++)
		h[i] = (uint8_t)(i * 37);
	attachment_hex(h, hex);
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(attachment_parse_hex(hex, back), 0);
	assert_memory_equal(h, back, 32);
	hex[5] = 'g';
	assert_int_equal(attachment_parse_hex(hex, back), HEARTH_EINVAL);
	assert_int_equal(attachment_parse_hex("abcd", back), HEARTH_EINVAL);
}

/* A visit with the given attachments, validated as the server does. */
static int validate(Hearth__Attachment **list, size_t n, record_error *err)
{
	static uint8_t member[16] = { 1 };
	Hearth__Visit v = HEARTH__VISIT__INIT;
	ProtobufCBinaryData mb = { 16, member };

	v.n_members = 1;
	v.members = &mb;
	v.occasion = HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL;
	v.date = "2026-01-20";
	v.n_attachments = n;
	v.attachments = list;
	return record_validate_message(kind_find(HEARTH__KIND__KIND_VISIT), &v.base, err);
}

static void test_list_rules(void **state)
{
	static uint8_t hash[32] = { 7 };
	Hearth__Attachment a = HEARTH__ATTACHMENT__INIT, b;
	Hearth__Attachment *list[2] = { &a, &b };
	record_error err;

	(void)state;
	a.name = "照片.jpg";
	a.type = "image/jpeg";
	a.size = 1000;
	a.sha256.data = hash;
	a.sha256.len = 32;
	assert_int_equal(validate(list, 1, &err), 0);
	b = a;
	assert_int_equal(validate(list, 2, &err), HEARTH_EINVAL);
	assert_string_equal(err.field, "attachments");
	assert_string_equal(err.message, "attachments: the name 照片.jpg is on the record twice");
	b.name = "../etc/passwd";
	assert_int_equal(validate(list, 2, &err), HEARTH_EINVAL);
	assert_string_equal(err.message, "attachments[2]: the name must be a file name without a directory");
	b.name = "b.exe";
	b.type = "application/x-msdownload";
	assert_int_equal(validate(list, 2, &err), HEARTH_EINVAL);
	assert_string_equal(err.message, "attachments[2]: type application/x-msdownload is not one hearth keeps");
	b.type = "image/png";
	b.size = 0;
	assert_int_equal(validate(list, 2, &err), HEARTH_EINVAL);
	assert_string_equal(err.message, "attachments[2]: an empty file is not an attachment");
	b.size = 5;
	b.sha256.len = 20;
	assert_int_equal(validate(list, 2, &err), HEARTH_EINVAL);
	assert_string_equal(err.message, "attachments[2]: sha256 must be 32 bytes (got 20)");
	b.sha256.len = 32;
	assert_int_equal(validate(list, 2, &err), 0);
}

/* The audit action of an edit of the attachments alone. */
static void test_edit_action(void **state)
{
	static uint8_t hash[32] = { 9 };
	Hearth__Attachment a = HEARTH__ATTACHMENT__INIT, b;
	Hearth__Attachment *one[] = { &a }, *two[] = { &a, &b };
	Hearth__Member m = HEARTH__MEMBER__INIT;
	uint8_t before[512], after[512];
	size_t bl, al;
	uint32_t only[] = { ATTACHMENT_FIELD }, more[] = { 1, ATTACHMENT_FIELD };

	(void)state;
	a.name = "a.jpg";
	a.type = "image/jpeg";
	a.size = 3;
	a.sha256.data = hash;
	a.sha256.len = 32;
	b = a;
	b.name = "b.jpg";
	m.name = "x";
	m.n_attachments = 1;
	m.attachments = one;
	bl = hearth__member__pack(&m, before);
	m.n_attachments = 2;
	m.attachments = two;
	al = hearth__member__pack(&m, after);
	assert_string_equal(attachment_edit_action(before, bl, after, al, only, 1, "u"), "record.attach");
	assert_string_equal(attachment_edit_action(after, al, before, bl, only, 1, "u"), "record.detach");
	assert_string_equal(attachment_edit_action(before, bl, before, bl, only, 1, "u"), "u");
	assert_string_equal(attachment_edit_action(before, bl, after, al, more, 2, "u"), "u");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_list_rules),
		cmocka_unit_test(test_edit_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
