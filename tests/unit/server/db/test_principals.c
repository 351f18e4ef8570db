/* test_principals.c: the revocation lookup answers "not revoked" only when
 * it read a row saying so, or found none; an unreadable row is an error
 * (its caller fails closed). Real LMDB store in a temporary directory. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revocation_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
