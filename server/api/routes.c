/* routes.c: registers every request handler with dispatch and connects the
 * session hooks to the loop, at start-up. */
#include "server/api/routes.h"

#include <stdlib.h>

#include "common/hearth.h"
#include "server/api/admin.h"
#include "server/api/attachments.h"
#include "server/api/audit.h"
#include "server/api/backup.h"
#include "server/api/committee.h"
#include "server/api/conflict_queue.h"
#include "server/api/figures.h"
#include "server/api/recovery.h"
#include "server/api/session.h"
#include "server/api/sync.h"
#include "server/loop/dispatch.h"

static const struct route {
	Hearth__Envelope__BodyCase body;
	dispatch_fn fn;
	enum dispatch_when when;
} routes[] = {
	{ HEARTH__ENVELOPE__BODY_HELLO, session_handle_hello, DISPATCH_BEFORE_HELLO },
	{ HEARTH__ENVELOPE__BODY_PING, session_handle_ping, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_PUSH, sync_handle_push, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_PULL, sync_handle_pull, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_DIGEST, sync_handle_digest, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_RECOVER, recovery_handle_recover, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_CHECKPOINT_REQUEST, audit_handle_checkpoint, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_AUDIT_PROOF_REQUEST, audit_handle_proof, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_AUDIT_QUERY, audit_handle_query, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_CHECKPOINTS_REQUEST, audit_handle_checkpoints, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_AUDIT_NOTE, audit_handle_note, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_BRANCH_PUT, admin_handle_branch_put, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_BRANCH_LIST_REQUEST, admin_handle_branch_list, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_PRINCIPALS_REQUEST, admin_handle_principals, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_REVOKE, admin_handle_revoke, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_SERVER_STATUS_REQUEST, admin_handle_status, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_BACKUP_REQUEST, admin_handle_backup, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_CHUNK_PUT, attachments_handle_put, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_CHUNK_QUERY, attachments_handle_query, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_CHUNK_GET, attachments_handle_get, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_FIGURES_REQUEST, figures_handle_request, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_COMMITTEE_REQUEST, committee_handle_request, DISPATCH_AFTER_HELLO },
	{ HEARTH__ENVELOPE__BODY_CONFLICT_QUEUE_REQUEST, conflict_queue_handle_request, DISPATCH_AFTER_HELLO },
};

int routes_start(api *a, server *srv)
{
	int rc;

	a->srv = srv;
	srv->app = a;
	srv->on_frame = sync_precheck_frame;
	srv->on_envelope = dispatch_envelope;
	srv->on_handshake = session_on_handshake;
	srv->on_conn_free = session_on_conn_free;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(routes); i++) {
		/* HEARTHD_TEST_NO_FIGURES=1 answers like a hearthd from before
		 * FiguresRequest (an unexpected message), so t_figures.sh can test
		 * the client's fallback to its replica without an old build. */
		if ((routes[i].body == HEARTH__ENVELOPE__BODY_FIGURES_REQUEST ||
		     routes[i].body == HEARTH__ENVELOPE__BODY_COMMITTEE_REQUEST) && getenv("HEARTHD_TEST_NO_FIGURES"))
			continue;
		/* HEARTHD_TEST_NO_COMMITTEE=1: a hearthd from before
		 * CommitteeRequest (it keeps its counters), for t_srvreport.sh. */
		if (routes[i].body == HEARTH__ENVELOPE__BODY_COMMITTEE_REQUEST && getenv("HEARTHD_TEST_NO_COMMITTEE"))
			continue;
		/* HEARTHD_TEST_NO_CONFLICT_QUEUE=1 likewise for the conflict queue
		 * (t_srvqueue.sh). */
		if (routes[i].body == HEARTH__ENVELOPE__BODY_CONFLICT_QUEUE_REQUEST &&
		    getenv("HEARTHD_TEST_NO_CONFLICT_QUEUE"))
			continue;
		if ((rc = dispatch_register(routes[i].body, routes[i].fn, routes[i].when)) != 0)
			return rc;
	}
	return 0;
}
