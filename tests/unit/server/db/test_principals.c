/* test_principals.c: the revocation lookup answers "not revoked" only when
 * it read a row saying so, or found none; an unreadable row is an error
 * (its caller fails closed). The subtree of a general branch follows
 * branch.parent transitively, its tag changes when a branch moves in or
 * out, and a parent that would make the tree loop is refused. Real LMDB
 * store in a temporary directory. */
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
#include "server/db/principals.h"
#include "server/db/store.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void put_row(store *s, const char *fp, const void *bytes, size_t len)
{
	MDB_txn *txn;
	MDB_val k = { strlen(fp), (void *)fp }, v = { len, (void *)bytes };

	assert_int_equal(mdb_txn_begin(s->env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_put(txn, s->principals, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
}

static void test_revocation_lookup(void **state)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	char dir[512], err[256], why[400];
	store s;
	static const uint8_t garbage[] = { 0xff, 0xff, 0xff };

	(void)state;
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(dir, sizeof(dir), "%s/principals-XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(&s, dir, 16ull << 20, err, sizeof(err)), 0);

	assert_int_equal(principals_revoked(&s, "unknown", why, sizeof(why)), PRINCIPALS_NOT_REVOKED);
	put_row(&s, "broken", garbage, sizeof(garbage));
	assert_int_equal(principals_revoked(&s, "broken", why, sizeof(why)), HEARTH_ECORRUPT);

	store_close(&s);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Adds (create) or changes branch id with parent; returns the refusal
 * code (0: stored). */
static int put_branch(store *s, const char *id, const char *parent, int create, char *why, size_t cap)
{
	MDB_txn *txn;
	Hearth__Branch b = HEARTH__BRANCH__INIT;
	Hearth__BranchPut bp = HEARTH__BRANCH_PUT__INIT;
	actor who;
	principals_write w;
	principals_result res;

	memset(&who, 0, sizeof(who));
	memset(&w, 0, sizeof(w));
	memset(&res, 0, sizeof(res));
	w.who = &who;
	w.peer = "test";
	w.now = 1;
	b.id = (char *)id;
	b.name = (char *)"支部";
	b.parent = (char *)parent;
	bp.branch = &b;
	bp.create = create;
	assert_int_equal(mdb_txn_begin(s->env, NULL, 0, &txn), 0);
	assert_int_equal(principals_put_branch(s, txn, &w, &bp, &res), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	free(res.packed);
	snprintf(why, cap, "%s", res.why);
	return (int)res.refused;
}

static void subtree(store *s, const char *root, store_scope *sc)
{
	MDB_txn *txn;
	assert_int_equal(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(principals_subtree(s, txn, root, sc, NULL), 0);
	mdb_txn_abort(txn);
}

static void test_subtree(void **state)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	char dir[512], err[256], why[400], tag[17];
	store s;
	store_scope sc;

	(void)state;
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(dir, sizeof(dir), "%s/subtree-XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(&s, dir, 16ull << 20, err, sizeof(err)), 0);

	assert_int_equal(put_branch(&s, "g01", "", 1, why, sizeof(why)), 0);
	assert_int_equal(put_branch(&s, "b001", "g01", 1, why, sizeof(why)), 0);
	assert_int_equal(put_branch(&s, "b011", "b001", 1, why, sizeof(why)), 0);
	assert_int_equal(put_branch(&s, "b002", "g01", 1, why, sizeof(why)), 0);
	assert_int_equal(put_branch(&s, "b003", "", 1, why, sizeof(why)), 0);

	subtree(&s, "g01", &sc);
	assert_int_equal(sc.n, 4);
	assert_string_equal(sc.ids[0], "b001");
	assert_string_equal(sc.ids[1], "b002");
	assert_string_equal(sc.ids[2], "b011");
	assert_string_equal(sc.ids[3], "g01");
	assert_true(store_scope_has(&sc, "b011"));
	assert_false(store_scope_has(&sc, "b003"));
	assert_int_equal(strlen(sc.tag), 16);
	snprintf(tag, sizeof(tag), "%s", sc.tag);

	/* b003 moves in: the subtree and its tag change. */
	assert_int_equal(put_branch(&s, "b003", "b002", 0, why, sizeof(why)), 0);
	subtree(&s, "g01", &sc);
	assert_int_equal(sc.n, 5);
	assert_true(store_scope_has(&sc, "b003"));
	assert_string_not_equal(sc.tag, tag);

	/* A loop is refused and the tree stays as it was. */
	assert_int_equal(put_branch(&s, "g01", "b011", 0, why, sizeof(why)), HEARTH__ERROR_CODE__ERR_INVALID);
	assert_string_equal(why, "parent branch b011 is below branch g01: the tree would loop");
	subtree(&s, "b001", &sc);
	assert_int_equal(sc.n, 2);

	/* A general branch the table does not know reads its own id only. */
	subtree(&s, "g99", &sc);
	assert_int_equal(sc.n, 1);
	assert_string_equal(sc.ids[0], "g99");

	store_close(&s);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revocation_lookup),
		cmocka_unit_test(test_subtree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
