/* test_due_keep.c: client/core/due_keep.c. The snapshot `hearth ui` keeps
 * and follows equals, after every kind of change, the one a fresh
 * due_snapshot_load reads: record by record (packed bytes), and in what
 * is computed from it (the due list, a branch's year). The changes are
 * those a secretary and a sync make: an edit, a new record, a delete, a
 * restore, a pull page, a re-pull from zero, more changes than it follows
 * (then it reads all), another replica. An unchanged replica reads
 * nothing. The 党费 page's month list and the count of records 首页
 * shows follow too. */
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

#include "client/core/due_keep.h"
#include "client/core/due_load.h"
#include "client/core/dues_month.h"
#include "client/core/replica.h"
#include "client/core/replica_meta.h"
#include "client/core/replica_sync.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/uuid.h"
#include "common/yearly.h"

typedef struct fixture {
	char dir[2][512];
	replica r[2];
	due_keep k;
	uint64_t seq;
	int32_t today;
	uint8_t members[8][16];
} fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	const char *base = getenv("HEARTH_TEST_TMP");
	char err[512];

	assert_non_null(f);
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	for (int i = 0; i < 2; i++) {
		snprintf(f->dir[i], sizeof(f->dir[i]), "%s/due-keep-XXXXXX", base);
		assert_non_null(mkdtemp(f->dir[i]));
		assert_int_equal(replica_open(&f->r[i], f->dir[i], err, sizeof(err)), 0);
	}
	assert_int_equal(date_parse("2026-08-01", &f->today), 0);
	due_keep_init(&f->k);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	due_keep_free(&f->k);
	for (int i = 0; i < 2; i++) {
		replica_close(&f->r[i]);
		nftw(f->dir[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	free(f);
	return 0;
}

/* ---- records: server copies are pulled, edits go through replica_edit */

static void pull(fixture *f, replica *r, Hearth__Record **recs, size_t n)
{
	Hearth__PullResponse page = HEARTH__PULL_RESPONSE__INIT;
	char err[512] = "";

	page.records = recs;
	page.n_records = n;
	page.cursor = ++f->seq;
	if (replica_apply_pull(r, &page, err, sizeof(err)) != 0)
		fail_msg("replica_apply_pull: %s", err);
}

static void server_rec(fixture *f, Hearth__Record *rec, const uint8_t id[16], const char *branch)
{
	rec->id.data = (uint8_t *)id;
	rec->id.len = 16;
	rec->branch_id = (char *)branch;
	rec->rev = 1;
	rec->seq = ++f->seq;
	rec->updated_at = 1780000000000 + (int64_t)f->seq;
}

/* Pulls member i of branch, with a hardship entry certified on certified
 * (so the due list owes it a visit and a talk), and a visit of it on
 * visited (NULL: none). */
static void pull_member(fixture *f, replica *r, int i, const char *branch, const char *name,
                        const char *certified, const char *visited)
{
	Hearth__Record m = HEARTH__RECORD__INIT, h = HEARTH__RECORD__INIT, v = HEARTH__RECORD__INIT;
	Hearth__Member mb = HEARTH__MEMBER__INIT;
	Hearth__Hardship hb = HEARTH__HARDSHIP__INIT;
	Hearth__Visit vb = HEARTH__VISIT__INIT;
	ProtobufCBinaryData ref;
	uint8_t hid[16], vid[16];
	Hearth__Record *recs[3] = { &m, &h, &v };

	assert_int_equal(uuid_v7(f->members[i]), 0);
	assert_int_equal(uuid_v7(hid), 0);
	assert_int_equal(uuid_v7(vid), 0);
	ref.data = f->members[i];
	ref.len = 16;
	mb.name = (char *)name;
	mb.join_date = (char *)"1970-07-01";
	m.kind = HEARTH__KIND__KIND_MEMBER;
	m.body_case = HEARTH__RECORD__BODY_MEMBER;
	m.member = &mb;
	server_rec(f, &m, f->members[i], branch);
	hb.member = ref;
	hb.status = HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED;
	hb.certified_at = (char *)certified;
	h.kind = HEARTH__KIND__KIND_HARDSHIP;
	h.body_case = HEARTH__RECORD__BODY_HARDSHIP;
	h.hardship = &hb;
	server_rec(f, &h, hid, branch);
	vb.n_members = 1;
	vb.members = &ref;
	vb.occasion = HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL;
	vb.status = HEARTH__VISIT_STATUS__VISIT_STATUS_DONE;
	vb.date = (char *)visited;
	vb.cash = 30000;
	v.kind = HEARTH__KIND__KIND_VISIT;
	v.body_case = HEARTH__RECORD__BODY_VISIT;
	v.visit = &vb;
	server_rec(f, &v, vid, branch);
	pull(f, r, recs, visited ? 3 : 2);
}

static void edit_member(fixture *f, const uint8_t id[16], const char *name, int create)
{
	Hearth__Record rec = HEARTH__RECORD__INIT;
	Hearth__Member m = HEARTH__MEMBER__INIT;
	char err[512] = "";

	(void)f;
	m.name = (char *)name;
	m.join_date = (char *)"1975-07-01";
	rec.id.data = (uint8_t *)id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	rec.branch_id = (char *)"b001";
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &m;
	if (replica_edit(&f->r[0], &rec, create, err, sizeof(err)) != 0)
		fail_msg("replica_edit: %s", err);
}

/* A month's dues record of member i, pulled as the server sends it or, with
 * local, stored as the 党费 page's 已缴 stores it (replica_edit). */
static void put_dues(fixture *f, const uint8_t id[16], int i, const char *branch, const char *month,
                     Hearth__DuesStatus status, int local)
{
	Hearth__Record rec = HEARTH__RECORD__INIT, *recs[1] = { &rec };
	Hearth__Dues d = HEARTH__DUES__INIT;
	char err[512] = "";

	d.member.data = f->members[i];
	d.member.len = 16;
	d.month = (char *)month;
	d.dues_group = HEARTH__DUES_GROUP__DUES_GROUP_STUDENT;
	d.due = 20;
	d.status = status;
	if (status == HEARTH__DUES_STATUS__DUES_STATUS_PAID) {
		d.paid = 20;
		d.paid_date = (char *)"2026-07-15";
	}
	rec.kind = HEARTH__KIND__KIND_DUES;
	rec.body_case = HEARTH__RECORD__BODY_DUES;
	rec.dues = &d;
	if (!local) {
		server_rec(f, &rec, id, branch);
		pull(f, &f->r[0], recs, 1);
		return;
	}
	rec.id.data = (uint8_t *)id;
	rec.id.len = 16;
	rec.branch_id = (char *)branch;
	if (replica_edit(&f->r[0], &rec, 0, err, sizeof(err)) != 0)
		fail_msg("replica_edit: %s", err);
}

/* ---- equality with a fresh load --------------------------------------- */

static void expect_same_records(const due_snapshot *a, const due_snapshot *b)
{
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(a->n); k++) {
		assert_int_equal(a->n[k], b->n[k]);
		for (size_t i = 0; i < a->n[k]; i++) {
			size_t la = hearth__record__get_packed_size(a->recs[k][i]);
			size_t lb = hearth__record__get_packed_size(b->recs[k][i]);
			uint8_t *pa = malloc(la + 1), *pb = malloc(lb + 1);
			assert_non_null(pa);
			assert_non_null(pb);
			assert_int_equal(la, lb);
			hearth__record__pack(a->recs[k][i], pa);
			hearth__record__pack(b->recs[k][i], pb);
			assert_memory_equal(pa, pb, la);
			free(pa);
			free(pb);
		}
	}
}

static void expect_same_due(const due_snapshot *a, const due_snapshot *b, int32_t today)
{
	due_config cfg;
	due_report ra, rb;

	due_config_defaults(&cfg);
	assert_int_equal(due_compute(a, today, &cfg, &ra), 0);
	assert_int_equal(due_compute(b, today, &cfg, &rb), 0);
	assert_int_equal(ra.n_items, rb.n_items);
	if (ra.n_items)
		assert_memory_equal(ra.items, rb.items, ra.n_items * sizeof(*ra.items));
	assert_memory_equal(ra.counts, rb.counts, sizeof(ra.counts));
	for (size_t c = 0; c < HEARTH_ARRAY_LEN(ra.campaigns); c++) {
		assert_int_equal(ra.campaigns[c].visited, rb.campaigns[c].visited);
		assert_int_equal(ra.campaigns[c].total, rb.campaigns[c].total);
		assert_int_equal(ra.campaigns[c].n_missing, rb.campaigns[c].n_missing);
		if (ra.campaigns[c].n_missing)
			assert_memory_equal(ra.campaigns[c].missing, rb.campaigns[c].missing,
			                    ra.campaigns[c].n_missing * sizeof(*ra.campaigns[c].missing));
	}
	due_report_free(&ra);
	due_report_free(&rb);
}

static void expect_same_year(const due_snapshot *all, replica *r, const char *branch)
{
	due_snapshot view, fresh;
	yearly_report ya, yb;

	assert_int_equal(due_snapshot_view(all, branch, &view), 0);
	assert_int_equal(due_snapshot_load(r, branch, &fresh), 0);
	expect_same_records(&view, &fresh);
	assert_int_equal(yearly_compute(&view, branch, 2026, &ya), 0);
	assert_int_equal(yearly_compute(&fresh, branch, 2026, &yb), 0);
	assert_int_equal(ya.n, yb.n);
	for (size_t i = 0; i < ya.n; i++) {
		assert_string_equal(ya.f[i].key, yb.f[i].key);
		assert_int_equal(ya.f[i].value, yb.f[i].value);
	}
	assert_int_equal(ya.n_veterans, yb.n_veterans);
	yearly_free(&ya);
	yearly_free(&yb);
	due_snapshot_free(&view);
	due_snapshot_free(&fresh);
}

/* Brings the kept snapshot up to r, checks how, and that it equals a fresh
 * load of r in its records, its due list and b001's year. Returns how
 * many records it followed. */
static size_t check(fixture *f, replica *r, enum due_keep_how how)
{
	const due_snapshot *kept;
	due_snapshot fresh;
	due_keep_result res;
	replica_status st;

	assert_int_equal(due_keep_get(&f->k, r, &kept, &res), 0);
	assert_non_null(kept);
	assert_int_equal(res.how, how);
	/* The count of live records 首页 shows is the walk's, and equals the
	 * full count replica_status_get scans for. */
	assert_int_equal(replica_status_get(r, &st), 0);
	assert_int_equal(res.live, st.records);
	assert_int_equal(due_snapshot_load(r, NULL, &fresh), 0);
	expect_same_records(kept, &fresh);
	expect_same_due(kept, &fresh, f->today);
	due_snapshot_free(&fresh);
	expect_same_year(kept, r, "b001");
	return res.changed;
}

static void fill(fixture *f)
{
	pull_member(f, &f->r[0], 0, "b001", "张一", "2026-01-10", "2026-02-01");
	pull_member(f, &f->r[0], 1, "b001", "李二", "2026-03-01", NULL);
	pull_member(f, &f->r[0], 2, "b002", "王三", "2026-04-01", "2026-07-01");
	pull_member(f, &f->r[0], 3, "b001", "赵四", "2025-11-01", "2026-01-20");
}

static void test_follows_edits_creates_deletes_restores(void **state)
{
	fixture *f = *state;
	uint8_t fresh_id[16];
	char err[512] = "";
	due_report rep;
	due_config cfg;
	const due_snapshot *kept;

	fill(f);
	check(f, &f->r[0], DUE_KEEP_LOADED);
	due_config_defaults(&cfg);
	assert_int_equal(due_keep_get(&f->k, &f->r[0], &kept, NULL), 0);
	assert_int_equal(due_compute(kept, f->today, &cfg, &rep), 0);
	assert_true(rep.n_items > 0);     /* a due list with something in it to compare */
	due_report_free(&rep);

	/* Nothing written: nothing read. */
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_KEPT), 0);

	/* An edit of a member (a name the due list prints). */
	edit_member(f, f->members[1], "李二改", 0);
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_FOLLOWED), 1);

	/* A new member. */
	assert_int_equal(uuid_v7(fresh_id), 0);
	edit_member(f, fresh_id, "新五", 1);
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_FOLLOWED), 1);

	/* A delete: of a member whose hardship entry stays (the due list
	 * then skips it), and of the new one. */
	assert_int_equal(replica_delete(&f->r[0], f->members[0], &(replica_delete_opts){ .confirm_referenced = 1 },
	                                err, sizeof(err)), 0);
	assert_int_equal(replica_delete(&f->r[0], fresh_id, NULL, err, sizeof(err)), 0);
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_FOLLOWED), 2);

	/* A restore brings the member back. */
	if (replica_restore(&f->r[0], f->members[0], err, sizeof(err)) != 0)
		fail_msg("replica_restore: %s", err);
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_FOLLOWED), 1);

	/* A pull page: new records and a new server copy of a known one. */
	pull_member(f, &f->r[0], 4, "b001", "钱五", "2026-05-01", "2026-06-01");
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_FOLLOWED), 3);

	/* A re-pull from zero forgets every server copy but the local ones
	 * of records with pending ops: most records go. */
	assert_int_equal(replica_reset_server(&f->r[0]), 0);
	check(f, &f->r[0], DUE_KEEP_FOLLOWED);
	fill(f);
	check(f, &f->r[0], DUE_KEEP_FOLLOWED);
}

static void test_many_changes_read_all(void **state)
{
	fixture *f = *state;

	fill(f);
	check(f, &f->r[0], DUE_KEEP_LOADED);
	/* 3 records a member: more than the changes it follows. */
	for (int i = 0; i < DUE_KEEP_MAX_CHANGES / 3 + 1; i++)
		pull_member(f, &f->r[0], 5, "b001", "孙六", "2026-02-01", "2026-02-02");
	check(f, &f->r[0], DUE_KEEP_LOADED);
	edit_member(f, f->members[5], "孙六改", 0);
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_FOLLOWED), 1);
}

static void test_another_replica_is_read_whole(void **state)
{
	fixture *f = *state;

	fill(f);
	pull_member(f, &f->r[1], 6, "b001", "周七", "2026-02-01", "2026-02-02");
	check(f, &f->r[0], DUE_KEEP_LOADED);
	check(f, &f->r[1], DUE_KEEP_LOADED);
	check(f, &f->r[0], DUE_KEEP_LOADED);
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_KEPT), 0);
}

/* The regression of the first browser run: kept while the replica was
 * still empty (no rows), the first records were never followed. */
static void test_empty_then_filled(void **state)
{
	fixture *f = *state;

	check(f, &f->r[0], DUE_KEEP_LOADED);
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_KEPT), 0);
	pull_member(f, &f->r[0], 0, "b001", "张一", "2026-01-10", NULL);
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_FOLLOWED), 2);
	edit_member(f, f->members[0], "张一改", 0);
	assert_int_equal(check(f, &f->r[0], DUE_KEEP_FOLLOWED), 1);
}

/* The 党费 page's list of a month over the branch's view of the kept
 * snapshot equals the list over a fresh load of the branch, record by
 * record with the member's name, after each change the page and a sync
 * make: a pull of the month's records, 已缴 on one, a member renamed, a
 * delete and a restore. Returns the list's length. */
static size_t check_month(fixture *f, const char *branch, const char *month, enum due_keep_how how)
{
	const due_snapshot *kept;
	due_snapshot view, fresh;
	dues_month_entry *a, *b;
	size_t na, nb;
	int32_t mi;

	check(f, &f->r[0], how);
	assert_int_equal(dues_month_parse(month, &mi), 0);
	assert_int_equal(due_keep_get(&f->k, &f->r[0], &kept, NULL), 0);
	assert_int_equal(due_snapshot_view(kept, branch, &view), 0);
	assert_int_equal(due_snapshot_load(&f->r[0], branch, &fresh), 0);
	assert_int_equal(dues_month_records(&view, mi, &a, &na), 0);
	assert_int_equal(dues_month_records(&fresh, mi, &b, &nb), 0);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_memory_equal(a[i].rec->id.data, b[i].rec->id.data, 16);
		assert_int_equal(a[i].rec->dues->status, b[i].rec->dues->status);
		assert_int_equal(a[i].rec->dues->paid, b[i].rec->dues->paid);
		assert_string_equal(a[i].rec->dues->month, month);
		assert_int_equal(a[i].member != NULL, b[i].member != NULL);
		if (a[i].member)
			assert_string_equal(a[i].member->name, b[i].member->name);
	}
	free(a);
	free(b);
	due_snapshot_free(&view);
	due_snapshot_free(&fresh);
	return na;
}

/* 党费月度's run over the branch's view of the kept snapshot answers as the
 * run over a fresh load: the active members, those who have the month's
 * record, those missing data (none of these members has a dues group, so
 * nothing is created and the replica stays as it was). */
static void expect_same_run(fixture *f, const char *branch, const char *month, size_t active, size_t had,
                            size_t needs)
{
	const due_snapshot *kept;
	due_snapshot view;
	dues_month_result a, b;
	char err[512];

	assert_int_equal(due_keep_get(&f->k, &f->r[0], &kept, NULL), 0);
	assert_int_equal(due_snapshot_view(kept, branch, &view), 0);
	assert_int_equal(dues_month_run_over(&f->r[0], &view, branch, month, &a, err, sizeof(err)), 0);
	assert_int_equal(dues_month_run(&f->r[0], branch, month, &b, err, sizeof(err)), 0);
	assert_int_equal(a.active, active);
	assert_int_equal(a.had, had);
	assert_int_equal(a.n_needs, needs);
	assert_int_equal(a.created, 0);
	assert_int_equal(b.active, a.active);
	assert_int_equal(b.had, a.had);
	assert_int_equal(b.n_needs, a.n_needs);
	assert_int_equal(b.created, 0);
	for (size_t i = 0; i < a.n_needs; i++) {
		assert_memory_equal(a.needs[i].member, b.needs[i].member, 16);
		assert_int_equal(a.needs[i].what, DUES_MISSING_GROUP);
	}
	assert_string_equal(a.month, month);
	dues_month_result_free(&a);
	dues_month_result_free(&b);
	due_snapshot_free(&view);
}

static void test_dues_month_follows(void **state)
{
	fixture *f = *state;
	uint8_t d[4][16];
	char err[512] = "";
	const due_snapshot *kept;
	dues_month_entry *e;
	size_t n;
	int32_t mi;

	fill(f);
	for (int i = 0; i < 4; i++)
		assert_int_equal(uuid_v7(d[i]), 0);
	assert_int_equal(check_month(f, "b001", "2026-06", DUE_KEEP_LOADED), 0);
	/* b001's June for members 0 and 1, b002's for member 2 (another
	 * branch: not on b001's page), member 0's May (another month). */
	put_dues(f, d[0], 0, "b001", "2026-06", HEARTH__DUES_STATUS__DUES_STATUS_UNPAID, 0);
	put_dues(f, d[1], 1, "b001", "2026-06", HEARTH__DUES_STATUS__DUES_STATUS_UNPAID, 0);
	put_dues(f, d[2], 2, "b002", "2026-06", HEARTH__DUES_STATUS__DUES_STATUS_UNPAID, 0);
	put_dues(f, d[3], 0, "b001", "2026-05", HEARTH__DUES_STATUS__DUES_STATUS_UNPAID, 0);
	assert_int_equal(check_month(f, "b001", "2026-06", DUE_KEEP_FOLLOWED), 2);
	assert_int_equal(check_month(f, "b002", "2026-06", DUE_KEEP_KEPT), 1);
	assert_int_equal(check_month(f, "b001", "2026-05", DUE_KEEP_KEPT), 1);
	expect_same_run(f, "b001", "2026-06", 3, 2, 1);
	expect_same_run(f, "b001", "2026-05", 3, 1, 2);
	expect_same_run(f, "b002", "2026-06", 1, 1, 0);

	/* 已缴 on member 1's June record, as the page stores it. */
	put_dues(f, d[1], 1, "b001", "2026-06", HEARTH__DUES_STATUS__DUES_STATUS_PAID, 1);
	assert_int_equal(check_month(f, "b001", "2026-06", DUE_KEEP_FOLLOWED), 2);
	assert_int_equal(dues_month_parse("2026-06", &mi), 0);
	assert_int_equal(due_keep_get(&f->k, &f->r[0], &kept, NULL), 0);
	assert_int_equal(dues_month_records(kept, mi, &e, &n), 0);
	assert_int_equal(n, 3);             /* both branches' over the whole snapshot */
	for (size_t i = 0; i < n; i++)
		if (!memcmp(e[i].rec->id.data, d[1], 16)) {
			assert_int_equal(e[i].rec->dues->status, HEARTH__DUES_STATUS__DUES_STATUS_PAID);
			assert_int_equal(e[i].rec->dues->paid, 20);
			assert_string_equal(e[i].member->name, "李二");
			mi = 0;
		}
	assert_int_equal(mi, 0);            /* found */
	free(e);

	/* The member's new name is the list's. */
	edit_member(f, f->members[0], "张一改", 0);
	assert_int_equal(check_month(f, "b001", "2026-06", DUE_KEEP_FOLLOWED), 2);

	/* A deleted record leaves the month; restored, it is back. */
	assert_int_equal(replica_delete(&f->r[0], d[0], NULL, err, sizeof(err)), 0);
	assert_int_equal(check_month(f, "b001", "2026-06", DUE_KEEP_FOLLOWED), 1);
	if (replica_restore(&f->r[0], d[0], err, sizeof(err)) != 0)
		fail_msg("replica_restore: %s", err);
	assert_int_equal(check_month(f, "b001", "2026-06", DUE_KEEP_FOLLOWED), 2);

	/* A month no record has, and a deleted member's record (the name is
	 * then "", as on a fresh load). */
	assert_int_equal(check_month(f, "b001", "2026-07", DUE_KEEP_KEPT), 0);
	assert_int_equal(replica_delete(&f->r[0], f->members[1], &(replica_delete_opts){ .confirm_referenced = 1 },
	                                err, sizeof(err)), 0);
	assert_int_equal(check_month(f, "b001", "2026-06", DUE_KEEP_FOLLOWED), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_follows_edits_creates_deletes_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_changes_read_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_another_replica_is_read_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_then_filled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dues_month_follows, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
