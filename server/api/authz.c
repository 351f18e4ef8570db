/* authz.c: the role and branch rules of every request, checked on the loop
 * thread before any work is done. */
#include "server/api/authz.h"

#include <stdio.h>
#include <string.h>

#include "common/hearth.h"
#include "common/log.h"
#include "server/api/context.h"
#include "server/api/event_budget.h"
#include "server/api/events.h"
#include "server/loop/listener.h"
#include "server/db/principals.h"
#include "server/db/store.h"

/* A denial is audited within the principal's event budget: repeated
 * denials beyond it become one coalesced entry with their count. */
static void audit_denial(conn *c, const char *branch, const char *detail)
{
	if (event_budget_take(api_of(c), &c->id, branch, c->peer, EVENT_BUDGET_DENIAL, 1, server_now_ms()) == 1)
		events_submit(api_of(c), &c->id, "denied", branch, detail, c->peer);
}

static int deny(conn *c, uint64_t request_id, const char *branch, const char *detail, const char *msg)
{
	conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "role", 0, "%s", msg);
	if (detail)
		audit_denial(c, branch, detail);
	return AUTHZ_DENY;
}

int authz_push(conn *c, uint64_t request_id)
{
	if (c->id.role == HEARTH__ROLE__ROLE_AUDITOR)
		return deny(c, request_id, "", "push: auditors may not write",
		            "auditors may read and review but not write; push refused");
	if (c->id.role != HEARTH__ROLE__ROLE_BRANCH && c->id.role != HEARTH__ROLE__ROLE_ADMIN &&
	    c->id.role != HEARTH__ROLE__ROLE_GENERAL)
		return deny(c, request_id, "", NULL, "this certificate's role may not write");
	return AUTHZ_ALLOW;
}

/* The subtree of the general branch c speaks for, in a short read
 * transaction. On failure c was answered. */
static int general_subtree(conn *c, uint64_t request_id, store_scope *sc, int *edits)
{
	store *st = api_of(c)->store;
	MDB_txn *txn = NULL;
	int rc = store_err(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn));

	if (rc == 0) {
		rc = principals_subtree(st, txn, c->id.branch_id, sc, edits);
		mdb_txn_abort(txn);
	}
	if (rc == HEARTH_ETOOBIG) {
		conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_TOO_LARGE, "branch_id", 0,
		                "general branch %s has more than %d branches below it", c->id.branch_id,
		                STORE_SCOPE_MAX);
		return AUTHZ_DENY;
	}
	if (rc != 0) {
		conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
		                "cannot read the branch tree: %s", hearth_strerror(rc));
		return AUTHZ_DENY;
	}
	return AUTHZ_ALLOW;
}

/* The branches of a scope as "b001, b002", for messages. */
static void scope_list(const store_scope *sc, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < sc->n && used < cap; i++) {
		int n = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", sc->ids[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int authz_push_scope(conn *c, uint64_t request_id, actor *who)
{
	memset(&who->subtree, 0, sizeof(who->subtree));
	who->subtree_edits = 0;
	if (c->id.role != HEARTH__ROLE__ROLE_GENERAL)
		return AUTHZ_ALLOW;
	/* A general branch always writes its own records; the branches below
	 * it only where the admin allowed it (Branch.general_edits): push.c
	 * check_branch applies that per op. */
	return general_subtree(c, request_id, &who->subtree, &who->subtree_edits);
}

int authz_read_scope(conn *c, uint64_t request_id, const char *asked, store_scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	if (asked && strlen(asked) > STORE_BRANCH_MAX) {
		conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_INVALID, "branch_id", 0,
		                "branch_id is longer than %d bytes", STORE_BRANCH_MAX);
		return AUTHZ_DENY;
	}
	if (c->id.role == HEARTH__ROLE__ROLE_GENERAL) {
		char list[STORE_SCOPE_MAX * 66], detail[200];

		if (general_subtree(c, request_id, sc, NULL) != AUTHZ_ALLOW)
			return AUTHZ_DENY;
		if (!asked || !asked[0])
			return AUTHZ_ALLOW;
		if (store_scope_has(sc, asked)) {
			sc->n = 1;
			snprintf(sc->ids[0], sizeof(sc->ids[0]), "%s", asked);
			sc->tag[0] = '\0';
			return AUTHZ_ALLOW;
		}
		scope_list(sc, list, sizeof(list));
		conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "branch_id", 0,
		                "branch %s is outside general branch %s: this certificate reads only %s", asked,
		                c->id.branch_id, list);
		snprintf(detail, sizeof(detail), "read of branch %s refused: outside general branch %s", asked,
		         c->id.branch_id);
		audit_denial(c, asked, detail);
		return AUTHZ_DENY;
	}
	if (c->id.role == HEARTH__ROLE__ROLE_BRANCH || (asked && asked[0])) {
		const char *b = NULL;
		if (authz_scope(c, request_id, asked, &b) != AUTHZ_ALLOW)
			return AUTHZ_DENY;
		sc->n = 1;
		snprintf(sc->ids[0], sizeof(sc->ids[0]), "%s", b);
		return AUTHZ_ALLOW;
	}
	sc->all = 1;
	return AUTHZ_ALLOW;
}

int authz_content_scope(conn *c, uint64_t request_id, enum authz_access access, store_scope *sc)
{
	if (access == AUTHZ_WRITE && authz_push(c, request_id) != AUTHZ_ALLOW)
		return AUTHZ_DENY;
	return authz_read_scope(c, request_id, NULL, sc);
}

int authz_scope(conn *c, uint64_t request_id, const char *asked, const char **branch)
{
	if (asked && strlen(asked) > STORE_BRANCH_MAX) {
		conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_INVALID, "branch_id", 0,
		                "branch_id is longer than %d bytes", STORE_BRANCH_MAX);
		return AUTHZ_DENY;
	}
	if (c->id.role == HEARTH__ROLE__ROLE_BRANCH) {
		if (asked && asked[0] && strcmp(asked, c->id.branch_id) != 0) {
			char detail[200];

			conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "branch_id", 0,
			                "branch %s is not yours: this certificate is for branch %s", asked,
			                c->id.branch_id);
			log_event(LOG_WARN, "forbidden", "peer", c->peer, "cn", c->id.name, "asked", asked, NULL);
			snprintf(detail, sizeof(detail), "read of branch %s refused: not the certificate's branch", asked);
			audit_denial(c, asked, detail);
			return AUTHZ_DENY;
		}
		*branch = c->id.branch_id;
		return AUTHZ_ALLOW;
	}
	*branch = asked && asked[0] ? asked : NULL;
	return AUTHZ_ALLOW;
}

int authz_branch_directory(const conn *c, const Hearth__BranchListRequest *rq)
{
	/* Names and the tree are what every office is addressed by; the
	 * secretaries and timestamps stay the console's. */
	(void)c;
	return rq && rq->directory ? AUTHZ_DIRECTORY : AUTHZ_ALLOW;
}

const char *authz_audit_branch(const conn *c)
{
	/* A general principal reviews its own branch's entries only: the
	 * audit indexes are per branch, and its subtree is not one. */
	return c->id.role == HEARTH__ROLE__ROLE_BRANCH || c->id.role == HEARTH__ROLE__ROLE_GENERAL ? c->id.branch_id
	                                                                                          : NULL;
}

int authz_console(conn *c, const Hearth__Envelope *env, enum authz_access access)
{
	char detail[120];

	if (c->id.role == HEARTH__ROLE__ROLE_ADMIN)
		return AUTHZ_ALLOW;
	if (access == AUTHZ_READ && c->id.role == HEARTH__ROLE__ROLE_AUDITOR)
		return AUTHZ_ALLOW;
	snprintf(detail, sizeof(detail), "admin request %s refused", envelope_body_name(env));
	return deny(c, env->request_id, c->id.branch_id, detail,
	            c->id.role == HEARTH__ROLE__ROLE_AUDITOR ? "auditors may read the console but not change it"
	                                                    : "admin requests need an admin certificate");
}

int authz_conflict_queue(conn *c, uint64_t request_id, const char *asked, store_scope *sc)
{
	if (c->id.role == HEARTH__ROLE__ROLE_BRANCH)
		return deny(c, request_id, c->id.branch_id, "conflict queue: branch role",
		            "the conflict queue is for admin, auditor and general certificates; a branch "
		            "lists its own conflicts from its replica with 'hearth conflicts'");
	return authz_read_scope(c, request_id, asked, sc);
}

int authz_checkpoints(conn *c, uint64_t request_id)
{
	if (c->id.role != HEARTH__ROLE__ROLE_BRANCH && c->id.role != HEARTH__ROLE__ROLE_GENERAL)
		return AUTHZ_ALLOW;
	return deny(c, request_id, c->id.branch_id, "checkpoints: branch role",
	            "only admins and auditors may list the server's checkpoints");
}

int authz_backup(conn *c, uint64_t request_id)
{
	if (c->id.role == HEARTH__ROLE__ROLE_ADMIN)
		return AUTHZ_ALLOW;
	return deny(c, request_id, c->id.branch_id, "admin request backup_request refused",
	            "a backup holds every branch's records: it needs an admin certificate");
}

int authz_committee(conn *c, const Hearth__Envelope *env, char *const *asked, size_t n_asked, store_scope *sc)
{
	char list[STORE_SCOPE_MAX * 66], detail[200];

	memset(sc, 0, sizeof(*sc));
	if (c->id.role == HEARTH__ROLE__ROLE_ADMIN || c->id.role == HEARTH__ROLE__ROLE_AUDITOR) {
		sc->all = 1;
		return AUTHZ_ALLOW;
	}
	if (c->id.role != HEARTH__ROLE__ROLE_GENERAL)
		return authz_console(c, env, AUTHZ_READ);
	if (authz_read_scope(c, env->request_id, NULL, sc) != AUTHZ_ALLOW)
		return AUTHZ_DENY;
	for (size_t i = 0; i < n_asked; i++) {
		if (store_scope_has(sc, asked[i]))
			continue;
		scope_list(sc, list, sizeof(list));
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "branches", 0,
		                "branch %s is outside general branch %s: this certificate reads only %s", asked[i],
		                c->id.branch_id, list);
		snprintf(detail, sizeof(detail), "committee figures of branch %s refused: outside general branch %s",
		         asked[i], c->id.branch_id);
		audit_denial(c, asked[i], detail);
		return AUTHZ_DENY;
	}
	return AUTHZ_ALLOW;
}
