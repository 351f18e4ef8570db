/* recovery.c: RecoverRequest: authorization and limits on the loop thread,
 * the re-pushed records in the writer's transaction (issue 13 item 10). */
#include "server/api/recovery.h"

#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/i18n.h"
#include "common/wire.h"
#include "server/api/authz.h"
#include "server/api/context.h"
#include "server/api/jobs.h"
#include "server/api/session.h"
#include "server/db/checkpoint.h"
#include "server/db/recovery.h"
#include "server/loop/connection.h"
#include "server/loop/dispatch.h"

/* RecoverResponse.checkpoint's field number (proto/hearth.proto). */
#define RECOVER_RESPONSE_CHECKPOINT 2

/* The witnessed audit entry the request carries for rec (same record id
 * and revision), or NULL. */
static const Hearth__AuditEntry *witnessed(const Hearth__RecoverRequest *req, const Hearth__Record *rec)
{
	for (size_t i = 0; i < req->n_witnessed; i++) {
		const Hearth__AuditEntry *e = req->witnessed[i];
		if (e->record_id.len == 16 && rec->id.len == 16 && !memcmp(e->record_id.data, rec->id.data, 16) &&
		    e->rev_after == rec->rev)
			return e;
	}
	return NULL;
}

/* Writer thread: every record in order, in the group's transaction. */
static int run_recover(store *s, MDB_txn *txn, job *base)
{
	api_job *j = (api_job *)base;
	Hearth__RecoverRequest *req = j->env->recover;
	int rc = 0;

	for (size_t k = 0; rc == 0 && k < req->n_records; k++)
		rc = recovery_apply(s, txn, &(recovery_args){ .who = &j->who, .claimed = req->records[k],
		                                               .witnessed = witnessed(req, req->records[k]),
		                                               .now = j->now_ms }, &base->reply);
	return rc;
}

/* Loop thread: the answer carries the commit's signed checkpoint, which
 * the replica pins as it pins a push receipt. */
static void recover_done(job *base)
{
	uint8_t *cp;
	size_t len;

	if (base->rc == 0 && base->checkpoint.valid && checkpoint_pack(&base->checkpoint, &cp, &len) == 0) {
		wire_bytes_field(&base->reply, RECOVER_RESPONSE_CHECKPOINT, cp, len, 1);
		free(cp);
	}
	jobs_answer_done(base);
}

int recovery_handle_recover(conn *c, Hearth__Envelope *env)
{
	api *a = api_of(c);
	Hearth__RecoverRequest *req = env->recover;
	api_job *aj;

	if (authz_push(c, env->request_id) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if (req->n_records > a->max_ops_per_push || req->n_witnessed > req->n_records) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_TOO_LARGE, "records", 0,
		                _("recovery of %zu records with %zu audit entries exceeds the limit of %u "
		                  "records per request (and one entry per record); send smaller batches"),
		                req->n_records, req->n_witnessed, a->max_ops_per_push);
		return 0;
	}
	if (c->inflight >= a->max_inflight) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_BUSY, "requests", 0,
		                _("more than %u requests in flight on this connection; wait for answers"),
		                a->max_inflight);
		return 0;
	}
	if ((aj = jobs_from_conn(c, env, run_recover, recover_done)) == NULL)
		return 0;
	aj->base.wants_checkpoint = 1;
	aj->base.n_ops = (uint32_t)req->n_records;
	aj->answer = HEARTH__ENVELOPE__BODY_RECOVER_RESULT;
	/* The audit entry names the replica that re-pushed each record. */
	memcpy(aj->who.replica, session_of(c)->replica_id, 16);
	aj->who.has_replica = session_of(c)->has_replica_id;
	jobs_submit(a, aj);
	return DISPATCH_KEPT;
}
