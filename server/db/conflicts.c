/* conflicts.c: stores the Conflict a pushed op raises (both values per
 * field, who, when) and closes it when a resolution arrives; each change
 * goes into the feeds and the audit log. */
#include "server/db/conflicts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/uuid.h"
#include "server/db/audit_log.h"
#include "server/db/feeds.h"

/* Stores a new open Conflict (or closes one) and indexes it in the feed. */
static int write_conflict(store *s, MDB_txn *txn, Hearth__Conflict *c, uint64_t old_seq)
{
	uint64_t seq;
	uint8_t *packed;
	size_t len;
	MDB_val k, v;
	int rc;

	if ((rc = store_next_seq(s, txn, &seq)) != 0)
		return rc;
	if ((rc = feeds_index_del(s, txn, c->branch_id, old_seq)) != 0)
		return rc;
	c->seq = seq;
	len = hearth__conflict__get_packed_size(c);
	packed = malloc(len ? len : 1);
	if (!packed)
		return HEARTH_ENOMEM;
	hearth__conflict__pack(c, packed);
	k.mv_size = 16;
	k.mv_data = c->id.data;
	v.mv_size = len;
	v.mv_data = packed;
	rc = store_err(mdb_put(txn, s->conflicts, &k, &v, 0));
	free(packed);
	if (rc)
		return rc;
	return feeds_index_put(s, txn, c->branch_id, seq, REF_CONFLICT, c->id.data);
}

int conflicts_open(store *s, MDB_txn *txn, const conflict_args *a, op_result *r)
{
	Hearth__Conflict c = HEARTH__CONFLICT__INIT;
	Hearth__ConflictField *fields = NULL, **fptr = NULL;
	const actor *who = a->who;
	const Hearth__Op *op = a->op;
	const Hearth__Record *cur = a->cur;
	const kind_info *k = a->kind;
	const merge_conflict *mc = a->fields;
	size_t n = a->n_fields;
	int delete_conflict = a->shape != CONFLICT_FIELDS;
	int server_deleted = a->shape == CONFLICT_EDIT_OF_DELETED;
	int rc;

	if (uuid_v7(r->conflict_id) != 0)
		return HEARTH_EIO;
	if (n) {
		fields = calloc(n, sizeof(*fields));
		fptr = calloc(n, sizeof(*fptr));
		if (!fields || !fptr) {
			free(fields);
			free(fptr);
			return HEARTH_ENOMEM;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(k->desc, mc[i].field);
		hearth__conflict_field__init(&fields[i]);
		fields[i].field = mc[i].field;
		fields[i].name = (char *)(fd ? fd->name : "");
		fields[i].server_value.data = mc[i].server_value;
		fields[i].server_value.len = mc[i].server_len;
		fields[i].op_value.data = mc[i].op_value;
		fields[i].op_value.len = mc[i].op_len;
		fptr[i] = &fields[i];
	}
	c.id.data = r->conflict_id;
	c.id.len = 16;
	c.record_id.data = cur->id.data;
	c.record_id.len = cur->id.len;
	c.kind = k->kind;
	c.branch_id = cur->branch_id;
	c.state = HEARTH__CONFLICT_STATE__CONFLICT_OPEN;
	c.n_fields = n;
	c.fields = fptr;
	c.delete_conflict = delete_conflict;
	c.server_deleted = server_deleted;
	c.op_id = op->op_id;
	c.base_rev = op->base_rev;
	c.server_rev = cur->rev;
	c.server_by = cur->updated_by_name;
	c.op_by = (char *)who->name;
	c.created_at = a->now;
	if (who->has_replica) {
		c.op_replica.data = (uint8_t *)who->replica;
		c.op_replica.len = 16;
	}
	c.server_replica = cur->updated_replica;
	r->has_conflict = 1;
	rc = write_conflict(s, txn, &c, 0);
	if (rc == 0) {
		char detail[300];
		size_t pos = (size_t)snprintf(detail, sizeof(detail), "%s", delete_conflict ? (server_deleted ? "edit of a deleted record" : "delete of an edited record") : "fields:");
		for (size_t i = 0; i < n && pos < sizeof(detail) - 1; i++)
			pos += (size_t)snprintf(detail + pos, sizeof(detail) - pos, "%s%s", i ? "," : " ", fields[i].name);
		rc = audit_event(s, txn, &(audit_event_args){
			.who = who, .action = "conflict.open", .kind = k->kind, .record_id = cur->id.data,
			.branch = cur->branch_id, .conflict_id = r->conflict_id, .op = op, .detail = detail });
	}
	free(fields);
	free(fptr);
	return rc;
}

int conflicts_close(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op,
                    const uint8_t record_id[16], int64_t now, op_result *r)
{
	MDB_val k = { 16, op->resolves.data }, v;
	Hearth__Conflict *c;
	int rc;

	if (op->resolves.len != 16) {
		op_reject(r, HEARTH__ERROR_CODE__ERR_INVALID, "resolves", "resolves must be a 16-byte conflict id (got %zu bytes)",
		          op->resolves.len);
		return CONFLICTS_REFUSED;
	}
	rc = mdb_get(txn, s->conflicts, &k, &v);
	if (rc == MDB_NOTFOUND) {
		op_reject(r, HEARTH__ERROR_CODE__ERR_NOT_FOUND, "resolves", "conflict does not exist");
		return CONFLICTS_REFUSED;
	}
	if (rc)
		return store_err(rc);
	c = hearth__conflict__unpack(NULL, v.mv_size, v.mv_data);
	if (!c)
		return HEARTH_ECORRUPT;
	if (c->record_id.len != 16 || memcmp(c->record_id.data, record_id, 16) != 0) {
		op_reject(r, HEARTH__ERROR_CODE__ERR_INVALID, "resolves", "the conflict is about another record");
		hearth__conflict__free_unpacked(c, NULL);
		return CONFLICTS_REFUSED;
	}
	if (c->state != HEARTH__CONFLICT_STATE__CONFLICT_OPEN) {
		/* Resolved already (by the other side): the op still applies as an
		 * ordinary edit; nothing to close. */
		hearth__conflict__free_unpacked(c, NULL);
		return CONFLICTS_WAS_RESOLVED;
	}
	c->state = HEARTH__CONFLICT_STATE__CONFLICT_RESOLVED;
	c->resolved_by = (char *)who->name;
	c->resolved_at = now;
	rc = write_conflict(s, txn, c, c->seq);
	if (rc == 0)
		rc = audit_event(s, txn, &(audit_event_args){
			.who = who, .action = "conflict.resolve", .kind = c->kind, .record_id = record_id,
			.branch = c->branch_id, .conflict_id = c->id.data, .op = op, .detail = "" });
	c->resolved_by = NULL; /* borrowed; do not free */
	hearth__conflict__free_unpacked(c, NULL);
	return rc;
}

