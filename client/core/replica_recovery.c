/* replica_recovery.c: the replica's recovery state: witnessed audit links,
 * used restore notices, the pending recovery and the copies to re-push. */
#include "client/core/replica_recovery.h"

#include <stdlib.h>
#include <string.h>

#include "client/core/replica_meta.h"
#include "client/core/replica_store.h"
#include "common/hearth.h"
#include "common/lmdb_err.h"

#define SEEN_PREFIX "seen/"
#define SEEN_PREFIX_LEN 5
#define LOST_PREFIX "lost/"   /* as long as SEEN_PREFIX */
#define SEEN_KEY_LEN (SEEN_PREFIX_LEN + 8)

static void seen_key(uint8_t key[SEEN_KEY_LEN], uint64_t seq)
{
	memcpy(key, SEEN_PREFIX, SEEN_PREFIX_LEN);
	rstore_be64_put(key + SEEN_PREFIX_LEN, seq);
}

int replica_seen_put(replica *r, const replica_seen *links, size_t n)
{
	uint8_t key[SEEN_KEY_LEN];
	MDB_txn *t;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		uint8_t val[2 * AUDIT_HASH_LEN];
		MDB_val old;
		seen_key(key, links[i].seq);
		memcpy(val, links[i].hash, AUDIT_HASH_LEN);
		memcpy(val + AUDIT_HASH_LEN, links[i].leaf, AUDIT_HASH_LEN);
		/* A head seen again without its leaf keeps the leaf verified before. */
		if (!links[i].has_leaf && rstore_db_get(t, r->meta, key, sizeof(key), &old) == 0 &&
		    old.mv_size == sizeof(val) && !memcmp(old.mv_data, val, AUDIT_HASH_LEN))
			continue;
		if ((rc = rstore_db_put(t, r->meta, key, sizeof(key), val,
		                        links[i].has_leaf ? sizeof(val) : AUDIT_HASH_LEN)) != 0) {
			mdb_txn_abort(t);
			return rc;
		}
	}
	return lmdb_err(mdb_txn_commit(t));
}

int replica_seen_get(replica *r, uint64_t seq, uint8_t hash[AUDIT_HASH_LEN])
{
	uint8_t key[SEEN_KEY_LEN];
	MDB_txn *t;
	MDB_val v;
	int rc;

	if (seq == 0) {
		/* The empty log's head: every log starts there. */
		memset(hash, 0, AUDIT_HASH_LEN);
		return 0;
	}
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	seen_key(key, seq);
	rc = rstore_db_get(t, r->meta, key, sizeof(key), &v);
	if (rc == 0 && v.mv_size != AUDIT_HASH_LEN && v.mv_size != 2 * AUDIT_HASH_LEN)
		rc = HEARTH_ECORRUPT;
	if (rc == 0)
		memcpy(hash, v.mv_data, AUDIT_HASH_LEN);
	mdb_txn_abort(t);
	return rc;
}

int replica_seen_leaf(replica *r, uint64_t seq, int lost, uint8_t leaf[AUDIT_HASH_LEN])
{
	uint8_t key[SEEN_KEY_LEN];
	MDB_txn *t;
	MDB_val v;
	int rc;

	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	seen_key(key, seq);
	if (lost)
		memcpy(key, LOST_PREFIX, SEEN_PREFIX_LEN);
	rc = rstore_db_get(t, r->meta, key, sizeof(key), &v);
	if (rc == 0 && v.mv_size != 2 * AUDIT_HASH_LEN)
		rc = HEARTH_ENOTFOUND;
	if (rc == 0)
		memcpy(leaf, (uint8_t *)v.mv_data + AUDIT_HASH_LEN, AUDIT_HASH_LEN);
	mdb_txn_abort(t);
	return rc;
}

/* ---------------------------------------------------------- witnessed entries */

#define ENTRY_PREFIX "entry/"
#define ENTRY_PREFIX_LEN 6
#define ENTRY_KEY_LEN (ENTRY_PREFIX_LEN + 16 + 8)

static void entry_key(uint8_t key[ENTRY_KEY_LEN], const uint8_t id[16], uint64_t rev)
{
	memcpy(key, ENTRY_PREFIX, ENTRY_PREFIX_LEN);
	memcpy(key + ENTRY_PREFIX_LEN, id, 16);
	rstore_be64_put(key + ENTRY_PREFIX_LEN + 16, rev);
}

int replica_entries_after(replica *r, uint64_t *seq)
{
	MDB_txn *t;
	int rc;

	*seq = 0;
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	rc = rstore_meta_get_u64(t, r, "entries_after", seq);
	mdb_txn_abort(t);
	return rc;
}

int replica_entries_put(replica *r, Hearth__AuditEntry *const *entries, size_t n, uint64_t next)
{
	uint8_t key[ENTRY_KEY_LEN];
	MDB_txn *t;
	int rc;

	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const Hearth__AuditEntry *e = entries[i];
		if (e->record_id.len != 16 || e->rev_after == 0)
			continue;
		entry_key(key, e->record_id.data, e->rev_after);
		if ((rc = rstore_db_put_msg(t, r->meta, key, sizeof(key), &e->base)) != 0)
			goto fail;
	}
	if ((rc = rstore_meta_put_u64(t, r, "entries_after", next)) != 0)
		goto fail;
	return lmdb_err(mdb_txn_commit(t));
fail:
	mdb_txn_abort(t);
	return rc;
}

int replica_entry_get(replica *r, const uint8_t id[16], uint64_t rev, Hearth__AuditEntry **out)
{
	uint8_t key[ENTRY_KEY_LEN];
	MDB_txn *t;
	MDB_val v;
	int rc;

	*out = NULL;
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	entry_key(key, id, rev);
	if ((rc = rstore_db_get(t, r->meta, key, sizeof(key), &v)) == 0 &&
	    (*out = hearth__audit_entry__unpack(NULL, v.mv_size, v.mv_data)) == NULL)
		rc = HEARTH_ECORRUPT;
	mdb_txn_abort(t);
	return rc;
}

int replica_notice_used(replica *r, const uint8_t id[AUDIT_NOTICE_ID_LEN])
{
	uint8_t *ids = NULL;
	size_t n = 0;
	int rc = replica_meta_get_bytes(r, "notices_used", &ids, &n), used = 0;

	if (rc == HEARTH_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	for (size_t i = 0; i + AUDIT_NOTICE_ID_LEN <= n; i += AUDIT_NOTICE_ID_LEN)
		if (!memcmp(ids + i, id, AUDIT_NOTICE_ID_LEN))
			used = 1;
	free(ids);
	return used;
}

/* Moves the seen links after seq to "lost/": they describe the log the
 * server lost, whose leaves are the evidence a recovery shows the server,
 * while "seen/" goes on with the restored log. */
static int move_seen_after(replica *r, MDB_txn *t, uint64_t seq)
{
	uint8_t key[SEEN_KEY_LEN], lost[SEEN_KEY_LEN];
	MDB_cursor *c;
	MDB_val k, v;
	int rc = 0, mrc;

	if ((rc = lmdb_err(mdb_cursor_open(t, r->meta, &c))) != 0)
		return rc;
	seen_key(key, seq + 1);
	k.mv_size = sizeof(key);
	k.mv_data = key;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != SEEN_KEY_LEN || memcmp(k.mv_data, SEEN_PREFIX, SEEN_PREFIX_LEN) != 0)
			break;
		memcpy(lost, LOST_PREFIX, SEEN_PREFIX_LEN);
		memcpy(lost + SEEN_PREFIX_LEN, (uint8_t *)k.mv_data + SEEN_PREFIX_LEN, 8);
		/* The put may move the cursor's page: copy the value first. */
		{
			uint8_t val[2 * AUDIT_HASH_LEN];
			size_t n = v.mv_size <= sizeof(val) ? v.mv_size : sizeof(val);
			memcpy(val, v.mv_data, n);
			if ((mrc = mdb_cursor_del(c, 0)) != 0)
				break;
			if ((rc = rstore_db_put(t, r->meta, lost, sizeof(lost), val, n)) != 0)
				break;
		}
	}
	mdb_cursor_close(c);
	if (rc != 0)
		return rc;
	return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : lmdb_err(mrc);
}

int replica_recovery_accept(replica *r, const Hearth__RestoreNotice *n, const Hearth__Checkpoint *now)
{
	uint8_t *ids = NULL, *grown;
	uint64_t after = 0;
	size_t len = 0;
	MDB_txn *t;
	MDB_val v;
	int rc;

	if (n->id.len != AUDIT_NOTICE_ID_LEN)
		return HEARTH_EINVAL;
	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		return rc;
	rc = rstore_db_get(t, r->meta, "notices_used", 12, &v);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail;
	len = rc == 0 ? v.mv_size : 0;
	if ((ids = malloc(len + AUDIT_NOTICE_ID_LEN)) == NULL) {
		rc = HEARTH_ENOMEM;
		goto fail;
	}
	if (len)
		memcpy(ids, v.mv_data, len);
	grown = ids + len;
	memcpy(grown, n->id.data, AUDIT_NOTICE_ID_LEN);
	if ((rc = rstore_db_put(t, r->meta, "notices_used", 12, ids, len + AUDIT_NOTICE_ID_LEN)) != 0 ||
	    (rc = rstore_db_put_msg(t, r->meta, "recovery_pending", 16, &n->base)) != 0 ||
	    (rc = move_seen_after(r, t, n->audit_size)) != 0 ||
	    (rc = rstore_meta_get_u64(t, r, "entries_after", &after)) != 0 ||
	    (after > n->audit_size && (rc = rstore_meta_put_u64(t, r, "entries_after", n->audit_size)) != 0) ||
	    (rc = rstore_db_put_msg(t, r->meta, "checkpoint", 10, &now->base)) != 0)
		goto fail;
	free(ids);
	return lmdb_err(mdb_txn_commit(t));
fail:
	free(ids);
	mdb_txn_abort(t);
	return rc;
}

int replica_recovery_pending(replica *r, Hearth__RestoreNotice **out)
{
	uint8_t *b = NULL;
	size_t n = 0;
	int rc = replica_meta_get_bytes(r, "recovery_pending", &b, &n);

	*out = NULL;
	if (rc != 0)
		return rc;
	*out = hearth__restore_notice__unpack(NULL, n, b);
	free(b);
	return *out ? 0 : HEARTH_ECORRUPT;
}

static int by_seq(const void *a, const void *b)
{
	const Hearth__Record *x = *(Hearth__Record *const *)a, *y = *(Hearth__Record *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void replica_recovery_free(Hearth__Record **recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rstore_record_free(recs[i]);
	free(recs);
}

int replica_recovery_collect(replica *r, const char *branch, uint64_t after_seq, Hearth__Record ***out,
                             size_t *n)
{
	Hearth__Record **recs = NULL, *rec;
	size_t cap = 0, have = 0;
	MDB_cursor *c = NULL;
	MDB_txn *t;
	MDB_val k, v;
	int rc, mrc;

	*out = NULL;
	*n = 0;
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->server, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if ((rc = rstore_unpack_record(&v, &rec)) != 0)
			goto fail;
		if (rec->seq <= after_seq || (branch && branch[0] && strcmp(rec->branch_id, branch) != 0)) {
			rstore_record_free(rec);
			continue;
		}
		if (have == cap) {
			Hearth__Record **more = realloc(recs, (cap ? cap * 2 : 64) * sizeof(*recs));
			if (!more) {
				rstore_record_free(rec);
				rc = HEARTH_ENOMEM;
				goto fail;
			}
			recs = more;
			cap = cap ? cap * 2 : 64;
		}
		recs[have++] = rec;
	}
	if (mrc != MDB_NOTFOUND) {
		rc = lmdb_err(mrc);
		goto fail;
	}
	mdb_cursor_close(c);
	mdb_txn_abort(t);
	if (have)
		qsort(recs, have, sizeof(*recs), by_seq);
	*out = recs;
	*n = have;
	return 0;
fail:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	replica_recovery_free(recs, have);
	return rc;
}

int replica_recovery_done(replica *r, uint64_t change_seq)
{
	uint64_t cursor;
	MDB_txn *t;
	int rc;

	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		return rc;
	if ((rc = rstore_meta_get_u64(t, r, "cursor", &cursor)) != 0 ||
	    (cursor > change_seq && (rc = rstore_meta_put_u64(t, r, "cursor", change_seq)) != 0) ||
	    (rc = rstore_db_del(t, r->meta, "recovery_pending", 16)) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	return lmdb_err(mdb_txn_commit(t));
}
