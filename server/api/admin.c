/* admin.c: the admin console requests: branches, principals, revocation
 * and server status (storage in db/principals.c). */
#include "server/api/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/api/audit.h"
#include "server/db/principals.h"
#include "server/loop/connection.h"
#include "server/loop/dispatch.h"
#include "common/hearth.h"
#include "server/api/context.h"
#include "server/api/authz.h"
#include "server/api/jobs.h"
#include "common/log.h"
#include "server/loop/listener.h"
#include "common/utf8.h"
#include "common/wire.h"

static void admin_job_done(job *base);

/* Writer thread: the admin write the request asks for. On a refusal
 * (exists, not found, bad id) aj->err_code/err_msg say why and nothing is
 * written. */
static int admin_job_run(store *s, MDB_txn *txn, job *base)
{
	api_job *aj = (api_job *)base;
	principals_write w = { .who = &aj->who, .peer = aj->peer, .now = aj->now_ms };
	principals_result res;
	int rc;

	memset(&res, 0, sizeof(res));
	switch (aj->env->body_case) {
	case HEARTH__ENVELOPE__BODY_BRANCH_PUT:
		rc = principals_put_branch(s, txn, &w, aj->env->branch_put, &res);
		break;
	case HEARTH__ENVELOPE__BODY_REVOKE:
		rc = principals_revoke(s, txn, &w, aj->env->revoke, &res);
		break;
	default:
		aj->err_code = HEARTH__ERROR_CODE__ERR_PROTOCOL;
		snprintf(aj->err_msg, sizeof(aj->err_msg), "not an admin write");
		return 0;
	}
	/* A retried batch runs the job again: the last run's answer counts. */
	free(aj->blob);
	aj->blob = res.packed;
	aj->blob_len = res.packed_len;
	aj->err_code = res.refused;
	snprintf(aj->err_msg, sizeof(aj->err_msg), "%s", res.why);
	return rc;
}

static int submit(conn *c, Hearth__Envelope *env)
{
	api_job *aj = jobs_from_conn(c, env, admin_job_run, admin_job_done);
	if (!aj)
		return 0;
	jobs_submit(api_of(c), aj);
	return DISPATCH_KEPT;
}

/* --------------------------------------------------------- loop side */

/* Answers an admin write; for a revocation closes the certificate's live
 * connections first. */
static void answer_admin(api_job *aj)
{
	conn *c = aj->conn;
	uint64_t id = aj->env->request_id;
	wirebuf body = WIREBUF_INIT;

	if (c->state == CONN_CLOSING)
		return;
	if (aj->err_code) {
		conn_send_error(c, id, (Hearth__ErrorCode)aj->err_code, "", 0, "%s", aj->err_msg);
		return;
	}
	if (aj->base.rc != 0 || !aj->blob) {
		conn_send_error(c, id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "the server could not store this change");
		return;
	}
	if (aj->env->body_case == HEARTH__ENVELOPE__BODY_BRANCH_PUT) {
		wire_bytes_field(&body, 1, aj->blob, aj->blob_len, 1);
		conn_send_body(c, id, HEARTH__ENVELOPE__BODY_BRANCH_PUT_RESULT, &body);
	} else {
		/* Revocation takes effect at once: drop the certificate's live
		 * connections (never the admin's own) before answering. */
		uint32_t closed = 0;
		const char *fp = aj->env->revoke->fingerprint;
		for (conn *o = c->srv->conns, *next; o; o = next) {
			next = o->next;
			if (o != c && o->state != CONN_CLOSING && !strcmp(o->id.fingerprint, fp)) {
				conn_send_error(o, 0, HEARTH__ERROR_CODE__ERR_UNAUTHENTICATED, "certificate", 1,
				                "this certificate was revoked just now: %s", aj->env->revoke->reason);
				closed++;
			}
		}
		wire_bytes_field(&body, 1, aj->blob, aj->blob_len, 1);
		wire_uint_field(&body, 2, closed);
		conn_send_body(c, id, HEARTH__ENVELOPE__BODY_REVOKE_RESULT, &body);
	}
	wire_free(&body);
}

static void admin_job_done(job *base)
{
	api_job *aj = (api_job *)base;

	if (base->rc != 0)
		log_event(LOG_ERROR, "push_failed", "error", hearth_strerror(base->rc), NULL);
	answer_admin(aj);
	jobs_release(aj);
}

int admin_handle_branch_put(conn *c, Hearth__Envelope *env)
{
	if (authz_console(c, env, AUTHZ_WRITE) != AUTHZ_ALLOW)
		return 0;
	if (!env->branch_put->branch) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "branch", 0, "branch_put carries no branch");
		return 0;
	}
	return submit(c, env);
}

int admin_handle_revoke(conn *c, Hearth__Envelope *env)
{
	if (authz_console(c, env, AUTHZ_WRITE) != AUTHZ_ALLOW)
		return 0;
	return submit(c, env);
}

/* A branch as the directory shows it: id, name and parent, without the
 * secretary's name, which is the console's. */
static void directory_entry(wirebuf *body, const void *data, size_t size)
{
	Hearth__Branch *b = hearth__branch__unpack(NULL, size, data);
	Hearth__Branch out = HEARTH__BRANCH__INIT;
	uint8_t *buf;
	size_t len;

	if (!b)
		return;
	out.id = b->id;
	out.name = b->name;
	out.parent = b->parent;
	len = hearth__branch__get_packed_size(&out);
	if ((buf = malloc(len ? len : 1)) != NULL) {
		hearth__branch__pack(&out, buf);
		wire_bytes_field(body, 1, buf, len, 1);
		free(buf);
	} else {
		body->failed = 1;
	}
	hearth__branch__free_unpacked(b, NULL);
}

/* Lists every value of a small database (branches, principals), each as
 * stored or as shape() writes it. */
static int list_db(conn *c, Hearth__Envelope *env, MDB_dbi dbi, uint32_t number,
                   void (*shape)(wirebuf *body, const void *data, size_t size))
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	wirebuf body = WIREBUF_INIT;
	int rc;

	if ((rc = store_err(mdb_txn_begin(api_of(c)->store->env, NULL, MDB_RDONLY, &txn))) == 0 &&
	    (rc = store_err(mdb_cursor_open(txn, dbi, &cur))) == 0) {
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (shape)
				shape(&body, v.mv_data, v.mv_size);
			else
				wire_bytes_field(&body, 1, v.mv_data, v.mv_size, 1);
		}
		rc = rc == MDB_NOTFOUND ? 0 : store_err(rc);
		if (rc == 0 && body.failed)
			rc = HEARTH_ENOMEM;
	}
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	if (rc)
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "cannot list: %s",
		                hearth_strerror(rc));
	else
		conn_send_body(c, env->request_id, number, &body);
	wire_free(&body);
	return 0;
}

int admin_handle_branch_list(conn *c, Hearth__Envelope *env)
{
	if (authz_branch_directory(c, env->branch_list_request) == AUTHZ_DIRECTORY)
		return list_db(c, env, api_of(c)->store->branches, HEARTH__ENVELOPE__BODY_BRANCH_LIST, directory_entry);
	if (authz_console(c, env, AUTHZ_READ) != AUTHZ_ALLOW)
		return 0;
	return list_db(c, env, api_of(c)->store->branches, HEARTH__ENVELOPE__BODY_BRANCH_LIST, NULL);
}

int admin_handle_principals(conn *c, Hearth__Envelope *env)
{
	if (authz_console(c, env, AUTHZ_READ) != AUTHZ_ALLOW)
		return 0;
	return list_db(c, env, api_of(c)->store->principals, HEARTH__ENVELOPE__BODY_PRINCIPALS_LIST, NULL);
}

int admin_handle_status(conn *c, Hearth__Envelope *env)
{
	server *srv = c->srv;
	api *a = api_of(c);
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__ServerStatus st = HEARTH__SERVER_STATUS__INIT;
	Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;
	MDB_txn *txn;
	MDB_stat ms;

	if (authz_console(c, env, AUTHZ_READ) != AUTHZ_ALLOW)
		return 0;
	st.version = HEARTH_VERSION;
	st.started_at = (int64_t)srv->started_ms;
	st.uptime_ms = server_now_ms() - (int64_t)srv->started_ms;
	st.connections = srv->nconns;
	store_usage(a->store, &st.store_bytes, &st.map_bytes);
	{
		job_stats ws;
		a->jobs->stats(a->jobs->impl, &ws);
		st.last_commit_at = ws.last_commit_ms;
		st.commits = ws.commits;
		st.ops = ws.ops;
	}
	if (audit_current_checkpoint(a, &cp) == 0)
		st.audit_head = &cp;
	if (mdb_txn_begin(a->store->env, NULL, MDB_RDONLY, &txn) == 0) {
		if (mdb_stat(txn, a->store->records, &ms) == 0)
			st.records = ms.ms_entries;
		mdb_txn_abort(txn);
	}
	st.data_dir = a->data_dir;
	st.group_commit = a->group_commit;
	out.request_id = env->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_SERVER_STATUS;
	out.server_status = &st;
	conn_send(c, &out);
	return 0;
}
