/* sync.c: push, pull and digest requests: authorization and limits on the
 * loop thread; pushes go to the writer thread, pulls and digests are short
 * read transactions answered at once. */
#include "server/api/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/loop/connection.h"
#include "server/loop/dispatch.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "server/api/context.h"
#include "server/api/authz.h"
#include "server/api/jobs.h"
#include "server/api/session.h"
#include "common/log.h"
#include "server/loop/listener.h"
#include "server/db/checkpoint.h"
#include "server/db/feeds.h"
#include "server/db/pull.h"
#include "server/db/push.h"
#include "server/db/retention.h"
#include "server/db/store.h"
#include "common/wire.h"
#include "server/api/audit.h"

/* Writer thread: every op of the push, in order, in the group's
 * transaction; the PushResponse body collects in the job's reply. */
static int run_push(store *s, MDB_txn *txn, job *base)
{
	api_job *j = (api_job *)base;
	Hearth__PushRequest *req = j->env->push;
	int rc = 0;

	for (size_t k = 0; rc == 0 && k < req->n_ops; k++)
		rc = push_op(s, txn, &j->who, req->ops[k], j->checks ? &j->checks[k] : NULL, j->now_ms,
		             &base->reply);
	return rc;
}

/* PushResponse.checkpoint's field number (proto/hearth.proto). */
#define PUSH_RESPONSE_CHECKPOINT 2

/* Loop thread: the push answer carries the commit's signed checkpoint
 * (PushResponse.checkpoint, after the results), the receipt the client
 * pins so it can tell a server restored from an older copy. */
static void push_done(job *base)
{
	uint8_t *cp;
	size_t len;

	if (base->rc == 0 && base->checkpoint.valid && checkpoint_pack(&base->checkpoint, &cp, &len) == 0) {
		wire_bytes_field(&base->reply, PUSH_RESPONSE_CHECKPOINT, cp, len, 1);
		free(cp);
	}
	jobs_answer_done(base);
}

/* The over-count refusal, shared by the pre-check and the unpacked path. */
static void refuse_op_count(conn *c, uint64_t request_id, size_t n_ops)
{
	conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_TOO_LARGE, "ops", 0,
	                "push of %zu ops exceeds the limit of %u ops per push; send smaller batches",
	                n_ops, api_of(c)->max_ops_per_push);
}

/* Counts a push's ops on the wire: 2 M empty ops fit in one 4 MiB frame
 * and unpacking them peaked at 316 MB (issue 12 item 10).  Only for
 * authenticated connections: before Hello, dispatch gives its own answer. */
int sync_precheck_frame(conn *c, const uint8_t *frame, size_t len)
{
	envelope_scan_result scan;

	if (c->state != CONN_READY || envelope_scan(frame, len, &scan) != 0)
		return 0;
	/* A recovery carries up to one audit entry per record: twice the cap. */
	if (scan.body == HEARTH__ENVELOPE__BODY_RECOVER && scan.recover_items > 2 * (size_t)api_of(c)->max_ops_per_push) {
		if (authz_push(c, scan.request_id) == AUTHZ_ALLOW)
			conn_send_error(c, scan.request_id, HEARTH__ERROR_CODE__ERR_TOO_LARGE, "records", 0,
			                _("recovery of %zu records and audit entries exceeds the limit of %u "
			                  "records per request (and one entry per record); send smaller batches"),
			                scan.recover_items, api_of(c)->max_ops_per_push);
		return 1;
	}
	if (scan.body != HEARTH__ENVELOPE__BODY_PUSH || scan.push_ops <= api_of(c)->max_ops_per_push)
		return 0;
	if (authz_push(c, scan.request_id) == AUTHZ_ALLOW)
		refuse_op_count(c, scan.request_id, scan.push_ops);
	return 1;
}

int sync_handle_push(conn *c, Hearth__Envelope *env)
{
	api *a = api_of(c);
	Hearth__PushRequest *req = env->push;
	api_job *aj;
	actor scoped;

	if (authz_push(c, env->request_id) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if (req->n_ops > a->max_ops_per_push) {
		refuse_op_count(c, env->request_id, req->n_ops);
		return 0;
	}
	if (c->inflight >= a->max_inflight) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_BUSY, "requests", 0,
		                "more than %u requests in flight on this connection; wait for answers",
		                a->max_inflight);
		return 0;
	}
	if (authz_push_scope(c, env->request_id, &scoped) != AUTHZ_ALLOW)
		return 0;
	if ((aj = jobs_from_conn(c, env, run_push, push_done)) == NULL)
		return 0;
	/* The bodies are checked here, beside the writer rather than in it
	 * (push_body_precheck); without memory for that, the writer checks. */
	if (req->n_ops && (aj->checks = calloc(req->n_ops, sizeof(*aj->checks))) != NULL)
		for (size_t k = 0; k < req->n_ops; k++)
			push_body_precheck(req->ops[k], &aj->checks[k]);
	aj->who.subtree = scoped.subtree;
	aj->who.subtree_edits = scoped.subtree_edits;
	aj->base.wants_checkpoint = 1;
	/* Only a push stamps records, so only its actor carries the replica. */
	aj->base.n_ops = (uint32_t)req->n_ops;
	aj->answer = HEARTH__ENVELOPE__BODY_PUSH_RESULT;
	memcpy(aj->who.replica, session_of(c)->replica_id, 16);
	aj->who.has_replica = session_of(c)->has_replica_id;
	jobs_submit(a, aj);
	return DISPATCH_KEPT;
}

int sync_handle_pull(conn *c, Hearth__Envelope *env)
{
	Hearth__PullRequest *req = env->pull;
	store_scope sc;
	wirebuf body = WIREBUF_INIT;
	uint32_t limit = req->limit ? req->limit : 1000, n = 0;
	int rc;

	if (authz_read_scope(c, env->request_id, req->branch_id, &sc) != AUTHZ_ALLOW)
		return 0;
	if (limit > api_of(c)->max_pull_limit)
		limit = api_of(c)->max_pull_limit;
	/* A cursor means something only for the subtree it was read from: when
	 * a branch moved into or out of a general branch's subtree, the
	 * replica re-pulls from zero (it drops what left, gets what came). */
	if (sc.tag[0] && req->cursor && req->scope_tag && strcmp(req->scope_tag, sc.tag) != 0) {
		store *st = api_of(c)->store;
		MDB_txn *txn = NULL;
		rc = store_err(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn));
		if (rc == 0) {
			rc = retention_reset_body(st, txn, &body);
			mdb_txn_abort(txn);
		}
		if (rc == 0) {
			conn_send_body(c, env->request_id, HEARTH__ENVELOPE__BODY_PULL_RESULT, &body);
			wire_free(&body);
			return 0;
		}
		wire_free(&body);
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "pull failed: %s",
		                hearth_strerror(rc));
		return 0;
	}
	/* Keep the page well inside one frame. */
	rc = pull_page(api_of(c)->store, &sc, req->cursor, limit, c->srv->cfg.max_frame / 2, &body, &n,
	                &session_of(c)->pull_fresh);
	if (rc != 0) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
		                "pull failed: %s", hearth_strerror(rc));
		wire_free(&body);
		return 0;
	}
	conn_send_body(c, env->request_id, HEARTH__ENVELOPE__BODY_PULL_RESULT, &body);
	wire_free(&body);
	return 0;
}

int sync_handle_digest(conn *c, Hearth__Envelope *env)
{
	store_scope sc;
	wirebuf body = WIREBUF_INIT;
	int rc;

	if (authz_read_scope(c, env->request_id, env->digest->branch_id, &sc) != AUTHZ_ALLOW)
		return 0;
	rc = feeds_digest(api_of(c)->store, &sc, &body);
	if (rc != 0) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
		                "digest failed: %s", hearth_strerror(rc));
		wire_free(&body);
		return 0;
	}
	conn_send_body(c, env->request_id, HEARTH__ENVELOPE__BODY_DIGEST_RESULT, &body);
	wire_free(&body);
	return 0;
}
