/* admin.c: branches, principals, revocation and server status. */
#include "server/api/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/api/audit.h"
#include "server/db/audit_log.h"
#include "server/loop/connection.h"
#include "common/hearth.h"
#include "server/api/jobs.h"
#include "common/log.h"
#include "server/loop/listener.h"
#include "common/utf8.h"
#include "common/wire.h"
#include "server/writer.h"

/* ------------------------------------------------------------ helpers */

static int valid_branch_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > STORE_BRANCH_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = id[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		      ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

int admin_branch_exists(store *s, MDB_txn *txn, const char *branch)
{
	MDB_val k = { strlen(branch), (void *)branch }, v;
	return k.mv_size > 0 && mdb_get(txn, s->branches, &k, &v) == 0;
}

static int put_message(MDB_txn *txn, MDB_dbi dbi, const char *key, const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(len ? len : 1);
	MDB_val k = { strlen(key), (void *)key }, v;
	int rc;

	if (!buf)
		return HEARTH_ENOMEM;
	protobuf_c_message_pack(m, buf);
	v.mv_size = len;
	v.mv_data = buf;
	rc = store_err(mdb_put(txn, dbi, &k, &v, 0));
	free(buf);
	return rc;
}

/* Is the caller allowed? Admin for writes; admin or auditor for reads. A
 * branch certificate is refused and the refusal audited. */
static int allowed(conn *c, Hearth__Envelope *env, int write)
{
	if (c->id.role == HEARTH__ROLE__ROLE_ADMIN)
		return 1;
	if (!write && c->id.role == HEARTH__ROLE__ROLE_AUDITOR)
		return 1;
	conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "role", 0, "%s",
	                c->id.role == HEARTH__ROLE__ROLE_AUDITOR
	                        ? "auditors may read the console but not change it"
	                        : "admin requests need an admin certificate");
	{
		char detail[120];
		snprintf(detail, sizeof(detail), "admin request %s refused", envelope_body_name(env));
		audit_submit_event(c->srv, &c->id, "denied", c->id.branch_id, detail, c->peer);
	}
	return 0;
}

static int submit(conn *c, Hearth__Envelope *env)
{
	push_job *job = jobs_from_conn(c, JOB_ADMIN, env);
	if (!job)
		return 0;
	writer_submit(c->srv->writer, job);
	return 1;
}

/* ------------------------------------------------------- writer side */

static int branch_put(store *s, MDB_txn *txn, push_job *job)
{
	Hearth__BranchPut *bp = job->env->branch_put;
	Hearth__Branch *in = bp->branch;
	Hearth__Branch out = HEARTH__BRANCH__INIT;
	Hearth__Branch *old = NULL;
	MDB_val k, v;
	char detail[400];
	int exists, rc;

	if (!in || !valid_branch_id(in->id)) {
		job->err_code = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(job->err_msg, sizeof(job->err_msg),
		         "branch id \"%s\" must be 1-63 characters of A-Z a-z 0-9 . _ -", in ? in->id : "");
		return 0;
	}
	if ((in->name && (strlen(in->name) > 200 || !utf8_valid(in->name, strlen(in->name)))) ||
	    (in->secretary && (strlen(in->secretary) > 100 || !utf8_valid(in->secretary, strlen(in->secretary))))) {
		job->err_code = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(job->err_msg, sizeof(job->err_msg), "branch name or secretary is not valid UTF-8 text of a sensible length");
		return 0;
	}
	if (in->parent && in->parent[0] && (!strcmp(in->parent, in->id) || !admin_branch_exists(s, txn, in->parent))) {
		job->err_code = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(job->err_msg, sizeof(job->err_msg), "parent branch %s does not exist", in->parent);
		return 0;
	}
	k.mv_size = strlen(in->id);
	k.mv_data = in->id;
	rc = mdb_get(txn, s->branches, &k, &v);
	exists = rc == 0;
	if (rc && rc != MDB_NOTFOUND)
		return store_err(rc);
	if (bp->create && exists) {
		job->err_code = HEARTH__ERROR_CODE__ERR_CONFLICT;
		snprintf(job->err_msg, sizeof(job->err_msg), "branch %s already exists; use rename to change it", in->id);
		return 0;
	}
	if (!bp->create && !exists) {
		job->err_code = HEARTH__ERROR_CODE__ERR_NOT_FOUND;
		snprintf(job->err_msg, sizeof(job->err_msg), "branch %s does not exist; add it first", in->id);
		return 0;
	}
	if (exists)
		old = hearth__branch__unpack(NULL, v.mv_size, v.mv_data);
	if (bp->create && (!in->name || !in->name[0])) {
		job->err_code = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(job->err_msg, sizeof(job->err_msg), "a new branch needs a name");
		return 0;
	}
	out.id = in->id;
	out.name = in->name && in->name[0] ? in->name : old ? old->name : "";
	out.parent = in->parent && in->parent[0] ? in->parent : old ? old->parent : "";
	out.secretary = in->secretary && in->secretary[0] ? in->secretary : old ? old->secretary : "";
	out.created_at = old ? old->created_at : job->now_ms;
	out.updated_at = job->now_ms;
	rc = put_message(txn, s->branches, in->id, &out.base);
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "%s%s%s name=%s parent=%s secretary=%s", bp->create ? "added" : "changed",
		         old ? " from name=" : "", old ? old->name : "", out.name, out.parent, out.secretary);
		rc = store_audit_event(s, txn, &job->who, bp->create ? "branch.add" : "branch.update", in->id, detail,
		                       job->peer);
	}
	if (rc == 0) {
		job->blob_len = hearth__branch__get_packed_size(&out);
		job->blob = malloc(job->blob_len ? job->blob_len : 1);
		if (!job->blob)
			rc = HEARTH_ENOMEM;
		else
			hearth__branch__pack(&out, job->blob);
	}
	if (old)
		hearth__branch__free_unpacked(old, NULL);
	return rc;
}

static int revoke(store *s, MDB_txn *txn, push_job *job)
{
	Hearth__RevokeRequest *rq = job->env->revoke;
	Hearth__PrincipalInfo *pi = NULL, fresh = HEARTH__PRINCIPAL_INFO__INIT;
	MDB_val k, v;
	char detail[400];
	int rc;
	size_t n = strlen(rq->fingerprint);

	if (n != 64 || strspn(rq->fingerprint, "0123456789abcdef") != 64) {
		job->err_code = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(job->err_msg, sizeof(job->err_msg),
		         "fingerprint must be 64 lower-case hex digits, as 'hearth whoami' prints it");
		return 0;
	}
	if (!rq->reason || !rq->reason[0] || strlen(rq->reason) > 300 || !utf8_valid(rq->reason, strlen(rq->reason))) {
		job->err_code = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(job->err_msg, sizeof(job->err_msg), "a revocation needs a reason (at most 300 bytes of text)");
		return 0;
	}
	k.mv_size = 64;
	k.mv_data = rq->fingerprint;
	rc = mdb_get(txn, s->principals, &k, &v);
	if (rc == 0)
		pi = hearth__principal_info__unpack(NULL, v.mv_size, v.mv_data);
	else if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if (pi && pi->revoked) {
		job->err_code = HEARTH__ERROR_CODE__ERR_CONFLICT;
		snprintf(job->err_msg, sizeof(job->err_msg), "certificate %.16s… was already revoked", rq->fingerprint);
		hearth__principal_info__free_unpacked(pi, NULL);
		return 0;
	}
	/* A certificate may be revoked before it ever connected. */
	fresh.fingerprint = rq->fingerprint;
	if (pi) {
		fresh.name = pi->name;
		fresh.role = pi->role;
		fresh.branch_id = pi->branch_id;
		fresh.first_seen = pi->first_seen;
		fresh.last_seen = pi->last_seen;
		fresh.logins = pi->logins;
	}
	fresh.revoked = 1;
	fresh.revoked_reason = rq->reason;
	fresh.revoked_at = job->now_ms;
	fresh.revoked_by = job->who.name;
	rc = put_message(txn, s->principals, rq->fingerprint, &fresh.base);
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "revoked %s (%s, branch %s): %s", rq->fingerprint,
		         fresh.name ? fresh.name : "never connected", fresh.branch_id ? fresh.branch_id : "", rq->reason);
		rc = store_audit_event(s, txn, &job->who, "revoke", fresh.branch_id ? fresh.branch_id : "", detail, job->peer);
	}
	if (rc == 0) {
		job->blob_len = hearth__principal_info__get_packed_size(&fresh);
		job->blob = malloc(job->blob_len ? job->blob_len : 1);
		if (!job->blob)
			rc = HEARTH_ENOMEM;
		else
			hearth__principal_info__pack(&fresh, job->blob);
	}
	if (pi)
		hearth__principal_info__free_unpacked(pi, NULL);
	return rc;
}

int admin_job_run(store *s, MDB_txn *txn, push_job *job)
{
	switch (job->env->body_case) {
	case HEARTH__ENVELOPE__BODY_BRANCH_PUT:
		return branch_put(s, txn, job);
	case HEARTH__ENVELOPE__BODY_REVOKE:
		return revoke(s, txn, job);
	default:
		job->err_code = HEARTH__ERROR_CODE__ERR_PROTOCOL;
		snprintf(job->err_msg, sizeof(job->err_msg), "not an admin write");
		return 0;
	}
}

int admin_principal_seen(store *s, MDB_txn *txn, const actor *who, int64_t now)
{
	Hearth__PrincipalInfo *pi = NULL, p = HEARTH__PRINCIPAL_INFO__INIT;
	MDB_val k = { strlen(who->fingerprint), (void *)who->fingerprint }, v;
	int rc;

	if (k.mv_size == 0)
		return 0;
	rc = mdb_get(txn, s->principals, &k, &v);
	if (rc == 0)
		pi = hearth__principal_info__unpack(NULL, v.mv_size, v.mv_data);
	else if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if (pi)
		p = *pi;
	p.fingerprint = (char *)who->fingerprint;
	p.name = (char *)who->name;
	p.role = who->role;
	p.branch_id = (char *)who->branch;
	if (!p.first_seen)
		p.first_seen = now;
	p.last_seen = now;
	p.logins++;
	p.base.n_unknown_fields = 0;
	p.base.unknown_fields = NULL;
	rc = put_message(txn, s->principals, who->fingerprint, &p.base);
	if (pi)
		hearth__principal_info__free_unpacked(pi, NULL);
	return rc;
}

int admin_preset_branches(store *s, char **specs, int n, char *err, size_t errlen)
{
	MDB_txn *txn;
	actor sys;
	int rc;

	if (n == 0)
		return 0;
	memset(&sys, 0, sizeof(sys));
	snprintf(sys.name, sizeof(sys.name), "hearthd");
	if ((rc = store_err(mdb_txn_begin(s->env, NULL, 0, &txn))) != 0) {
		snprintf(err, errlen, "cannot add branches: %s", hearth_strerror(rc));
		return rc;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		char id[64];
		const char *eq = strchr(specs[i], '=');
		size_t il = eq ? (size_t)(eq - specs[i]) : strlen(specs[i]);
		Hearth__Branch b = HEARTH__BRANCH__INIT;
		if (il >= sizeof(id)) {
			snprintf(err, errlen, "--branch %s: id too long", specs[i]);
			rc = HEARTH_EINVAL;
			break;
		}
		memcpy(id, specs[i], il);
		id[il] = 0;
		if (!valid_branch_id(id) || (eq && !utf8_valid(eq + 1, strlen(eq + 1)))) {
			snprintf(err, errlen, "--branch %s: expected ID=NAME with an id of A-Z a-z 0-9 . _ -", specs[i]);
			rc = HEARTH_EINVAL;
			break;
		}
		if (admin_branch_exists(s, txn, id))
			continue;
		b.id = id;
		b.name = (char *)(eq && eq[1] ? eq + 1 : id);
		b.created_at = b.updated_at = (int64_t)time(NULL) * 1000;
		rc = put_message(txn, s->branches, id, &b.base);
		if (rc == 0)
			rc = store_audit_event(s, txn, &sys, "branch.add", id, "added at start-up (--branch)", "");
	}
	if (rc == 0)
		rc = store_err(mdb_txn_commit(txn));
	else
		mdb_txn_abort(txn);
	if (rc && !err[0])
		snprintf(err, errlen, "cannot add branches: %s", hearth_strerror(rc));
	return rc;
}

int admin_revoked(store *s, const char *fingerprint, char *why, size_t whylen)
{
	MDB_txn *txn;
	MDB_val k = { strlen(fingerprint), (void *)fingerprint }, v;
	int rc, revoked = 0;

	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != 0)
		return HEARTH_ESTORE;
	rc = mdb_get(txn, s->principals, &k, &v);
	if (rc == 0) {
		Hearth__PrincipalInfo *pi = hearth__principal_info__unpack(NULL, v.mv_size, v.mv_data);
		if (pi && pi->revoked) {
			time_t t = (time_t)(pi->revoked_at / 1000);
			struct tm tm;
			char date[32];
			localtime_r(&t, &tm);
			strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
			snprintf(why, whylen, "this certificate was revoked on %s by %s: %s", date, pi->revoked_by,
			         pi->revoked_reason);
			revoked = 1;
		}
		if (pi)
			hearth__principal_info__free_unpacked(pi, NULL);
	}
	mdb_txn_abort(txn);
	return revoked;
}

/* --------------------------------------------------------- loop side */

void admin_job_done(push_job *job)
{
	conn *c = job->conn;
	uint64_t id = job->env->request_id;
	wirebuf body = WIREBUF_INIT;

	if (c->state == CONN_CLOSING)
		return;
	if (job->err_code) {
		conn_send_error(c, id, (Hearth__ErrorCode)job->err_code, "", 0, "%s", job->err_msg);
		return;
	}
	if (!job->blob) {
		conn_send_error(c, id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "the server could not store this change");
		return;
	}
	if (job->env->body_case == HEARTH__ENVELOPE__BODY_BRANCH_PUT) {
		wire_bytes_field(&body, 1, job->blob, job->blob_len, 1);
		conn_send_body(c, id, HEARTH__ENVELOPE__BODY_BRANCH_PUT_RESULT, &body);
	} else {
		/* Revocation takes effect at once: drop the certificate's live
		 * connections (never the admin's own) before answering. */
		uint32_t closed = 0;
		const char *fp = job->env->revoke->fingerprint;
		for (conn *o = c->srv->conns, *next; o; o = next) {
			next = o->next;
			if (o != c && o->state != CONN_CLOSING && !strcmp(o->id.fingerprint, fp)) {
				conn_send_error(o, 0, HEARTH__ERROR_CODE__ERR_UNAUTHENTICATED, "certificate", 1,
				                "this certificate was revoked just now: %s", job->env->revoke->reason);
				closed++;
			}
		}
		wire_bytes_field(&body, 1, job->blob, job->blob_len, 1);
		wire_uint_field(&body, 2, closed);
		conn_send_body(c, id, HEARTH__ENVELOPE__BODY_REVOKE_RESULT, &body);
	}
	wire_free(&body);
}

int admin_handle_branch_put(conn *c, Hearth__Envelope *env)
{
	if (!allowed(c, env, 1))
		return 0;
	if (!env->branch_put->branch) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "branch", 0, "branch_put carries no branch");
		return 0;
	}
	return submit(c, env);
}

int admin_handle_revoke(conn *c, Hearth__Envelope *env)
{
	if (!allowed(c, env, 1))
		return 0;
	return submit(c, env);
}

/* Lists every value of a small database (branches, principals). */
static int list_db(conn *c, Hearth__Envelope *env, MDB_dbi dbi, uint32_t number)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	wirebuf body = WIREBUF_INIT;
	int rc;

	if ((rc = store_err(mdb_txn_begin(c->srv->store->env, NULL, MDB_RDONLY, &txn))) == 0 &&
	    (rc = store_err(mdb_cursor_open(txn, dbi, &cur))) == 0) {
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
			wire_bytes_field(&body, 1, v.mv_data, v.mv_size, 1);
		rc = rc == MDB_NOTFOUND ? 0 : store_err(rc);
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
	if (!allowed(c, env, 0))
		return 0;
	return list_db(c, env, c->srv->store->branches, HEARTH__ENVELOPE__BODY_BRANCH_LIST);
}

int admin_handle_principals(conn *c, Hearth__Envelope *env)
{
	if (!allowed(c, env, 0))
		return 0;
	return list_db(c, env, c->srv->store->principals, HEARTH__ENVELOPE__BODY_PRINCIPALS_LIST);
}

int admin_handle_status(conn *c, Hearth__Envelope *env)
{
	server *srv = c->srv;
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__ServerStatus st = HEARTH__SERVER_STATUS__INIT;
	Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;
	MDB_txn *txn;
	MDB_stat ms;

	if (!allowed(c, env, 0))
		return 0;
	st.version = HEARTH_VERSION;
	st.started_at = (int64_t)srv->started_ms;
	st.uptime_ms = server_now_ms() - (int64_t)srv->started_ms;
	st.connections = srv->nconns;
	store_usage(srv->store, &st.store_bytes, &st.map_bytes);
	pthread_mutex_lock(&srv->writer->mu);
	st.last_commit_at = srv->writer->last_commit_ms;
	st.commits = srv->writer->commits;
	st.ops = srv->writer->ops;
	pthread_mutex_unlock(&srv->writer->mu);
	if (audit_current_checkpoint(srv, &cp) == 0)
		st.audit_head = &cp;
	if (mdb_txn_begin(srv->store->env, NULL, MDB_RDONLY, &txn) == 0) {
		if (mdb_stat(txn, srv->store->records, &ms) == 0)
			st.records = ms.ms_entries;
		mdb_txn_abort(txn);
	}
	st.data_dir = srv->cfg.data_dir;
	st.group_commit = srv->cfg.group_commit;
	out.request_id = env->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_SERVER_STATUS;
	out.server_status = &st;
	conn_send(c, &out);
	return 0;
}
