/* test_audit_keyed.c: a store without an audit secret writes sensitive
 * values as plain SHA-256 (entries from before the secret); once the secret
 * is set, new entries carry HMAC-SHA-256(secret, value), marked keyed, and
 * the chain runs on across both. Real LMDB store in a temporary directory. */
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
#include <openssl/sha.h>

#include <cmocka.h>

#include "common/audit.h"
#include "common/be.h"
#include "common/hearth.h"
#include "common/record.h"
#include "server/db/audit_log.h"
#include "server/db/store.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

/* Appends the create of a member whose phone is phone. */
static void append_create(store *s, const char *phone)
{
	Hearth__Member m = HEARTH__MEMBER__INIT;
	uint8_t body[256], id[16] = { 1 };
	actor who;
	MDB_txn *txn;
	size_t len;

	memset(&who, 0, sizeof(who));
	who.role = HEARTH__ROLE__ROLE_BRANCH;
	snprintf(who.branch, sizeof(who.branch), "b1");
	snprintf(who.name, sizeof(who.name), "书记");
	m.name = "王秀英";
	m.phone = (char *)phone;
	len = hearth__member__pack(&m, body);
	assert_int_equal(mdb_txn_begin(s->env, NULL, 0, &txn), 0);
	assert_int_equal(audit_change(s, txn, &(audit_change_args){
		.who = &who, .action = "record.create", .kind = kind_find(HEARTH__KIND__KIND_MEMBER),
		.record_id = id, .branch = "b1", .rev_after = 1, .body = body, .body_len = len }), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
}

static Hearth__AuditEntry *entry(store *s, uint64_t seq)
{
	MDB_txn *txn;
	uint8_t key[8];
	MDB_val k = { 8, key }, v;
	Hearth__AuditEntry *e;

	be64_put(key, seq);
	assert_int_equal(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_get(txn, s->audit, &k, &v), 0);
	e = hearth__audit_entry__unpack(NULL, v.mv_size, v.mv_data);
	mdb_txn_abort(txn);
	assert_non_null(e);
	return e;
}

static const Hearth__AuditChange *phone_change(const Hearth__AuditEntry *e)
{
	for (size_t i = 0; i < e->n_changes; i++) {
		if (e->changes[i]->field == 14)
			return e->changes[i];
	}
	fail_msg("no phone change");
	return NULL;
}

static void test_old_and_new_entries(void **state)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	char dir[512], err[256], why[200];
	/* The phone as stored: tag 0x72 (field 14, bytes), length 11, digits. */
	static const uint8_t field[] = "\x72\x0b" "13912345678";
	uint8_t plain[32], keyed[32], prev[AUDIT_HASH_LEN] = { 0 };
	store s;
	Hearth__AuditEntry *e1, *e2;
	const Hearth__AuditChange *c1, *c2;

	(void)state;
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(dir, sizeof(dir), "%s/keyed-XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(&s, dir, 16ull << 20, err, sizeof(err)), 0);

	append_create(&s, "13912345678");                  /* before the secret */
	memset(s.audit_secret, 0x5a, sizeof(s.audit_secret));
	s.has_audit_secret = 1;
	append_create(&s, "13912345678");                  /* with it */

	SHA256(field, sizeof(field) - 1, plain);
	audit_keyed_digest(s.audit_secret, field, sizeof(field) - 1, keyed);
	e1 = entry(&s, 1);
	e2 = entry(&s, 2);
	c1 = phone_change(e1);
	c2 = phone_change(e2);
	assert_true(c1->digested);
	assert_false(c1->keyed);
	assert_int_equal(c1->new_value.len, 32);
	assert_memory_equal(c1->new_value.data, plain, 32);
	assert_true(c2->digested);
	assert_true(c2->keyed);
	assert_int_equal(c2->new_value.len, 32);
	assert_memory_equal(c2->new_value.data, keyed, 32);
	assert_memory_not_equal(c2->new_value.data, plain, 32);

	/* One chain across both. */
	assert_int_equal(audit_check_entry(e1, prev, why, sizeof(why)), 0);
	memcpy(prev, e1->hash.data, AUDIT_HASH_LEN);
	assert_int_equal(audit_check_entry(e2, prev, why, sizeof(why)), 0);

	hearth__audit_entry__free_unpacked(e1, NULL);
	hearth__audit_entry__free_unpacked(e2, NULL);
	store_close(&s);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old_and_new_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
