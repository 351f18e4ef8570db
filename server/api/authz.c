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
	if (c->id.role != HEARTH__ROLE__ROLE_BRANCH && c->id.role != HEARTH__ROLE__ROLE_ADMIN)
		return deny(c, request_id, "", NULL, "this certificate's role may not write");
	return AUTHZ_ALLOW;
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

const char *authz_audit_branch(const conn *c)
{
	return c->id.role == HEARTH__ROLE__ROLE_BRANCH ? c->id.branch_id : NULL;
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

int authz_checkpoints(conn *c, uint64_t request_id)
{
	if (c->id.role != HEARTH__ROLE__ROLE_BRANCH)
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
