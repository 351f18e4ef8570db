/* test_store.c: an I/O error at commit is called a full disk only when the
 * file system of the store has less than STORE_DISK_MARGIN free (LMDB says
 * EIO for a short write); other failures keep their own meaning. */
#include <errno.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_commit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
