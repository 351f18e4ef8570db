/* replica_sync.c: what a sync does to the replica: the outbox in batches,
 * push results, pull pages, the digest and the reset to zero. */
#include "client/core/replica_sync.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/core/replica_store.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/lmdb_err.h"
#include "common/merge.h"
#include "common/record_peek.h"
#include "common/uuid.h"

/* ---------------------------------------------------------- sync */

/* True when seq is the oldest pending op of its record: only such ops may
 * go out, so a later op is rebased on its predecessor's result first. */
static int is_head(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t seq, int *head)
{
	MDB_cursor *c = NULL;
	uint8_t bk[RSTORE_BYREC_KEY_LEN];
	MDB_val k, v;
	int rc, mrc;

	*head = 0;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->byrec, &c))) != 0)
		return rc;
	rstore_byrec_key(bk, id, 0);
	k.mv_size = sizeof(bk);
	k.mv_data = bk;
	mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (mrc == 0)
		*head = k.mv_size == RSTORE_BYREC_KEY_LEN && memcmp(k.mv_data, id, UUID_LEN) == 0 &&
		        rstore_be64_get((const uint8_t *)k.mv_data + UUID_LEN) == seq;
	else if (mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
	mdb_cursor_close(c);
	/* A rejected change waits for the person (edit or discard): sending
	 * it again unchanged would only be rejected again. */
	if (rc == 0 && *head) {
		rc = rstore_rejected_get(r, t, id, NULL, NULL);
		if (rc == 0)
			*head = 0;
		rc = rc == HEARTH_ENOTFOUND ? 0 : rc;
	}
	return rc;
}

int replica_next_batch(replica *r, size_t max, Hearth__Op ***ops, uint64_t **outbox_keys, size_t *n)
{
	MDB_txn *t = NULL;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	Hearth__Op *op = NULL;
	int rc, mrc;

	*ops = NULL;
	*outbox_keys = NULL;
	*n = 0;
	if (max == 0)
		return 0;
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->outbox, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && *n < max;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t seq;
		int head;

		if (k.mv_size != 8) {
			rc = HEARTH_ECORRUPT;
			goto fail;
		}
		seq = rstore_be64_get(k.mv_data);
		op = hearth__op__unpack(NULL, v.mv_size, v.mv_data);
		if (!op || !op->record || op->record->id.len != UUID_LEN) {
			rc = HEARTH_ECORRUPT;
			goto fail;
		}
		if ((rc = is_head(r, t, op->record->id.data, seq, &head)) != 0)
			goto fail;
		if (!head) {
			rstore_op_free(op);
			op = NULL;
			continue;
		}
		if (*n % 64 == 0) {
			Hearth__Op **no = realloc(*ops, (*n + 64) * sizeof(*no));
			uint64_t *nk;
			if (!no) {
				rc = HEARTH_ENOMEM;
				goto fail;
			}
			*ops = no;
			nk = realloc(*outbox_keys, (*n + 64) * sizeof(*nk));
			if (!nk) {
				rc = HEARTH_ENOMEM;
				goto fail;
			}
			*outbox_keys = nk;
		}
		(*ops)[*n] = op;
		(*outbox_keys)[*n] = seq;
		(*n)++;
		op = NULL;
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
fail:
	rstore_op_free(op);
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	if (rc != 0) {
		replica_ops_free(*ops, *outbox_keys, *n);
		*ops = NULL;
		*outbox_keys = NULL;
		*n = 0;
	}
	return rc;
}

void replica_ops_free(Hearth__Op **ops, uint64_t *keys, size_t n)
{
	for (size_t i = 0; ops && i < n; i++)
		rstore_op_free(ops[i]);
	free(ops);
	free(keys);
}

/* Where the server copies end, for a page of records that arrive in key
 * order (UUIDv7 ids are time-ordered, and a first pull sends them oldest
 * first): a record whose id sorts after the greatest key cannot be there
 * yet, so it goes in without a look-up, and with MDB_APPEND, which also
 * fills each page to the brim instead of splitting it in half. */
typedef struct server_tail {
	int known;                /* last is the greatest key (or the db is empty) */
	int empty;
	uint8_t last[UUID_LEN];
} server_tail;

static int tail_find(replica *r, MDB_txn *t, server_tail *tail)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	memset(tail, 0, sizeof(*tail));
	if ((rc = lmdb_err(mdb_cursor_open(t, r->server, &c))) != 0)
		return rc;
	mrc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (mrc == MDB_NOTFOUND) {
		tail->known = tail->empty = 1;
	} else if (mrc == 0 && k.mv_size == UUID_LEN) {
		tail->known = 1;
		memcpy(tail->last, k.mv_data, UUID_LEN);
	} else if (mrc != 0) {
		rc = lmdb_err(mrc);
	}
	mdb_cursor_close(c);
	return rc;
}

/* Puts the server copy of rec: its wire bytes as they came (wire, when the
 * caller has them) or rec packed, straight into LMDB's page. *stored gets
 * the bytes as stored, valid until the next write in t. */
static int put_server(replica *r, MDB_txn *t, const Hearth__Record *rec, const envelope_bytes *wire,
                      unsigned flags, MDB_val *stored)
{
	MDB_val k = { UUID_LEN, rec->id.data };
	int rc;

	if (wire) {
		stored->mv_size = wire->len;
		stored->mv_data = (void *)wire->data;
		if ((rc = lmdb_err(mdb_put(t, r->server, &k, stored, flags))) != 0)
			return rc;
		/* The copy in the page is the same bytes; hashing the caller's
		 * saves a look-up. */
		stored->mv_data = (void *)wire->data;
		return 0;
	}
	stored->mv_size = protobuf_c_message_get_packed_size(&rec->base);
	stored->mv_data = NULL;
	if ((rc = lmdb_err(mdb_put(t, r->server, &k, stored, flags | MDB_RESERVE))) != 0)
		return rc;
	if (stored->mv_size)
		protobuf_c_message_pack(&rec->base, stored->mv_data);
	return 0;
}

/* Stores rec as the server copy unless we already hold a newer revision
 * (a push result and a pull page may arrive in either order), and notes
 * the change in the digest batch b. wire: rec's bytes as the server sent
 * them (NULL: rec is packed). tail (NULL: none) lets a record past the
 * last key skip the look-up, and is moved on. */
static int store_server_copy(replica *r, MDB_txn *t, const Hearth__Record *rec, const envelope_bytes *wire,
                             server_tail *tail, rdigest_batch *b)
{
	MDB_val old, now;
	record_peek pk;
	int rc;

	if (tail && tail->known && (tail->empty || memcmp(rec->id.data, tail->last, UUID_LEN) > 0)) {
		if ((rc = put_server(r, t, rec, wire, MDB_APPEND, &now)) != 0 ||
		    (rc = rdigest_batch_add(b, now.mv_data, now.mv_size)) != 0)
			return rc;
		memcpy(tail->last, rec->id.data, UUID_LEN);
		tail->empty = 0;
		return rstore_copy_stored(r, t, rec);
	}
	rc = rstore_db_get(t, r->server, rec->id.data, UUID_LEN, &old);
	if (rc == 0) {
		/* Only the revision is needed: peeked, not unpacked. */
		if (record_peek_bytes(old.mv_data, old.mv_size, &pk) != 0)
			return HEARTH_ECORRUPT;
		if (rec->rev < pk.rev)
			return 0;
		if ((rc = rdigest_batch_remove(b, old.mv_data, old.mv_size)) != 0)
			return rc == HEARTH_EINVAL ? HEARTH_ECORRUPT : rc;
	} else if (rc != HEARTH_ENOTFOUND) {
		return rc;
	}
	if ((rc = put_server(r, t, rec, wire, 0, &now)) != 0 ||
	    (rc = rdigest_batch_add(b, now.mv_data, now.mv_size)) != 0)
		return rc;
	return rstore_copy_stored(r, t, rec);
}

/* Deletes the server copy of id, if any, and notes its share of the
 * digests in b. */
static int drop_server_copy(replica *r, MDB_txn *t, const uint8_t id[UUID_LEN], rdigest_batch *b)
{
	MDB_val old;
	int rc = rstore_db_get(t, r->server, id, UUID_LEN, &old);

	if (rc == HEARTH_ENOTFOUND)
		return 0;
	if (rc == 0)
		rc = rdigest_batch_remove(b, old.mv_data, old.mv_size);
	if (rc == HEARTH_EINVAL)
		rc = HEARTH_ECORRUPT;
	return rc ? rc : rstore_db_del(t, r->server, id, UUID_LEN);
}

/* Later ops of the record were made on top of the op that just came back,
 * so their base is now the revision the server gave it. */
static int rebase_pending(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t rev)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	Hearth__Op *op = NULL;
	int rc = rstore_pending_of(r, t, id, &seqs, &n);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		uint8_t key[8];
		if ((rc = rstore_load_op(t, r, seqs[i], &op)) != 0)
			break;
		if (op->base_rev != rev) {
			op->base_rev = rev;
			rstore_be64_put(key, seqs[i]);
			rc = rstore_db_put_msg(t, r->outbox, key, 8, &op->base);
		}
		rstore_op_free(op);
		op = NULL;
	}
	rstore_op_free(op);
	free(seqs);
	return rc;
}

int replica_apply_result(replica *r, uint64_t outbox_key, const Hearth__Op *op,
                         const Hearth__OpResult *res, char *err, size_t errlen)
{
	const uint8_t *id;
	uint8_t key[8];
	MDB_val v;
	MDB_txn *t = NULL;
	int rc;

	if (!op->record || op->record->id.len != UUID_LEN)
		return rstore_say(err, errlen, HEARTH_EINVAL, _("the op has no record id"));
	id = op->record->id.data;
	if (res->record && (res->record->id.len != UUID_LEN || memcmp(res->record->id.data, id, UUID_LEN)))
		return rstore_say(err, errlen, HEARTH_EPROTO,
		           _("the server's result for an op names another record"));
	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	rstore_be64_put(key, outbox_key);
	rc = rstore_db_get(t, r->outbox, key, 8, &v);
	if (rc == HEARTH_ENOTFOUND) {
		rc = rstore_say(err, errlen, rc, _("op %llu is no longer in the outbox"),
		         (unsigned long long)outbox_key);
		goto fail;
	}
	if (rc != 0)
		goto fail_store;
	if (res->status == HEARTH__OP_STATUS__OP_REJECTED) {
		/* Nothing a person typed is dropped by the server's refusal: the
		 * op and the local copy stay, marked with the server's reason. */
		if ((rc = rstore_rejected_put(r, t, id, res->error, (int64_t)time(NULL) * 1000)) != 0)
			goto fail_store;
		goto commit;
	}
	if ((rc = rstore_outbox_remove(r, t, id, outbox_key)) != 0)
		goto fail_store;
	switch (res->status) {
	case HEARTH__OP_STATUS__OP_APPLIED:
	case HEARTH__OP_STATUS__OP_MERGED:
	case HEARTH__OP_STATUS__OP_CONFLICT:
	case HEARTH__OP_STATUS__OP_DUPLICATE: {
		uint64_t rev = res->rev ? res->rev : (res->record ? res->record->rev : 0);
		rdigest_batch b = RDIGEST_BATCH_INIT;
		if (res->record && ((rc = store_server_copy(r, t, res->record, NULL, NULL, &b)) != 0 ||
		                    (rc = rdigest_batch_flush(r, t, &b)) != 0)) {
			rdigest_batch_free(&b);
			goto fail_store;
		}
		if (rev && (rc = rebase_pending(r, t, id, rev)) != 0)
			goto fail_store;
		break;
	}
	default:
		rc = rstore_say(err, errlen, HEARTH_EPROTO, _("the server sent an unknown op status %d"),
		         (int)res->status);
		goto fail;
	}
	if ((rc = rstore_rebuild_local(r, t, id)) != 0)
		goto fail_store;
commit:
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	return 0;

fail_store:
	rstore_say_store(err, errlen, rc, _("storing a push result"));
fail:
	if (t)
		mdb_txn_abort(t);
	return rc;
}

/* Conflicts a pending op already resolves: a pull must not bring them back
 * as open before that op has reached the server. */
static int pending_resolves(replica *r, MDB_txn *t, rstore_blobs *out)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = lmdb_err(mdb_cursor_open(t, r->outbox, &c))) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Hearth__Op *op = hearth__op__unpack(NULL, v.mv_size, v.mv_data);
		if (!op) {
			rc = HEARTH_ECORRUPT;
			break;
		}
		if (op->resolves.len == UUID_LEN)
			rc = rstore_blobs_add(out, op->resolves.data, UUID_LEN);
		rstore_op_free(op);
	}
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
	mdb_cursor_close(c);
	return rc;
}

/* Whether a pulled record or conflict of branch b belongs in a replica of
 * scope: all (""), one branch, or a general branch's subtree
 * ("general/ID"), which the page names in scope_branches. */
static int in_scope(const char *scope, const Hearth__PullResponse *page, const char *b)
{
	if (!scope[0])
		return 1;
	if (strncmp(scope, "general/", 8) != 0)
		return strcmp(b, scope) == 0;
	for (size_t i = 0; i < page->n_scope_branches; i++)
		if (strcmp(page->scope_branches[i], b) == 0)
			return 1;
	return 0;
}

int replica_apply_pull(replica *r, const Hearth__PullResponse *page, char *err, size_t errlen)
{
	return replica_apply_pull_page(r, &(replica_pull_page){ .page = page }, err, errlen);
}

/* Whether no record has pending ops or a local copy: then rebuilding a
 * pulled record's local copy would only delete what is not there, and a
 * pull into a fresh replica skips two look-ups per record. */
static int nothing_local(replica *r, MDB_txn *t, int *none)
{
	MDB_stat so, sl;
	int rc;

	*none = 0;
	if ((rc = lmdb_err(mdb_stat(t, r->outbox, &so))) != 0 || (rc = lmdb_err(mdb_stat(t, r->local, &sl))) != 0)
		return rc;
	*none = so.ms_entries == 0 && sl.ms_entries == 0;
	return 0;
}

int replica_apply_pull_page(replica *r, const replica_pull_page *p, char *err, size_t errlen)
{
	const Hearth__PullResponse *page = p->page;
	rstore_blobs resolving = { 0 };
	rdigest_batch digests = RDIGEST_BATCH_INIT;
	server_tail tail;
	MDB_txn *t = NULL;
	MDB_val scope_val;
	char scope[128] = "";
	uint64_t cursor;
	int rc, no_local;

	for (size_t i = 0; i < page->n_records; i++)
		if (page->records[i]->id.len != UUID_LEN)
			return rstore_say(err, errlen, HEARTH_EPROTO, _("the server sent a record without a valid id"));
	for (size_t i = 0; i < page->n_conflicts; i++)
		if (page->conflicts[i]->id.len != UUID_LEN)
			return rstore_say(err, errlen, HEARTH_EPROTO, _("the server sent a conflict without a valid id"));
	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	/* A record that left this replica's branch (an accepted transfer)
	 * arrives as a body-less stub naming its new branch: the replica keeps
	 * nothing of it. Pending ops on it stay and are refused on push. */
	rc = rstore_db_get(t, r->meta, "scope", 5, &scope_val);
	if (rc == 0 && scope_val.mv_size < sizeof(scope)) {
		memcpy(scope, scope_val.mv_data, scope_val.mv_size);
		scope[scope_val.mv_size] = '\0';
	} else if (rc != 0 && rc != HEARTH_ENOTFOUND) {
		goto fail_store;
	}
	if ((rc = tail_find(r, t, &tail)) != 0 || (rc = nothing_local(r, t, &no_local)) != 0)
		goto fail_store;
	for (size_t i = 0; i < page->n_records; i++) {
		const Hearth__Record *rec = page->records[i];
		if (!in_scope(scope, page, rec->branch_id)) {
			if ((rc = drop_server_copy(r, t, rec->id.data, &digests)) != 0 ||
			    (rc = rstore_db_del(t, r->local, rec->id.data, UUID_LEN)) != 0)
				goto fail_store;
			continue;
		}
		if ((rc = store_server_copy(r, t, rec, p->record_bytes ? &p->record_bytes[i] : NULL, &tail,
		                            &digests)) != 0)
			goto fail_store;
		if (!no_local && (rc = rstore_rebuild_local(r, t, rec->id.data)) != 0)
			goto fail_store;
	}
	if ((rc = rdigest_batch_flush(r, t, &digests)) != 0)
		goto fail_store;
	if (page->n_conflicts && (rc = pending_resolves(r, t, &resolving)) != 0)
		goto fail_store;
	for (size_t i = 0; i < page->n_conflicts; i++) {
		const Hearth__Conflict *c = page->conflicts[i];
		int resolved_here = 0;
		/* A conflict of another branch is none of this replica's
		 * business; stored, it would hold every sync at "open
		 * conflicts" with nothing here to resolve it (issue 12 item 14). */
		if (!in_scope(scope, page, c->branch_id ? c->branch_id : ""))
			continue;
		for (size_t j = 0; j < resolving.n; j++)
			resolved_here |= !memcmp(resolving.v[j].data, c->id.data, UUID_LEN);
		if (c->state == HEARTH__CONFLICT_STATE__CONFLICT_OPEN && !resolved_here)
			rc = rstore_db_put_msg(t, r->conflicts, c->id.data, UUID_LEN, &c->base);
		else
			rc = rstore_db_del(t, r->conflicts, c->id.data, UUID_LEN);
		if (rc != 0)
			goto fail_store;
	}
	/* The cursor only moves forward: an empty page may carry 0. */
	if ((rc = rstore_meta_get_u64(t, r, "cursor", &cursor)) != 0)
		goto fail_store;
	if (page->cursor > cursor && (rc = rstore_meta_put_u64(t, r, "cursor", page->cursor)) != 0)
		goto fail_store;
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	goto fail;

fail_store:
	rstore_say_store(err, errlen, rc, _("storing a pulled page"));
fail:
	if (t)
		mdb_txn_abort(t);
	rdigest_batch_free(&digests);
	rstore_blobs_free(&resolving);
	return rc;
}

/* ---------------------------------------------------------- divergence */

int replica_reset_server(replica *r)
{
	MDB_txn *t;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_drop(t, r->server, 0))) != 0 || (rc = rdigest_reset(r, t)) != 0 ||
	    (rc = lmdb_err(mdb_drop(t, r->conflicts, 0))) != 0 ||
	    (rc = rstore_meta_put_u64(t, r, "cursor", 0)) != 0)
		goto fail;
	/* A local copy without pending ops would now shadow nothing: drop it,
	 * the re-pull brings the server's version back. */
	if ((rc = lmdb_err(mdb_cursor_open(t, r->local, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t *seqs = NULL;
		size_t n = 0;
		if (k.mv_size != UUID_LEN)
			continue;
		if ((rc = rstore_pending_of(r, t, k.mv_data, &seqs, &n)) != 0)
			goto fail;
		free(seqs);
		if (n == 0 && (rc = lmdb_err(mdb_cursor_del(c, 0))) != 0)
			goto fail;
	}
	if (mrc != MDB_NOTFOUND) {
		rc = lmdb_err(mrc);
		goto fail;
	}
	mdb_cursor_close(c);
	c = NULL;
	return lmdb_err(mdb_txn_commit(t));
fail:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	return rc;
}

