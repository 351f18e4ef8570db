/* test_admin_requests.c: the checks of what an admin types, shared by `hearth admin` and the admin pages of `hearth ui`: branch ids, one-line texts with the field named in the reason, fingerprints pasted with colons, and a fingerprint prefix that must name exactly one principal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/admin_requests.h"
#include "common/hearth.h"

static void test_branch_id(void **state)
{
	char long_id[ADMIN_BRANCH_ID_MAX + 2];

	(void)state;
	assert_true(admin_branch_id_valid("b003"));
	assert_true(admin_branch_id_valid("gen.1_a-b"));
	assert_false(admin_branch_id_valid(""));
	assert_false(admin_branch_id_valid("b 3"));
	assert_false(admin_branch_id_valid("第三"));
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_false(admin_branch_id_valid(long_id));
	long_id[ADMIN_BRANCH_ID_MAX] = '\0';
	assert_true(admin_branch_id_valid(long_id));
}

static void test_text(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(admin_text_check("--name", "第三党支部", 128, 1, why, sizeof(why)), 0);
	assert_int_equal(admin_text_check("--name", "", 128, 1, why, sizeof(why)), HEARTH_EINVAL);
	assert_string_equal(why, "--name must not be empty");
	assert_int_equal(admin_text_check("--secretary", "", 64, 0, why, sizeof(why)), 0);
	assert_int_equal(admin_text_check("--reason", "a\nb", 300, 1, why, sizeof(why)), HEARTH_EINVAL);
	assert_string_equal(why, "--reason must be one line of UTF-8 text");
	assert_int_equal(admin_text_check("--name", "abcdef", 5, 1, why, sizeof(why)), HEARTH_EINVAL);
	assert_string_equal(why, "--name is 6 bytes long; the limit is 5");
	assert_int_equal(admin_text_check("--name", "\xff", 5, 1, why, sizeof(why)), HEARTH_EINVAL);
}

static void test_fingerprint(void **state)
{
	char out[65];

	(void)state;
	assert_int_equal(admin_fingerprint_normalize("AB:cd:01", out), 6);
	assert_string_equal(out, "abcd01");
	assert_int_equal(admin_fingerprint_normalize("abzz", out), 0);
}

static void test_prefix(void **state)
{
	Hearth__PrincipalInfo a = HEARTH__PRINCIPAL_INFO__INIT, b = HEARTH__PRINCIPAL_INFO__INIT;
	Hearth__PrincipalInfo *ps[] = { &a, &b };
	Hearth__PrincipalsList l = HEARTH__PRINCIPALS_LIST__INIT;
	size_t n;

	(void)state;
	a.fingerprint = "aaaa1111bbbb";
	b.fingerprint = "aaaa1111cccc";
	l.principals = ps;
	l.n_principals = 2;
	assert_ptr_equal(admin_principal_by_prefix(&l, "aaaa1111b", &n), &a);
	assert_int_equal(n, 1);
	assert_null(admin_principal_by_prefix(&l, "aaaa1111", &n));
	assert_int_equal(n, 2);
	assert_null(admin_principal_by_prefix(&l, "ffff0000", &n));
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_branch_id),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
