/* replica_store.c: the replica's LMDB steps, its outbox and the rebuild of
 * a record's local copy (server copy + pending ops), shared by the
 * replica modules. */
#include "client/core/replica_store.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/attachment.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/lmdb_err.h"
#include "common/merge.h"

/* LMDB codes become HEARTH_E* in common/lmdb_err.c, the one translator. */

/* Fills err (when the caller gave one) and passes rc through, so error
 * paths read "return rstore_say(...)" / "rc = rstore_say(...); goto fail". */
int rstore_say(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* A failed transaction step becomes one sentence; a full map gets the
 * remedy, since that is the one store failure a user can fix. */
int rstore_say_store(char *err, size_t errlen, int rc, const char *what)
{
	if (rc == HEARTH_EFULL)
		return rstore_say(err, errlen, rc,
		           _("the local replica is full while %s; set HEARTH_REPLICA_MAP to a larger size "
		           "(e.g. 4G) and try again"),
		           what);
	return rstore_say(err, errlen, rc, _("the local replica failed while %s: %s"), what,
	           _(hearth_strerror(rc)));
}

void rstore_be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint64_t rstore_be64_get(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---------------------------------------------------------- LMDB steps */

int rstore_txn_begin(replica *r, int write, MDB_txn **t)
{
	int mrc;

	*t = NULL;
	mrc = mdb_txn_begin(r->env, NULL, write ? 0 : MDB_RDONLY, t);
	/* Another process (its HEARTH_REPLICA_MAP larger) grew the file past
	 * this environment's map: a process that keeps the replica open (hearth
	 * ui) takes the new size and goes on, as a fresh open would. */
	if (mrc == MDB_MAP_RESIZED && mdb_env_set_mapsize(r->env, 0) == 0)
		mrc = mdb_txn_begin(r->env, NULL, write ? 0 : MDB_RDONLY, t);
	return lmdb_err(mrc);
}

int rstore_db_get(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, MDB_val *v)
{
	MDB_val k = { klen, (void *)key };
	return lmdb_err(mdb_get(t, dbi, &k, v));
}

int rstore_db_put(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	return lmdb_err(mdb_put(t, dbi, &k, &v, 0));
}

/* Deleting what is not there is not an error for any caller here. */
int rstore_db_del(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key };
	int rc = lmdb_err(mdb_del(t, dbi, &k, NULL));
	return rc == HEARTH_ENOTFOUND ? 0 : rc;
}

/* Packs a protobuf message straight into LMDB's page (MDB_RESERVE): no
 * intermediate buffer, and the bytes are exactly protobuf-c's packing. */
int rstore_db_put_msg(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, const ProtobufCMessage *m)
{
	MDB_val k = { klen, (void *)key }, v;
	size_t n = protobuf_c_message_get_packed_size(m);
	int rc;

	v.mv_size = n;
	v.mv_data = NULL;
	rc = lmdb_err(mdb_put(t, dbi, &k, &v, MDB_RESERVE));
	if (rc != 0)
		return rc;
	if (n)
		protobuf_c_message_pack(m, v.mv_data);
	return 0;
}

int rstore_meta_get_u64(MDB_txn *t, replica *r, const char *key, uint64_t *out)
{
	MDB_val v;
	int rc = rstore_db_get(t, r->meta, key, strlen(key), &v);
	*out = 0;
	if (rc == HEARTH_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return HEARTH_ECORRUPT;
	*out = rstore_be64_get(v.mv_data);
	return 0;
}

int rstore_meta_put_u64(MDB_txn *t, replica *r, const char *key, uint64_t val)
{
	uint8_t b[8];
	rstore_be64_put(b, val);
	return rstore_db_put(t, r->meta, key, strlen(key), b, 8);
}

int rstore_copy_stored(replica *r, MDB_txn *t, const Hearth__Record *rec)
{
	uint64_t none = 0;
	size_t n = 0;
	int rc;

	(void)attachment_list(record_body(rec), &n);
	if (n == 0)
		return 0;
	if ((rc = rstore_meta_get_u64(t, r, RSTORE_NO_ATTACHMENTS, &none)) != 0 || !none)
		return rc;
	return rstore_meta_put_u64(t, r, RSTORE_NO_ATTACHMENTS, 0);
}

/* Unpacks a stored record into a heap copy (the MDB_val dies with its txn). */
int rstore_unpack_record(const MDB_val *v, Hearth__Record **out)
{
	*out = hearth__record__unpack(NULL, v->mv_size, v->mv_data);
	return *out ? 0 : HEARTH_ECORRUPT;
}

int rstore_load_record(MDB_txn *t, MDB_dbi dbi, const uint8_t id[16], Hearth__Record **out)
{
	MDB_val v;
	int rc = rstore_db_get(t, dbi, id, UUID_LEN, &v);
	*out = NULL;
	if (rc != 0)
		return rc;
	return rstore_unpack_record(&v, out);
}

void rstore_record_free(Hearth__Record *rec)
{
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
}

void rstore_op_free(Hearth__Op *op)
{
	if (op)
		hearth__op__free_unpacked(op, NULL);
}



int rstore_scan_view(replica *r, MDB_txn *t, rstore_view_fn fn, void *ctx)
{
	MDB_cursor *cs = NULL, *cl = NULL;
	MDB_val ks, vs, kl, vl;
	int rs, rl, rc;

	if ((rc = lmdb_err(mdb_cursor_open(t, r->server, &cs))) != 0)
		goto fail;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->local, &cl))) != 0)
		goto fail;
	rs = mdb_cursor_get(cs, &ks, &vs, MDB_FIRST);
	rl = mdb_cursor_get(cl, &kl, &vl, MDB_FIRST);
	rc = 0;
	while (rc == 0 && (rs == 0 || rl == 0)) {
		int c;
		if (rs == 0 && rl == 0)
			c = memcmp(ks.mv_data, kl.mv_data, ks.mv_size < kl.mv_size ? ks.mv_size : kl.mv_size);
		else
			c = rs == 0 ? -1 : 1;
		if (c < 0) {
			if (ks.mv_size == UUID_LEN)
				rc = fn(ctx, ks.mv_data, &vs);
			rs = mdb_cursor_get(cs, &ks, &vs, MDB_NEXT);
		} else {
			if (kl.mv_size == UUID_LEN)
				rc = fn(ctx, kl.mv_data, &vl);
			if (c == 0)
				rs = mdb_cursor_get(cs, &ks, &vs, MDB_NEXT);
			rl = mdb_cursor_get(cl, &kl, &vl, MDB_NEXT);
		}
	}
	if (rc == 0 && ((rs != 0 && rs != MDB_NOTFOUND) || (rl != 0 && rl != MDB_NOTFOUND)))
		rc = HEARTH_ESTORE;
fail:
	if (cl)
		mdb_cursor_close(cl);
	if (cs)
		mdb_cursor_close(cs);
	return rc;
}

/* Case-insensitive prefix test against the canonical text form; dashes
 * must sit where the canonical form has them. */
int rstore_id_has_prefix(const uint8_t *id, const char *prefix)
{
	char text[UUID_TEXT_LEN + 1];
	uuid_format(id, text);
	for (size_t i = 0; prefix[i]; i++) {
		if (i >= UUID_TEXT_LEN || tolower((unsigned char)prefix[i]) != text[i])
			return 0;
	}
	return 1;
}

int rstore_prefix_ok(const char *text)
{
	size_t hex = 0;
	for (const char *p = text; *p; p++) {
		if (isxdigit((unsigned char)*p))
			hex++;
		else if (*p != '-')
			return 0;
	}
	return hex >= 4 && strlen(text) <= UUID_TEXT_LEN;
}


/* Copies of view bytes, so callbacks run after the read transaction ends
 * and may call back into the replica (even write to it). */

int rstore_blobs_add(rstore_blobs *b, const void *data, size_t len)
{
	if (array_grow(&b->v, &b->cap, b->n, sizeof(*b->v), 64) != 0)
		return HEARTH_ENOMEM;
	b->v[b->n].data = malloc(len ? len : 1);
	if (!b->v[b->n].data)
		return HEARTH_ENOMEM;
	memcpy(b->v[b->n].data, data, len);
	b->v[b->n].len = len;
	b->n++;
	return 0;
}

void rstore_blobs_free(rstore_blobs *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].data);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* ---------------------------------------------------------- outbox */

void rstore_byrec_key(uint8_t key[RSTORE_BYREC_KEY_LEN], const uint8_t id[16], uint64_t seq)
{
	memcpy(key, id, UUID_LEN);
	rstore_be64_put(key + UUID_LEN, seq);
}

/* Appends op to the outbox and its (record, seq) index entry; returns the
 * outbox sequence it got in *seq_out. */
int rstore_outbox_append(replica *r, MDB_txn *t, const Hearth__Op *op, uint64_t *seq_out)
{
	uint8_t key[8], bk[RSTORE_BYREC_KEY_LEN];
	uint64_t seq;
	int rc;

	if ((rc = rstore_meta_get_u64(t, r, "outbox_seq", &seq)) != 0)
		return rc;
	seq++;
	rstore_be64_put(key, seq);
	if ((rc = rstore_db_put_msg(t, r->outbox, key, 8, &op->base)) != 0)
		return rc;
	rstore_byrec_key(bk, op->record->id.data, seq);
	if ((rc = rstore_db_put(t, r->byrec, bk, sizeof(bk), "", 0)) != 0)
		return rc;
	if ((rc = rstore_meta_put_u64(t, r, "outbox_seq", seq)) != 0)
		return rc;
	if (seq_out)
		*seq_out = seq;
	return 0;
}

int rstore_outbox_remove(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t seq)
{
	uint8_t key[8], bk[RSTORE_BYREC_KEY_LEN];
	int rc;

	rstore_be64_put(key, seq);
	rstore_byrec_key(bk, id, seq);
	if ((rc = rstore_db_del(t, r->outbox, key, 8)) != 0)
		return rc;
	return rstore_db_del(t, r->byrec, bk, sizeof(bk));
}

int rstore_load_op(MDB_txn *t, replica *r, uint64_t seq, Hearth__Op **out)
{
	uint8_t key[8];
	MDB_val v;
	int rc;

	*out = NULL;
	rstore_be64_put(key, seq);
	if ((rc = rstore_db_get(t, r->outbox, key, 8, &v)) != 0)
		return rc;
	*out = hearth__op__unpack(NULL, v.mv_size, v.mv_data);
	return *out ? 0 : HEARTH_ECORRUPT;
}

/* The outbox sequences of the pending ops of one record, in order (the
 * byrec index makes this O(ops of that record), not O(outbox)). *seqs is
 * malloc'd (NULL when none). */
int rstore_pending_of(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t **seqs, size_t *n)
{
	MDB_cursor *c = NULL;
	uint8_t bk[RSTORE_BYREC_KEY_LEN];
	MDB_val k, v;
	size_t cap = 0;
	int rc, mrc;

	*seqs = NULL;
	*n = 0;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->byrec, &c))) != 0)
		return rc;
	rstore_byrec_key(bk, id, 0);
	k.mv_size = sizeof(bk);
	k.mv_data = bk;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != RSTORE_BYREC_KEY_LEN || memcmp(k.mv_data, id, UUID_LEN) != 0)
			break;
		if (array_grow(seqs, &cap, *n, sizeof(**seqs), 8) != 0) {
			rc = HEARTH_ENOMEM;
			goto fail;
		}
		(*seqs)[(*n)++] = rstore_be64_get((const uint8_t *)k.mv_data + UUID_LEN);
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
fail:
	mdb_cursor_close(c);
	if (rc != 0) {
		free(*seqs);
		*seqs = NULL;
		*n = 0;
	}
	return rc;
}

/* ---------------------------------------------------------- rebuilding */

/* The body bytes of a record (NULL/0 when it has none). */
int rstore_drop_pending(replica *r, MDB_txn *t, const uint8_t id[16])
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	int rc = rstore_pending_of(r, t, id, &seqs, &n);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = rstore_outbox_remove(r, t, id, seqs[i]);
	free(seqs);
	return rc;
}

int rstore_rejected_get(replica *r, MDB_txn *t, const uint8_t id[16], Hearth__Error **e,
                        int64_t *at_ms)
{
	MDB_val v;
	int rc;

	if (e)
		*e = NULL;
	if ((rc = rstore_db_get(t, r->rejected, id, UUID_LEN, &v)) != 0)
		return rc;
	if (v.mv_size < 8)
		return HEARTH_ECORRUPT;
	if (at_ms)
		*at_ms = (int64_t)rstore_be64_get(v.mv_data);
	if (e) {
		*e = hearth__error__unpack(NULL, v.mv_size - 8, (const uint8_t *)v.mv_data + 8);
		if (!*e)
			return HEARTH_ECORRUPT;
	}
	return 0;
}

int rstore_rejected_put(replica *r, MDB_txn *t, const uint8_t id[16], const Hearth__Error *e,
                        int64_t at_ms)
{
	Hearth__Error none = HEARTH__ERROR__INIT;
	size_t len;
	uint8_t *buf;
	int rc;

	if (!e)
		e = &none;
	len = hearth__error__get_packed_size(e);
	if (!(buf = malloc(8 + len)))
		return HEARTH_ENOMEM;
	rstore_be64_put(buf, (uint64_t)at_ms);
	hearth__error__pack(e, buf + 8);
	rc = rstore_db_put(t, r->rejected, id, UUID_LEN, buf, 8 + len);
	free(buf);
	return rc;
}

int rstore_rejected_del(replica *r, MDB_txn *t, const uint8_t id[16])
{
	return rstore_db_del(t, r->rejected, id, UUID_LEN);
}

int rstore_body_bytes(const Hearth__Record *rec, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!rec || rec->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return 0;
	return record_pack_body(rec, out, len);
}

int rstore_add_field(uint32_t **set, size_t *n, size_t *cap, uint32_t f)
{
	for (size_t i = 0; i < *n; i++)
		if ((*set)[i] == f)
			return 0;
	if (array_grow(set, cap, *n, sizeof(**set), 16) != 0)
		return HEARTH_ENOMEM;
	(*set)[(*n)++] = f;
	return 0;
}

/* Stores shape with its body replaced by body[0..len) (kind k) and the
 * given flags, as the local copy of its id. shape is only read: the body
 * goes through a shallow stack copy so shape's own body is never freed. */
int rstore_put_local(replica *r, MDB_txn *t, const Hearth__Record *shape, const kind_info *k,
                     const uint8_t *body, size_t len, int deleted)
{
	Hearth__Record nr = *shape;
	int rc;

	nr.body_case = HEARTH__RECORD__BODY__NOT_SET;
	nr.member = NULL;
	nr.deleted = deleted;
	if ((rc = record_set_body(&nr, k, body, len)) != 0)
		return rc;
	if ((rc = rstore_db_put_msg(t, r->local, shape->id.data, UUID_LEN, &nr.base)) == 0)
		rc = rstore_copy_stored(r, t, &nr);
	record_clear_body(&nr);
	return rc;
}

/* Rebuilds the local copy of a record after its server copy or its pending
 * ops changed: the server copy, with every field some remaining pending op
 * changed taken from the old local view; its delete flag is the last
 * pending op's. No pending ops left: the local copy goes (the view is the
 * server copy). This is what keeps a pulled change to another field from
 * being hidden by a stale local copy, and a rejected change from lingering. */
int rstore_rebuild_local(replica *r, MDB_txn *t, const uint8_t id[16])
{
	Hearth__Record *srv = NULL, *loc = NULL, *shape_rec = NULL;
	Hearth__Op *op = NULL, *last = NULL;
	uint64_t *seqs = NULL;
	uint32_t *fields = NULL;
	size_t nseq = 0, nf = 0, capf = 0, sb_len = 0, lb_len = 0, out_len = 0;
	uint8_t *sb = NULL, *lb = NULL, *out = NULL;
	fieldmap ms = FIELDMAP_INIT, ml = FIELDMAP_INIT;
	const kind_info *k;
	Hearth__Record shape;
	int rc;

	if ((rc = rstore_pending_of(r, t, id, &seqs, &nseq)) != 0)
		goto fail;
	if (nseq == 0) {
		rc = rstore_db_del(t, r->local, id, UUID_LEN);
		goto fail;
	}
	for (size_t i = 0; i < nseq; i++) {
		if ((rc = rstore_load_op(t, r, seqs[i], &op)) != 0)
			goto fail;
		for (size_t j = 0; j < op->n_changed_fields; j++)
			if ((rc = rstore_add_field(&fields, &nf, &capf, op->changed_fields[j])) != 0)
				goto fail;
		rstore_op_free(last);
		last = op;
		op = NULL;
	}
	rc = rstore_load_record(t, r->server, id, &srv);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail;
	rc = rstore_load_record(t, r->local, id, &loc);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail;
	/* Without a local copy (it should not happen while ops are pending)
	 * the last op's body is the best local value we have. */
	shape_rec = loc ? loc : last->record;
	if (!shape_rec) {
		rc = HEARTH_ECORRUPT;
		goto fail;
	}
	k = kind_find(shape_rec->kind);
	if (!k) {
		rc = HEARTH_ECORRUPT;
		goto fail;
	}
	if ((rc = rstore_body_bytes(srv, &sb, &sb_len)) != 0 || (rc = rstore_body_bytes(shape_rec, &lb, &lb_len)) != 0)
		goto fail;
	if ((rc = fieldmap_parse(sb, sb_len, &ms)) != 0 || (rc = fieldmap_parse(lb, lb_len, &ml)) != 0)
		goto fail;
	for (size_t i = 0; i < nf; i++) {
		const field_entry *e = fieldmap_get(&ml, fields[i]);
		if ((rc = fieldmap_set(&ms, fields[i], e ? e->bytes : NULL, e ? e->len : 0)) != 0)
			goto fail;
	}
	if ((rc = fieldmap_build(&ms, &out, &out_len)) != 0)
		goto fail;
	/* Identity and branch come from the local side (the edit's), revision
	 * metadata from the server copy the view is now based on. */
	shape = *shape_rec;
	shape.rev = srv ? srv->rev : 0;
	shape.seq = srv ? srv->seq : 0;
	if (srv) {
		shape.updated_at = srv->updated_at;
		shape.updated_by = srv->updated_by;
		shape.updated_by_name = srv->updated_by_name;
		shape.updated_replica = srv->updated_replica;
	}
	rc = rstore_put_local(r, t, &shape, k, out, out_len, last->delete_);
fail:
	free(out);
	fieldmap_free(&ml);
	fieldmap_free(&ms);
	free(lb);
	free(sb);
	rstore_record_free(loc);
	rstore_record_free(srv);
	rstore_op_free(last);
	rstore_op_free(op);
	free(fields);
	free(seqs);
	return rc;
}

