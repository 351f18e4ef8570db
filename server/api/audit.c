/* audit.c: the audit requests (checkpoints, witness proofs, review queries,
 * client-reported events), served on the loop thread with short read
 * transactions, and the session events handed to the writer. */
#include "server/api/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/db/audit_log.h"
#include "server/loop/connection.h"
#include "server/loop/dispatch.h"
#include "common/be.h"
#include "common/client_event.h"
#include "common/hearth.h"
#include "common/uuid.h"
#include "server/api/context.h"
#include "server/api/authz.h"
#include "server/api/event_budget.h"
#include "server/api/events.h"
#include "server/api/jobs.h"
#include "server/db/checkpoint.h"
#include "common/log.h"
#include "server/loop/listener.h"
#include "server/db/store.h"
#include "common/wire.h"
#include "server/db/principals.h"

#define PROOF_PAGE 10000
#define QUERY_PAGE_MAX 1000
#define QUERY_SCAN_MAX 20000   /* entries examined per request, so a filter never stalls the loop */


/* Writer thread: keeps a signed checkpoint. */
static int run_checkpoint(store *s, MDB_txn *txn, job *base)
{
	api_job *j = (api_job *)base;
	Hearth__Checkpoint *cp = hearth__checkpoint__unpack(NULL, j->blob_len, j->blob);
	int rc = cp ? audit_store_checkpoint(s, txn, cp) : HEARTH_EINVAL;

	if (cp)
		hearth__checkpoint__free_unpacked(cp, NULL);
	return rc;
}

/* Writer thread: the entries of what a client reported, as many as the
 * sender's budget allowed (the rest is counted in a coalesced entry); the
 * ack counts them all, so the client does not send them again. */
static int run_note(store *s, MDB_txn *txn, job *base)
{
	api_job *j = (api_job *)base;
	Hearth__AuditNote *note = j->env->audit_note;
	int rc = 0;

	for (size_t k = 0; rc == 0 && k < note->n_events && k < j->keep; k++)
		rc = audit_client_event(s, txn, &j->who, note->events[k], j->peer);
	wire_uint_field(&base->reply, 1, note->n_events);
	return rc;
}

int audit_current_checkpoint(api *a, Hearth__Checkpoint *cp)
{
	static const tls_identity nobody;
	api_job *aj;
	int rc = checkpoint_current(&a->cp, a->store, a->audit_key, server_now_ms(), cp);

	if (rc != CHECKPOINT_SIGNED)
		return rc;
	/* Keep every signed checkpoint, so `audit verify` can check them all. */
	if ((aj = jobs_detached(&nobody, run_checkpoint)) != NULL) {
		if (checkpoint_pack(&a->cp, &aj->blob, &aj->blob_len) == 0)
			jobs_submit(a, aj);
		else
			jobs_release(aj);
	}
	return 0;
}

int audit_handle_checkpoint(conn *c, Hearth__Envelope *env)
{
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;
	int rc = audit_current_checkpoint(api_of(c), &cp);

	if (rc) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
		                "cannot sign a checkpoint: %s", hearth_strerror(rc));
		return 0;
	}
	out.request_id = env->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_CHECKPOINT;
	out.checkpoint = &cp;
	conn_send(c, &out);
	return 0;
}

int audit_handle_proof(conn *c, Hearth__Envelope *env)
{
	Hearth__AuditProofRequest *req = env->audit_proof_request;
	store *st = api_of(c)->store;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint8_t key[8], head[AUDIT_HASH_LEN];
	uint64_t size, end;
	wirebuf body = WIREBUF_INIT;
	int rc;

	if ((rc = store_err(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) != 0)
		goto fail;
	if ((rc = audit_head(st, txn, &size, head)) != 0)
		goto fail;
	if (req->from_size > req->to_size || req->to_size > size) {
		mdb_txn_abort(txn);
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "to_size", 0,
		                "proof range (%llu, %llu] is not within the log's %llu entries",
		                (unsigned long long)req->from_size, (unsigned long long)req->to_size,
		                (unsigned long long)size);
		return 0;
	}
	end = req->to_size;
	if (end - req->from_size > PROOF_PAGE)
		end = req->from_size + PROOF_PAGE;
	if ((rc = store_err(mdb_cursor_open(txn, st->audit_links, &cur))) != 0)
		goto fail;
	be64_put(key, req->from_size + 1);
	k.mv_size = 8;
	k.mv_data = key;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		wirebuf link = WIREBUF_INIT;
		uint64_t seq = be64_get(k.mv_data);
		if (seq > end || v.mv_size != 64)
			break;
		wire_uint_field(&link, 1, seq);
		wire_bytes_field(&link, 2, v.mv_data, 32, 1);
		wire_bytes_field(&link, 3, (const uint8_t *)v.mv_data + 32, 32, 1);
		wire_bytes_field(&body, 1, link.data, link.len, 1);
		wire_free(&link);
	}
	wire_uint_field(&body, 2, end < req->to_size);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	conn_send_body(c, env->request_id, HEARTH__ENVELOPE__BODY_AUDIT_PROOF, &body);
	wire_free(&body);
	return 0;
fail:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	wire_free(&body);
	conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "audit proof failed: %s",
	                hearth_strerror(rc));
	return 0;
}

static int matches(const Hearth__AuditEntry *e, const Hearth__AuditQuery *q, const char *own_branch)
{
	if (own_branch && strcmp(e->branch_id, own_branch) != 0 && strcmp(e->actor_branch, own_branch) != 0)
		return 0;
	if (q->actor && q->actor[0] && strcmp(q->actor, e->actor_fingerprint) != 0 &&
	    strcmp(q->actor, e->actor_name) != 0)
		return 0;
	if (q->branch_id && q->branch_id[0] && strcmp(q->branch_id, e->branch_id) != 0 &&
	    strcmp(q->branch_id, e->actor_branch) != 0)
		return 0;
	if (q->record_id.len == 16 && (e->record_id.len != 16 || memcmp(e->record_id.data, q->record_id.data, 16)))
		return 0;
	if (q->action && q->action[0]) {
		size_t n = strlen(q->action);
		if (q->action[n - 1] == '.' ? strncmp(e->action, q->action, n) != 0 : strcmp(e->action, q->action) != 0)
			return 0;
	}
	if (q->hide_logins && !strcmp(e->action, "login"))
		return 0;
	if (q->since && e->time < q->since)
		return 0;
	if (q->until && e->time >= q->until)
		return 0;
	return 1;
}

/* One entry of a page: its stored bytes, and for an entry that names a
 * revision (a create) what the store holds of that revision, appended as
 * fields outside the canonical bytes. Returns 0 or a negative HEARTH_E*
 * code. */
static int put_entry(store *st, MDB_txn *txn, const Hearth__AuditEntry *e, const MDB_val *stored, wirebuf *body)
{
	wirebuf one = WIREBUF_INIT;
	int rc;

	if (!e->revision_digest.len) {
		wire_bytes_field(body, 1, stored->mv_data, stored->mv_size, 1);
		return body->failed ? HEARTH_ENOMEM : 0;
	}
	wire_bytes(&one, stored->mv_data, stored->mv_size);
	if ((rc = audit_revision_extra(st, txn, e, &one)) == 0) {
		wire_bytes_field(body, 1, one.data, one.len, 1);
		rc = body->failed || one.failed ? HEARTH_ENOMEM : 0;
	}
	wire_free(&one);
	return rc;
}

/* Puts cur on the first entry of a page: the first key at or after key
 * (ascending), or the last key at or before it (newest first). Returns an
 * LMDB code. */
static int page_start(MDB_cursor *cur, MDB_val *k, MDB_val *v, int newest_first)
{
	MDB_val want = *k;
	int rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);

	if (!newest_first)
		return rc;
	if (rc == MDB_NOTFOUND)
		return mdb_cursor_get(cur, k, v, MDB_LAST);
	if (rc == 0 && (k->mv_size != want.mv_size || memcmp(k->mv_data, want.mv_data, want.mv_size) != 0))
		return mdb_cursor_get(cur, k, v, MDB_PREV);
	return rc;
}

/* Review queries: entries in seq order after after_seq (or, newest first,
 * below before_seq) that pass the filters, through the narrowest index
 * (one record, one branch, or all). The scan per request is bounded;
 * `next` lets the client continue. */
int audit_handle_query(conn *c, Hearth__Envelope *env)
{
	Hearth__AuditQuery *q = env->audit_query;
	store *st = api_of(c)->store;
	const char *own = authz_audit_branch(c);
	uint32_t limit = q->limit ? q->limit : 100;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_dbi dbi;
	MDB_val k, v;
	uint8_t key[80];
	size_t prefix = 0;
	uint64_t scanned = 0;
	/* The first seq a page may hold: after after_seq, or below before_seq
	 * (0: from the newest). */
	uint64_t from = q->newest_first ? (q->before_seq ? q->before_seq - 1 : UINT64_MAX) : q->after_seq + 1;
	uint64_t last = q->newest_first ? q->before_seq : q->after_seq;
	MDB_cursor_op step = q->newest_first ? MDB_PREV : MDB_NEXT;
	uint32_t n = 0;
	int more = 0, rc;
	wirebuf body = WIREBUF_INIT;

	if (limit > QUERY_PAGE_MAX)
		limit = QUERY_PAGE_MAX;
	if (q->record_id.len && q->record_id.len != 16) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "record_id", 0,
		                "record_id must be 16 bytes (got %zu)", q->record_id.len);
		return 0;
	}
	if ((rc = store_err(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) != 0)
		goto fail;
	if (q->record_id.len == 16) {
		dbi = st->audit_record;
		memcpy(key, q->record_id.data, 16);
		prefix = 16;
		be64_put(key + prefix, from);
	} else if (own || (q->branch_id && q->branch_id[0])) {
		const char *b = own ? own : q->branch_id;
		if (!store_branch_key(key, sizeof(key), b, from)) {
			mdb_txn_abort(txn);
			conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "branch_id", 0,
			                "branch_id is longer than %d bytes", STORE_BRANCH_MAX);
			return 0;
		}
		dbi = st->audit_branch;
		prefix = strlen(b) + 1;
	} else {
		dbi = st->audit;
		be64_put(key, from);
	}
	k.mv_size = prefix + 8;
	k.mv_data = key;
	if ((rc = store_err(mdb_cursor_open(txn, dbi, &cur))) != 0)
		goto fail;
	if (q->newest_first && q->before_seq == 1)
		goto reply; /* nothing lies below the first entry */
	for (rc = page_start(cur, &k, &v, q->newest_first); rc == 0; rc = mdb_cursor_get(cur, &k, &v, step)) {
		uint64_t seq;
		MDB_val ek, ev;
		uint8_t sk[8];
		Hearth__AuditEntry *e;

		if (k.mv_size != prefix + 8 || (prefix && memcmp(k.mv_data, key, prefix) != 0))
			break;
		if (n >= limit || scanned >= QUERY_SCAN_MAX) {
			more = 1;
			break;
		}
		seq = be64_get((const uint8_t *)k.mv_data + prefix);
		scanned++;
		if (dbi == st->audit) {
			ev = v;
		} else {
			be64_put(sk, seq);
			ek.mv_size = 8;
			ek.mv_data = sk;
			if (mdb_get(txn, st->audit, &ek, &ev) != 0)
				continue;
		}
		last = seq;
		e = hearth__audit_entry__unpack(NULL, ev.mv_size, ev.mv_data);
		if (!e)
			continue;
		if (matches(e, q, own)) {
			if ((rc = put_entry(st, txn, e, &ev, &body)) != 0) {
				hearth__audit_entry__free_unpacked(e, NULL);
				goto fail;
			}
			n++;
		}
		hearth__audit_entry__free_unpacked(e, NULL);
	}
reply:
	rc = 0;
	wire_uint_field(&body, 2, last);
	wire_uint_field(&body, 3, more);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	conn_send_body(c, env->request_id, HEARTH__ENVELOPE__BODY_AUDIT_PAGE, &body);
	wire_free(&body);
	return 0;
fail:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	wire_free(&body);
	conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "audit query failed: %s",
	                hearth_strerror(rc));
	return 0;
}

int audit_handle_checkpoints(conn *c, Hearth__Envelope *env)
{
	Hearth__CheckpointsRequest *req = env->checkpoints_request;
	store *st = api_of(c)->store;
	uint32_t limit = req->limit && req->limit < 1000 ? req->limit : 1000, n = 0;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint8_t key[8];
	wirebuf body = WIREBUF_INIT;
	int more = 0, rc;

	if (authz_checkpoints(c, env->request_id) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if ((rc = store_err(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) != 0)
		goto fail;
	if ((rc = store_err(mdb_cursor_open(txn, st->checkpoints, &cur))) != 0)
		goto fail;
	be64_put(key, req->after_size + 1);
	k.mv_size = 8;
	k.mv_data = key;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (n >= limit) {
			more = 1;
			break;
		}
		wire_bytes_field(&body, 1, v.mv_data, v.mv_size, 1);
		n++;
	}
	wire_uint_field(&body, 2, more);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	conn_send_body(c, env->request_id, HEARTH__ENVELOPE__BODY_CHECKPOINTS_PAGE, &body);
	wire_free(&body);
	return 0;
fail:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	wire_free(&body);
	conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "checkpoints failed: %s",
	                hearth_strerror(rc));
	return 0;
}

/* A branch reports events only about its own branch's records; one about
 * another branch's record gets the answer for a missing one (push.c gives
 * the same), so a note cannot probe which ids exist elsewhere. Admins and
 * auditors see every branch and may name any record. A 党总支 (general
 * branch) certificate is a branch certificate: its own records only, as
 * for pulls. Returns 1 when the note may be stored, 0 when c was answered. */
static int note_in_scope(conn *c, const Hearth__Envelope *env)
{
	const Hearth__AuditNote *note = env->audit_note;
	store *st = api_of(c)->store;
	MDB_txn *txn = NULL;
	int rc;

	store_scope sc;

	if (c->id.role != HEARTH__ROLE__ROLE_BRANCH && c->id.role != HEARTH__ROLE__ROLE_GENERAL)
		return 1;
	/* The records a note may name: those the sender reads. */
	if (authz_read_scope(c, env->request_id, NULL, &sc) != AUTHZ_ALLOW)
		return 0;
	if ((rc = store_err(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) != 0)
		goto fail;
	for (size_t i = 0; i < note->n_events; i++) {
		const Hearth__ClientEvent *ev = note->events[i];
		MDB_val k = { 16, ev->record_id.data }, v;
		Hearth__Record *r;
		int ours;

		if (ev->record_id.len != 16)
			continue;
		rc = mdb_get(txn, st->records, &k, &v);
		if (rc != 0 && rc != MDB_NOTFOUND) {
			rc = store_err(rc);
			goto fail;
		}
		r = rc == 0 ? hearth__record__unpack(NULL, v.mv_size, v.mv_data) : NULL;
		ours = r && store_scope_has(&sc, r->branch_id);
		if (r)
			hearth__record__free_unpacked(r, NULL);
		if (!ours) {
			char t[UUID_TEXT_LEN + 1], field[40];
			mdb_txn_abort(txn);
			uuid_format(ev->record_id.data, t);
			snprintf(field, sizeof(field), "events[%zu].record_id", i);
			conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_NOT_FOUND, field, 0,
			                "event %zu: record %s does not exist", i, t);
			return 0;
		}
	}
	mdb_txn_abort(txn);
	return 1;
fail:
	if (txn)
		mdb_txn_abort(txn);
	conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
	                "cannot check the events' records: %s", hearth_strerror(rc));
	return 0;
}

/* A note is checked whole before anything is queued: clean one-line text
 * within its limits (common/client_event.h), records in the sender's
 * scope. */
int audit_handle_note(conn *c, Hearth__Envelope *env)
{
	Hearth__AuditNote *note = env->audit_note;
	api *a = api_of(c);
	record_error err;
	api_job *aj;

	/* A note waits for the writer like a push: pipelined notes count. */
	if (c->inflight >= a->max_inflight) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_BUSY, "requests", 0,
		                "more than %u requests in flight on this connection; wait for answers",
		                a->max_inflight);
		return 0;
	}
	if (client_note_validate(note, &err) != 0) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, err.field, 0, "%s",
		                err.message);
		return 0;
	}
	if (!note_in_scope(c, env))
		return 0;
	if ((aj = jobs_from_conn(c, env, run_note, jobs_answer_done)) == NULL)
		return 0;
	aj->answer = HEARTH__ENVELOPE__BODY_AUDIT_NOTE_ACK;
	aj->keep = event_budget_take(a, &c->id, c->id.branch_id, c->peer, EVENT_BUDGET_NOTE,
	                             (uint32_t)note->n_events, aj->now_ms);
	aj->base.n_ops = aj->keep;
	jobs_submit(a, aj);
	return DISPATCH_KEPT;
}
