/* replica_digest.c: the replica's per-branch, per-kind count and XOR digest
 * of its server copies, kept in the transaction of every change. */
#include "client/core/replica_digest.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/replica_store.h"
#include "common/array.h"
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

/* One branch and kind's change in a batch: copies added and removed, and
 * the XOR of their hashes (adding and removing both XOR). */
struct rdigest_share {
	uint8_t key[DIGEST_KEY_MAX];
	size_t klen;
	uint64_t plus, minus;
	uint8_t x[SHA256_DIGEST_LENGTH];
};

/* Counts one server copy in (sign +1) or out (sign -1) of the batch. */
static int batch_note(rdigest_batch *b, const void *bytes, size_t len, int sign)
{
	record_peek pk;
	uint8_t md[SHA256_DIGEST_LENGTH], key[DIGEST_KEY_MAX];
	rdigest_share *sh = NULL;
	size_t klen;

	if (record_peek_bytes(bytes, len, &pk) != 0)
		return HEARTH_EINVAL;
	/* The same records the digest comparison has always counted. */
	if (pk.kind < 0 || pk.kind >= REPLICA_MAX_KINDS || pk.branch_len + 2 > sizeof(key))
		return 0;
	klen = digest_key(key, pk.branch, pk.branch_len, pk.kind);
	/* A page comes in runs of one branch and kind: the share used last is
	 * tried first. */
	if (b->last < b->n && b->v[b->last].klen == klen && !memcmp(b->v[b->last].key, key, klen))
		sh = &b->v[b->last];
	for (size_t i = 0; !sh && i < b->n; i++)
		if (b->v[i].klen == klen && !memcmp(b->v[i].key, key, klen)) {
			sh = &b->v[i];
			b->last = i;
		}
	if (!sh) {
		if (array_grow(&b->v, &b->cap, b->n, sizeof(*b->v), 8) != 0)
			return HEARTH_ENOMEM;
		sh = &b->v[b->n];
		memset(sh, 0, sizeof(*sh));
		memcpy(sh->key, key, klen);
		sh->klen = klen;
		b->last = b->n++;
	}
	hearth_sha256(bytes, len, md);
	if (sign > 0)
		sh->plus++;
	else
		sh->minus++;
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		sh->x[i] ^= md[i];
	return 0;
}

int rdigest_batch_remove(rdigest_batch *b, const void *bytes, size_t len)
{
	return batch_note(b, bytes, len, -1);
}

int rdigest_batch_add(rdigest_batch *b, const void *bytes, size_t len)
{
	return batch_note(b, bytes, len, +1);
}

int rdigest_batch_flush(replica *r, MDB_txn *t, rdigest_batch *b)
{
	int rc = 0;

	for (size_t s = 0; rc == 0 && s < b->n; s++) {
		const rdigest_share *sh = &b->v[s];
		uint8_t val[DIGEST_VAL_LEN] = { 0 };
		MDB_val v;
		uint64_t count;

		rc = rstore_db_get(t, r->digests, sh->key, sh->klen, &v);
		if (rc == 0 && v.mv_size == DIGEST_VAL_LEN)
			memcpy(val, v.mv_data, DIGEST_VAL_LEN);
		else if (rc != 0 && rc != HEARTH_ENOTFOUND)
			break;
		count = rstore_be64_get(val) + sh->plus;
		if (sh->minus > count) {
			rc = HEARTH_ECORRUPT; /* removing what was never added */
			break;
		}
		count -= sh->minus;
		rstore_be64_put(val, count);
		for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
			val[8 + i] ^= sh->x[i];
		rc = count == 0 ? rstore_db_del(t, r->digests, sh->key, sh->klen)
		                : rstore_db_put(t, r->digests, sh->key, sh->klen, val, sizeof(val));
	}
	rdigest_batch_free(b);
	return rc;
}

void rdigest_batch_free(rdigest_batch *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* Adds (sign +1) or removes (sign -1) one server copy's share: a batch of
 * one. */
static int digest_apply(replica *r, MDB_txn *t, const void *bytes, size_t len, int sign)
{
	rdigest_batch b = RDIGEST_BATCH_INIT;
	int rc = batch_note(&b, bytes, len, sign);

	if (rc != 0) {
		rdigest_batch_free(&b);
		return rc;
	}
	return rdigest_batch_flush(r, t, &b);
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
