/* test_store.c: an I/O error at commit is called a full disk only when the
 * file system of the store has less than STORE_DISK_MARGIN free (LMDB says
 * EIO for a short write); other failures keep their own meaning. An
 * ordered put stores keys in any order, replaces an existing one and
 * reserves space as mdb_put does. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <lmdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "server/db/store.h"

static void test_classify_commit(void **state)
{
	(void)state;
	assert_int_equal(store_classify_commit(EIO, 1, 0), HEARTH_EDISKFULL);
	assert_int_equal(store_classify_commit(EIO, 1, STORE_DISK_MARGIN - 1), HEARTH_EDISKFULL);
	assert_int_equal(store_classify_commit(EIO, 1, STORE_DISK_MARGIN), HEARTH_EIO);
	assert_int_equal(store_classify_commit(EIO, 1, 10ull << 30), HEARTH_EIO);
	/* statvfs failed: no guess. */
	assert_int_equal(store_classify_commit(EIO, 0, 0), HEARTH_EIO);
	assert_int_equal(store_classify_commit(ENOSPC, 0, 0), HEARTH_EDISKFULL);
	assert_int_equal(store_classify_commit(ENOSPC, 1, 10ull << 30), HEARTH_EDISKFULL);
	assert_int_equal(store_classify_commit(MDB_MAP_FULL, 1, 0), HEARTH_EFULL);
	assert_int_equal(store_classify_commit(MDB_CORRUPTED, 1, 0), HEARTH_ECORRUPT);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void put(store *s, MDB_txn *txn, uint8_t key, const char *value)
{
	MDB_val k = { 1, &key }, v = { strlen(value), (void *)value };
	assert_int_equal(store_put_ordered(txn, s->records, &k, &v, 0), 0);
}

static void expect(store *s, MDB_txn *txn, uint8_t key, const char *value)
{
	MDB_val k = { 1, &key }, v;
	assert_int_equal(mdb_get(txn, s->records, &k, &v), 0);
	assert_int_equal(v.mv_size, strlen(value));
	assert_memory_equal(v.mv_data, value, v.mv_size);
}

static void test_put_ordered(void **state)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	char dir[512], err[256];
	uint8_t key = 9;
	MDB_val k = { 1, &key }, v = { 3, NULL };
	MDB_txn *txn;
	MDB_stat st;
	store s;

	(void)state;
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(dir, sizeof(dir), "%s/ordered-XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(&s, dir, 16ull << 20, err, sizeof(err)), 0);
	assert_int_equal(mdb_txn_begin(s.env, NULL, 0, &txn), 0);
	put(&s, txn, 2, "two");      /* the greatest: appended */
	put(&s, txn, 5, "five");
	put(&s, txn, 1, "one");      /* below the last: an ordinary put */
	put(&s, txn, 5, "FIVE");     /* the last key again: replaced */
	put(&s, txn, 2, "TWO");      /* an inner key again: replaced */
	assert_int_equal(store_put_ordered(txn, s.records, &k, &v, MDB_RESERVE), 0);
	memcpy(v.mv_data, "nin", 3);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_int_equal(mdb_txn_begin(s.env, NULL, MDB_RDONLY, &txn), 0);
	expect(&s, txn, 1, "one");
	expect(&s, txn, 2, "TWO");
	expect(&s, txn, 5, "FIVE");
	expect(&s, txn, 9, "nin");
	assert_int_equal(mdb_stat(txn, s.records, &st), 0);
	assert_int_equal(st.ms_entries, 4);
	mdb_txn_abort(txn);
	store_close(&s);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_commit),
		cmocka_unit_test(test_put_ordered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
