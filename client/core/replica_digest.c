/* replica_digest.c: the replica's per-branch, per-kind count and XOR digest
 * of its server copies, kept in the transaction of every change. */
#include "client/core/replica_digest.h"

#include <openssl/sha.h>
#include <string.h>

#include "client/core/replica_store.h"
#include "common/hearth.h"
#include "common/lmdb_err.h"
#include "common/record_peek.h"
#include "common/sha256.h"

/* meta key: 1 once the digests database describes every server copy. */
#define DIGESTS_KEPT "digests_kept"
/* A digests value: count (8 bytes, big-endian), then the XOR digest. */
#define DIGEST_VAL_LEN (8 + SHA256_DIGEST_LENGTH)
/* A key: the branch id, a NUL, the kind (one byte). */
#define DIGEST_KEY_MAX 256

static size_t digest_key(uint8_t *key, const char *branch, size_t blen, int kind)
{
	memcpy(key, branch, blen);
	key[blen] = '\0';
	key[blen + 1] = (uint8_t)kind;
	return blen + 2;
}

/* Adds (sign +1) or removes (sign -1) one server copy's share. */
static int digest_apply(replica *r, MDB_txn *t, const void *bytes, size_t len, int sign)
{
	record_peek pk;
	uint8_t md[SHA256_DIGEST_LENGTH], key[DIGEST_KEY_MAX], val[DIGEST_VAL_LEN] = { 0 };
	size_t klen;
	MDB_val v;
	uint64_t count;
	int rc;

	if (record_peek_bytes(bytes, len, &pk) != 0)
		return HEARTH_EINVAL;
	/* The same records the digest comparison has always counted. */
	if (pk.kind < 0 || pk.kind >= REPLICA_MAX_KINDS || pk.branch_len + 2 > sizeof(key))
		return 0;
	hearth_sha256(bytes, len, md);
	klen = digest_key(key, pk.branch, pk.branch_len, pk.kind);
	rc = rstore_db_get(t, r->digests, key, klen, &v);
	if (rc == 0 && v.mv_size == DIGEST_VAL_LEN)
		memcpy(val, v.mv_data, DIGEST_VAL_LEN);
	else if (rc != 0 && rc != HEARTH_ENOTFOUND)
		return rc;
	count = rstore_be64_get(val);
	if (sign < 0 && count == 0)
		return HEARTH_ECORRUPT; /* removing what was never added */
	count = sign > 0 ? count + 1 : count - 1;
	rstore_be64_put(val, count);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		val[8 + i] ^= md[i];
	if (count == 0)
		return rstore_db_del(t, r->digests, key, klen);
	return rstore_db_put(t, r->digests, key, klen, val, sizeof(val));
}

int rdigest_remove(replica *r, MDB_txn *t, const void *bytes, size_t len)
{
	return digest_apply(r, t, bytes, len, -1);
}

int rdigest_add(replica *r, MDB_txn *t, const void *bytes, size_t len)
{
	return digest_apply(r, t, bytes, len, +1);
}

int rdigest_reset(replica *r, MDB_txn *t)
{
	int rc = lmdb_err(mdb_drop(t, r->digests, 0));

	return rc ? rc : rstore_meta_put_u64(t, r, DIGESTS_KEPT, 1);
}

/* Computes the kept digests from every server copy, in write txn t. */
static int rebuild(replica *r, MDB_txn *t)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = lmdb_err(mdb_drop(t, r->digests, 0))) != 0 ||
	    (rc = lmdb_err(mdb_cursor_open(t, r->server, &c))) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		rc = rdigest_add(r, t, v.mv_data, v.mv_size);
		if (rc == HEARTH_EINVAL)
			rc = HEARTH_ECORRUPT;
		if (rc != 0)
			break;
	}
	if (rc == 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
	mdb_cursor_close(c);
	return rc ? rc : rstore_meta_put_u64(t, r, DIGESTS_KEPT, 1);
}

/* Makes sure the kept digests exist (a replica from before this version
 * gets them computed once). */
static int ensure_kept(replica *r)
{
	MDB_txn *t;
	uint64_t kept = 0;
	int rc;

	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	rc = rstore_meta_get_u64(t, r, DIGESTS_KEPT, &kept);
	mdb_txn_abort(t);
	if (rc != 0 || kept)
		return rc;
	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		return rc;
	if ((rc = rebuild(r, t)) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	return lmdb_err(mdb_txn_commit(t));
}

int replica_digest(replica *r, const char *branch, kind_digest_acc acc[REPLICA_MAX_KINDS])
{
	MDB_txn *t;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	size_t blen = branch ? strlen(branch) : 0;
	int rc, mrc;

	memset(acc, 0, sizeof(kind_digest_acc) * REPLICA_MAX_KINDS);
	if ((rc = ensure_kept(r)) != 0)
		return rc;
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->digests, &c))) != 0)
		goto out;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *kb = k.mv_data;
		int kind;

		if (k.mv_size < 2 || kb[k.mv_size - 2] != '\0' || v.mv_size != DIGEST_VAL_LEN) {
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		kind = kb[k.mv_size - 1];
		if (kind >= REPLICA_MAX_KINDS || (branch && (k.mv_size - 2 != blen || memcmp(kb, branch, blen) != 0)))
			continue;
		acc[kind].count += rstore_be64_get(v.mv_data);
		for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
			acc[kind].digest[i] ^= ((const uint8_t *)v.mv_data)[8 + i];
	}
	if (mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
out:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	return rc;
}

int replica_digest_scan(replica *r, const char *branch, kind_digest_acc acc[REPLICA_MAX_KINDS])
{
	MDB_txn *t;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	size_t blen = branch ? strlen(branch) : 0;
	int rc, mrc;

	memset(acc, 0, sizeof(kind_digest_acc) * REPLICA_MAX_KINDS);
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->server, &c))) != 0)
		goto out;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		record_peek pk;
		uint8_t md[SHA256_DIGEST_LENGTH];

		if (record_peek_bytes(v.mv_data, v.mv_size, &pk) != 0) {
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		if ((branch && (pk.branch_len != blen || memcmp(pk.branch, branch, blen) != 0)) || pk.kind < 0 ||
		    pk.kind >= REPLICA_MAX_KINDS)
			continue;
		hearth_sha256(v.mv_data, v.mv_size, md);
		acc[pk.kind].count++;
		for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
			acc[pk.kind].digest[i] ^= md[i];
	}
	if (mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
out:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	return rc;
}

#define DIGEST_VERIFIED "digest_verified_at"

int replica_digest_verified_at(replica *r, int64_t *ms)
{
	MDB_txn *t;
	uint64_t v = 0;
	int rc;

	*ms = 0;
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	rc = rstore_meta_get_u64(t, r, DIGEST_VERIFIED, &v);
	mdb_txn_abort(t);
	*ms = (int64_t)v;
	return rc;
}

int replica_digest_set_verified(replica *r, int64_t ms)
{
	MDB_txn *t;
	int rc;

	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		return rc;
	if ((rc = rstore_meta_put_u64(t, r, DIGEST_VERIFIED, (uint64_t)ms)) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	return lmdb_err(mdb_txn_commit(t));
}
