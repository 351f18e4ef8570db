/* replica_rejected.c: reading and discarding the local changes the server
 * rejected (the "rejected" marks of replica.h). */
#include "client/core/replica_rejected.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/replica_store.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/lmdb_err.h"
#include "common/uuid.h"

int replica_rejected_clash(const char *reason, const uint8_t self[16], uint8_t clash[16])
{
	static const char tag[] = "(record ";
	const char *p = reason;

	while ((p = strstr(p, tag)) != NULL) {
		char text[UUID_TEXT_LEN + 1];
		p += sizeof(tag) - 1;
		if (strlen(p) < UUID_TEXT_LEN + 1 || p[UUID_TEXT_LEN] != ')')
			continue;
		memcpy(text, p, UUID_TEXT_LEN);
		text[UUID_TEXT_LEN] = '\0';
		if (uuid_parse(text, clash) == 0 && memcmp(clash, self, UUID_LEN) != 0)
			return 1;
	}
	return 0;
}

/* Fills it for id from the mark, the pending ops and the server copy. */
static int load_item(replica *r, MDB_txn *t, const uint8_t id[16], replica_rejected_item *it)
{
	Hearth__Error *e = NULL;
	Hearth__Record *srv = NULL;
	Hearth__Op *op = NULL;
	uint64_t *seqs = NULL;
	size_t n = 0;
	int rc;

	memset(it, 0, sizeof(*it));
	memcpy(it->id, id, UUID_LEN);
	if ((rc = rstore_rejected_get(r, t, id, &e, &it->rejected_at_ms)) != 0)
		return rc;
	it->code = e->code;
	snprintf(it->reason, sizeof(it->reason), "%s", e->message[0] ? e->message : _("no reason given"));
	snprintf(it->field, sizeof(it->field), "%s", e->field);
	it->has_clash = replica_rejected_clash(e->message, id, it->clash_id);
	hearth__error__free_unpacked(e, NULL);
	if ((rc = rstore_pending_of(r, t, id, &seqs, &n)) != 0)
		goto fail;
	it->n_ops = n;
	if (n > 0) {
		if ((rc = rstore_load_op(t, r, seqs[n - 1], &op)) != 0)
			goto fail;
		it->deleting = op->delete_;
		if (op->record)
			it->kind = op->record->kind;
	}
	rc = rstore_load_record(t, r->server, id, &srv);
	if (rc == 0) {
		it->server_rev = srv->rev;
		if (!it->kind)
			it->kind = srv->kind;
	} else if (rc == HEARTH_ENOTFOUND) {
		rc = 0;
	}
fail:
	rstore_record_free(srv);
	rstore_op_free(op);
	free(seqs);
	return rc;
}

int replica_rejected_each(replica *r, replica_rejected_fn fn, void *ctx)
{
	rstore_blobs ids = { 0 };
	MDB_txn *t;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->rejected, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if (k.mv_size == UUID_LEN)
			rc = rstore_blobs_add(&ids, k.mv_data, UUID_LEN);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
	for (size_t i = 0; rc == 0 && i < ids.n; i++) {
		replica_rejected_item it;
		if ((rc = load_item(r, t, ids.v[i].data, &it)) != 0)
			break;
		if (fn(ctx, &it) != 0)
			break;
	}
fail:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	rstore_blobs_free(&ids);
	return rc;
}

int replica_rejected_get(replica *r, const uint8_t id[16], replica_rejected_item *out)
{
	MDB_txn *t;
	int rc;

	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	rc = load_item(r, t, id, out);
	mdb_txn_abort(t);
	return rc;
}

int replica_rejected_discard(replica *r, const uint8_t id[16], replica_rejected_item *dropped,
                             char *err, size_t errlen)
{
	replica_rejected_item it;
	char idt[UUID_TEXT_LEN + 1];
	MDB_txn *t = NULL;
	int rc;

	uuid_format(id, idt);
	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	rc = load_item(r, t, id, &it);
	if (rc == HEARTH_ENOTFOUND) {
		rc = rstore_say(err, errlen, rc, _("record %s has no rejected change; 'hearth rejected' lists them"),
		                idt);
		goto fail;
	}
	if (rc != 0 || (rc = rstore_drop_pending(r, t, id)) != 0 ||
	    (rc = rstore_rejected_del(r, t, id)) != 0 || (rc = rstore_rebuild_local(r, t, id)) != 0)
		goto fail_store;
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	if (dropped)
		*dropped = it;
	return 0;

fail_store:
	rstore_say_store(err, errlen, rc, _("discarding the rejected change"));
fail:
	if (t)
		mdb_txn_abort(t);
	return rc;
}
