/* revision.c: writes a record's new revision (latest copy, history, feeds,
 * digests, reference indexes and its audit entry, all in the caller's
 * transaction) and reads old revisions back. */
#include "server/db/revision.h"

#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/hearth.h"
#include "common/sha256.h"
#include "common/uuid.h"
#include "server/db/audit_log.h"
#include "server/db/chunks.h"
#include "server/db/feeds.h"
#include "server/db/figures.h"
#include "server/db/refs.h"

/* Appends v as a protobuf varint at p; returns the bytes written. */
static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* The record bytes of the new revision, packed into *out (the caller
 * frees it). The body is already packed (a->body), and its field (20-29)
 * is the record's highest-numbered, the one protobuf-c would write last:
 * so the record's other fields are packed and the body's bytes follow
 * under their tag, as they are. Unpacking the body only to pack it again
 * was a twentieth of the writer's CPU per record; for a body protobuf-c
 * packed, the bytes are the same as that round trip gave. */
static int pack_revision(const revision_args *a, uint64_t seq, uint8_t **out, size_t *out_len,
                         uint64_t *rev)
{
	Hearth__Record rec = HEARTH__RECORD__INIT;
	size_t head, n;

	rec.id.data = (uint8_t *)a->id;
	rec.id.len = 16;
	rec.kind = a->kind->kind;
	rec.branch_id = (char *)a->branch;
	rec.rev = a->cur ? a->cur->rev + 1 : 1;
	rec.seq = seq;
	rec.deleted = a->deleted;
	rec.updated_at = a->now;
	rec.updated_by = (char *)a->who->fingerprint;
	rec.updated_by_name = (char *)a->who->name;
	if (a->who->has_replica) {
		rec.updated_replica.data = (uint8_t *)a->who->replica;
		rec.updated_replica.len = 16;
	}
	if (a->claim) {
		/* A recovered revision keeps what the replica held, so its copy and
		 * the server's agree on who wrote it and when. */
		if (a->claim->rev > rec.rev)
			rec.rev = a->claim->rev;
		rec.updated_at = a->claim->at;
		rec.updated_by = (char *)a->claim->by;
		rec.updated_by_name = (char *)a->claim->by_name;
		rec.updated_replica.data = (uint8_t *)a->claim->replica;
		rec.updated_replica.len = a->claim->replica ? 16 : 0;
	}
	if (a->kind->record_field < 16 || (a->body == NULL && a->body_len != 0))
		return HEARTH_EINVAL;
	/* record_field 16-2047: a two-byte tag. */
	head = hearth__record__get_packed_size(&rec);
	*out = malloc(head + 2 + 10 + a->body_len);
	if (!*out)
		return HEARTH_ENOMEM;
	hearth__record__pack(&rec, *out);
	n = head + put_varint(*out + head, (uint64_t)a->kind->record_field << 3 | 2);
	n += put_varint(*out + n, a->body_len);
	if (a->body_len)
		memcpy(*out + n, a->body, a->body_len);
	*out_len = n + a->body_len;
	*rev = rec.rev;
	return 0;
}

/* Feeds and digests follow the record: its old entries go, the new one is
 * appended, and a record leaving a branch leaves a marker in that branch's
 * feed, so the branch's replicas learn it is gone (pull sends a stub). */
static int index_revision(store *s, MDB_txn *txn, const revision_args *a, uint64_t seq,
                          const uint8_t hash[32])
{
	const Hearth__Record *cur = a->cur;
	int rc;

	if (cur && (rc = feeds_index_del(s, txn, cur->branch_id, cur->seq)) != 0)
		return rc;
	if ((rc = feeds_index_put(s, txn, a->branch, seq, REF_RECORD, a->id)) != 0)
		return rc;
	if ((rc = feeds_digest_move(s, txn, cur ? cur->branch_id : a->branch, a->branch, a->kind->kind,
	                            a->cur_bytes, hash)) != 0)
		return rc;
	if (cur && strcmp(cur->branch_id, a->branch) != 0 &&
	    (rc = feeds_index_put_branch(s, txn, cur->branch_id, seq, REF_MOVED, a->id)) != 0)
		return rc;
	return 0;
}

/* History and the latest copy. MDB_RESERVE hands back the stored bytes'
 * address for the result. */
static int store_revision(store *s, MDB_txn *txn, const revision_args *a, uint64_t rev,
                          const uint8_t *packed, size_t len, op_result *r)
{
	uint8_t rk[24];
	MDB_val key, val;
	int rc;

	memcpy(rk, a->id, 16);
	be64_put(rk + 16, rev);
	key.mv_size = 24;
	key.mv_data = rk;
	val.mv_size = len;
	val.mv_data = (void *)packed;
	/* Ids are UUIDv7: a new record's keys are usually the greatest. */
	if ((rc = store_put_ordered(txn, s->revs, &key, &val, 0)) != 0)
		return rc;
	key.mv_size = 16;
	key.mv_data = (void *)a->id;
	val.mv_size = len;
	if ((rc = store_put_ordered(txn, s->records, &key, &val, MDB_RESERVE)) != 0)
		return rc;
	memcpy(val.mv_data, packed, len);
	r->record = val.mv_data;
	r->record_len = len;
	return 0;
}

/* Reference indexes and consequences (refs), then the audit entry, which
 * for a create names the stored revision by its SHA-256 hash. */
static int after_revision(store *s, MDB_txn *txn, const revision_args *a, uint64_t rev, const uint8_t hash[32])
{
	uint8_t *old = NULL;
	size_t old_len = 0;
	refs_effects fx;
	char detail[200];
	const char *why = a->claim ? a->claim->detail : a->detail;
	int rc;

	memset(&fx, 0, sizeof(fx));
	if (a->cur && (rc = record_pack_body(a->cur, &old, &old_len)) != 0 && rc != HEARTH_EINVAL)
		return rc;
	rc = refs_after_write(s, txn, &(refs_write){
		.who = a->who, .kind = a->kind, .id = a->id, .branch = a->branch,
		.old_body = old, .old_len = old_len, .body = a->body, .body_len = a->body_len,
		.deleted = a->deleted, .now = a->now, .rehome = revision_rehome,
		.create = revision_create, .effects = &fx });
	/* The acceptance's own entry names the summary it left (whose entry,
	 * action transfer.summary, names the transfer). */
	if (rc == 0 && fx.summary_made && !why) {
		char t[UUID_TEXT_LEN + 1];
		uuid_format(fx.summary_id, t);
		snprintf(detail, sizeof(detail), "accepted; the sending branch %s keeps the read-only summary %s",
		         fx.summary_branch, t);
		why = detail;
	}
	/* The records that name a file decide who may fetch its content. */
	if (rc == 0)
		rc = chunks_after_write(s, txn, &(chunks_write){
			.kind = a->kind, .id = a->id, .old_body = old, .old_len = old_len,
			.body = a->body, .body_len = a->body_len, .now = a->now });
	if (rc == 0)
		rc = audit_change(s, txn, &(audit_change_args){
			.who = a->who, .action = a->action, .kind = a->kind, .record_id = a->id,
			.branch = a->branch, .rev_before = a->cur ? a->cur->rev : 0, .rev_after = rev,
			.op = a->op, .old_body = old, .old_len = old_len, .body = a->body,
			.body_len = a->body_len, .detail = why, .revision_digest = hash });
	free(old);
	return rc;
}

int revision_write(store *s, MDB_txn *txn, const revision_args *a, op_result *r)
{
	record_error rerr;
	uint8_t *packed = NULL, hash[32];
	size_t len = 0;
	uint64_t seq, rev = 0;
	int rc;

	memset(&rerr, 0, sizeof(rerr));
	rc = refs_check(s, txn, a->kind, a->id, a->branch, a->body, a->body_len, a->deleted, &rerr);
	if (rc == HEARTH_EINVAL) {
		char t[UUID_TEXT_LEN + 1];
		uuid_format(a->id, t);
		op_reject(r, HEARTH__ERROR_CODE__ERR_INVALID, rerr.field, "record %s: %s", t, rerr.message);
		return REVISION_REFUSED;
	}
	if (rc)
		return rc;
	if ((rc = store_next_seq(s, txn, &seq)) != 0)
		return rc;
	if ((rc = pack_revision(a, seq, &packed, &len, &rev)) != 0)
		return rc;
	/* One hash of the stored bytes serves the digests and the audit entry. */
	hearth_sha256(packed, len, hash);
	if ((rc = index_revision(s, txn, a, seq, hash)) != 0)
		goto fail;
	if ((rc = store_revision(s, txn, a, rev, packed, len, r)) != 0)
		goto fail;
	if ((rc = figures_record_changed(s, txn, a->cur, packed, len)) != 0)
		goto fail;
	r->rev = rev;
	r->seq = seq;
	rc = after_revision(s, txn, a, rev, hash);
fail:
	free(packed);
	return rc;
}

int revision_rehome(store *s, MDB_txn *txn, const actor *who, const uint8_t id[16],
                    const char *new_branch, int64_t now)
{
	MDB_val key = { 16, (void *)id }, curv;
	Hearth__Record *cur;
	const kind_info *k;
	uint8_t *body = NULL;
	size_t len = 0;
	op_result r;
	int rc;

	memset(&r, 0, sizeof(r));
	if ((rc = mdb_get(txn, s->records, &key, &curv)) != 0)
		return store_err(rc);
	cur = hearth__record__unpack(NULL, curv.mv_size, curv.mv_data);
	if (!cur)
		return HEARTH_ECORRUPT;
	k = kind_find(cur->kind);
	if (!k || strcmp(cur->branch_id, new_branch) == 0) {
		hearth__record__free_unpacked(cur, NULL);
		return k ? 0 : HEARTH_ECORRUPT;
	}
	rc = record_pack_body(cur, &body, &len);
	if (rc == 0 || rc == HEARTH_EINVAL)
		rc = revision_write(s, txn, &(revision_args){
			.who = who, .cur = cur, .cur_bytes = &curv, .kind = k, .id = id,
			.branch = new_branch, .body = body, .body_len = len, .deleted = cur->deleted,
			.now = now, .action = "record.move" }, &r);
	free(body);
	hearth__record__free_unpacked(cur, NULL);
	if (rc == REVISION_REFUSED)
		return HEARTH_EINVAL;
	return rc;
}

int revision_create(store *s, MDB_txn *txn, const refs_new_record *n)
{
	op_result r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = revision_write(s, txn, &(revision_args){
		.who = n->who, .kind = n->kind, .id = n->id, .branch = n->branch, .body = n->body,
		.body_len = n->body_len, .now = n->now, .action = n->action, .detail = n->detail }, &r);
	return rc == REVISION_REFUSED ? HEARTH_EINVAL : rc;
}

int revision_load_body(store *s, MDB_txn *txn, const uint8_t id[16], uint64_t rev, const kind_info *k,
                       uint8_t **body, size_t *len)
{
	uint8_t key[24];
	MDB_val kv = { 24, key }, v;
	Hearth__Record *rec;
	int rc;

	memcpy(key, id, 16);
	be64_put(key + 16, rev);
	rc = mdb_get(txn, s->revs, &kv, &v);
	if (rc)
		return store_err(rc);
	rec = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
	if (!rec)
		return HEARTH_ECORRUPT;
	rc = record_body(rec) && rec->kind == k->kind ? record_pack_body(rec, body, len) : HEARTH_ECORRUPT;
	hearth__record__free_unpacked(rec, NULL);
	return rc;
}
