/* conflicts.c: stores the Conflict a pushed op raises (both values per
 * field, who, when) and closes it when a resolution arrives; each change
 * goes into the feeds and the audit log. */
#include "server/db/conflicts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/kinds.h"
#include "common/uuid.h"
#include "server/db/audit_log.h"
#include "server/db/conflict_queue.h"
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
	/* The queue's index moves in the same transaction as the conflict. */
	if ((rc = conflict_queue_track(s, txn, c, old_seq)) != 0)
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
		Hearth__AuditChange *ch = n ? calloc(n, sizeof(*ch)) : NULL, **chp = n ? calloc(n, sizeof(*chp)) : NULL;
		uint8_t (*dg)[2][32] = n ? calloc(n, sizeof(*dg)) : NULL;
		char detail[300];

		if (n && (!ch || !chp || !dg)) {
			free(ch);
			free(chp);
			free(dg);
			free(fields);
			free(fptr);
			return HEARTH_ENOMEM;
		}
		/* old: the value the server keeps for now; new: the conflicting edit. */
		for (size_t i = 0; i < n; i++) {
			audit_field_values(s, k, mc[i].field,
			                   &(audit_side){ mc[i].server_value, mc[i].server_len, mc[i].server_value != NULL },
			                   &(audit_side){ mc[i].op_value, mc[i].op_len, mc[i].op_value != NULL }, &ch[i], dg[i]);
			chp[i] = &ch[i];
		}
		size_t pos = (size_t)snprintf(detail, sizeof(detail), "%s", delete_conflict ? (server_deleted ? "edit of a deleted record" : "delete of an edited record") : "fields:");
		for (size_t i = 0; i < n && pos < sizeof(detail) - 1; i++)
			pos += (size_t)snprintf(detail + pos, sizeof(detail) - pos, "%s%s", i ? "," : " ", fields[i].name);
		rc = audit_event(s, txn, &(audit_event_args){
			.who = who, .action = "conflict.open", .kind = k->kind, .record_id = cur->id.data,
			.branch = cur->branch_id, .conflict_id = r->conflict_id, .op = op, .detail = detail,
			.changes = chp, .n_changes = n });
		free(ch);
		free(chp);
		free(dg);
	}
	free(fields);
	free(fptr);
	return rc;
}

/* Which side the resolving op kept for one conflicted field. */
static const char *kept_side(const Hearth__Op *op, const fieldmap *mine, const Hearth__ConflictField *f,
                             audit_side *value)
{
	int changed = 0;
	const field_entry *e;

	for (size_t i = 0; i < op->n_changed_fields; i++)
		changed |= op->changed_fields[i] == f->field;
	if (!changed) {
		*value = (audit_side){ f->server_value.data, f->server_value.len, f->server_value.len > 0 };
		return "server";
	}
	e = fieldmap_get(mine, f->field);
	*value = (audit_side){ e ? e->bytes : NULL, e ? e->len : 0, e != NULL };
	if (value->len == f->op_value.len && (!value->len || !memcmp(value->bytes, f->op_value.data, value->len)))
		return "edit";
	if (value->len == f->server_value.len &&
	    (!value->len || !memcmp(value->bytes, f->server_value.data, value->len)))
		return "server";
	return "new value";
}

/* The conflict.resolve entry: per field, the value the server held, the
 * value the resolution keeps, and in detail which side that was. */
static int audit_resolution(store *s, MDB_txn *txn, const conflict_close_args *a, const Hearth__Conflict *c)
{
	const kind_info *k = kind_find(c->kind);
	size_t n = k && !a->op->delete_ ? c->n_fields : 0;
	Hearth__AuditChange *ch = n ? calloc(n, sizeof(*ch)) : NULL, **chp = n ? calloc(n, sizeof(*chp)) : NULL;
	uint8_t (*dg)[2][32] = n ? calloc(n, sizeof(*dg)) : NULL;
	fieldmap mine = FIELDMAP_INIT;
	char detail[600];
	size_t pos = 0;
	int rc = 0;

	if (n && (!ch || !chp || !dg)) {
		rc = HEARTH_ENOMEM;
		goto out;
	}
	if (n && fieldmap_parse(a->mine, a->mine_len, &mine) != 0)
		n = 0; /* a malformed body is refused later; still record the close */
	if (a->op->delete_)
		pos = (size_t)snprintf(detail, sizeof(detail), "kept: deleted");
	else
		pos = (size_t)snprintf(detail, sizeof(detail), n ? "kept:" : "");
	for (size_t i = 0; i < n; i++) {
		const Hearth__ConflictField *f = c->fields[i];
		audit_side now;
		const char *side = kept_side(a->op, &mine, f, &now);
		const char *by = !strcmp(side, "server") ? c->server_by : !strcmp(side, "edit") ? c->op_by : "";

		audit_field_values(s, k, f->field,
		                   &(audit_side){ f->server_value.data, f->server_value.len, f->server_value.len > 0 },
		                   &now, &ch[i], dg[i]);
		chp[i] = &ch[i];
		if (pos < sizeof(detail) - 1)
			pos += (size_t)snprintf(detail + pos, sizeof(detail) - pos, "%s %s=%s%s%s%s", i ? "," : "",
			                        f->name ? f->name : "?", side, by && *by ? "(" : "", by ? by : "",
			                        by && *by ? ")" : "");
	}
	rc = audit_event(s, txn, &(audit_event_args){
		.who = a->who, .action = "conflict.resolve", .kind = c->kind, .record_id = a->record_id,
		.branch = c->branch_id, .conflict_id = c->id.data, .op = a->op, .detail = detail,
		.changes = chp, .n_changes = n });
out:
	fieldmap_free(&mine);
	free(ch);
	free(chp);
	free(dg);
	return rc;
}

int conflicts_close(store *s, MDB_txn *txn, const conflict_close_args *a, op_result *r)
{
	const Hearth__Op *op = a->op;
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
	if (c->record_id.len != 16 || memcmp(c->record_id.data, a->record_id, 16) != 0) {
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
	c->resolved_by = (char *)a->who->name;
	c->resolved_at = a->now;
	rc = write_conflict(s, txn, c, c->seq);
	if (rc == 0)
		rc = audit_resolution(s, txn, a, c);
	c->resolved_by = NULL; /* borrowed; do not free */
	hearth__conflict__free_unpacked(c, NULL);
	return rc;
}
