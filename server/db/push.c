/* push.c: applies one pushed op as named steps (check, create, update and
 * merge, delete, resolve) and records its result in the op ledger, inside
 * the writer's transaction (DESIGN section 5). */
#include "server/db/push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/attachment.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/merge.h"
#include "common/record.h"
#include "common/uuid.h"
#include "server/db/attachment_limits.h"
#include "server/db/audit_log.h"
#include "server/db/conflicts.h"
#include "server/db/op_result.h"
#include "server/db/principals.h"
#include "server/db/refs.h"
#include "server/db/revision.h"

/* Every step returns STEP_NEXT (go on), STEP_DONE (p->r holds the
 * outcome) or a negative HEARTH_E* code (the transaction must abort). */
enum { STEP_NEXT = 0, STEP_DONE = 1 };

/* One op on its way through the steps. Owned buffers are freed by
 * push_free. */
typedef struct push {
	store *s;
	MDB_txn *txn;
	const actor *who;
	const Hearth__Op *op;
	const push_body_check *pre;     /* the loop thread's body check, or NULL */
	const Hearth__Record *in;       /* op->record */
	int64_t now;
	const kind_info *k;
	Hearth__Record *cur;            /* the server's copy (owned), NULL if none */
	MDB_val curv;                   /* its stored bytes (valid until the next write) */
	uint8_t *purged;                /* a purged record's tombstone bytes, which curv points at (owned) */
	const char *branch;             /* whose record it is */
	int hidden;                     /* a record exists but outside the sender's scope */
	uint8_t *mine, *curbody, *base; /* op body, server body, body at base_rev (owned; mine is
	                                 * borrowed when it is pre->body) */
	size_t mine_len, cur_len, base_len;
	char idtext[UUID_TEXT_LEN + 1];
	op_result r;
} push;

static void push_free(push *p)
{
	if (!p->pre || p->mine != p->pre->body)
		free(p->mine);
	free(p->base);
	free(p->curbody);
	free(p->purged);
	if (p->cur)
		hearth__record__free_unpacked(p->cur, NULL);
}

/* The outcome is the server's copy as it stands (nothing written). */
static int keep_current(push *p, Hearth__OpStatus status)
{
	p->r.status = status;
	p->r.rev = p->cur->rev;
	p->r.seq = p->cur->seq;
	p->r.record = p->curv.mv_data;
	p->r.record_len = p->curv.mv_size;
	return STEP_DONE;
}

/* Writes the op's new revision; status is the outcome when it is stored. */
static int write_op(push *p, const uint8_t *body, size_t len, int deleted, const char *action,
                 Hearth__OpStatus status)
{
	int rc = revision_write(p->s, p->txn, &(revision_args){
		.who = p->who, .cur = p->cur, .kind = p->k,
		.id = p->in->id.data, .branch = p->branch, .body = body, .body_len = len,
		/* A purged tombstone's share of the digest went with the purge. */
		.cur_bytes = p->cur && !p->purged ? &p->curv : NULL,
		.deleted = deleted, .now = p->now, .action = action, .op = p->op }, &p->r);

	if (rc < 0)
		return rc;
	if (rc == REVISION_WRITTEN)
		p->r.status = status;
	return STEP_DONE;
}

/* ------------------------------------------------------------- check */

/* Whether who may see a stored record: a branch principal only its own
 * branch's records, an admin every record. */
static int may_see(const actor *who, const Hearth__Record *r)
{
	if (who->role == HEARTH__ROLE__ROLE_ADMIN)
		return 1;
	if (who->role == HEARTH__ROLE__ROLE_GENERAL)
		return store_scope_has(&who->subtree, r->branch_id);
	return who->role == HEARTH__ROLE__ROLE_BRANCH && strcmp(r->branch_id, who->branch) == 0;
}

/* A retry of the first op's record gets today's copy of that record, when
 * the sender may still see it. The record is named by the ledger, never by
 * the new op: an op_id is not a key to someone else's record. */
static int duplicate_record(push *p, const Hearth__Record *first)
{
	MDB_val key = { 16, first->id.data }, v;
	Hearth__Record *cur;
	int rc = mdb_get(p->txn, p->s->records, &key, &v), ok;

	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_err(rc);
	if ((cur = hearth__record__unpack(NULL, v.mv_size, v.mv_data)) == NULL)
		return HEARTH_ECORRUPT;
	ok = may_see(p->who, cur);
	hearth__record__free_unpacked(cur, NULL);
	if (ok) {
		p->r.record = v.mv_data;
		p->r.record_len = v.mv_size;
	}
	return 0;
}

/* An op_id seen before is answered as the first time, about the first
 * op's record; reused for another record or kind it is refused. Ledger
 * rows older than the record id answer without a record. */
static int check_duplicate(push *p)
{
	MDB_val key = { 16, p->op->op_id.data }, v;
	Hearth__OpResult *prev;
	const Hearth__Record *first, *in = p->in;
	int rc;

	if (p->op->op_id.len != 16) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "op_id", "op_id must be 16 bytes (got %zu)",
		          p->op->op_id.len);
		return STEP_DONE;
	}
	rc = mdb_get(p->txn, p->s->ops, &key, &v);
	if (rc == MDB_NOTFOUND)
		return STEP_NEXT;
	if (rc)
		return store_err(rc);
	if ((prev = hearth__op_result__unpack(NULL, v.mv_size, v.mv_data)) == NULL)
		return HEARTH_ECORRUPT;
	first = prev->record && prev->record->id.len == 16 ? prev->record : NULL;
	if (first && (!in || in->id.len != 16 || memcmp(in->id.data, first->id.data, 16) != 0 ||
	              in->kind != first->kind)) {
		char t[UUID_TEXT_LEN + 1];
		hearth__op_result__free_unpacked(prev, NULL);
		uuid_format(p->op->op_id.data, t);
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "op_id",
		          "op_id %s was used for another record; every edit needs a new op_id", t);
		return STEP_DONE;
	}
	p->r.status = HEARTH__OP_STATUS__OP_DUPLICATE;
	p->r.rev = prev->rev;
	p->r.seq = prev->seq;
	if (prev->conflict_id.len == 16) {
		memcpy(p->r.conflict_id, prev->conflict_id.data, 16);
		p->r.has_conflict = 1;
	}
	rc = first ? duplicate_record(p, first) : 0;
	hearth__op_result__free_unpacked(prev, NULL);
	return rc < 0 ? rc : STEP_DONE;
}

/* The op names a record of a known kind with the body of that kind. */
static int check_shape(push *p)
{
	const Hearth__Record *in = p->in;

	if (!in) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "record", "op carries no record");
		return STEP_DONE;
	}
	if (in->id.len != 16) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "id", "record id must be 16 bytes (got %zu)",
		          in->id.len);
		return STEP_DONE;
	}
	uuid_format(in->id.data, p->idtext);
	if ((p->k = kind_find(in->kind)) == NULL) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "kind", "record %s: unknown kind %d", p->idtext,
		          (int)in->kind);
		return STEP_DONE;
	}
	if ((uint32_t)in->body_case != p->k->record_field && !p->op->delete_) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "body", "record %s: kind %s needs a %s body",
		          p->idtext, p->k->name, p->k->name);
		return STEP_DONE;
	}
	return STEP_NEXT;
}

/* The retention removes a tombstone's latest copy but keeps its history,
 * so the last revision of a record missing from `records` is its purged
 * tombstone. It stands in for the server's copy: an edit of it is an edit
 * of a deleted record (a conflict, README's rule), never "does not exist".
 * Its bytes are copied out because later writes of the op may move the
 * page they were read from. */
static int load_purged(push *p)
{
	const uint8_t *id = p->in->id.data;
	MDB_cursor *cur = NULL;
	uint8_t kb[24];
	MDB_val k = { 24, kb }, v;
	int rc;

	memcpy(kb, id, 16);
	memset(kb + 16, 0xff, 8);
	if ((rc = mdb_cursor_open(p->txn, p->s->revs, &cur)) != 0)
		return store_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	rc = mdb_cursor_get(cur, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
	if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size != 24 || memcmp(k.mv_data, id, 16) != 0))) {
		rc = STEP_NEXT;
		goto out;
	}
	if (rc) {
		rc = store_err(rc);
		goto out;
	}
	if ((p->purged = malloc(v.mv_size ? v.mv_size : 1)) == NULL) {
		rc = HEARTH_ENOMEM;
		goto out;
	}
	memcpy(p->purged, v.mv_data, v.mv_size);
	p->curv.mv_size = v.mv_size;
	p->curv.mv_data = p->purged;
	if ((p->cur = hearth__record__unpack(NULL, v.mv_size, p->purged)) == NULL) {
		rc = HEARTH_ECORRUPT;
		goto out;
	}
	rc = p->cur->deleted ? STEP_NEXT : HEARTH_ECORRUPT;
out:
	mdb_cursor_close(cur);
	return rc;
}

static int load_current(push *p)
{
	MDB_val key = { 16, p->in->id.data };
	int rc = mdb_get(p->txn, p->s->records, &key, &p->curv);

	if (rc == MDB_NOTFOUND)
		return load_purged(p);
	if (rc)
		return store_err(rc);
	if ((p->cur = hearth__record__unpack(NULL, p->curv.mv_size, p->curv.mv_data)) == NULL)
		return HEARTH_ECORRUPT;
	return STEP_NEXT;
}

/* A branch principal learns nothing of records outside its branch: such a
 * record is handled as if it did not exist (p->cur dropped, p->hidden
 * set), so an edit, delete or resolution gets the answers of a missing
 * record, word for word, and a create is refused as an id in use. */
static void hide_foreign(push *p)
{
	if (!p->cur)
		return;
	if (p->who->role == HEARTH__ROLE__ROLE_GENERAL) {
		/* A general principal sees its subtree (the reads of pull); only
		 * records outside it are hidden here. check_branch refuses the
		 * ones it may read but not write. */
		if (store_scope_has(&p->who->subtree, p->cur->branch_id))
			return;
	} else if (p->who->role != HEARTH__ROLE__ROLE_BRANCH || strcmp(p->cur->branch_id, p->who->branch) == 0) {
		return;
	}
	hearth__record__free_unpacked(p->cur, NULL);
	p->cur = NULL;
	memset(&p->curv, 0, sizeof(p->curv));
	p->hidden = 1;
}

/* Whose record it is, and whether this principal may write it: the rule
 * (authz of a write) is here because only the store knows the record's
 * current branch. */
static int check_branch(push *p)
{
	const actor *who = p->who;
	const char *branch;

	hide_foreign(p);
	branch = p->cur ? p->cur->branch_id : p->in->branch_id;
	if (who->role == HEARTH__ROLE__ROLE_BRANCH) {
		if (!branch[0])
			branch = who->branch;
		/* Only a new record's branch can differ here: the op named it. */
		if (strcmp(branch, who->branch) != 0) {
			op_reject(&p->r, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "branch_id",
			          "record %s belongs to branch %s; this certificate is for branch %s", p->idtext,
			          branch, who->branch);
			return STEP_DONE;
		}
	} else if (who->role == HEARTH__ROLE__ROLE_GENERAL) {
		if (!branch[0])
			branch = who->branch;
		if (!store_scope_has(&who->subtree, branch)) {
			op_reject(&p->r, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "branch_id",
			          "record %s belongs to branch %s, which is not below general branch %s", p->idtext,
			          branch, who->branch);
			return STEP_DONE;
		}
		if (strcmp(branch, who->branch) != 0 && !who->subtree_edits) {
			op_reject(&p->r, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "branch_id",
			          "record %s belongs to branch %s: general branch %s may read it but not edit it; an admin "
			          "allows edits with: hearth admin branch rename %s --general-edits on",
			          p->idtext, branch, who->branch, who->branch);
			return STEP_DONE;
		}
	} else if (who->role != HEARTH__ROLE__ROLE_ADMIN) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "role", "record %s: this role may not write",
		          p->idtext);
		return STEP_DONE;
	} else if (!branch[0]) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "branch_id",
		          "record %s: admin writes must name a branch", p->idtext);
		return STEP_DONE;
	}
	p->branch = branch;
	if (!p->cur && !principals_branch_exists(p->s, p->txn, branch)) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "branch_id",
		          "record %s: branch %s does not exist; an admin adds it with: hearth admin branch add %s --name NAME",
		          p->idtext, branch, branch);
		return STEP_DONE;
	}
	if (p->cur && p->cur->kind != p->k->kind) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "kind", "record %s is a %s, not a %s", p->idtext,
		          kind_find(p->cur->kind) ? kind_find(p->cur->kind)->name : "?", p->k->name);
		return STEP_DONE;
	}
	return STEP_NEXT;
}

/* A transfer's summary in the sending branch is the server's (refs.c,
 * written when the transfer is accepted): no op of any role may edit,
 * delete, restore or resolve one, nor create or turn a record into one. */
static int check_read_only(push *p)
{
	const Hearth__TransferSummary *sum = NULL;
	char t[UUID_TEXT_LEN + 1] = "?";

	if (p->cur)
		sum = record_transfer_summary(kind_find(p->cur->kind), record_body(p->cur));
	if (sum) {
		const Hearth__Transfer *tr = p->cur->transfer;
		if (sum->transfer.len == UUID_LEN)
			uuid_format(sum->transfer.data, t);
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "summary",
		          "record %s is the read-only summary the sending branch keeps of transfer %s, accepted "
		          "by branch %s on %s; it cannot be edited, deleted or restored",
		          p->idtext, t, tr->to_branch, tr->accepted_date);
		return STEP_DONE;
	}
	if (record_transfer_summary(p->k, record_body(p->in))) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "summary",
		          "record %s: only the server writes a transfer's summary, when the transfer is accepted; "
		          "send the transfer without it",
		          p->idtext);
		return STEP_DONE;
	}
	return STEP_NEXT;
}

void push_body_precheck(const Hearth__Op *op, push_body_check *c)
{
	const Hearth__Record *in = op->record;
	record_error verr;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!in || (op->delete_ && in->body_case == HEARTH__RECORD__BODY__NOT_SET))
		return;
	if ((rc = record_pack_body(in, &c->body, &c->len)) != 0) {
		c->mismatch = 1;
		c->done = rc != HEARTH_ENOMEM;
		return;
	}
	if (!op->delete_ && record_validate_body(kind_find(in->kind), c->body, c->len, &verr) != 0) {
		if ((c->err = malloc(sizeof(*c->err))) == NULL)
			return;
		*c->err = verr;
	}
	c->done = 1;
}

void push_body_check_free(push_body_check *c)
{
	free(c->body);
	free(c->err);
	memset(c, 0, sizeof(*c));
}

/* The op's body must be valid on its own: the loop thread's verdict when
 * it gave one (push_body_precheck), else checked here. */
static int check_body(push *p)
{
	record_error verr;
	int rc, bad;

	if (p->op->delete_ && p->in->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return STEP_NEXT;
	if (p->pre && p->pre->done) {
		rc = p->pre->mismatch ? HEARTH_EINVAL : 0;
		/* Borrowed: the writer runs a group's jobs again, one by one, when
		 * the group's transaction failed. */
		p->mine = p->pre->body;
		p->mine_len = p->pre->len;
		if ((bad = p->pre->err != NULL) != 0)
			verr = *p->pre->err;
	} else {
		rc = record_pack_body(p->in, &p->mine, &p->mine_len);
		bad = rc == 0 && !p->op->delete_ && record_validate_body(p->k, p->mine, p->mine_len, &verr) != 0;
	}
	if (rc != 0) {
		if (rc == HEARTH_ENOMEM)
			return rc;
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "body", "record %s: body does not match its kind",
		          p->idtext);
		return STEP_DONE;
	}
	if (!p->op->delete_ && (bad || attachment_limits_check(p->s, record_body(p->in), &verr) != 0)) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, verr.field, "record %s: %s", p->idtext, verr.message);
		return STEP_DONE;
	}
	return STEP_NEXT;
}

/* An op on an existing record names a revision the server has had. */
static int check_base(push *p)
{
	const Hearth__Op *op = p->op;

	if (op->base_rev > p->cur->rev) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "base_rev",
		          "record %s: base_rev %llu is ahead of the server's revision %llu", p->idtext,
		          (unsigned long long)op->base_rev, (unsigned long long)p->cur->rev);
		return STEP_DONE;
	}
	if (op->base_rev == 0) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_CONFLICT, "id",
		          "record %s already exists (revision %llu); edit it instead of creating it", p->idtext,
		          (unsigned long long)p->cur->rev);
		return STEP_DONE;
	}
	return record_pack_body(p->cur, &p->curbody, &p->cur_len);
}

/* The body at base_rev, from the revision history. */
static int load_base(push *p)
{
	int rc = revision_load_body(p->s, p->txn, p->in->id.data, p->op->base_rev, p->k, &p->base,
	                            &p->base_len);

	if (rc == HEARTH_ENOTFOUND) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "base_rev",
		          "record %s: revision %llu is not in the history", p->idtext,
		          (unsigned long long)p->op->base_rev);
		return STEP_DONE;
	}
	return rc;
}

/* ------------------------------------------------------------ create */

static int create(push *p)
{
	const Hearth__Op *op = p->op;

	/* Edits, deletes and resolutions of a missing (or hidden) record get
	 * one answer. */
	if (op->delete_ || op->base_rev != 0 || op->resolves.len) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_NOT_FOUND, "id", "record %s does not exist", p->idtext);
		return STEP_DONE;
	}
	if (p->hidden) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_CONFLICT, "id",
		          "record %s: record id already in use; create the record with a new id", p->idtext);
		return STEP_DONE;
	}
	return write_op(p, p->mine, p->mine_len, 0, "record.create", HEARTH__OP_STATUS__OP_APPLIED);
}

/* ------------------------------------------------------------ delete */

/* Someone edited what this op deletes: keep the record, ask a person. The
 * conflict lists the fields the server changed since base_rev. */
static int delete_of_edited(push *p, const uint32_t *diff, size_t nd)
{
	merge_conflict *mc = calloc(nd, sizeof(*mc));
	fieldmap fc = FIELDMAP_INIT;
	int rc;

	if (!mc)
		return HEARTH_ENOMEM;
	if ((rc = fieldmap_parse(p->curbody, p->cur_len, &fc)) != 0) {
		free(mc);
		return rc;
	}
	for (size_t i = 0; i < nd; i++) {
		const field_entry *e = fieldmap_get(&fc, diff[i]);
		mc[i].field = diff[i];
		mc[i].server_value = e ? e->bytes : NULL;
		mc[i].server_len = e ? e->len : 0;
	}
	rc = conflicts_open(p->s, p->txn, &(conflict_args){
		.who = p->who, .op = p->op, .cur = p->cur, .kind = p->k, .fields = mc, .n_fields = nd,
		.shape = CONFLICT_DELETE_OF_EDITED, .now = p->now }, &p->r);
	free(mc);
	fieldmap_free(&fc);
	if (rc)
		return rc;
	return keep_current(p, HEARTH__OP_STATUS__OP_CONFLICT);
}

/* A member that other records refer to is deleted only when the person
 * confirmed it (op->confirm_referenced), after being told what refers to
 * her; the client asks first, and this refusal stops an older client
 * that never asks. A branch hears only of its own branch's records. */
static int check_referenced(push *p)
{
	const Hearth__Member *mb;
	ref_summary sum;
	char list[240];
	int rc;

	if (p->k->kind != HEARTH__KIND__KIND_MEMBER || p->op->confirm_referenced)
		return STEP_NEXT;
	rc = refs_summarize_referencing(p->s, p->txn, p->in->id.data,
	                                p->who->role == HEARTH__ROLE__ROLE_ADMIN ? NULL : p->branch, &sum);
	if (rc != 0 || sum.total == 0)
		return rc;
	ref_summary_format(&sum, list, sizeof(list));
	mb = p->cur->body_case == HEARTH__RECORD__BODY_MEMBER ? p->cur->member : NULL;
	op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "delete",
	          "record %s: member %s is referenced by %zu records (%s); delete it only with "
	          "confirmation: hearth member delete ID --confirm-referenced",
	          p->idtext, mb && mb->name[0] ? mb->name : "?", sum.total, list);
	return STEP_DONE;
}

static int delete_record(push *p)
{
	uint32_t *diff = NULL;
	size_t nd = 0;
	int rc;

	if (p->cur->deleted)
		return keep_current(p, HEARTH__OP_STATUS__OP_MERGED);
	if ((rc = check_referenced(p)) != STEP_NEXT)
		return rc;
	if (p->op->base_rev != p->cur->rev &&
	    (rc = merge_diff(p->base, p->base_len, p->curbody, p->cur_len, &diff, &nd)) != 0)
		return rc;
	if (nd > 0) {
		rc = delete_of_edited(p, diff, nd);
		free(diff);
		return rc;
	}
	free(diff);
	return write_op(p, p->curbody, p->cur_len, 1, "record.delete",
	             p->op->base_rev == p->cur->rev ? HEARTH__OP_STATUS__OP_APPLIED
	                                            : HEARTH__OP_STATUS__OP_MERGED);
}

/* ------------------------------------------------------ update/merge */

/* An edit of a record someone deleted: never a silent resurrection. The
 * conflict holds both sides of every field the op changed. */
static int edit_of_deleted(push *p)
{
	const Hearth__Op *op = p->op;
	merge_conflict *mc = NULL;
	fieldmap fc = FIELDMAP_INIT, fo = FIELDMAP_INIT;
	size_t n = op->n_changed_fields;
	int rc;

	if (n > FIELDMAP_MAX_FIELDS)
		n = FIELDMAP_MAX_FIELDS;
	if ((rc = fieldmap_parse(p->curbody, p->cur_len, &fc)) != 0 ||
	    (rc = fieldmap_parse(p->mine, p->mine_len, &fo)) != 0) {
		fieldmap_free(&fc);
		return rc;
	}
	mc = calloc(n ? n : 1, sizeof(*mc));
	if (!mc) {
		rc = HEARTH_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const field_entry *a = fieldmap_get(&fc, op->changed_fields[i]);
		const field_entry *b = fieldmap_get(&fo, op->changed_fields[i]);
		mc[i].field = op->changed_fields[i];
		mc[i].server_value = a ? a->bytes : NULL;
		mc[i].server_len = a ? a->len : 0;
		mc[i].op_value = b ? b->bytes : NULL;
		mc[i].op_len = b ? b->len : 0;
	}
	rc = conflicts_open(p->s, p->txn, &(conflict_args){
		.who = p->who, .op = op, .cur = p->cur, .kind = p->k, .fields = mc, .n_fields = n,
		.shape = CONFLICT_EDIT_OF_DELETED, .now = p->now }, &p->r);
	free(mc);
	if (rc == 0)
		rc = keep_current(p, HEARTH__OP_STATUS__OP_CONFLICT);
fail:
	fieldmap_free(&fc);
	fieldmap_free(&fo);
	return rc;
}

/* Writes the merged body (when any of the op's fields won) and records the
 * fields that lost as a conflict. */
static int write_merge(push *p, const merge_result *m)
{
	const Hearth__Op *op = p->op;
	record_error verr;
	int rc;

	/* The merged body must still satisfy the rules (e.g. two disjoint edits
	 * of join and full-member dates that cross). */
	if (m->n_applied && record_validate_body(p->k, m->body, m->body_len, &verr) != 0) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, verr.field,
		          "record %s: after merging with the server's changes: %s", p->idtext, verr.message);
		return STEP_DONE;
	}
	if (m->n_applied) {
		const char *action = m->n_conflicts ? "record.conflict"
		                     : op->base_rev == p->cur->rev ? "record.update" : "record.merge";
		/* Adding or removing a file is named as such in the audit log. */
		if (!m->n_conflicts)
			action = attachment_edit_action(p->curbody, p->cur_len, m->body, m->body_len, m->applied,
			                                m->n_applied, action);
		rc = write_op(p, m->body, m->body_len, 0, action, HEARTH__OP_STATUS__OP_APPLIED);
		if (rc < 0 || p->r.status == HEARTH__OP_STATUS__OP_REJECTED)
			return rc;
	} else {
		keep_current(p, HEARTH__OP_STATUS__OP_APPLIED);
	}
	if (m->n_conflicts) {
		/* The conflict refers to the server revision the op lost against. */
		if ((rc = conflicts_open(p->s, p->txn, &(conflict_args){
			     .who = p->who, .op = op, .cur = p->cur, .kind = p->k, .fields = m->conflicts,
			     .n_fields = m->n_conflicts, .shape = CONFLICT_FIELDS, .now = p->now }, &p->r)) != 0)
			return rc;
		p->r.status = HEARTH__OP_STATUS__OP_CONFLICT;
	} else {
		p->r.status = op->base_rev == p->cur->rev ? HEARTH__OP_STATUS__OP_APPLIED
		                                          : HEARTH__OP_STATUS__OP_MERGED;
	}
	return STEP_DONE;
}

static int update_record(push *p)
{
	const Hearth__Op *op = p->op;
	merge_result m = { 0 };
	int rc;

	rc = merge_three_way(p->base, p->base_len, p->curbody, p->cur_len, p->mine, p->mine_len,
	                     op->changed_fields, op->n_changed_fields, &m);
	if (rc == HEARTH_EINVAL) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "changed_fields",
		          "record %s: cannot merge: malformed body or field list", p->idtext);
		rc = STEP_DONE;
	} else if (rc == 0) {
		rc = p->cur->deleted ? edit_of_deleted(p) : write_merge(p, &m);
	}
	merge_result_free(&m);
	return rc;
}

/* ----------------------------------------------------------- restore */

/* A restore brings a deleted record back with the body it had, as a new
 * revision, until the retention purges its tombstone. The store rules
 * apply again (a second dues record for the month is refused). */
static int restore_record(push *p)
{
	if (p->purged) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_NOT_FOUND, "id",
		          "record %s: its tombstone was purged by the retention; a deleted record can be "
		          "restored only until then",
		          p->idtext);
		return STEP_DONE;
	}
	if (!p->cur->deleted)
		return keep_current(p, HEARTH__OP_STATUS__OP_MERGED);
	return write_op(p, p->curbody, p->cur_len, 0, "record.restore", HEARTH__OP_STATUS__OP_APPLIED);
}

/* ----------------------------------------------------------- resolve */

/* The server body with the op's changed fields forced in, into *out (the
 * caller frees it). */
static int forced_body(push *p, uint8_t **out, size_t *out_len)
{
	fieldmap fm = FIELDMAP_INIT, fo = FIELDMAP_INIT;
	int rc = fieldmap_parse(p->curbody, p->cur_len, &fm);

	if (rc == 0)
		rc = fieldmap_parse(p->mine, p->mine_len, &fo);
	for (size_t i = 0; rc == 0 && i < p->op->n_changed_fields; i++) {
		const field_entry *e = fieldmap_get(&fo, p->op->changed_fields[i]);
		rc = fieldmap_set(&fm, p->op->changed_fields[i], e ? e->bytes : NULL, e ? e->len : 0);
	}
	if (rc == 0)
		rc = fieldmap_build(&fm, out, out_len);
	fieldmap_free(&fm);
	fieldmap_free(&fo);
	return rc;
}

/* A resolution closes its conflict and forces its values: it is a
 * person's decision. */
static int resolve(push *p)
{
	uint8_t *res = NULL;
	size_t res_len = 0;
	record_error verr;
	int rc;

	rc = conflicts_close(p->s, p->txn,
	                     &(conflict_close_args){ .who = p->who, .op = p->op, .record_id = p->in->id.data,
	                                             .mine = p->mine, .mine_len = p->mine_len, .now = p->now },
	                     &p->r);
	if (rc < 0)
		return rc;
	if (rc == CONFLICTS_REFUSED)
		return STEP_DONE;
	if (p->op->delete_) {
		if (p->cur->deleted)
			return keep_current(p, HEARTH__OP_STATUS__OP_APPLIED);
		return write_op(p, p->curbody, p->cur_len, 1, "record.resolve", HEARTH__OP_STATUS__OP_APPLIED);
	}
	rc = forced_body(p, &res, &res_len);
	if (rc == HEARTH_EINVAL) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, "body", "record %s: malformed body", p->idtext);
		rc = STEP_DONE;
	} else if (rc == 0 && record_validate_body(p->k, res, res_len, &verr) != 0) {
		op_reject(&p->r, HEARTH__ERROR_CODE__ERR_INVALID, verr.field, "record %s: %s", p->idtext, verr.message);
		rc = STEP_DONE;
	} else if (rc == 0) {
		rc = write_op(p, res, res_len, 0, "record.resolve", HEARTH__OP_STATUS__OP_APPLIED);
	}
	free(res);
	return rc;
}

/* ------------------------------------------------------------ answer */

/* Appends the result to the PushResponse and, for an op that took effect,
 * records it in the op ledger so a retry gets the same answer. A DUPLICATE
 * is not ledgered again. */
static int answer(push *p, wirebuf *out)
{
	const Hearth__Op *op = p->op;
	op_result *r = &p->r;
	wirebuf one = WIREBUF_INIT;
	int rc = 0;

	/* Values read from LMDB are valid only until the next update in the
	 * transaction; later writes of this op (references, audit) may have
	 * moved the record, so read it again and copy it out before the
	 * ledger write below. */
	if (r->status != HEARTH__OP_STATUS__OP_DUPLICATE && r->record && op->record &&
	    op->record->id.len == 16) {
		MDB_val k = { 16, op->record->id.data }, v;
		if (mdb_get(p->txn, p->s->records, &k, &v) == 0) {
			r->record = v.mv_data;
			r->record_len = v.mv_size;
		}
	}
	op_result_encode(&one, op->op_id.data, op->op_id.len, r, OP_RESULT_WITH_RECORD);
	if (one.failed) {
		wire_free(&one);
		return HEARTH_ENOMEM;
	}
	wire_bytes_field(out, 1, one.data, one.len, 1);
	rc = out->failed ? HEARTH_ENOMEM : 0;
	wire_free(&one);
	if (rc || r->status == HEARTH__OP_STATUS__OP_DUPLICATE ||
	    r->status == HEARTH__OP_STATUS__OP_REJECTED || op->op_id.len != 16)
		return rc;
	{
		wirebuf led = WIREBUF_INIT;
		MDB_val k = { 16, op->op_id.data }, v;
		if (op->record && op->record->id.len == 16) {
			memcpy(r->record_id, op->record->id.data, 16);
			r->kind = op->record->kind;
			r->has_record_id = 1;
		}
		op_result_encode(&led, op->op_id.data, 16, r, OP_RESULT_LEDGER);
		if (led.failed) {
			wire_free(&led);
			return HEARTH_ENOMEM;
		}
		v.mv_size = led.len;
		v.mv_data = led.data;
		/* op ids are UUIDv7 too. */
		rc = store_put_ordered(p->txn, p->s->ops, &k, &v, 0);
		wire_free(&led);
	}
	return rc;
}

/* An edit of a purged record opens a conflict, which a person resolves
 * from the record's server copy; every replica lost that copy with the
 * purge. So the tombstone is written again as a new revision (a change the
 * replicas pull, its retention starting over) and the edit then meets it
 * like any edit of a deleted record. Called after every check that can
 * refuse the op, since this op is not in a nested transaction. */
static int revive_tombstone(push *p)
{
	op_result r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = revision_write(p->s, p->txn, &(revision_args){
		.who = p->who, .cur = p->cur, .kind = p->k, .id = p->in->id.data, .branch = p->branch,
		.body = p->curbody, .body_len = p->cur_len, .deleted = 1, .now = p->now,
		.action = "record.tombstone_kept", .op = p->op }, &r);
	if (rc < 0)
		return rc;
	if (rc == REVISION_REFUSED) {
		p->r = r;
		return STEP_DONE;
	}
	free(p->purged);
	free(p->curbody);
	p->purged = p->curbody = NULL;
	hearth__record__free_unpacked(p->cur, NULL);
	p->cur = NULL;
	if ((rc = load_current(p)) != STEP_NEXT)
		return rc;
	if (!p->cur)
		return HEARTH_ECORRUPT;
	return record_pack_body(p->cur, &p->curbody, &p->cur_len);
}

/* The steps in order; the first that decides the outcome ends the walk. */
static int decide(push *p)
{
	int rc;

	if ((rc = check_duplicate(p)) != STEP_NEXT || (rc = check_shape(p)) != STEP_NEXT ||
	    (rc = load_current(p)) != STEP_NEXT || (rc = check_branch(p)) != STEP_NEXT ||
	    (rc = check_read_only(p)) != STEP_NEXT || (rc = check_body(p)) != STEP_NEXT)
		return rc;
	if (!p->cur)
		return create(p);
	if ((rc = check_base(p)) != STEP_NEXT)
		return rc;
	if (p->op->resolves.len)
		return resolve(p);
	if (p->op->restore)
		return restore_record(p);
	if ((rc = load_base(p)) != STEP_NEXT)
		return rc;
	if (p->purged && !p->op->delete_ && (rc = revive_tombstone(p)) != STEP_NEXT)
		return rc;
	return p->op->delete_ ? delete_record(p) : update_record(p);
}

static int apply_op(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op,
                    const push_body_check *pre, int64_t now, wirebuf *out, op_result *why)
{
	push p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.txn = txn;
	p.who = who;
	p.op = op;
	p.pre = pre;
	p.in = op->record;
	p.now = now;
	rc = decide(&p);
	if (rc >= 0) {
		*why = p.r;
		rc = answer(&p, out);
	}
	push_free(&p);
	return rc;
}

/* A refused op must leave nothing behind but its refusal. Every refusal
 * happens before the op's first write, except in a resolution (it closes
 * its conflict, then the resolved body may still be refused), so only
 * resolutions run in a nested transaction: nesting every op cost a tenth
 * of push throughput. */
int push_op(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op, const push_body_check *pre,
            int64_t now, wirebuf *out)
{
	MDB_txn *child = NULL;
	op_result why;
	int rc;

	memset(&why, 0, sizeof(why));
	if (op->resolves.len == 0) {
		rc = apply_op(s, txn, who, op, pre, now, out, &why);
	} else {
		rc = store_err(mdb_txn_begin(s->env, txn, 0, &child));
		if (rc)
			return rc;
		rc = apply_op(s, child, who, op, pre, now, out, &why);
		if (rc == 0 && why.status != HEARTH__OP_STATUS__OP_REJECTED)
			return store_err(mdb_txn_commit(child));
		mdb_txn_abort(child);
	}
	if (rc == 0 && why.status == HEARTH__OP_STATUS__OP_REJECTED) {
		/* Nothing of the op is stored; its refusal is. */
		const Hearth__Record *in = op->record;
		int has_id = in && in->id.len == 16;
		rc = audit_event(s, txn, &(audit_event_args){
			.who = who, .action = "push.rejected", .kind = in ? in->kind : 0,
			.record_id = has_id ? in->id.data : NULL,
			.branch = in && in->branch_id ? in->branch_id : "", .op = op, .detail = why.message });
	}
	return rc;
}
