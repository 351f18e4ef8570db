/* conflict_queue.c: answers ConflictQueueRequest from the index of open
 * conflicts; a revealed page goes through the writer so that its reveal
 * is audited before a clear value leaves. */
#include "server/api/conflict_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/wire.h"
#include "server/api/authz.h"
#include "server/api/context.h"
#include "server/api/jobs.h"
#include "server/db/audit_log.h"
#include "server/db/conflict_queue.h"
#include "server/loop/connection.h"
#include "server/loop/dispatch.h"

/* What the writer needs besides the request: the scope authz gave. */
typedef struct reveal_args {
	store_scope scope;
} reveal_args;

/* The page as a packed ConflictQueue appended to body. Returns 0 or
 * HEARTH_ENOMEM. */
static int pack_page(const conflict_queue_page *p, wirebuf *body)
{
	Hearth__ConflictQueue q = HEARTH__CONFLICT_QUEUE__INIT;
	uint8_t *buf;
	size_t len;

	q.conflicts = p->conflicts;
	q.n_conflicts = p->n;
	if (p->has_next) {
		q.next.data = (uint8_t *)p->next;
		q.next.len = CONFLICT_QUEUE_CURSOR;
	}
	q.open_total = p->open_total;
	q.masked = p->masked;
	len = hearth__conflict_queue__get_packed_size(&q);
	if (!(buf = malloc(len ? len : 1)))
		return HEARTH_ENOMEM;
	hearth__conflict_queue__pack(&q, buf);
	wire_bytes(body, buf, len);
	free(buf);
	return 0;
}

static conflict_queue_args page_args(const Hearth__ConflictQueueRequest *rq, const store_scope *sc)
{
	return (conflict_queue_args){ .scope = sc, .after = rq->after.len ? rq->after.data : NULL,
		                      .limit = rq->limit ? rq->limit : CONFLICT_QUEUE_LIMIT, .reveal = rq->reveal };
}

/* Writer thread: reads the page in the write transaction and appends one
 * reveal entry per conflict that shows a sensitive value, as a client's
 * `--reveal` note would (audit_client_event), then packs the answer. */
static int run_reveal(store *s, MDB_txn *txn, job *base)
{
	api_job *j = (api_job *)base;
	const Hearth__ConflictQueueRequest *rq = j->env->conflict_queue_request;
	const reveal_args *ra = (const reveal_args *)j->blob;
	conflict_queue_args qa = page_args(rq, &ra->scope);
	conflict_queue_page p;
	int rc = conflict_queue_read(s, txn, &qa, &p);

	for (size_t i = 0; rc == 0 && i < p.n; i++) {
		Hearth__ClientEvent ev = HEARTH__CLIENT_EVENT__INIT;
		const char *names[64];
		const Hearth__Conflict *c = p.conflicts[i];
		size_t n = conflict_queue_revealed_fields(c, names, HEARTH_ARRAY_LEN(names));

		if (n == 0)
			continue;
		ev.action = "reveal";
		ev.record_id = c->record_id;
		ev.kind = c->kind;
		ev.fields = (char **)names;
		ev.n_fields = n;
		ev.time = j->now_ms;
		ev.detail = "conflict queue --reveal (answered by the server)";
		ev.branch_id = c->branch_id;
		rc = audit_client_event(s, txn, &j->who, &ev, j->peer);
	}
	if (rc == 0)
		rc = pack_page(&p, &base->reply);
	conflict_queue_page_free(&p);
	return rc;
}

int conflict_queue_handle_request(conn *c, Hearth__Envelope *env)
{
	const Hearth__ConflictQueueRequest *rq = env->conflict_queue_request;
	api *a = api_of(c);
	store_scope sc;
	conflict_queue_args qa;
	conflict_queue_page p;
	wirebuf body = WIREBUF_INIT;
	MDB_txn *txn;
	int rc;

	if (authz_conflict_queue(c, env->request_id, rq->branch, &sc) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if (rq->limit > CONFLICT_QUEUE_LIMIT) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "limit", 0,
		                "limit %u is above %d, the most conflicts one answer holds; ask again from next",
		                rq->limit, CONFLICT_QUEUE_LIMIT);
		return DISPATCH_DONE;
	}
	if (rq->after.len != 0 && rq->after.len != CONFLICT_QUEUE_CURSOR) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "after", 0,
		                "after must be empty or the %d-byte next of a previous answer, not %zu bytes",
		                CONFLICT_QUEUE_CURSOR, rq->after.len);
		return DISPATCH_DONE;
	}
	if (rq->reveal) {
		reveal_args *ra = malloc(sizeof(*ra));
		api_job *aj;

		if (!ra) {
			conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, NULL, 0, "out of memory");
			return DISPATCH_DONE;
		}
		if (!(aj = jobs_from_conn(c, env, run_reveal, jobs_answer_done))) {
			free(ra);
			return DISPATCH_DONE;
		}
		ra->scope = sc;
		aj->blob = (uint8_t *)ra;
		aj->blob_len = sizeof(*ra);
		aj->answer = HEARTH__ENVELOPE__BODY_CONFLICT_QUEUE;
		jobs_submit(a, aj);
		return DISPATCH_KEPT;
	}
	qa = page_args(rq, &sc);
	if ((rc = store_err(mdb_txn_begin(a->store->env, NULL, MDB_RDONLY, &txn))) == 0) {
		rc = conflict_queue_read(a->store, txn, &qa, &p);
		mdb_txn_abort(txn);
	}
	if (rc == 0) {
		rc = pack_page(&p, &body);
		conflict_queue_page_free(&p);
	}
	if (rc != 0)
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, NULL, 0,
		                "cannot read the conflict queue: %s", hearth_strerror(rc));
	else
		conn_send_body(c, env->request_id, HEARTH__ENVELOPE__BODY_CONFLICT_QUEUE, &body);
	wire_free(&body);
	return DISPATCH_DONE;
}
