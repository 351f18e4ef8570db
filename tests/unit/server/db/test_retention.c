/* test_server_retention.c: the tombstone purge removes old tombstones, their
 * index entries, moved-out markers and digest share, keeps every revision,
 * and sets the horizon that sends stale replicas back to zero. */
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
#include <unistd.h>

#include <cmocka.h>

#include "server/db/feeds.h"
#include "server/db/principals.h"
#include "server/db/pull.h"
#include "server/db/push.h"
#include "server/db/revision.h"
#include "common/hearth.h"
#include "server/db/retention.h"
#include "server/db/store.h"
#include "common/uuid.h"
#include "common/wire.h"

#define DAY 86400000LL

typedef struct fixture {
	char dir[512];
	store s;
	int64_t now;
} fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
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
	snprintf(f->dir, sizeof(f->dir), "%s/retention-XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(store_open(&f->s, f->dir, 64ull << 20, err, sizeof(err)), 0);
	{
		char *branches[] = { "b1=一支部", "b2=二支部" };
		assert_int_equal(principals_preset_branches(&f->s, branches, 2, err, sizeof(err)), 0);
	}
	f->now = 2000 * DAY;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	store_close(&f->s);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static actor who(Hearth__Role role, const char *branch)
{
	actor a;
	memset(&a, 0, sizeof(a));
	a.role = role;
	snprintf(a.branch, sizeof(a.branch), "%s", branch);
	snprintf(a.fingerprint, sizeof(a.fingerprint), "%064d", 0);
	snprintf(a.name, sizeof(a.name), "tester");
	return a;
}

/* Pushes one op (create, or delete at base_rev) at time `at`. */
static void push(fixture *f, const actor *a, const uint8_t id[16], const char *branch, uint64_t base_rev,
                 int del, int64_t at)
{
	Hearth__Op op = HEARTH__OP__INIT;
	Hearth__Record rec = HEARTH__RECORD__INIT;
	Hearth__Member m = HEARTH__MEMBER__INIT;
	uint8_t op_id[16];
	uint32_t changed[] = { 1, 2, 7, 8 };
	wirebuf out = WIREBUF_INIT;
	MDB_txn *txn;

	uuid_v7(op_id);
	m.name = "王建国";
	m.gender = HEARTH__GENDER__GENDER_MALE;
	m.category = HEARTH__MEMBER_CATEGORY__CATEGORY_FULL;
	m.join_date = "2001-07-01";
	rec.id.data = (uint8_t *)id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	rec.branch_id = (char *)branch;
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &m;
	op.op_id.data = op_id;
	op.op_id.len = 16;
	op.record = &rec;
	op.base_rev = base_rev;
	op.delete_ = del;
	op.changed_fields = changed;
	op.n_changed_fields = 4;
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, 0, &txn), 0);
	assert_int_equal(push_op(&f->s, txn, a, &op, NULL, at, &out), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	wire_free(&out);
}

static void rehome(fixture *f, const uint8_t id[16], const char *to, int64_t at)
{
	actor admin = who(HEARTH__ROLE__ROLE_ADMIN, "");
	MDB_txn *txn;
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, 0, &txn), 0);
	assert_int_equal(revision_rehome(&f->s, txn, &admin, id, to, at), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
}

/* The stored latest copy's seq, or 0 when the record is gone. */
static uint64_t latest_seq(fixture *f, const uint8_t id[16])
{
	MDB_txn *txn;
	MDB_val k = { 16, (void *)id }, v;
	uint64_t seq = 0;
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	if (mdb_get(txn, f->s.records, &k, &v) == 0) {
		Hearth__Record *r = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
		assert_non_null(r);
		seq = r->seq;
		hearth__record__free_unpacked(r, NULL);
	}
	mdb_txn_abort(txn);
	return seq;
}

static int has_rev(fixture *f, const uint8_t id[16], uint64_t rev)
{
	MDB_txn *txn;
	uint8_t kb[24];
	MDB_val k = { 24, kb }, v;
	int rc;
	memcpy(kb, id, 16);
	for (int i = 0; i < 8; i++)
		kb[16 + i] = (uint8_t)(rev >> (56 - 8 * i));
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	rc = mdb_get(txn, f->s.revs, &k, &v);
	mdb_txn_abort(txn);
	return rc == 0;
}

static size_t count_db(fixture *f, MDB_dbi dbi)
{
	MDB_txn *txn;
	MDB_stat st;
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_stat(txn, dbi, &st), 0);
	mdb_txn_abort(txn);
	return st.ms_entries;
}

/* The scope of one branch, or all (branch NULL). */
static store_scope scope_of(const char *branch)
{
	store_scope sc;
	memset(&sc, 0, sizeof(sc));
	sc.all = branch == NULL;
	if (branch) {
		sc.n = 1;
		snprintf(sc.ids[0], sizeof(sc.ids[0]), "%s", branch);
	}
	return sc;
}

static uint64_t digest_count(fixture *f, const char *branch)
{
	store_scope sc = scope_of(branch);
	wirebuf out = WIREBUF_INIT;
	Hearth__DigestResponse *d;
	uint64_t n = 0;
	assert_int_equal(feeds_digest(&f->s, &sc, &out), 0);
	d = hearth__digest_response__unpack(NULL, out.len, out.data);
	assert_non_null(d);
	for (size_t i = 0; i < d->n_kinds; i++)
		n += d->kinds[i]->count;
	hearth__digest_response__free_unpacked(d, NULL);
	wire_free(&out);
	return n;
}

static void check_fresh(fixture *f, const char *branch, uint64_t cursor, uint64_t fresh, int want_reset,
                        uint64_t want_floor)
{
	MDB_txn *txn;
	int reset = -1;
	uint64_t floor = 99;
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(retention_pull_check(&f->s, txn, branch, cursor, fresh, &reset, &floor), 0);
	mdb_txn_abort(txn);
	assert_int_equal(reset, want_reset);
	assert_int_equal(floor, want_floor);
}

static void check(fixture *f, const char *branch, uint64_t cursor, int want_reset, uint64_t want_floor)
{
	check_fresh(f, branch, cursor, 0, want_reset, want_floor);
}

/* Pulls the whole scope from zero; must not trip over anything the purge
 * removed (a dangling index entry would make the pull fail). */
static uint32_t pull_all(fixture *f, const char *branch)
{
	wirebuf out = WIREBUF_INIT;
	uint32_t n = 0;
	store_scope sc = scope_of(branch);
	assert_int_equal(pull_page(&f->s, &sc, 0, 1000, 1 << 20, &out, &n, NULL), 0);
	wire_free(&out);
	return n;
}

static void test_purge(void **state)
{
	fixture *f = *state;
	actor b1 = who(HEARTH__ROLE__ROLE_BRANCH, "b1");
	actor b2 = who(HEARTH__ROLE__ROLE_BRANCH, "b2");
	uint8_t live[16], old_del[16], moved[16], new_del[16];
	int64_t old = f->now - 500 * DAY;
	retention_stats st;
	uint64_t old_seq, moved_seq;

	uuid_v7(live), uuid_v7(old_del), uuid_v7(moved), uuid_v7(new_del);
	push(f, &b1, live, "b1", 0, 0, old);
	push(f, &b1, old_del, "b1", 0, 0, old);
	push(f, &b1, old_del, "b1", 1, 1, old);          /* deleted 500 days ago */
	push(f, &b1, moved, "b1", 0, 0, old);
	rehome(f, moved, "b2", old);                      /* leaves a marker in b1's feed */
	push(f, &b2, moved, "b2", 2, 1, old + DAY);       /* then deleted in b2 */
	push(f, &b1, new_del, "b1", 0, 0, f->now - 10 * DAY);
	push(f, &b1, new_del, "b1", 1, 1, f->now - 10 * DAY); /* deleted 10 days ago: kept */
	old_seq = latest_seq(f, old_del);
	moved_seq = latest_seq(f, moved);
	assert_true(old_seq > 0 && moved_seq > old_seq);
	assert_int_equal(digest_count(f, NULL), 4);

	check(f, NULL, 1, 0, 0);
	assert_int_equal(retention_purge(&f->s, 400, f->now, NULL, &st), 0);
	assert_int_equal(st.purged, 2);
	assert_int_equal(st.markers, 1);
	assert_int_equal(st.horizon, moved_seq);

	/* Gone: the latest copies and their index entries; kept: history. */
	assert_int_equal(latest_seq(f, old_del), 0);
	assert_int_equal(latest_seq(f, moved), 0);
	assert_true(latest_seq(f, live) > 0);
	assert_true(latest_seq(f, new_del) > 0);
	assert_true(has_rev(f, old_del, 1) && has_rev(f, old_del, 2));
	assert_true(has_rev(f, moved, 1) && has_rev(f, moved, 2) && has_rev(f, moved, 3));
	assert_int_equal(count_db(f, f->s.records), 2);
	assert_int_equal(count_db(f, f->s.changes), 2);
	assert_int_equal(count_db(f, f->s.bchanges), 2);
	assert_int_equal(digest_count(f, NULL), 2);
	assert_int_equal(digest_count(f, "b2"), 0);
	assert_int_equal(pull_all(f, "b1"), 2);
	assert_int_equal(pull_all(f, "b2"), 0);
	assert_int_equal(pull_all(f, NULL), 2);

	/* Horizons: global and per branch; b1's covers the marker it lost. */
	check(f, NULL, 0, 0, moved_seq);
	check(f, NULL, old_seq, 1, moved_seq);
	check(f, NULL, moved_seq, 0, moved_seq);
	/* b1 lost old_del and the marker the move left at the move's sequence,
	 * which in this history is the one just before the delete in b2. */
	check(f, "b1", 1, 1, moved_seq - 1);
	check(f, "b1", moved_seq - 1, 0, moved_seq - 1);
	check(f, "b2", moved_seq - 1, 1, moved_seq);
	check(f, "b3", 1, 0, 0);
	/* Page two of a pull from zero on this connection: no second reset. */
	check_fresh(f, NULL, old_seq, moved_seq, 0, moved_seq);
	check_fresh(f, NULL, old_seq, moved_seq - 1, 1, moved_seq);

	/* A second run finds nothing new and starts where the first stopped. */
	assert_int_equal(retention_purge(&f->s, 400, f->now, NULL, &st), 0);
	assert_int_equal(st.purged, 0);
	assert_true(st.scanned <= 1);

	/* Once the recent one is old enough, it goes too. */
	assert_int_equal(retention_purge(&f->s, 400, f->now + 400 * DAY, NULL, &st), 0);
	assert_int_equal(st.purged, 1);
	assert_true(has_rev(f, new_del, 2));
	assert_int_equal(digest_count(f, NULL), 1);
}

static void test_zero_days_and_stop(void **state)
{
	fixture *f = *state;
	actor b1 = who(HEARTH__ROLE__ROLE_BRANCH, "b1");
	uint8_t id[16];
	retention_stats st;
	atomic_int stop;

	uuid_v7(id);
	push(f, &b1, id, "b1", 0, 0, f->now - 1);
	push(f, &b1, id, "b1", 1, 1, f->now - 1);
	atomic_init(&stop, 1);
	assert_int_equal(retention_purge(&f->s, 0, f->now, &stop, &st), 0);
	assert_int_equal(st.purged, 0);          /* asked to stop before the first batch */
	assert_int_equal(retention_purge(&f->s, 0, f->now, NULL, &st), 0);
	assert_int_equal(st.purged, 1);
	assert_int_equal(count_db(f, f->s.records), 0);
	assert_int_equal(count_db(f, f->s.revs), 2);
}

static void test_test_clock(void **state)
{
	(void)state;
	unsetenv("HEARTHD_TEST_NOW_OFFSET_DAYS");
	assert_int_equal(retention_test_offset_days(), 0);
	setenv("HEARTHD_TEST_NOW_OFFSET_DAYS", "401", 1);
	assert_int_equal(retention_test_offset_days(), 401);
	setenv("HEARTHD_TEST_NOW_OFFSET_DAYS", "12x", 1);
	assert_int_equal(retention_test_offset_days(), 0);
	unsetenv("HEARTHD_TEST_NOW_OFFSET_DAYS");
}

/* Issue 13 item 4: a clock far ahead of the store's newest change purges
 * nothing; a plausible one never cuts past newest - days. */
static void test_cutoff_clock(void **state)
{
	fixture *f = *state;
	actor b1 = who(HEARTH__ROLE__ROLE_BRANCH, "b1");
	uint8_t id[16];
	retention_cutoff_plan plan;
	retention_cutoff_opts o = { .days = 400, .now_ms = f->now };
	MDB_txn *txn;

	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(retention_cutoff(&f->s, txn, &o, &plan), 0);
	assert_int_equal(plan.newest_ms, 0);
	assert_true(plan.cutoff_ms == INT64_MIN);   /* empty store: nothing to measure */
	mdb_txn_abort(txn);

	uuid_v7(id);
	push(f, &b1, id, "b1", 0, 0, f->now - 120000);
	push(f, &b1, id, "b1", 1, 1, f->now - 60000);   /* deleted a minute ago */
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(retention_cutoff(&f->s, txn, &o, &plan), 0);
	assert_int_equal(plan.clock, RETENTION_CLOCK_PLAUSIBLE);
	assert_int_equal(plan.newest_ms, f->now - 60000);
	assert_true(plan.cutoff_ms == f->now - 60000 - 400 * DAY);

	o.now_ms = f->now + 401 * DAY;                  /* the clock jumped */
	assert_int_equal(retention_cutoff(&f->s, txn, &o, &plan), 0);
	assert_int_equal(plan.clock, RETENTION_CLOCK_AHEAD);
	assert_true(plan.cutoff_ms == INT64_MIN);

	o.now_ms = f->now + 400 * DAY;                  /* within the margin: plausible, capped */
	assert_int_equal(retention_cutoff(&f->s, txn, &o, &plan), 0);
	assert_int_equal(plan.clock, RETENTION_CLOCK_PLAUSIBLE);
	assert_true(plan.cutoff_ms == f->now - 60000 - 400 * DAY);

	o.now_ms = f->now + 401 * DAY;                  /* an admin confirmed the clock */
	o.clock_confirmed = 1;
	assert_int_equal(retention_cutoff(&f->s, txn, &o, &plan), 0);
	assert_int_equal(plan.clock, RETENTION_CLOCK_PLAUSIBLE);
	assert_true(plan.cutoff_ms == f->now + DAY);
	mdb_txn_abort(txn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_days_and_stop, setup, teardown),
		cmocka_unit_test(test_test_clock),
		cmocka_unit_test_setup_teardown(test_cutoff_clock, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
