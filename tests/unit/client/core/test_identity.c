/* test_identity.c: the one role word (client/core/identity.c) that whoami,
 * admin principals and the audit log print, with its two fallbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "client/core/identity.h"

static void test_role_words(void **state)
{
	(void)state;
	assert_string_equal(identity_role_word(HEARTH__ROLE__ROLE_BRANCH), "branch");
	assert_string_equal(identity_role_word(HEARTH__ROLE__ROLE_GENERAL), "general");
	assert_string_equal(identity_role_word(HEARTH__ROLE__ROLE_ADMIN), "admin");
	assert_string_equal(identity_role_word(HEARTH__ROLE__ROLE_AUDITOR), "auditor");
}

/* No role (an audit entry without an actor role) is "-", as the audit log
 * printed it; a role from a newer server is "unknown", as admin principals
 * and whoami printed it. */
static void test_role_fallbacks(void **state)
{
	(void)state;
	assert_string_equal(identity_role_word(HEARTH__ROLE__ROLE_UNSPECIFIED), "-");
	assert_string_equal(identity_role_word((Hearth__Role)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_words),
		cmocka_unit_test(test_role_fallbacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
