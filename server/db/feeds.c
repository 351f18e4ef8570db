/* feeds.c: the change feeds (the global index and one per branch) and the
 * per-branch, per-kind digests that let a replica check it holds what the
 * server holds. */
#include "server/db/feeds.h"

#include <errno.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "common/be.h"
#include "common/hearth.h"
#include "common/sha256.h"

int feeds_index_del(store *s, MDB_txn *txn, const char *branch, uint64_t seq)
{
	uint8_t kb[8], bk[80];
	MDB_val k = { 8, kb };
	int rc;

	if (seq == 0)
		return 0;
	be64_put(kb, seq);
	rc = mdb_del(txn, s->changes, &k, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return store_err(rc);
	k.mv_size = store_branch_key(bk, sizeof(bk), branch, seq);
	k.mv_data = bk;
	if (!k.mv_size)
		return HEARTH_EINVAL;
	rc = mdb_del(txn, s->bchanges, &k, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return store_err(rc);
	return 0;
}

int feeds_index_put_branch(store *s, MDB_txn *txn, const char *branch, uint64_t seq, int type,
                           const uint8_t id[16])
{
	uint8_t bk[80], ref[17];
	MDB_val k, v = { 17, ref };
	ref[0] = (uint8_t)type;
	memcpy(ref + 1, id, 16);
	k.mv_size = store_branch_key(bk, sizeof(bk), branch, seq);
	k.mv_data = bk;
	if (!k.mv_size)
		return HEARTH_EINVAL;
	return store_err(mdb_put(txn, s->bchanges, &k, &v, 0));
}

int feeds_index_put(store *s, MDB_txn *txn, const char *branch, uint64_t seq, int type,
                    const uint8_t id[16])
{
	uint8_t kb[8], bk[80], ref[17];
	MDB_val k = { 8, kb }, v = { 17, ref };
	int rc;

	ref[0] = (uint8_t)type;
	memcpy(ref + 1, id, 16);
	be64_put(kb, seq);
	/* Sequences only grow, so APPEND keeps both indexes at the tree's end. */
	if ((rc = mdb_put(txn, s->changes, &k, &v, MDB_APPEND)) != 0)
		return store_err(rc);
	k.mv_size = store_branch_key(bk, sizeof(bk), branch, seq);
	k.mv_data = bk;
	if (!k.mv_size)
		return HEARTH_EINVAL;
	/* The branch index is in sequence order within each branch; the
	 * busiest branch's keys are usually the greatest. */
	return store_put_ordered(txn, s->bchanges, &k, &v, 0);
}

/* Keeps the per-branch, per-kind count and XOR of record hashes current,
 * so a divergence check costs O(branches x kinds), not a scan. sign is +1
 * to add a record's bytes, -1 to remove them (XOR is its own inverse; only
 * the count differs). */
/* Adds or removes one record's SHA-256 h to its branch's count and digest. */
static int apply_hash(store *s, MDB_txn *txn, const char *branch, int kind, const uint8_t h[32], int sign)
{
	uint8_t key[80], val[40];
	size_t bl = strlen(branch);
	MDB_val k, v;
	int rc;

	if (bl > 63)
		return HEARTH_EINVAL;
	memcpy(key, branch, bl);
	key[bl] = 0;
	key[bl + 1] = (uint8_t)kind;
	k.mv_size = bl + 2;
	k.mv_data = key;
	rc = mdb_get(txn, s->digests, &k, &v);
	if (rc == 0 && v.mv_size == sizeof(val))
		memcpy(val, v.mv_data, sizeof(val));
	else if (rc == 0 || rc == MDB_NOTFOUND)
		memset(val, 0, sizeof(val));
	else
		return store_err(rc);
	be64_put(val, be64_get(val) + (uint64_t)(int64_t)sign);
	for (int i = 0; i < 32; i++)
		val[8 + i] ^= h[i];
	v.mv_size = sizeof(val);
	v.mv_data = val;
	if ((rc = mdb_put(txn, s->digests, &k, &v, 0)) != 0)
		return store_err(rc);
	return 0;
}

int feeds_digest_apply(store *s, MDB_txn *txn, const char *branch, int kind, const void *bytes,
                       size_t len, int sign)
{
	uint8_t h[32];

	hearth_sha256(bytes, len, h);
	return apply_hash(s, txn, branch, kind, h, sign);
}

int feeds_digest_move(store *s, MDB_txn *txn, const char *old_branch, const char *branch, int kind,
                         const MDB_val *old_bytes, const uint8_t new_hash[32])
{
	int rc;
	if (old_bytes && (rc = feeds_digest_apply(s, txn, old_branch, kind, old_bytes->mv_data, old_bytes->mv_size, -1)) != 0)
		return rc;
	return apply_hash(s, txn, branch, kind, new_hash, +1);
}

size_t feeds_horizon_key(char *buf, size_t cap, const char *branch)
{
	int n = branch ? snprintf(buf, cap, "purged_seq/%s", branch) : snprintf(buf, cap, "purged_seq");
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

int feeds_horizon(store *s, MDB_txn *txn, const char *branch, uint64_t *out)
{
	char key[320];
	MDB_val k, v;
	int rc;

	*out = 0;
	k.mv_size = feeds_horizon_key(key, sizeof(key), branch);
	k.mv_data = key;
	if (!k.mv_size)
		return HEARTH_EINVAL;
	rc = mdb_get(txn, s->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_err(rc);
	if (v.mv_size != 8)
		return HEARTH_ECORRUPT;
	*out = be64_get(v.mv_data);
	return 0;
}

/* The last sequence in a scope's feed: the cursor a replica that has
 * pulled everything of that scope holds (not the global sequence, which
 * other branches move). */
static int feed_head(store *s, MDB_txn *txn, const char *branch, uint64_t *last)
{
	MDB_cursor *cur;
	MDB_val k, v;
	uint8_t key[80];
	size_t prefix = branch ? strlen(branch) + 1 : 0;
	int rc;

	*last = 0;
	if ((rc = mdb_cursor_open(txn, branch ? s->bchanges : s->changes, &cur)) != 0)
		return rc;
	if (!branch) {
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	} else {
		k.mv_size = store_branch_key(key, sizeof(key), branch, UINT64_MAX);
		k.mv_data = key;
		if (!k.mv_size) {
			mdb_cursor_close(cur);
			return EINVAL;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc == 0)
			rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
		else if (rc == MDB_NOTFOUND)
			rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
		if (rc == 0 && (k.mv_size != prefix + 8 || memcmp(k.mv_data, key, prefix) != 0))
			rc = MDB_NOTFOUND;
	}
	if (rc == 0)
		*last = be64_get((const uint8_t *)k.mv_data + prefix);
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int feeds_digest(store *s, const store_scope *sc, wirebuf *out)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	struct { uint64_t count; uint8_t x[32]; } acc[64];
	uint64_t last = 0, horizon = 0;
	int rc;

	memset(acc, 0, sizeof(acc));
	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_err(rc);
	if ((rc = mdb_cursor_open(txn, s->digests, &cur)) != 0)
		goto fail;
	rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	while (rc == 0) {
		const uint8_t *kp = k.mv_data;
		size_t bl = k.mv_size - 2;
		int kind = kp[k.mv_size - 1];
		char b[STORE_BRANCH_MAX + 1];
		if (k.mv_size >= 2 && bl <= STORE_BRANCH_MAX) {
			memcpy(b, kp, bl);
			b[bl] = '\0';
		}
		if (k.mv_size >= 2 && bl <= STORE_BRANCH_MAX && v.mv_size == 40 && kind < 64 &&
		    store_scope_has(sc, b)) {
			acc[kind].count += be64_get(v.mv_data);
			for (int i = 0; i < 32; i++)
				acc[kind].x[i] ^= ((const uint8_t *)v.mv_data)[8 + i];
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc != MDB_NOTFOUND)
		goto fail;
	for (uint32_t i = 0; i < (sc->all ? 1 : sc->n); i++) {
		uint64_t head = 0, hz = 0;
		const char *branch = sc->all ? NULL : sc->ids[i];
		if ((rc = feed_head(s, txn, branch, &head)) != 0)
			goto fail;
		if ((rc = feeds_horizon(s, txn, branch, &hz)) != 0) {
			mdb_cursor_close(cur);
			mdb_txn_abort(txn);
			return rc;
		}
		if (head > last)
			last = head;
		if (hz > horizon)
			horizon = hz;
	}
	/* The cursor a replica holds after pulling the whole scope: pull_page
	 * ends a complete pull at max(feed head, purge horizon), because a
	 * replica left below the horizon would be told to re-pull from zero on
	 * every sync. The digest must name the same cursor, or when the purge
	 * removed the newest change of the scope (horizon above the head) every
	 * replica compares at different cursors and fails. Lifting to the
	 * horizon skips nothing: every change at or below it that still exists
	 * is in the feed below the head, and the purged ones are gone from the
	 * digest too. */
	if (horizon > last)
		last = horizon;
	for (int kind = 1; kind < 64; kind++) {
		wirebuf one = WIREBUF_INIT;
		if (!acc[kind].count)
			continue;
		wire_uint_field(&one, 1, (uint64_t)kind);
		wire_uint_field(&one, 2, acc[kind].count);
		wire_bytes_field(&one, 3, acc[kind].x, 32, 1);
		wire_bytes_field(out, 1, one.data, one.len, 1);
		if (one.failed)
			out->failed = 1;
		wire_free(&one);
	}
	wire_uint_field(out, 2, last);
	rc = out->failed ? ENOMEM : 0;
fail:
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return store_err(rc);
}
