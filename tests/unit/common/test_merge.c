/* test_merge.c: the three-way field merge applies, keeps or flags each changed field as DESIGN section 5 says, and frees everything when any allocation fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "proto/hearth.pb-c.h"

/* Fault injection: the merge and fieldmap sources are compiled into this
 * test with their allocations routed through fault_alloc.h, so a run at
 * every failure point proves each error path frees what it took. */
#include "fault_alloc.h"

#define malloc fault_malloc
#define calloc fault_calloc
#define realloc fault_realloc
#define free fault_free
#include "common/fieldmap.c"
#include "common/merge.c"
#undef malloc
#undef calloc
#undef realloc
#undef free

struct body {
	uint8_t b[1024];
	size_t len;
};

static void pack(const Hearth__Member *m, struct body *out)
{
	out->len = hearth__member__get_packed_size(m);
	assert_true(out->len <= sizeof(out->b));
	assert_int_equal(hearth__member__pack(m, out->b), out->len);
}

/* The encoded bytes of one field of a packed member. */
static void field_bytes(const struct body *b, uint32_t number, uint8_t *out, size_t *len)
{
	fieldmap fm;
	const field_entry *e;

	assert_int_equal(fieldmap_parse(b->b, b->len, &fm), 0);
	e = fieldmap_get(&fm, number);
	*len = e ? e->len : 0;
	if (e)
		memcpy(out, e->bytes, e->len);
	fieldmap_free(&fm);
}

static Hearth__Member *unpack(const merge_result *r)
{
	Hearth__Member *m = hearth__member__unpack(NULL, r->body_len, r->body_len ? r->body : (const uint8_t *)"");

	assert_non_null(m);
	return m;
}

static void base_member(Hearth__Member *m)
{
	*m = (Hearth__Member)HEARTH__MEMBER__INIT;
	m->name = "张三";
	m->phone = "13812345678";
	m->address = "幸福路1号";
	m->join_date = "2001-07-01";
}

static void test_disjoint_fields(void **state)
{
	Hearth__Member base, cur, mine, *got;
	struct body b, c, o;
	static const uint32_t changed[] = { 14 };
	merge_result r;

	(void)state;
	base_member(&base);
	cur = base;
	cur.name = "张三丰";          /* the server changed the name */
	mine = base;
	mine.phone = "13900000000";  /* the op changed the phone */
	pack(&base, &b);
	pack(&cur, &c);
	pack(&mine, &o);
	assert_int_equal(merge_three_way(b.b, b.len, c.b, c.len, o.b, o.len, changed, 1, &r), 0);
	assert_int_equal(r.n_conflicts, 0);
	assert_null(r.conflicts);
	assert_int_equal(r.n_applied, 1);
	assert_int_equal(r.applied[0], 14);
	got = unpack(&r);
	assert_string_equal(got->name, "张三丰");
	assert_string_equal(got->phone, "13900000000");
	assert_string_equal(got->address, "幸福路1号");
	hearth__member__free_unpacked(got, NULL);
	merge_result_free(&r);
	assert_null(r.body);
}

static void test_same_value_no_conflict(void **state)
{
	Hearth__Member base, cur;
	struct body b, c;
	static const uint32_t changed[] = { 1, 1 };   /* duplicates ignored */
	merge_result r;

	(void)state;
	base_member(&base);
	cur = base;
	cur.name = "李四";
	pack(&base, &b);
	pack(&cur, &c);
	assert_int_equal(merge_three_way(b.b, b.len, c.b, c.len, c.b, c.len, changed, 2, &r), 0);
	assert_int_equal(r.n_conflicts, 0);
	assert_int_equal(r.n_applied, 0);
	assert_int_equal(r.body_len, c.len);
	assert_memory_equal(r.body, c.b, c.len);
	merge_result_free(&r);
}

static void test_conflict_keeps_server_value(void **state)
{
	Hearth__Member base, cur, mine, *got;
	struct body b, c, o;
	static const uint32_t changed[] = { 15, 1 };
	uint8_t want[256];
	size_t want_len;
	merge_result r;

	(void)state;
	base_member(&base);
	cur = base;
	cur.name = "张三丰";
	mine = base;
	mine.name = "张叁";
	mine.address = "和平路2号";
	pack(&base, &b);
	pack(&cur, &c);
	pack(&mine, &o);
	assert_int_equal(merge_three_way(b.b, b.len, c.b, c.len, o.b, o.len, changed, 2, &r), 0);
	assert_int_equal(r.n_conflicts, 1);
	assert_int_equal(r.conflicts[0].field, 1);
	field_bytes(&c, 1, want, &want_len);
	assert_int_equal(r.conflicts[0].server_len, want_len);
	assert_memory_equal(r.conflicts[0].server_value, want, want_len);
	field_bytes(&o, 1, want, &want_len);
	assert_int_equal(r.conflicts[0].op_len, want_len);
	assert_memory_equal(r.conflicts[0].op_value, want, want_len);
	assert_int_equal(r.n_applied, 1);
	assert_int_equal(r.applied[0], 15);
	got = unpack(&r);
	assert_string_equal(got->name, "张三丰");
	assert_string_equal(got->address, "和平路2号");
	hearth__member__free_unpacked(got, NULL);
	merge_result_free(&r);
}

static void test_create(void **state)
{
	Hearth__Member mine;
	Hearth__CareTag tags[] = { HEARTH__CARE_TAG__CARE_ELDERLY, HEARTH__CARE_TAG__CARE_ILL };
	struct body o;
	static const uint32_t changed[] = { 1, 14, 15, 8, 16 };
	merge_result r;

	(void)state;
	base_member(&mine);
	mine.n_care_tags = 2;
	mine.care_tags = tags;
	pack(&mine, &o);
	assert_int_equal(merge_three_way(NULL, 0, NULL, 0, o.b, o.len, changed, 5, &r), 0);
	assert_int_equal(r.n_conflicts, 0);
	assert_int_equal(r.n_applied, 5);
	for (size_t i = 1; i < r.n_applied; i++)
		assert_true(r.applied[i - 1] < r.applied[i]);
	assert_int_equal(r.body_len, o.len);
	assert_memory_equal(r.body, o.b, o.len);
	merge_result_free(&r);
}

/* Update against clear, both ways round, is a conflict: neither side's
 * intent may be lost silently. */
static void test_clear_vs_change(void **state)
{
	Hearth__Member base, cur, mine;
	struct body b, c, o;
	static const uint32_t changed[] = { 14 };
	merge_result r;

	(void)state;
	base_member(&base);
	cur = base;
	cur.phone = "";               /* the server cleared the phone */
	mine = base;
	mine.phone = "13900000000";   /* the op changed it */
	pack(&base, &b);
	pack(&cur, &c);
	pack(&mine, &o);
	assert_int_equal(merge_three_way(b.b, b.len, c.b, c.len, o.b, o.len, changed, 1, &r), 0);
	assert_int_equal(r.n_conflicts, 1);
	assert_null(r.conflicts[0].server_value);
	assert_int_equal(r.conflicts[0].server_len, 0);
	assert_non_null(r.conflicts[0].op_value);
	assert_int_equal(r.body_len, c.len);
	assert_memory_equal(r.body, c.b, c.len);
	merge_result_free(&r);

	/* The other way round: the server changed it, the op cleared it. */
	assert_int_equal(merge_three_way(b.b, b.len, o.b, o.len, c.b, c.len, changed, 1, &r), 0);
	assert_int_equal(r.n_conflicts, 1);
	assert_non_null(r.conflicts[0].server_value);
	assert_null(r.conflicts[0].op_value);
	assert_int_equal(r.conflicts[0].op_len, 0);
	merge_result_free(&r);

	/* A clear on a field the server did not touch is applied. */
	assert_int_equal(merge_three_way(b.b, b.len, b.b, b.len, c.b, c.len, changed, 1, &r), 0);
	assert_int_equal(r.n_conflicts, 0);
	assert_int_equal(r.n_applied, 1);
	assert_int_equal(r.body_len, c.len);
	assert_memory_equal(r.body, c.b, c.len);
	merge_result_free(&r);
}

/* Fields the op did not list keep the server's value even when the op's
 * body differs there (its copy may be stale), and unknown fields pass. */
static void test_unlisted_and_unknown_fields(void **state)
{
	Hearth__Member base, mine;
	struct body b, c, o;
	static const uint32_t changed[] = { 99 };
	static const uint8_t unknown[] = { 0x98, 0x06, 0x07 };   /* field 99 = 7 */
	merge_result r;

	(void)state;
	base_member(&base);
	mine = base;
	mine.name = "stale";
	pack(&base, &b);
	c = b;
	pack(&mine, &o);
	memcpy(o.b + o.len, unknown, sizeof(unknown));
	o.len += sizeof(unknown);
	assert_int_equal(merge_three_way(b.b, b.len, c.b, c.len, o.b, o.len, changed, 1, &r), 0);
	assert_int_equal(r.n_applied, 1);
	assert_int_equal(r.body_len, b.len + sizeof(unknown));
	assert_memory_equal(r.body, b.b, b.len);
	assert_memory_equal(r.body + b.len, unknown, sizeof(unknown));
	merge_result_free(&r);
}

static void test_bad_input(void **state)
{
	static const uint8_t bad[] = { 0x0a, 0x05, 'a' };
	static const uint32_t zero[] = { 0 };
	uint32_t many[FIELDMAP_MAX_FIELDS + 1];
	merge_result r;

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(many); i++)
		many[i] = (uint32_t)i + 1;
	assert_int_equal(merge_three_way(bad, 3, NULL, 0, NULL, 0, NULL, 0, &r), HEARTH_EINVAL);
	assert_int_equal(merge_three_way(NULL, 0, bad, 3, NULL, 0, NULL, 0, &r), HEARTH_EINVAL);
	assert_int_equal(merge_three_way(NULL, 0, NULL, 0, bad, 3, NULL, 0, &r), HEARTH_EINVAL);
	assert_int_equal(merge_three_way(NULL, 0, NULL, 0, NULL, 0, many, HEARTH_ARRAY_LEN(many), &r),
	                 HEARTH_EINVAL);
	assert_int_equal(merge_three_way(NULL, 0, NULL, 0, NULL, 0, zero, 1, &r), HEARTH_EINVAL);
	assert_null(r.body);
	assert_int_equal(r.n_applied, 0);
	assert_int_equal(merge_three_way(NULL, 0, NULL, 0, NULL, 0, many, FIELDMAP_MAX_FIELDS, &r), 0);
	assert_int_equal(r.body_len, 0);
	merge_result_free(&r);
}

static void test_diff(void **state)
{
	Hearth__Member a, b;
	Hearth__CareTag tags[] = { HEARTH__CARE_TAG__CARE_ILL };
	struct body pa, pb;
	uint32_t *out;
	size_t n;

	(void)state;
	base_member(&a);
	b = a;
	b.name = "王五";
	b.address = "";
	b.n_care_tags = 1;
	b.care_tags = tags;
	pack(&a, &pa);
	pack(&b, &pb);
	assert_int_equal(merge_diff(pa.b, pa.len, pb.b, pb.len, &out, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 15);
	assert_int_equal(out[2], 16);
	free(out);
	assert_int_equal(merge_diff(pa.b, pa.len, pa.b, pa.len, &out, &n), 0);
	assert_int_equal(n, 0);
	assert_null(out);
	assert_int_equal(merge_diff(NULL, 0, pa.b, pa.len, &out, &n), 0);
	assert_int_equal(n, 4);
	free(out);
	assert_int_equal(merge_diff(pa.b, pa.len, (const uint8_t *)"\x0b", 1, &out, &n),
	                 HEARTH_EINVAL);
	assert_null(out);
}

/* Every allocation of a merge with applied fields and conflicts, and of a
 * diff, is made to fail in turn; each failure must return HEARTH_ENOMEM
 * with an empty result and nothing left allocated. */
static void test_allocation_failures(void **state)
{
	Hearth__Member base, cur, mine;
	struct body b, c, o;
	static const uint32_t changed[] = { 1, 14, 15, 2 };
	merge_result r;
	uint32_t *out;
	size_t n;
	long points = 0;
	int rc;

	(void)state;
	base_member(&base);
	cur = base;
	cur.name = "张三丰";
	cur.phone = "";
	mine = base;
	mine.name = "张叁";
	mine.phone = "13900000000";
	mine.address = "和平路2号";
	mine.gender = HEARTH__GENDER__GENDER_FEMALE;
	pack(&base, &b);
	pack(&cur, &c);
	pack(&mine, &o);

	for (fail_at = 0;; fail_at++) {
		n_calls = 0;
		live = 0;
		rc = merge_three_way(b.b, b.len, c.b, c.len, o.b, o.len, changed, 4, &r);
		if (rc == 0) {
			assert_int_equal(r.n_conflicts, 2);
			assert_int_equal(r.n_applied, 2);
			merge_result_free(&r);
			assert_int_equal(live, 0);
			break;
		}
		assert_int_equal(rc, HEARTH_ENOMEM);
		assert_null(r.body);
		assert_null(r.applied);
		assert_null(r.conflicts);
		assert_int_equal(live, 0);
		points++;
	}
	assert_true(points > 10);

	for (fail_at = 0;; fail_at++) {
		n_calls = 0;
		live = 0;
		rc = merge_diff(b.b, b.len, o.b, o.len, &out, &n);
		if (rc == 0) {
			assert_int_equal(n, 4);
			free(out);
			live--;
			assert_int_equal(live, 0);
			break;
		}
		assert_int_equal(rc, HEARTH_ENOMEM);
		assert_null(out);
		assert_int_equal(live, 0);
	}

	/* fieldmap_set: a failure at either of its allocations (the copy, the
	 * grown table) leaves the map exactly as it was. */
	for (long at = 0;; at++) {
		fieldmap fm, before;

		fail_at = -1;
		live = 0;
		assert_int_equal(fieldmap_parse(b.b, b.len, &fm), 0);
		assert_int_equal(fieldmap_copy(&fm, &before), 0);
		fail_at = at;
		n_calls = 0;
		rc = fieldmap_set(&fm, 3, (const uint8_t *)"\x1a\x03" "abc", 5);
		fail_at = -1;
		if (rc == 0) {
			assert_non_null(fieldmap_get(&fm, 3));
			fieldmap_free(&fm);
			fieldmap_free(&before);
			assert_int_equal(live, 0);
			break;
		}
		assert_int_equal(rc, HEARTH_ENOMEM);
		assert_int_equal(fm.n, before.n);
		for (size_t i = 0; i < fm.n; i++)
			assert_true(fieldmap_same(&fm, &before, fm.f[i].number));
		fieldmap_free(&fm);
		fieldmap_free(&before);
		assert_int_equal(live, 0);
	}
	fail_at = -1;
}

/* Attachments merge as a set (issue 18): two replicas attaching to one
 * record both keep theirs; a detach removes only its own entry. */
static Hearth__Attachment att(const char *name, uint8_t fill)
{
	static uint8_t hashes[8][32];
	static int next;
	Hearth__Attachment a = HEARTH__ATTACHMENT__INIT;
	uint8_t *h = hashes[next++ % 8];

	memset(h, fill, 32);
	a.name = (char *)name;
	a.type = "image/jpeg";
	a.size = 100;
	a.sha256.data = h;
	a.sha256.len = 32;
	return a;
}

static void test_attachments_merge_as_a_set(void **state)
{
	Hearth__Member base, cur, mine, *got;
	Hearth__Attachment x = att("x.jpg", 1), y = att("y.jpg", 2), z = att("z.jpg", 3);
	Hearth__Attachment *lb[] = { &x }, *lc[] = { &x, &y }, *lm[] = { &x, &z }, *ld[] = { 0 };
	struct body b, c, m;
	merge_result r;
	uint32_t changed[] = { ATTACHMENT_FIELD };

	(void)state;
	base_member(&base);
	base.n_attachments = 1;
	base.attachments = lb;
	cur = base;
	cur.n_attachments = 2;
	cur.attachments = lc;       /* the server: y attached elsewhere */
	mine = base;
	mine.n_attachments = 2;
	mine.attachments = lm;      /* this op: z attached */
	pack(&base, &b);
	pack(&cur, &c);
	pack(&mine, &m);
	assert_int_equal(merge_three_way(b.b, b.len, c.b, c.len, m.b, m.len, changed, 1, &r), 0);
	assert_int_equal(r.n_conflicts, 0);
	assert_int_equal(r.n_applied, 1);
	got = unpack(&r);
	assert_int_equal(got->n_attachments, 3);
	assert_string_equal(got->attachments[0]->name, "x.jpg");
	assert_string_equal(got->attachments[1]->name, "y.jpg");
	assert_string_equal(got->attachments[2]->name, "z.jpg");
	hearth__member__free_unpacked(got, NULL);
	merge_result_free(&r);

	/* The op detached x while the server gained y: y stays, x goes. */
	mine.n_attachments = 0;
	mine.attachments = ld;
	pack(&mine, &m);
	assert_int_equal(merge_three_way(b.b, b.len, c.b, c.len, m.b, m.len, changed, 1, &r), 0);
	assert_int_equal(r.n_conflicts, 0);
	got = unpack(&r);
	assert_int_equal(got->n_attachments, 1);
	assert_string_equal(got->attachments[0]->name, "y.jpg");
	hearth__member__free_unpacked(got, NULL);
	merge_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disjoint_fields),
		cmocka_unit_test(test_same_value_no_conflict),
		cmocka_unit_test(test_conflict_keeps_server_value),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_clear_vs_change),
		cmocka_unit_test(test_unlisted_and_unknown_fields),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_allocation_failures),
		cmocka_unit_test(test_attachments_merge_as_a_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
