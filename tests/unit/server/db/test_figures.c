/* test_figures.c: the committee's counters (server/db/figures.c) follow
 * every kind of change of a record: create, edit, delete, restore, a move
 * to another branch; distinct members (困难党员, coverage) count once; a
 * nominated honor counts nowhere; and figures_ensure makes from the
 * records exactly what the changes made one by one. A real LMDB store in
 * a temporary directory; records built in memory. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "server/db/figures.h"
#include "server/db/store.h"

typedef struct fixture {
	char dir[512];
	store s;
} fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void open_fixture(fixture *f)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	char err[512];

	memset(f, 0, sizeof(*f));
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(f->dir, sizeof(f->dir), "%s/figures-XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(store_open(&f->s, f->dir, 64ull << 20, err, sizeof(err)), 0);
}

static void close_fixture(fixture *f)
{
	store_close(&f->s);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static uint8_t ids[8][16];

/* Record n of the test, a Hearth__Record in branch with the body set by
 * the caller (of that kind). */
static void base_record(Hearth__Record *r, int n, const char *branch, Hearth__Kind kind)
{
	hearth__record__init(r);
	r->kind = kind;
	memset(ids[n], 0, 16);
	ids[n][15] = (uint8_t)n;
	ids[n][8] = 0x80;
	r->id.data = ids[n];
	r->id.len = 16;
	r->branch_id = (char *)branch;
}

/* Moves the counters from old (NULL: a create) to now, in one write
 * transaction, and keeps now as the record's stored copy so that a
 * rebuild sees it. */
static void change(fixture *f, const Hearth__Record *old, const Hearth__Record *now)
{
	size_t len = hearth__record__get_packed_size(now);
	uint8_t *buf = malloc(len ? len : 1);
	MDB_txn *txn;
	MDB_val k = { 16, now->id.data }, v = { len, buf };

	assert_non_null(buf);
	hearth__record__pack(now, buf);
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, 0, &txn), 0);
	assert_int_equal(figures_record_changed(&f->s, txn, old, buf, len), 0);
	assert_int_equal(mdb_put(txn, f->s.records, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	free(buf);
}

/* Counter c of branch in year (with the figures that stand now). */
static int64_t get(fixture *f, const char *branch, int year, int c)
{
	figures_row *rows;
	size_t n;
	MDB_txn *txn;
	int64_t v = 0;

	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(figures_read(&f->s, txn, year, &rows, &n), 0);
	mdb_txn_abort(txn);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].branch, branch))
			v = rows[i].v[c];
	free(rows);
	return v;
}

static void test_member_edit_delete_restore(void **state)
{
	fixture f;
	Hearth__Record a, b;
	Hearth__Member m = HEARTH__MEMBER__INIT, m2;

	(void)state;
	open_fixture(&f);
	base_record(&a, 1, "b1", HEARTH__KIND__KIND_MEMBER);
	m.standing = HEARTH__STANDING__STANDING_NORMAL;
	m.category = HEARTH__MEMBER_CATEGORY__CATEGORY_FULL;
	a.body_case = HEARTH__RECORD__BODY_MEMBER;
	a.member = &m;
	change(&f, NULL, &a);
	assert_int_equal(get(&f, "b1", 2026, FC_MEMBERS), 1);
	assert_int_equal(get(&f, "b1", 2026, FC_MEMBERS_FULL), 1);
	assert_int_equal(get(&f, "b1", 2026, FC_MEMBERS_NORMAL), 1);
	/* Edit: 去世 is no longer a live member, but still a member record. */
	b = a;
	m2 = m;
	m2.standing = HEARTH__STANDING__STANDING_DECEASED;
	b.member = &m2;
	change(&f, &a, &b);
	assert_int_equal(get(&f, "b1", 2026, FC_MEMBERS), 0);
	assert_int_equal(get(&f, "b1", 2026, FC_MEMBERS_NORMAL), 0);
	assert_int_equal(get(&f, "b1", 2026, FC_MEMBERS_DECEASED), 1);
	/* Delete, then restore. */
	a = b;
	b.deleted = 1;
	change(&f, &a, &b);
	assert_int_equal(get(&f, "b1", 2026, FC_MEMBERS_DECEASED), 0);
	a = b;
	b.deleted = 0;
	change(&f, &a, &b);
	assert_int_equal(get(&f, "b1", 2026, FC_MEMBERS_DECEASED), 1);
	/* Moved to b2: it leaves b1's figures for b2's. */
	a = b;
	b.branch_id = "b2";
	change(&f, &a, &b);
	assert_int_equal(get(&f, "b1", 2026, FC_MEMBERS_DECEASED), 0);
	assert_int_equal(get(&f, "b2", 2026, FC_MEMBERS_DECEASED), 1);
	close_fixture(&f);
}

static void test_coverage_distinct_members(void **state)
{
	fixture f;
	Hearth__Record h1, h2, v1, v2, old;
	Hearth__Hardship hs = HEARTH__HARDSHIP__INIT, hs2;
	Hearth__Visit vs = HEARTH__VISIT__INIT;
	ProtobufCBinaryData who[2];
	uint8_t member[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 9, 9, 9, 9, 9, 9, 9 };

	(void)state;
	open_fixture(&f);
	/* Two open ledger entries of one member: one 困难党员. */
	hs.status = HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED;
	hs.member.data = member;
	hs.member.len = 16;
	base_record(&h1, 1, "b1", HEARTH__KIND__KIND_HARDSHIP);
	h1.body_case = HEARTH__RECORD__BODY_HARDSHIP;
	h1.hardship = &hs;
	base_record(&h2, 2, "b1", HEARTH__KIND__KIND_HARDSHIP);
	h2.body_case = HEARTH__RECORD__BODY_HARDSHIP;
	h2.hardship = &hs;
	change(&f, NULL, &h1);
	change(&f, NULL, &h2);
	assert_int_equal(get(&f, "b1", 2026, FC_HARDSHIP_OPEN), 2);
	assert_int_equal(get(&f, "b1", 2026, FC_HARDSHIP_MEMBERS), 1);
	/* Two Spring Festival visits of her (one naming her twice): covered once. */
	who[0].data = member;
	who[0].len = 16;
	who[1] = who[0];
	vs.occasion = HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL;
	vs.status = HEARTH__VISIT_STATUS__VISIT_STATUS_DONE;
	vs.date = "2026-02-10";
	vs.members = who;
	vs.n_members = 2;
	base_record(&v1, 3, "b1", HEARTH__KIND__KIND_VISIT);
	v1.body_case = HEARTH__RECORD__BODY_VISIT;
	v1.visit = &vs;
	base_record(&v2, 4, "b1", HEARTH__KIND__KIND_VISIT);
	v2.body_case = HEARTH__RECORD__BODY_VISIT;
	v2.visit = &vs;
	change(&f, NULL, &v1);
	change(&f, NULL, &v2);
	assert_int_equal(get(&f, "b1", 2026, FC_VISITS), 2);
	assert_int_equal(get(&f, "b1", 2026, FC_VISITS_SPRING), 2);
	assert_int_equal(get(&f, "b1", 2026, FC_VISITS_MONTH + 1), 2);
	assert_int_equal(get(&f, "b1", 2026, FC_SPRING_VISITED), 1);
	assert_int_equal(get(&f, "b1", 2025, FC_SPRING_VISITED), 0);
	assert_int_equal(get(&f, "b1", 2025, FC_VISITS), 0);
	/* One visit deleted: still covered; both: not. */
	old = v1;
	v1.deleted = 1;
	change(&f, &old, &v1);
	assert_int_equal(get(&f, "b1", 2026, FC_SPRING_VISITED), 1);
	old = v2;
	v2.deleted = 1;
	change(&f, &old, &v2);
	assert_int_equal(get(&f, "b1", 2026, FC_SPRING_VISITED), 0);
	assert_int_equal(get(&f, "b1", 2026, FC_VISITS), 0);
	/* Restored: covered again. */
	old = v2;
	v2.deleted = 0;
	change(&f, &old, &v2);
	assert_int_equal(get(&f, "b1", 2026, FC_SPRING_VISITED), 1);
	/* Her entries resolved (脱困): no longer a 困难党员, so not covered. */
	hs2 = hs;
	hs2.status = HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED;
	old = h1;
	h1.hardship = &hs2;
	change(&f, &old, &h1);
	assert_int_equal(get(&f, "b1", 2026, FC_HARDSHIP_MEMBERS), 1);
	assert_int_equal(get(&f, "b1", 2026, FC_SPRING_VISITED), 1);
	/* Her last open entry moves to b2: b2's 困难党员, covered there by b1's visit. */
	old = h2;
	h2.branch_id = "b2";
	change(&f, &old, &h2);
	assert_int_equal(get(&f, "b1", 2026, FC_HARDSHIP_MEMBERS), 0);
	assert_int_equal(get(&f, "b1", 2026, FC_SPRING_VISITED), 0);
	assert_int_equal(get(&f, "b2", 2026, FC_HARDSHIP_MEMBERS), 1);
	assert_int_equal(get(&f, "b2", 2026, FC_SPRING_VISITED), 1);
	assert_int_equal(get(&f, "b1", 2026, FC_HARDSHIP_RESOLVED), 1);
	close_fixture(&f);
}

static void test_honor_dues_transfer(void **state)
{
	fixture f;
	Hearth__Record h, d, t, s, old;
	Hearth__Honor ho = HEARTH__HONOR__INIT, ho2;
	Hearth__Dues du = HEARTH__DUES__INIT;
	Hearth__Transfer tr = HEARTH__TRANSFER__INIT, ts;
	Hearth__TransferSummary sum = HEARTH__TRANSFER_SUMMARY__INIT;

	(void)state;
	open_fixture(&f);
	ho.year = 2026;
	ho.status = HEARTH__HONOR_STATUS__HONOR_STATUS_NOMINATED;
	base_record(&h, 1, "b1", HEARTH__KIND__KIND_HONOR);
	h.body_case = HEARTH__RECORD__BODY_HONOR;
	h.honor = &ho;
	change(&f, NULL, &h);
	assert_int_equal(get(&f, "b1", 2026, FC_HONORS), 0);
	ho2 = ho;
	ho2.status = HEARTH__HONOR_STATUS__HONOR_STATUS_APPROVED;
	old = h;
	h.honor = &ho2;
	change(&f, &old, &h);
	assert_int_equal(get(&f, "b1", 2026, FC_HONORS), 1);
	assert_int_equal(get(&f, "b1", 2025, FC_HONORS), 0);
	/* Dues: an exempt month owes nothing, but what was paid counts. */
	du.month = "2026-03";
	du.due = 1000;
	du.paid = 400;
	du.status = HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT;
	base_record(&d, 2, "b1", HEARTH__KIND__KIND_DUES);
	d.body_case = HEARTH__RECORD__BODY_DUES;
	d.dues = &du;
	change(&f, NULL, &d);
	assert_int_equal(get(&f, "b1", 2026, FC_DUES_DUE), 0);
	assert_int_equal(get(&f, "b1", 2026, FC_DUES_PAID), 400);
	/* An accepted transfer b1 -> b2 lives in b2 (转入 of the year it was
	 * accepted); b1's summary is its 转出 of the year it was issued. */
	tr.from_branch = "b1";
	tr.to_branch = "b2";
	tr.issued_date = "2025-12-30";
	tr.accepted_date = "2026-01-05";
	tr.status = HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED;
	base_record(&t, 3, "b2", HEARTH__KIND__KIND_TRANSFER);
	t.body_case = HEARTH__RECORD__BODY_TRANSFER;
	t.transfer = &tr;
	change(&f, NULL, &t);
	ts = tr;
	ts.summary = &sum;
	base_record(&s, 4, "b1", HEARTH__KIND__KIND_TRANSFER);
	s.body_case = HEARTH__RECORD__BODY_TRANSFER;
	s.transfer = &ts;
	change(&f, NULL, &s);
	assert_int_equal(get(&f, "b2", 2026, FC_TRANSFERS_IN), 1);
	assert_int_equal(get(&f, "b2", 2025, FC_TRANSFERS_OUT), 0);
	assert_int_equal(get(&f, "b1", 2025, FC_TRANSFERS_OUT), 1);
	assert_int_equal(get(&f, "b1", 2026, FC_TRANSFERS_OUT), 0);
	close_fixture(&f);
}

/* Activities count toward no figure; a deleted record toward none. */
static void test_uncounted(void **state)
{
	fixture f;
	Hearth__Record a, m;
	Hearth__Activity ac = HEARTH__ACTIVITY__INIT;
	Hearth__Member mb = HEARTH__MEMBER__INIT;
	figures_row *rows;
	size_t n;
	MDB_txn *txn;

	(void)state;
	open_fixture(&f);
	base_record(&a, 1, "b1", HEARTH__KIND__KIND_ACTIVITY);
	a.body_case = HEARTH__RECORD__BODY_ACTIVITY;
	a.activity = &ac;
	change(&f, NULL, &a);
	base_record(&m, 2, "b1", HEARTH__KIND__KIND_MEMBER);
	mb.standing = HEARTH__STANDING__STANDING_NORMAL;
	m.body_case = HEARTH__RECORD__BODY_MEMBER;
	m.member = &mb;
	m.deleted = 1;
	change(&f, NULL, &m);
	assert_int_equal(mdb_txn_begin(f.s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(figures_read(&f.s, txn, 2026, &rows, &n), 0);
	mdb_txn_abort(txn);
	assert_int_equal(n, 0);
	free(rows);
	close_fixture(&f);
}

/* A store with records but no counters (an older store) gets them made,
 * once; they equal what the changes made one by one. */
static void test_ensure_rebuilds_once(void **state)
{
	fixture f;
	figures_row *before, *after;
	size_t nb, na;
	MDB_txn *txn;
	int rebuilt;

	(void)state;
	open_fixture(&f);
	{
		Hearth__Record m;
		Hearth__Member mb = HEARTH__MEMBER__INIT;
		base_record(&m, 5, "b3", HEARTH__KIND__KIND_MEMBER);
		mb.standing = HEARTH__STANDING__STANDING_NORMAL;
		mb.category = HEARTH__MEMBER_CATEGORY__CATEGORY_PROBATIONARY;
		m.body_case = HEARTH__RECORD__BODY_MEMBER;
		m.member = &mb;
		change(&f, NULL, &m);
	}
	assert_int_equal(mdb_txn_begin(f.s.env, NULL, 0, &txn), 0);
	assert_int_equal(figures_read(&f.s, txn, 2026, &before, &nb), 0);
	/* Counters lost, as in a store from before them. */
	assert_int_equal(mdb_drop(txn, f.s.figures, 0), 0);
	assert_int_equal(figures_ensure(&f.s, txn, &rebuilt), 0);
	assert_int_equal(rebuilt, 1);
	assert_int_equal(figures_read(&f.s, txn, 2026, &after, &na), 0);
	assert_int_equal(na, nb);
	assert_int_equal(na, 1);
	assert_memory_equal(before, after, nb * sizeof(*before));
	assert_int_equal(after[0].v[FC_MEMBERS_PROBATIONARY], 1);
	free(after);
	/* Once: a second call finds them made. */
	assert_int_equal(figures_ensure(&f.s, txn, &rebuilt), 0);
	assert_int_equal(rebuilt, 0);
	mdb_txn_abort(txn);
	free(before);
	close_fixture(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_edit_delete_restore),
		cmocka_unit_test(test_coverage_distinct_members),
		cmocka_unit_test(test_honor_dues_transfer),
		cmocka_unit_test(test_uncounted),
		cmocka_unit_test(test_ensure_rebuilds_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
