/* test_audit_keys.c: the audit key and secret of a data directory: made
 * once for a store without checkpoints (0600, the public half beside the
 * key), loaded as they are afterwards, and refused, never made, when
 * missing from a store with checkpoints. */
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

#include "common/hearth.h"
#include "server/audit_keys.h"

static char dir[512];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	(void)state;
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(dir, sizeof(dir), "%s/audit_keys-XXXXXX", base);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int load(audit_keys *k, uint64_t checkpoints, char *err, size_t errlen)
{
	return audit_keys_load(k, &(audit_keys_opts){ .data_dir = dir, .checkpoints = checkpoints }, err, errlen);
}

static void path_in_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void test_key_path(void **state)
{
	char p[64];
	(void)state;
	assert_int_equal(audit_keys_key_path("/etc/k.key", "/d", p, sizeof(p)), 0);
	assert_string_equal(p, "/etc/k.key");
	assert_int_equal(audit_keys_key_path("", "/d", p, sizeof(p)), 0);
	assert_string_equal(p, "/d/audit-ed25519.key");
	assert_int_equal(audit_keys_key_path(NULL, "/d", p, sizeof(p)), 0);
	assert_string_equal(p, "/d/audit-ed25519.key");
	assert_int_equal(audit_keys_key_path(NULL, "/a-very-long-directory-name-indeed", p, 16), HEARTH_ETOOBIG);
}

static void test_first_start_makes_then_reuses(void **state)
{
	audit_keys a, b;
	char err[2048], key[600], pub[600], secret[600];
	struct stat st;
	(void)state;

	path_in_dir(key, sizeof(key), AUDIT_KEYS_KEY_NAME);
	path_in_dir(pub, sizeof(pub), AUDIT_KEYS_PUB_NAME);
	path_in_dir(secret, sizeof(secret), AUDIT_KEYS_SECRET_NAME);
	assert_int_equal(load(&a, 0, err, sizeof(err)), 0);
	assert_true(a.key_created);
	assert_true(a.secret_created);
	assert_string_equal(a.key_path, key);
	assert_string_equal(a.secret_path, secret);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(secret, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(pub, &st), 0);
	assert_int_equal(strncmp(a.fingerprint, "SHA256:", 7), 0);
	assert_int_equal(strlen(a.fingerprint), AUDIT_KEYS_FINGERPRINT_LEN - 1);

	/* The next start (now with checkpoints) loads the same two files. */
	assert_int_equal(load(&b, 5, err, sizeof(err)), 0);
	assert_false(b.key_created);
	assert_false(b.secret_created);
	assert_memory_equal(a.pub, b.pub, AUDIT_KEY_LEN);
	assert_memory_equal(a.secret, b.secret, AUDIT_SECRET_LEN);
	assert_string_equal(a.fingerprint, b.fingerprint);
	audit_keys_free(&a);
	audit_keys_free(&b);
	audit_keys_free(&b);   /* idempotent */
	assert_null(b.key);
}

static void test_missing_key_with_checkpoints_is_refused(void **state)
{
	audit_keys a, b;
	char err[2048], key[600];
	(void)state;

	assert_int_equal(load(&a, 0, err, sizeof(err)), 0);
	audit_keys_free(&a);
	path_in_dir(key, sizeof(key), AUDIT_KEYS_KEY_NAME);
	assert_int_equal(unlink(key), 0);
	assert_int_equal(load(&b, 3, err, sizeof(err)), AUDIT_KEYS_KEY_MISSING);
	assert_null(b.key);
	assert_non_null(strstr(err, "is missing, but the store in"));
	assert_non_null(strstr(err, "already holds signed checkpoints (3)"));
	assert_int_equal(access(key, F_OK), -1);
}

static void test_missing_secret_with_checkpoints_is_refused(void **state)
{
	audit_keys a, b;
	char err[2048], secret[600];
	(void)state;

	assert_int_equal(load(&a, 0, err, sizeof(err)), 0);
	audit_keys_free(&a);
	path_in_dir(secret, sizeof(secret), AUDIT_KEYS_SECRET_NAME);
	assert_int_equal(unlink(secret), 0);
	assert_int_equal(load(&b, 1, err, sizeof(err)), AUDIT_KEYS_SECRET_MISSING);
	assert_null(b.key);   /* the loaded key is released on the refusal */
	assert_non_null(strstr(err, "audit secret: "));
	assert_non_null(strstr(err, "Restore audit_secret from the backup"));
	assert_int_equal(access(secret, F_OK), -1);
}

/* A configured key that is missing is never made, checkpoints or not. */
static void test_configured_key_is_never_made(void **state)
{
	audit_keys k;
	char err[2048], key[600];
	(void)state;

	path_in_dir(key, sizeof(key), "elsewhere.key");
	assert_int_not_equal(audit_keys_load(&k, &(audit_keys_opts){ .configured_key = key, .data_dir = dir },
	                                     err, sizeof(err)),
	                     0);
	assert_null(k.key);
	assert_int_equal(access(key, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_path),
		cmocka_unit_test_setup_teardown(test_first_start_makes_then_reuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_key_with_checkpoints_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_secret_with_checkpoints_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured_key_is_never_made, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
