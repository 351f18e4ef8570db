/* web_audit.h: the auditor's routes of `hearth ui` (web_audit.c), over the
 * client core `hearth audit …` uses (audit_read, audit_verify, audit_text)
 * and the CSV rows of `hearth audit export --csv` (audit_csv):
 *
 * GET /api/audit/log?since=D&until=D&actor=X&action=A&record=R&logins=1&before=SEQ
 *                           one page of the log, newest first, each entry in words
 * GET /api/audit/verify     the witness result and the chain verification
 * GET /api/audit/export?…&format=csv|xlsx  the entries the filters match,
 *                           oldest first, as CSV or xlsx (the export is
 *                           recorded in the audit log)
 *
 * Only an auditor or admin certificate may use them; any other gets 403
 * with a sentence that says so. They read the server, so they need the
 * network; a page with the server unreachable says so (502). */
#ifndef HEARTH_WEB_AUDIT_H
#define HEARTH_WEB_AUDIT_H

#include <jansson.h>

#include "client/core/profile.h"
#include "client/core/replica.h"
#include "client/core/session.h"
#include "client/ui/web_api.h"

/* A connection the caller of the web server opened: the session (its
 * Welcome passed the witness) and the replica it witnessed for. Both stay
 * open until the disconnect function is called with handle. */
typedef struct web_link {
	session *s;
	replica *r;
	void *handle;
} web_link;

/* How a connect ended. */
typedef enum web_connect_result {
	WEB_CONNECT_OK = 0,
	WEB_CONNECT_LOST,        /* the server is unreachable or refused us: err says why */
	WEB_CONNECT_WITNESS,     /* the witness refused the server's log: err says so (the
	                          * terminal running `hearth ui` has the details) */
} web_connect_result;

/* Opens a session for the profile's replica through the witness (the
 * caller of web_server provides it: the witness lives above this layer).
 * On WEB_CONNECT_OK *out is filled; otherwise nothing stays open. */
typedef web_connect_result (*web_connect_fn)(void *arg, web_link *out, char *err, size_t cap);
typedef void (*web_disconnect_fn)(void *arg, web_link *l);

typedef struct web_audit_options {
	const profile *prof;        /* copied */
	web_connect_fn connect;     /* NULL: the pages say the server is needed */
	web_disconnect_fn disconnect;
	void *connect_arg;
} web_audit_options;

typedef struct web_audit web_audit;

/* Returns 0 or HEARTH_ENOMEM; *out freed by web_audit_free. */
int web_audit_new(web_audit **out, const web_audit_options *o);
void web_audit_free(web_audit *w);

/* Answers rq when it names one of the routes above and returns 1; returns
 * 0 (an untouched) otherwise. One at a time, under the server's API lock. */
int web_audit_handle(web_audit *w, const web_api_request *rq, web_api_answer *an);

/* What an audit action ("record.update", "login", …) is called on the
 * page, in the reader's language; the action itself when it has no name.
 * Static or borrowed from action. */
const char *web_action_label(const char *action);

/* Adds the audit pages' words (their keys, and "action:NAME" for each
 * action's label) to j, the answer of GET /api/text. */
void web_audit_text(json_t *j);

#endif
