/* test_record_peek.c: what record_peek reads from a packed Record without
 * unpacking it (kind, branch, revision, deleted, the body's bytes), and
 * record_peek_has_field, which lets a listing pass over the records whose
 * body lacks a field (the attachments) without unpacking them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/attachment.h"
#include "common/hearth.h"
#include "common/record_peek.h"
#include "proto/hearth.pb-c.h"

/* A packed member record, with one attachment when with_file is set; the
 * caller frees *out. */
static size_t pack_member(int with_file, int deleted, uint8_t **out, uint8_t **body, size_t *body_len)
{
	static uint8_t id[16] = { 1, 2, 3 }, sha[32] = { 9 };
	Hearth__Record rec = HEARTH__RECORD__INIT;
	Hearth__Member m = HEARTH__MEMBER__INIT;
	Hearth__Attachment a = HEARTH__ATTACHMENT__INIT, *list[1] = { &a };
	size_t n;

	m.name = "王建国";
	m.join_date = "2001-07-01";
	if (with_file) {
		a.name = "证明.pdf";
		a.type = "application/pdf";
		a.size = 1234;
		a.sha256.data = sha;
		a.sha256.len = 32;
		m.n_attachments = 1;
		m.attachments = list;
	}
	rec.id.data = id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	rec.branch_id = "b001";
	rec.rev = 7;
	rec.deleted = deleted;
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &m;
	*body_len = hearth__member__get_packed_size(&m);
	*body = malloc(*body_len);
	assert_non_null(*body);
	hearth__member__pack(&m, *body);
	n = hearth__record__get_packed_size(&rec);
	*out = malloc(n);
	assert_non_null(*out);
	assert_int_equal(hearth__record__pack(&rec, *out), n);
	return n;
}

static void test_peek_reads_the_header_and_the_body(void **state)
{
	uint8_t *buf, *body;
	size_t body_len, n;
	record_peek pk;

	(void)state;
	for (int with_file = 0; with_file < 2; with_file++) {
		n = pack_member(with_file, with_file, &buf, &body, &body_len);
		assert_int_equal(record_peek_bytes(buf, n, &pk), 0);
		assert_int_equal(pk.kind, HEARTH__KIND__KIND_MEMBER);
		assert_int_equal(pk.branch_len, 4);
		assert_memory_equal(pk.branch, "b001", 4);
		assert_int_equal(pk.rev, 7);
		assert_int_equal(pk.deleted, with_file);
		/* The body's bytes are the member message as packed on its own. */
		assert_non_null(pk.body);
		assert_int_equal(pk.body_len, body_len);
		assert_memory_equal(pk.body, body, body_len);
		assert_int_equal(record_peek_has_field(pk.body, pk.body_len, ATTACHMENT_FIELD), with_file);
		assert_int_equal(record_peek_has_field(pk.body, pk.body_len, 1), 1);   /* name */
		free(buf);
		free(body);
	}
}

static void test_no_body(void **state)
{
	Hearth__Record rec = HEARTH__RECORD__INIT;
	uint8_t buf[64];
	record_peek pk;
	size_t n;

	(void)state;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	n = hearth__record__pack(&rec, buf);
	assert_int_equal(record_peek_bytes(buf, n, &pk), 0);
	assert_null(pk.body);
	assert_int_equal(pk.body_len, 0);
	assert_int_equal(record_peek_has_field((const uint8_t *)"", 0, ATTACHMENT_FIELD), 0);
}

/* Bytes that do not walk are not "without the field": the caller then
 * unpacks them and judges. */
static void test_bad_bytes_are_not_absent(void **state)
{
	static const uint8_t cut_len[] = { 0x0a, 0x05, 'a' };      /* field 1, 5 bytes, 1 there */
	static const uint8_t cut_varint[] = { 0x08, 0x80 };         /* field 1 varint, never ends */
	static const uint8_t group[] = { 0x0b };                    /* wire type 3 */
	static const uint8_t zero_field[] = { 0x02, 0x00 };         /* field 0 */

	(void)state;
	assert_int_equal(record_peek_has_field(cut_len, sizeof(cut_len), ATTACHMENT_FIELD), HEARTH_EINVAL);
	assert_int_equal(record_peek_has_field(cut_varint, sizeof(cut_varint), ATTACHMENT_FIELD), HEARTH_EINVAL);
	assert_int_equal(record_peek_has_field(group, sizeof(group), ATTACHMENT_FIELD), HEARTH_EINVAL);
	assert_int_equal(record_peek_has_field(zero_field, sizeof(zero_field), ATTACHMENT_FIELD), HEARTH_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peek_reads_the_header_and_the_body),
		cmocka_unit_test(test_no_body),
		cmocka_unit_test(test_bad_bytes_are_not_absent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
