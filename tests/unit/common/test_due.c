/* test_due.c: common/due.c, the snapshot's following steps. due_snapshot_put
 * puts a record's new version in its id's place (inserting a new id in
 * order, replacing the old version, taking out a version that no longer
 * belongs: deleted, without a body, of another branch); due_snapshot_remove
 * takes an id out of whatever kind holds it; due_snapshot_view gives what a
 * load of one branch keeps, in the same order, borrowing the records. A
 * long random run of puts and removes ends equal to keep + sort of the
 * surviving versions. due_compute finds every member a record names
 * among thousands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/date.h"
#include "common/due.h"
#include "common/hearth.h"

/* A record of kind with id ...n (UUID-shaped), packed and unpacked into
 * s's arena as a replica reader hands it over. */
static Hearth__Record *rec_in(due_snapshot *s, Hearth__Kind kind, unsigned n, const char *branch,
                              int deleted, const char *name)
{
	Hearth__Record r = HEARTH__RECORD__INIT;
	Hearth__Member m = HEARTH__MEMBER__INIT;
	Hearth__Visit v = HEARTH__VISIT__INIT;
	uint8_t id[16] = { 0x01, 0x8f, 0, 0, 0, 0, 0x70 }, buf[1024];
	Hearth__Record *out;
	size_t len;

	id[14] = (uint8_t)(n >> 8);
	id[15] = (uint8_t)n;
	r.id.data = id;
	r.id.len = 16;
	r.kind = kind;
	r.branch_id = (char *)branch;
	r.deleted = deleted;
	if (kind == HEARTH__KIND__KIND_MEMBER) {
		m.name = (char *)name;
		r.body_case = HEARTH__RECORD__BODY_MEMBER;
		r.member = &m;
	} else if (kind == HEARTH__KIND__KIND_VISIT) {
		v.notes = (char *)name;
		r.body_case = HEARTH__RECORD__BODY_VISIT;
		r.visit = &v;
	}
	len = hearth__record__pack(&r, buf);
	assert_true(len < sizeof(buf));
	out = hearth__record__unpack(arena_allocator(&s->arena), len, buf);
	assert_non_null(out);
	return out;
}

static unsigned id_n(const Hearth__Record *r)
{
	return (unsigned)r->id.data[14] << 8 | r->id.data[15];
}

static void expect_ids(const due_snapshot *s, Hearth__Kind k, const unsigned *ids, size_t n)
{
	assert_int_equal(s->n[k], n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(id_n(s->recs[k][i]), ids[i]);
}

static void test_put_inserts_in_order_and_replaces(void **state)
{
	due_snapshot s;
	Hearth__Record *v2;
	(void)state;

	due_snapshot_init(&s);
	assert_int_equal(due_snapshot_put(&s, rec_in(&s, HEARTH__KIND__KIND_MEMBER, 5, "b1", 0, "五"), NULL), 0);
	assert_int_equal(due_snapshot_put(&s, rec_in(&s, HEARTH__KIND__KIND_MEMBER, 2, "b1", 0, "二"), NULL), 0);
	assert_int_equal(due_snapshot_put(&s, rec_in(&s, HEARTH__KIND__KIND_MEMBER, 9, "b2", 0, "九"), NULL), 0);
	assert_int_equal(due_snapshot_put(&s, rec_in(&s, HEARTH__KIND__KIND_VISIT, 7, "b1", 0, "访"), NULL), 0);
	expect_ids(&s, HEARTH__KIND__KIND_MEMBER, (unsigned[]){ 2, 5, 9 }, 3);
	expect_ids(&s, HEARTH__KIND__KIND_VISIT, (unsigned[]){ 7 }, 1);

	/* A new version of 5 takes the old one's place; nothing else moves. */
	v2 = rec_in(&s, HEARTH__KIND__KIND_MEMBER, 5, "b1", 0, "五改");
	assert_int_equal(due_snapshot_put(&s, v2, NULL), 0);
	expect_ids(&s, HEARTH__KIND__KIND_MEMBER, (unsigned[]){ 2, 5, 9 }, 3);
	assert_ptr_equal(s.recs[HEARTH__KIND__KIND_MEMBER][1], v2);
	assert_string_equal(due_member(&s, v2->id.data, 16)->name, "五改");

	/* A deleted version, or one without a body, only takes the old out. */
	assert_int_equal(due_snapshot_put(&s, rec_in(&s, HEARTH__KIND__KIND_MEMBER, 2, "b1", 1, "二"), NULL), 0);
	expect_ids(&s, HEARTH__KIND__KIND_MEMBER, (unsigned[]){ 5, 9 }, 2);
	assert_int_equal(due_snapshot_put(&s, rec_in(&s, HEARTH__KIND__KIND_TALK, 7, "b1", 0, NULL), NULL), 0);
	assert_int_equal(s.n[HEARTH__KIND__KIND_VISIT], 0);
	assert_int_equal(s.n[HEARTH__KIND__KIND_TALK], 0);

	/* Of another branch than the snapshot's: out. */
	assert_int_equal(due_snapshot_put(&s, rec_in(&s, HEARTH__KIND__KIND_MEMBER, 9, "b2", 0, "九"), "b1"), 0);
	expect_ids(&s, HEARTH__KIND__KIND_MEMBER, (unsigned[]){ 5 }, 1);
	due_snapshot_free(&s);
}

static void test_remove_finds_any_kind(void **state)
{
	due_snapshot s;
	Hearth__Record *v;
	uint8_t id[16];
	(void)state;

	due_snapshot_init(&s);
	assert_int_equal(due_snapshot_keep(&s, rec_in(&s, HEARTH__KIND__KIND_MEMBER, 1, "b1", 0, "一"), NULL), 0);
	v = rec_in(&s, HEARTH__KIND__KIND_VISIT, 3, "b1", 0, "访");
	memcpy(id, v->id.data, 16);
	assert_int_equal(due_snapshot_keep(&s, v, NULL), 0);
	assert_int_equal(due_snapshot_keep(&s, rec_in(&s, HEARTH__KIND__KIND_VISIT, 4, "b1", 0, "访"), NULL), 0);
	assert_int_equal(due_snapshot_remove(&s, id, 16), 1);
	expect_ids(&s, HEARTH__KIND__KIND_VISIT, (unsigned[]){ 4 }, 1);
	assert_int_equal(due_snapshot_remove(&s, id, 16), 0);
	/* A short id is not a prefix match. */
	assert_int_equal(due_snapshot_remove(&s, id, 15), 0);
	expect_ids(&s, HEARTH__KIND__KIND_MEMBER, (unsigned[]){ 1 }, 1);
	due_snapshot_free(&s);
}

static void test_view_is_a_branch_load(void **state)
{
	due_snapshot all, one, view;
	const char *branch[] = { "b1", "b2", "" };
	(void)state;

	due_snapshot_init(&all);
	due_snapshot_init(&one);
	for (unsigned i = 1; i <= 30; i++) {
		Hearth__Kind k = i % 3 ? HEARTH__KIND__KIND_MEMBER : HEARTH__KIND__KIND_VISIT;
		assert_int_equal(due_snapshot_keep(&all, rec_in(&all, k, i, branch[i % 3], 0, "x"), NULL), 0);
		assert_int_equal(due_snapshot_keep(&one, rec_in(&one, k, i, branch[i % 3], 0, "x"), "b2"), 0);
	}
	assert_int_equal(due_snapshot_view(&all, "b2", &view), 0);
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(view.n); k++) {
		assert_int_equal(view.n[k], one.n[k]);
		for (size_t i = 0; i < view.n[k]; i++) {
			assert_int_equal(id_n(view.recs[k][i]), id_n(one.recs[k][i]));
			assert_string_equal(view.recs[k][i]->branch_id, "b2");
		}
	}
	due_snapshot_free(&view);
	assert_int_equal(due_snapshot_view(&all, NULL, &view), 0);
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(view.n); k++) {
		assert_int_equal(view.n[k], all.n[k]);
		if (view.n[k])
			assert_memory_equal(view.recs[k], all.recs[k], view.n[k] * sizeof(*view.recs[k]));
	}
	due_snapshot_free(&view);
	due_snapshot_free(&one);
	due_snapshot_free(&all);
}

/* 2,000 random puts (new, changed, deleted) and removes over 200 ids end
 * as keep + sort of the last live version of each. */
static void test_random_run_equals_sorted_keep(void **state)
{
	due_snapshot s, ref;
	int live[200] = { 0 }, ver[200] = { 0 };
	unsigned seed = 12345;
	(void)state;

	due_snapshot_init(&s);
	for (int step = 0; step < 2000; step++) {
		unsigned n, op;
		char name[32];
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 8) % 200;
		op = (seed >> 20) % 4;
		Hearth__Kind k = n % 2 ? HEARTH__KIND__KIND_MEMBER : HEARTH__KIND__KIND_VISIT;
		snprintf(name, sizeof(name), "v%d", ++ver[n]);
		if (op == 3) {
			uint8_t id[16] = { 0x01, 0x8f, 0, 0, 0, 0, 0x70 };
			id[14] = (uint8_t)(n >> 8);
			id[15] = (uint8_t)n;
			assert_int_equal(due_snapshot_remove(&s, id, 16), live[n]);
			live[n] = 0;
		} else {
			assert_int_equal(due_snapshot_put(&s, rec_in(&s, k, n, "b1", op == 2, name), NULL), 0);
			live[n] = op != 2;
		}
	}
	due_snapshot_init(&ref);
	for (unsigned n = 200; n-- > 0;) {
		char name[32];
		Hearth__Kind k = n % 2 ? HEARTH__KIND__KIND_MEMBER : HEARTH__KIND__KIND_VISIT;
		snprintf(name, sizeof(name), "v%d", ver[n]);
		if (live[n])
			assert_int_equal(due_snapshot_keep(&ref, rec_in(&ref, k, n, "b1", 0, name), NULL), 0);
	}
	due_snapshot_sort(&ref);
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(s.n); k++) {
		assert_int_equal(s.n[k], ref.n[k]);
		for (size_t i = 0; i < s.n[k]; i++) {
			const Hearth__Record *a = s.recs[k][i], *b = ref.recs[k][i];
			assert_int_equal(id_n(a), id_n(b));
			assert_int_equal(a->body_case, b->body_case);
			if (a->body_case == HEARTH__RECORD__BODY_MEMBER)
				assert_string_equal(a->member->name, b->member->name);
			else
				assert_string_equal(a->visit->notes, b->visit->notes);
		}
	}
	due_snapshot_free(&ref);
	due_snapshot_free(&s);
}

/* due_compute finds each member a record names through its table of
 * members, among thousands (ids that share their random tail's hash
 * slots probe on), and none for an id it does not hold: 2,000 members,
 * each in the hardship ledger, the even ones visited, a visit of a member
 * the snapshot lacks: a visit is owed to exactly the odd ones. */
static void test_compute_finds_every_member(void **state)
{
	enum { N = 2000 };
	static Hearth__Record recs[3 * N + 1];
	static Hearth__Member mb[N];
	static Hearth__Hardship hb[N];
	static Hearth__Visit vb[N / 2 + 1];
	static uint8_t ids[3 * N + 1][16];
	static ProtobufCBinaryData ref[N + 1];
	due_snapshot s;
	due_report rep;
	due_config cfg;
	int32_t today, day;
	size_t n = 0, nv = 0;
	unsigned seed = 7;
	(void)state;

	due_snapshot_init(&s);
	assert_int_equal(date_parse("2026-08-01", &today), 0);
	for (size_t i = 0; i < 3 * N + 1; i++) {
		ids[i][0] = 0x01;
		ids[i][1] = (uint8_t)(i >> 8);
		ids[i][2] = (uint8_t)i;
		ids[i][6] = 0x70;
		for (int b = 8; b < 16; b++) {
			seed = seed * 1103515245u + 12345u;
			ids[i][b] = (uint8_t)(seed >> 16);
		}
		hearth__record__init(&recs[i]);
		recs[i].id.data = ids[i];
		recs[i].id.len = 16;
		recs[i].branch_id = (char *)"b1";
	}
	for (size_t i = 0; i < N; i++) {
		Hearth__Record *m = &recs[n++], *h = &recs[n++];
		hearth__member__init(&mb[i]);
		mb[i].name = (char *)(i % 2 ? "奇" : "偶");
		m->kind = HEARTH__KIND__KIND_MEMBER;
		m->body_case = HEARTH__RECORD__BODY_MEMBER;
		m->member = &mb[i];
		ref[i].data = m->id.data;
		ref[i].len = 16;
		hearth__hardship__init(&hb[i]);
		hb[i].member = ref[i];
		hb[i].status = HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED;
		hb[i].certified_at = (char *)"2026-01-01";
		h->kind = HEARTH__KIND__KIND_HARDSHIP;
		h->body_case = HEARTH__RECORD__BODY_HARDSHIP;
		h->hardship = &hb[i];
		assert_int_equal(due_snapshot_keep(&s, m, NULL), 0);
		assert_int_equal(due_snapshot_keep(&s, h, NULL), 0);
	}
	/* The unknown member: an id no member has. */
	ref[N].data = ids[3 * N];
	ref[N].len = 16;
	for (size_t i = 0; i <= N; i += 2) {
		Hearth__Record *v = &recs[n++];
		hearth__visit__init(&vb[nv]);
		vb[nv].n_members = 1;
		vb[nv].members = &ref[i];
		vb[nv].date = (char *)"2026-07-01";
		vb[nv].status = HEARTH__VISIT_STATUS__VISIT_STATUS_DONE;
		v->kind = HEARTH__KIND__KIND_VISIT;
		v->body_case = HEARTH__RECORD__BODY_VISIT;
		v->visit = &vb[nv++];
		assert_int_equal(due_snapshot_keep(&s, v, NULL), 0);
	}
	due_snapshot_sort(&s);
	due_config_defaults(&cfg);
	assert_int_equal(due_compute(&s, today, &cfg, &rep), 0);
	assert_int_equal(rep.counts[DUE_VISIT], N / 2);
	for (size_t i = 0; i < rep.n_items; i++) {
		if (rep.items[i].what != DUE_VISIT)
			continue;
		assert_string_equal(rep.items[i].member_name, "奇");
		assert_int_equal(date_parse("2026-01-01", &day), 0);
		assert_int_equal(rep.items[i].since, day);
	}
	due_report_free(&rep);
	/* The snapshot's arrays only: its records are static. */
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(s.recs); k++)
		free(s.recs[k]);
	arena_free(&s.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_inserts_in_order_and_replaces),
		cmocka_unit_test(test_remove_finds_any_kind),
		cmocka_unit_test(test_view_is_a_branch_load),
		cmocka_unit_test(test_random_run_equals_sorted_keep),
		cmocka_unit_test(test_compute_finds_every_member),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
