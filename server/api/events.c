/* events.c: the audit entries of session events (login, denial, refused
 * certificate, backup), handed to the writer with no answer awaited. */
#include "server/api/events.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "server/api/context.h"
#include "server/api/jobs.h"
#include "server/db/audit_log.h"
#include "server/db/principals.h"

/* Writer thread: the entry of a session event; a login also updates the
 * principal's first/last seen. */
static int run_event(store *s, MDB_txn *txn, job *base)
{
	api_job *j = (api_job *)base;
	int rc = audit_event(s, txn, &(audit_event_args){
		.who = &j->who, .action = j->action, .branch = j->branch, .detail = j->detail,
		.peer = j->peer });

	if (rc == 0 && !strcmp(j->action, "login"))
		rc = principals_seen(s, txn, &j->who, j->now_ms);
	return rc;
}

void events_submit(api *a, const tls_identity *id, const char *action, const char *branch,
                   const char *detail, const char *peer)
{
	api_job *aj = jobs_detached(id, run_event);
	if (!aj) {
		log_event(LOG_ERROR, "audit_lost", "action", action, "error", "out of memory", NULL);
		return;
	}
	snprintf(aj->action, sizeof(aj->action), "%s", action);
	snprintf(aj->branch, sizeof(aj->branch), "%s", branch ? branch : "");
	snprintf(aj->detail, sizeof(aj->detail), "%s", detail ? detail : "");
	snprintf(aj->peer, sizeof(aj->peer), "%s", peer ? peer : "");
	jobs_submit(a, aj);
}
