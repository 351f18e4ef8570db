/* test_committee.c: what hearthd's committee answer reads from the store
 * (server/db/committee.c): the branches of the feeds and of `branches`
 * merged in id order, paged; a branch's feed head, not confused by a
 * branch whose id starts the same; and a branch's snapshot, which keeps
 * its live records and skips moved-out markers, conflicts, tombstones and
 * another branch's record. A real LMDB store in a temporary directory. */
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
#include "server/db/committee.h"
#include "server/db/feeds.h"
#include "server/db/store.h"

static char dir[512];
static store st;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

/* Record n: a member of branch, deleted or not, stored in `records`. */
static void put_record(MDB_txn *txn, int n, const char *branch, int deleted, uint8_t id[16])
{
	Hearth__Record r = HEARTH__RECORD__INIT;
	Hearth__Member m = HEARTH__MEMBER__INIT;
	uint8_t buf[256];
	MDB_val k = { 16, id }, v;

	memset(id, 0, 16);
	id[6] = 0x70;   /* UUIDv7 */
	id[15] = (uint8_t)n;
	r.id.data = id;
	r.id.len = 16;
	r.kind = HEARTH__KIND__KIND_MEMBER;
	r.branch_id = (char *)branch;
	r.deleted = deleted;
	m.name = "党员";
	r.body_case = HEARTH__RECORD__BODY_MEMBER;
	r.member = &m;
	v.mv_size = hearth__record__pack(&r, buf);
	v.mv_data = buf;
	assert_int_equal(mdb_put(txn, st.records, &k, &v, 0), 0);
}

static void name_branch(MDB_txn *txn, const char *id)
{
	MDB_val k = { strlen(id), (void *)id }, v = { 1, "x" };
	assert_int_equal(mdb_put(txn, st.branches, &k, &v, 0), 0);
}

/* b001: two live records (seq 1, 2), a tombstone (3), a conflict (4) and
 * the marker of a record that moved to b0011 (5); b0011: that record (6);
 * b003: one record (7); named branches b002 and b003 (no feed for b002). */
static int setup(void **state)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	uint8_t id[8][16];
	char err[512];
	MDB_txn *txn;

	(void)state;
	memset(id, 0, sizeof(id));
	id[4][15] = 4;   /* a conflict's id */
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(dir, sizeof(dir), "%s/committee-XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(&st, dir, 64ull << 20, err, sizeof(err)), 0);
	assert_int_equal(mdb_txn_begin(st.env, NULL, 0, &txn), 0);
	put_record(txn, 1, "b001", 0, id[1]);
	put_record(txn, 2, "b001", 0, id[2]);
	put_record(txn, 3, "b001", 1, id[3]);
	put_record(txn, 5, "b0011", 0, id[5]);
	put_record(txn, 7, "b003", 0, id[7]);
	assert_int_equal(feeds_index_put_branch(&st, txn, "b001", 1, REF_RECORD, id[1]), 0);
	assert_int_equal(feeds_index_put_branch(&st, txn, "b001", 2, REF_RECORD, id[2]), 0);
	assert_int_equal(feeds_index_put_branch(&st, txn, "b001", 3, REF_RECORD, id[3]), 0);
	assert_int_equal(feeds_index_put_branch(&st, txn, "b001", 4, REF_CONFLICT, id[4]), 0);
	assert_int_equal(feeds_index_put_branch(&st, txn, "b001", 5, REF_MOVED, id[5]), 0);
	assert_int_equal(feeds_index_put_branch(&st, txn, "b0011", 6, REF_RECORD, id[5]), 0);
	assert_int_equal(feeds_index_put_branch(&st, txn, "b003", 7, REF_RECORD, id[7]), 0);
	name_branch(txn, "b002");
	name_branch(txn, "b003");
	assert_int_equal(mdb_txn_commit(txn), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(&st);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void test_branches_merged_and_paged(void **state)
{
	committee_branch_id ids[8];
	size_t n;
	int more;
	MDB_txn *txn;

	(void)state;
	assert_int_equal(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(committee_branches(&st, txn, "", ids, 8, &n, &more), 0);
	assert_int_equal(n, 4);
	assert_int_equal(more, 0);
	assert_string_equal(ids[0], "b001");
	assert_string_equal(ids[1], "b0011");
	assert_string_equal(ids[2], "b002");
	assert_string_equal(ids[3], "b003");   /* in both lists: once */
	assert_int_equal(committee_branches(&st, txn, "", ids, 2, &n, &more), 0);
	assert_int_equal(n, 2);
	assert_int_equal(more, 1);
	assert_int_equal(committee_branches(&st, txn, ids[1], ids, 2, &n, &more), 0);
	assert_int_equal(n, 2);
	assert_int_equal(more, 0);
	assert_string_equal(ids[0], "b002");
	assert_string_equal(ids[1], "b003");
	assert_int_equal(committee_branches(&st, txn, "b003", ids, 2, &n, &more), 0);
	assert_int_equal(n, 0);
	assert_int_equal(committee_branch_known(&st, txn, "b002"), 1);
	assert_int_equal(committee_branch_known(&st, txn, "b001"), 0);
	mdb_txn_abort(txn);
}

static void test_feed_head(void **state)
{
	MDB_txn *txn;
	uint64_t seq;

	(void)state;
	assert_int_equal(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(committee_feed_head(&st, txn, "b001", &seq), 0);
	assert_int_equal(seq, 5);   /* not b0011's 6 */
	assert_int_equal(committee_feed_head(&st, txn, "b0011", &seq), 0);
	assert_int_equal(seq, 6);
	assert_int_equal(committee_feed_head(&st, txn, "b003", &seq), 0);
	assert_int_equal(seq, 7);   /* the last key of the feed */
	assert_int_equal(committee_feed_head(&st, txn, "b002", &seq), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(committee_feed_head(&st, txn, "b00", &seq), 0);
	assert_int_equal(seq, 0);
	mdb_txn_abort(txn);
}

static void test_snapshot_keeps_live_records_only(void **state)
{
	due_snapshot s;
	MDB_txn *txn;

	(void)state;
	assert_int_equal(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(committee_branch_snapshot(&st, txn, "b001", &s), 0);
	assert_int_equal(s.n[HEARTH__KIND__KIND_MEMBER], 2);
	assert_int_equal(s.recs[HEARTH__KIND__KIND_MEMBER][0]->id.data[15], 1);
	assert_int_equal(s.recs[HEARTH__KIND__KIND_MEMBER][1]->id.data[15], 2);
	due_snapshot_free(&s);
	assert_int_equal(committee_branch_snapshot(&st, txn, "b0011", &s), 0);
	assert_int_equal(s.n[HEARTH__KIND__KIND_MEMBER], 1);
	due_snapshot_free(&s);
	assert_int_equal(committee_branch_snapshot(&st, txn, "b002", &s), 0);
	assert_int_equal(s.n[HEARTH__KIND__KIND_MEMBER], 0);
	due_snapshot_free(&s);
	mdb_txn_abort(txn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_branches_merged_and_paged),
		cmocka_unit_test(test_feed_head),
		cmocka_unit_test(test_snapshot_keeps_live_records_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
