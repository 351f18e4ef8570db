/* test_alloc_faults.c: the countdown allocator (SQLite's fault simulator, in small) over what test_record.c and test_merge.c leave out: validation of a full body of every record kind, record_pack_body, and merges that create a record or change repeated fields; each failure is HEARTH_ENOMEM and leaves nothing allocated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/hearth.h"
#include "proto/hearth.pb-c.h"

/* The countdown allocator: fail_at, n_calls and live come from here. */
#include "fault_alloc.h"

#define malloc fault_malloc
#define calloc fault_calloc
#define realloc fault_realloc
#define free fault_free
#include "common/fieldmap.c"
#include "common/merge.c"
#include "common/record.c"
#undef malloc
#undef calloc
#undef realloc
#undef free

/* A body of kind k with every field set: strings in the format their rule
 * wants, the first non-zero value of each enum, 16-byte ids, repeated
 * fields with two elements. Whether it passes the kind's cross-field rules
 * does not matter here: unpacking it allocates for every field. */
static void set_one(const kind_info *k, const ProtobufCFieldDescriptor *fd, void *p)
{
	static uint8_t id[16] = { 1, 0x90, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 7 };
	const field_rule *rule = kind_rule(k, fd->id);
	uint32_t flags = rule ? rule->flags : 0;

	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING:
		*(const char **)p = flags & FIELD_DATE ? "2024-02-29" : flags & FIELD_MONTH ? "2024-02" : "甲乙";
		break;
	case PROTOBUF_C_TYPE_BYTES:
		((ProtobufCBinaryData *)p)->data = id;
		((ProtobufCBinaryData *)p)->len = 16;
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *ed = fd->descriptor;
		*(int *)p = ed->n_values > 1 ? ed->values[1].value : 0;
		break;
	}
	case PROTOBUF_C_TYPE_BOOL: *(protobuf_c_boolean *)p = 1; break;
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32: *(int32_t *)p = 100; break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: *(int64_t *)p = 100; break;
	default: break;   /* floats and nested messages: none in record bodies */
	}
}

static size_t full_body(const kind_info *k, uint8_t *out, size_t cap)
{
	const ProtobufCMessageDescriptor *d = k->desc;
	ProtobufCMessage *m = calloc(1, d->sizeof_message);
	void *elems[64] = { 0 };
	size_t n_elems = 0, len;

	assert_non_null(m);
	d->message_init(m);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		char *base = (char *)m;

		if (fd->type == PROTOBUF_C_TYPE_MESSAGE || fd->type == PROTOBUF_C_TYPE_FLOAT ||
		    fd->type == PROTOBUF_C_TYPE_DOUBLE)
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			char *arr = calloc(2, 16);
			assert_non_null(arr);
			assert_true(n_elems < 64);
			elems[n_elems++] = arr;
			set_one(k, fd, arr);
			set_one(k, fd, arr + (fd->type == PROTOBUF_C_TYPE_BYTES ? sizeof(ProtobufCBinaryData)
			                      : fd->type == PROTOBUF_C_TYPE_STRING ? sizeof(char *)
			                      : fd->type == PROTOBUF_C_TYPE_INT64 || fd->type == PROTOBUF_C_TYPE_UINT64 ||
			                                fd->type == PROTOBUF_C_TYPE_SINT64 || fd->type == PROTOBUF_C_TYPE_FIXED64 ||
			                                fd->type == PROTOBUF_C_TYPE_SFIXED64 ? 8
			                      : fd->type == PROTOBUF_C_TYPE_BOOL ? sizeof(protobuf_c_boolean) : 4));
			*(size_t *)(base + fd->quantifier_offset) = 2;
			*(void **)(base + fd->offset) = arr;
			continue;
		}
		if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			*(uint32_t *)(base + fd->quantifier_offset) = fd->id;
		else if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->type != PROTOBUF_C_TYPE_STRING &&
		         fd->type != PROTOBUF_C_TYPE_BYTES)
			*(protobuf_c_boolean *)(base + fd->quantifier_offset) = 1;
		set_one(k, fd, base + fd->offset);
	}
	len = protobuf_c_message_get_packed_size(m);
	assert_true(len <= cap);
	assert_int_equal(protobuf_c_message_pack(m, out), len);
	for (size_t i = 0; i < n_elems; i++)
		free(elems[i]);
	free(m);
	return len;
}

/* Validation of every kind's full body: every allocation fails in turn. */
static void test_validate_every_kind(void **state)
{
	uint8_t buf[8192];
	long total = 0;

	(void)state;
	for (size_t i = 0; i < kind_count(); i++) {
		const kind_info *k = kind_at(i);
		size_t len = full_body(k, buf, sizeof(buf));
		record_error err;
		long points = 0;
		int rc;

		for (fail_at = 0;; fail_at++) {
			n_calls = 0;
			live = 0;
			rc = record_validate_body(k, buf, len, &err);
			assert_int_equal(live, 0);
			if (rc != HEARTH_ENOMEM)
				break;
			points++;
		}
		fail_at = -1;
		/* Past the last allocation the answer is the one without faults. */
		assert_int_equal(rc, record_validate_body(k, buf, len, &err));
		assert_true(points >= 1);
		total += points;
		print_message("%-10s validate: %ld failure points, rc %d%s%s\n", k->name, points, rc,
		              rc ? ": " : "", rc ? err.message : "");
	}
	assert_true(total > (long)kind_count());
}

/* record_pack_body and record_set_body of every kind. */
static void test_pack_and_set_every_kind(void **state)
{
	uint8_t buf[8192];

	(void)state;
	for (size_t i = 0; i < kind_count(); i++) {
		const kind_info *k = kind_at(i);
		size_t len = full_body(k, buf, sizeof(buf));
		Hearth__Record r = HEARTH__RECORD__INIT;
		uint8_t *packed = NULL;
		size_t plen = 0;
		int rc;

		fail_at = -1;
		assert_int_equal(record_set_body(&r, k, buf, len), 0);
		for (fail_at = 0;; fail_at++) {
			n_calls = 0;
			live = 0;
			rc = record_pack_body(&r, &packed, &plen);
			if (rc == 0)
				break;
			assert_int_equal(rc, HEARTH_ENOMEM);
			assert_null(packed);
			assert_int_equal(live, 0);
		}
		fail_at = -1;
		assert_int_equal(plen, len);
		assert_memory_equal(packed, buf, len);
		free(packed);
		record_clear_body(&r);

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
		assert_int_equal(live, 0);   /* the successful set's body, freed */
	}
}

/* Merges test_merge.c does not fault: a create (no base), and edits of a
 * repeated field (care_tags) on both sides, which conflict. */
static void test_merge_create_and_repeated(void **state)
{
	Hearth__Member base = HEARTH__MEMBER__INIT, cur, mine;
	Hearth__CareTag t1[] = { HEARTH__CARE_TAG__CARE_ELDERLY };
	Hearth__CareTag t2[] = { HEARTH__CARE_TAG__CARE_ELDERLY, HEARTH__CARE_TAG__CARE_ILL };
	Hearth__CareTag t3[] = { HEARTH__CARE_TAG__CARE_DISABLED, HEARTH__CARE_TAG__CARE_LIVES_ALONE };
	uint8_t b[512], c[512], o[512];
	size_t lb, lc, lo;
	static const uint32_t changed[] = { 1, 16, 17 };
	merge_result r;
	long points[2] = { 0, 0 };
	int rc;

	(void)state;
	base.name = "王五";
	base.gender = HEARTH__GENDER__GENDER_MALE;
	base.join_date = "2001-07-01";
	base.n_care_tags = 1;
	base.care_tags = t1;
	cur = base;
	cur.n_care_tags = 2;
	cur.care_tags = t2;
	mine = base;
	mine.name = "王伍";
	mine.n_care_tags = 2;
	mine.care_tags = t3;
	mine.notes = "多行\n备注";
	lb = hearth__member__pack(&base, b);
	lc = hearth__member__pack(&cur, c);
	lo = hearth__member__pack(&mine, o);

	for (int create = 0; create < 2; create++) {
		for (fail_at = 0;; fail_at++) {
			n_calls = 0;
			live = 0;
			rc = create ? merge_three_way(NULL, 0, c, lc, o, lo, changed, 3, &r)
			            : merge_three_way(b, lb, c, lc, o, lo, changed, 3, &r);
			if (rc == 0) {
				assert_true(r.n_applied + r.n_conflicts > 0);
				merge_result_free(&r);
				assert_int_equal(live, 0);
				break;
			}
			assert_int_equal(rc, HEARTH_ENOMEM);
			assert_null(r.body);
			assert_null(r.applied);
			assert_null(r.conflicts);
			assert_int_equal(live, 0);
			points[create]++;
		}
		fail_at = -1;
		assert_true(points[create] > 3);
	}
	print_message("merge with repeated fields: %ld failure points; create: %ld\n", points[0], points[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_every_kind),
		cmocka_unit_test(test_pack_and_set_every_kind),
		cmocka_unit_test(test_merge_create_and_repeated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
