/* test_audit_log.c: a create's audit entry names the revision written in
 * the same transaction by its digest instead of copying its fields; an
 * entry written the old way (fields copied) sits in the same chain; the
 * offline verifier passes both and names the entry whose revision lost or
 * changed a byte; what the server serves of a named revision lists the
 * same fields the old entry copied. Real LMDB store in a temporary
 * directory. */
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
#include "server/db/revision.h"
#include "server/db/store.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static actor who;
static uint8_t body[256];
static size_t body_len;
static const uint8_t old_id[16] = { 1 }, new_id[16] = { 2 };

static void setup_member(void)
{
	Hearth__Member m = HEARTH__MEMBER__INIT;

	memset(&who, 0, sizeof(who));
	who.role = HEARTH__ROLE__ROLE_BRANCH;
	snprintf(who.branch, sizeof(who.branch), "b1");
	snprintf(who.name, sizeof(who.name), "书记");
	snprintf(who.fingerprint, sizeof(who.fingerprint), "ab12");
	m.name = "王秀英";
	m.gender = 2;
	m.join_date = "1998-07-01";
	m.phone = "13912345678";
	body_len = hearth__member__pack(&m, body);
}

static Hearth__AuditEntry *entry(store *s, uint64_t seq, uint8_t **bytes, size_t *len)
{
	MDB_txn *txn;
	uint8_t key[8];
	MDB_val k = { 8, key }, v;
	Hearth__AuditEntry *e;

	be64_put(key, seq);
	assert_int_equal(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_get(txn, s->audit, &k, &v), 0);
	e = hearth__audit_entry__unpack(NULL, v.mv_size, v.mv_data);
	if (bytes) {
		*bytes = malloc(v.mv_size);
		memcpy(*bytes, v.mv_data, v.mv_size);
		*len = v.mv_size;
	}
	mdb_txn_abort(txn);
	assert_non_null(e);
	return e;
}

/* The entry as the server serves it: stored bytes, then what it found of
 * the revision the entry names. */
static Hearth__AuditEntry *served(store *s, uint64_t seq)
{
	wirebuf w = WIREBUF_INIT;
	uint8_t *bytes;
	size_t len;
	MDB_txn *txn;
	Hearth__AuditEntry *e = entry(s, seq, &bytes, &len), *out;

	wire_bytes(&w, bytes, len);
	assert_int_equal(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(audit_revision_extra(s, txn, e, &w), 0);
	mdb_txn_abort(txn);
	assert_false(w.failed);
	out = hearth__audit_entry__unpack(NULL, w.len, w.data);
	assert_non_null(out);
	hearth__audit_entry__free_unpacked(e, NULL);
	wire_free(&w);
	free(bytes);
	return out;
}

static void with_revision(store *s, void (*change)(MDB_txn *, MDB_dbi, MDB_val *))
{
	MDB_txn *txn;
	uint8_t key[24];
	MDB_val k = { 24, key }, v;

	memcpy(key, new_id, 16);
	be64_put(key + 16, 1);
	assert_int_equal(mdb_txn_begin(s->env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_get(txn, s->revs, &k, &v), 0);
	change(txn, s->revs, &k);
	assert_int_equal(mdb_txn_commit(txn), 0);
}

/* One bit of the revision's last byte. */
static void flip_last(MDB_txn *txn, MDB_dbi revs, MDB_val *k)
{
	MDB_val v;
	uint8_t copy[1024];

	assert_int_equal(mdb_get(txn, revs, k, &v), 0);
	assert_true(v.mv_size <= sizeof(copy));
	memcpy(copy, v.mv_data, v.mv_size);
	copy[v.mv_size - 1] ^= 1;
	v.mv_data = copy;
	assert_int_equal(mdb_put(txn, revs, k, &v, 0), 0);
}

static void drop(MDB_txn *txn, MDB_dbi revs, MDB_val *k)
{
	assert_int_equal(mdb_del(txn, revs, k, NULL), 0);
}

static void test_create_names_its_revision(void **state)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	const kind_info *k = kind_find(HEARTH__KIND__KIND_MEMBER);
	char dir[512], err[256], msg[300];
	uint8_t rk[24], digest[32];
	uint64_t n = 0, bad = 0;
	MDB_val key = { 24, rk }, rv;
	MDB_txn *txn;
	op_result r;
	store s;
	Hearth__AuditEntry *e1, *e2, *s1, *s2;

	(void)state;
	setup_member();
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(dir, sizeof(dir), "%s/auditlog-XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(&s, dir, 16ull << 20, err, sizeof(err)), 0);
	assert_int_equal(mdb_txn_begin(s.env, NULL, 0, &txn), 0);
	/* Entry 1: a create as hearthd wrote it before, every field copied. */
	assert_int_equal(audit_change(&s, txn, &(audit_change_args){
		.who = &who, .action = "record.create", .kind = k, .record_id = old_id, .branch = "b1",
		.rev_after = 1, .body = body, .body_len = body_len }), 0);
	/* Entry 2: a create as hearthd writes it now, through the revision. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(revision_write(&s, txn, &(revision_args){
		.who = &who, .kind = k, .id = new_id, .branch = "b1", .body = body, .body_len = body_len,
		.now = 1700000000000, .action = "record.create" }, &r), REVISION_WRITTEN);
	assert_int_equal(mdb_txn_commit(txn), 0);

	e1 = entry(&s, 1, NULL, NULL);
	e2 = entry(&s, 2, NULL, NULL);
	assert_int_equal(e1->revision_digest.len, 0);
	assert_true(e1->n_changes >= 4);
	assert_int_equal(e2->n_changes, 0);
	assert_int_equal(e2->revision_digest.len, 32);
	assert_string_equal(e2->action, "record.create");
	assert_int_equal(e2->rev_after, 1);
	memcpy(rk, new_id, 16);
	be64_put(rk + 16, 1);
	assert_int_equal(mdb_txn_begin(s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_get(txn, s.revs, &key, &rv), 0);
	SHA256(rv.mv_data, rv.mv_size, digest);
	mdb_txn_abort(txn);
	assert_memory_equal(e2->revision_digest.data, digest, 32);

	/* Served: the old entry as stored, the new one with the same fields
	 * the old one copied, read from its revision. */
	s1 = served(&s, 1);
	s2 = served(&s, 2);
	assert_int_equal(s1->n_revision_changes, 0);
	assert_int_equal(s1->revision_check, HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_UNCHECKED);
	assert_int_equal(s2->revision_check, HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MATCHES);
	assert_int_equal(s2->n_revision_changes, e1->n_changes);
	for (size_t i = 0; i < e1->n_changes; i++) {
		const Hearth__AuditChange *a = e1->changes[i], *b = s2->revision_changes[i];
		assert_int_equal(a->field, b->field);
		assert_string_equal(a->name, b->name);
		assert_int_equal(a->digested, b->digested);
		assert_int_equal(a->old_value.len, 0);
		assert_int_equal(b->old_value.len, 0);
		assert_int_equal(a->new_value.len, b->new_value.len);
		assert_memory_equal(a->new_value.data, b->new_value.data, a->new_value.len);
	}
	/* What the server adds is outside the chain: the served entry still
	 * checks against the stored hashes. */
	{
		uint8_t prev[AUDIT_HASH_LEN];
		char why[200];
		memcpy(prev, e1->hash.data, AUDIT_HASH_LEN);
		assert_int_equal(audit_check_entry(s2, prev, why, sizeof(why)), 0);
	}
	hearth__audit_entry__free_unpacked(s1, NULL);
	hearth__audit_entry__free_unpacked(s2, NULL);
	hearth__audit_entry__free_unpacked(e1, NULL);
	hearth__audit_entry__free_unpacked(e2, NULL);

	/* Offline, both forms verify. */
	store_close(&s);
	assert_int_equal(audit_verify_store(dir, NULL, &n, &bad, msg, sizeof(msg)), 0);
	assert_int_equal(n, 2);

	/* One flipped bit of the named revision: entry 2 is named. */
	assert_int_equal(store_open(&s, dir, 16ull << 20, err, sizeof(err)), 0);
	with_revision(&s, flip_last);
	s2 = served(&s, 2);
	assert_int_equal(s2->revision_check, HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_DAMAGED);
	assert_int_equal(s2->n_revision_changes, 0);
	hearth__audit_entry__free_unpacked(s2, NULL);
	store_close(&s);
	assert_int_equal(audit_verify_store(dir, NULL, &n, &bad, msg, sizeof(msg)), HEARTH_ECORRUPT);
	assert_int_equal(bad, 2);
	assert_non_null(strstr(msg, "entry 2 is damaged: revision 1 of record"));
	assert_non_null(strstr(msg, "does not match the digest in the entry"));

	/* The revision gone: entry 2 is named. */
	assert_int_equal(store_open(&s, dir, 16ull << 20, err, sizeof(err)), 0);
	with_revision(&s, drop);
	s2 = served(&s, 2);
	assert_int_equal(s2->revision_check, HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MISSING);
	hearth__audit_entry__free_unpacked(s2, NULL);
	store_close(&s);
	assert_int_equal(audit_verify_store(dir, NULL, &n, &bad, msg, sizeof(msg)), HEARTH_ECORRUPT);
	assert_int_equal(bad, 2);
	assert_non_null(strstr(msg, "is missing from the store"));

	/* The whole revisions database gone: still entry 2, never "no log". */
	assert_int_equal(store_open(&s, dir, 16ull << 20, err, sizeof(err)), 0);
	assert_int_equal(mdb_txn_begin(s.env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_drop(txn, s.revs, 1), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	store_close(&s);
	assert_int_equal(audit_verify_store(dir, NULL, &n, &bad, msg, sizeof(msg)), HEARTH_ECORRUPT);
	assert_int_equal(bad, 2);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_names_its_revision),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
