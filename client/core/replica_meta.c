/* replica_meta.c: the replica's small state: status, cursor, last sync,
 * meta strings and bytes, and the witness's accepted checkpoint. */
#include "client/core/replica_meta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/replica_store.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/lmdb_err.h"
#include "common/merge.h"
#include "common/record_peek.h"
#include "common/uuid.h"

/* ---------------------------------------------------------- status */

static int count_live_fn(void *ctx, const uint8_t *id, const MDB_val *v)
{
	record_peek pk;
	(void)id;
	/* Only the deleted flag matters: peeked, not unpacked. */
	if (record_peek_bytes(v->mv_data, v->mv_size, &pk) != 0)
		return HEARTH_ECORRUPT;
	if (!pk.deleted)
		(*(uint64_t *)ctx)++;
	return 0;
}

/* Rejected records keep their ops in the outbox, but those ops are not
 * waiting to be sent: they wait for the person. */
static int count_rejected(replica *r, MDB_txn *t, replica_status *st)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = lmdb_err(mdb_cursor_open(t, r->rejected, &c))) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t *seqs = NULL;
		size_t n = 0;
		if (k.mv_size != UUID_LEN)
			continue;
		rc = rstore_pending_of(r, t, k.mv_data, &seqs, &n);
		free(seqs);
		st->rejected++;
		st->rejected_ops += n;
	}
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
	mdb_cursor_close(c);
	if (rc == 0)
		st->pending_ops -= st->rejected_ops <= st->pending_ops ? st->rejected_ops : st->pending_ops;
	return rc;
}

/* Everything of the status, and the count of records when count_records
 * (a scan of every server and local copy). */
static int status_read(replica *r, replica_status *st, int count_records)
{
	MDB_txn *t;
	MDB_stat ms;
	uint64_t ls = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = rstore_meta_get_u64(t, r, "cursor", &st->cursor)) != 0 ||
	    (rc = rstore_meta_get_u64(t, r, "last_sync", &ls)) != 0)
		goto fail;
	st->last_sync_ms = (int64_t)ls;
	if ((rc = lmdb_err(mdb_stat(t, r->outbox, &ms))) != 0)
		goto fail;
	st->pending_ops = ms.ms_entries;
	if ((rc = count_rejected(r, t, st)) != 0)
		goto fail;
	if ((rc = lmdb_err(mdb_stat(t, r->conflicts, &ms))) != 0)
		goto fail;
	st->open_conflicts = ms.ms_entries;
	if (count_records)
		rc = rstore_scan_view(r, t, count_live_fn, &st->records);
fail:
	mdb_txn_abort(t);
	return rc;
}

int replica_status_get(replica *r, replica_status *st)
{
	return status_read(r, st, 1);
}

int replica_status_brief(replica *r, replica_status *st)
{
	return status_read(r, st, 0);
}

static int meta_write_u64(replica *r, const char *key, uint64_t val)
{
	MDB_txn *t;
	int rc = rstore_txn_begin(r, 1, &t);
	if (rc != 0)
		return rc;
	if ((rc = rstore_meta_put_u64(t, r, key, val)) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	return lmdb_err(mdb_txn_commit(t));
}

int replica_set_last_sync(replica *r, int64_t ms)
{
	return meta_write_u64(r, "last_sync", (uint64_t)ms);
}

int replica_holds_no_attachments(replica *r, int *none)
{
	MDB_txn *t;
	uint64_t v = 0;
	int rc = rstore_txn_begin(r, 0, &t);

	*none = 0;
	if (rc != 0)
		return rc;
	rc = rstore_meta_get_u64(t, r, RSTORE_NO_ATTACHMENTS, &v);
	mdb_txn_abort(t);
	*none = rc == 0 && v == 1;
	return rc;
}

int replica_cursor(replica *r, uint64_t *cursor)
{
	MDB_txn *t;
	int rc = rstore_txn_begin(r, 0, &t);
	*cursor = 0;
	if (rc != 0)
		return rc;
	rc = rstore_meta_get_u64(t, r, "cursor", cursor);
	mdb_txn_abort(t);
	return rc;
}

int replica_generation(replica *r, uint64_t *gen)
{
	MDB_txn *t;
	int rc = rstore_txn_begin(r, 0, &t);
	*gen = 0;
	if (rc != 0)
		return rc;
	/* A read transaction's id is the last committed write's. */
	*gen = (uint64_t)mdb_txn_id(t);
	mdb_txn_abort(t);
	return 0;
}

int replica_meta_get_str(replica *r, const char *key, char *out, size_t cap)
{
	MDB_txn *t;
	MDB_val v;
	int rc = rstore_txn_begin(r, 0, &t);

	if (cap)
		out[0] = '\0';
	if (rc != 0)
		return rc;
	rc = rstore_db_get(t, r->meta, key, strlen(key), &v);
	if (rc == 0) {
		if (v.mv_size >= cap)
			rc = HEARTH_ETOOBIG;
		else {
			memcpy(out, v.mv_data, v.mv_size);
			out[v.mv_size] = '\0';
		}
	}
	mdb_txn_abort(t);
	return rc;
}

int replica_meta_set_str(replica *r, const char *key, const char *value)
{
	MDB_txn *t;
	int rc = rstore_txn_begin(r, 1, &t);
	if (rc != 0)
		return rc;
	if ((rc = rstore_db_put(t, r->meta, key, strlen(key), value, strlen(value))) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	return lmdb_err(mdb_txn_commit(t));
}

/* ---------------------------------------------------------- audit witness */

int replica_meta_get_bytes(replica *r, const char *key, uint8_t **out, size_t *len)
{
	MDB_txn *t;
	MDB_val v;
	int rc = rstore_txn_begin(r, 0, &t);

	*out = NULL;
	*len = 0;
	if (rc != 0)
		return rc;
	rc = rstore_db_get(t, r->meta, key, strlen(key), &v);
	if (rc == 0) {
		*out = malloc(v.mv_size ? v.mv_size : 1);
		if (!*out)
			rc = HEARTH_ENOMEM;
		else {
			memcpy(*out, v.mv_data, v.mv_size);
			*len = v.mv_size;
		}
	}
	mdb_txn_abort(t);
	return rc;
}

int replica_meta_set_bytes(replica *r, const char *key, const uint8_t *data, size_t len)
{
	MDB_txn *t;
	int rc = rstore_txn_begin(r, 1, &t);
	if (rc != 0)
		return rc;
	if ((rc = rstore_db_put(t, r->meta, key, strlen(key), data, len)) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	return lmdb_err(mdb_txn_commit(t));
}

int replica_checkpoint_get(replica *r, Hearth__Checkpoint **out)
{
	uint8_t *b;
	size_t n;
	int rc = replica_meta_get_bytes(r, "checkpoint", &b, &n);

	*out = NULL;
	if (rc != 0)
		return rc;
	*out = hearth__checkpoint__unpack(NULL, n, b);
	free(b);
	return *out ? 0 : HEARTH_ECORRUPT;
}

int replica_checkpoint_put(replica *r, const Hearth__Checkpoint *cp)
{
	MDB_txn *t;
	MDB_val v;
	int rc = rstore_txn_begin(r, 1, &t);

	if (rc != 0)
		return rc;
	rc = rstore_db_get(t, r->meta, "checkpoint", 10, &v);
	if (rc == 0) {
		Hearth__Checkpoint *old = hearth__checkpoint__unpack(NULL, v.mv_size, v.mv_data);
		int older = old && old->size > cp->size;
		if (old)
			hearth__checkpoint__free_unpacked(old, NULL);
		if (older) {
			mdb_txn_abort(t);
			return 0;
		}
	} else if (rc != HEARTH_ENOTFOUND) {
		goto fail;
	}
	if ((rc = rstore_db_put_msg(t, r->meta, "checkpoint", 10, &cp->base)) != 0)
		goto fail;
	return lmdb_err(mdb_txn_commit(t));
fail:
	mdb_txn_abort(t);
	return rc;
}


int replica_scope_check(replica *r, const char *branch, char *why, size_t cap)
{
	char own[128], scope[128], list[64 * 66];
	int rc;

	if (cap)
		why[0] = '\0';
	if (!branch || !branch[0])
		return 0;
	if ((rc = replica_meta_get_str(r, "branch", own, sizeof(own))) != 0 && rc != HEARTH_ENOTFOUND)
		return rc;
	if (own[0]) {
		if (strcmp(own, branch) == 0)
			return 0;
		snprintf(why, cap, _("branch %s is not in this replica's scope: it holds branch %s only"), branch, own);
		return 1;
	}
	if ((rc = replica_meta_get_str(r, "scope", scope, sizeof(scope))) != 0 && rc != HEARTH_ENOTFOUND)
		return rc;
	if (!strncmp(scope, "general/", 8)) {
		size_t bl = strlen(branch);
		const char *p;
		if ((rc = replica_meta_get_str(r, "scope_branches", list, sizeof(list))) != 0 && rc != HEARTH_ENOTFOUND)
			return rc;
		for (p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0))
			if (strcspn(p, ",") == bl && !strncmp(p, branch, bl))
				return 0;
		snprintf(why, cap, _("branch %s is not in this replica's scope: general branch %s holds %s"), branch,
		         scope + 8, list[0] ? list : _("no branches yet (run hearth sync)"));
		return 1;
	}
	if (scope[0] && strcmp(scope, branch) != 0) {
		snprintf(why, cap, _("branch %s is not in this replica's scope: it holds branch %s only"), branch, scope);
		return 1;
	}
	return 0;
}
