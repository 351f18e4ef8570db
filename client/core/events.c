/* events.c: reports the replica's queued reveal/export events to the
 * server's audit log, batch by batch, dropping each once acknowledged. */
#include "client/core/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/replica_events.h"
#include "common/envelope.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/uuid.h"

#define NOTE_EVENTS_MAX 500     /* events per AuditNote: a few tens of KiB */

/* What send_batch says besides events_result: the server refused event
 * *missing of the batch as ERR_NOT_FOUND. */
#define EVENTS_MISSING ((events_result)100)

/* Sends one batch and waits for its ack. */
static events_result send_batch(session *s, Hearth__ClientEvent **ev, size_t n, size_t *missing,
                                char *err, size_t cap)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
	Hearth__AuditNote note = HEARTH__AUDIT_NOTE__INIT;
	events_result res = EVENTS_OK;

	note.n_events = n;
	note.events = ev;
	req.body_case = HEARTH__ENVELOPE__BODY_AUDIT_NOTE;
	req.audit_note = &note;
	if (session_call(s, &req, &resp) != 0)
		return EVENTS_LOST;
	if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR &&
	    resp->error->code == HEARTH__ERROR_CODE__ERR_NOT_FOUND && resp->error->field &&
	    !strncmp(resp->error->field, "events[", 7)) {
		char *end;
		unsigned long i = strtoul(resp->error->field + 7, &end, 10);
		if (!strcmp(end, "].record_id") && i < n) {
			*missing = (size_t)i;
			envelope_free(resp, NULL);
			return EVENTS_MISSING;
		}
	}
	if (resp->body_case != HEARTH__ENVELOPE__BODY_AUDIT_NOTE_ACK) {
		if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR)
			snprintf(err, cap, _("the server refused to record %zu reveal/export events: %s "
			                   "(they stay queued for the next sync)"),
			         n, resp->error->message);
		else
			snprintf(err, cap, _("the server answered the audit note with %s"), envelope_body_name(resp));
		res = EVENTS_FAILED;
	} else if (resp->audit_note_ack->recorded != n) {
		snprintf(err, cap, _("the server recorded %u of %zu reveal/export events; they stay queued"),
		         resp->audit_note_ack->recorded, n);
		res = EVENTS_FAILED;
	}
	envelope_free(resp, NULL);
	return res;
}

events_result events_report(session *s, replica *r, size_t *sent, char *err, size_t cap)
{
	return events_report_warn(s, r, sent, err, cap, NULL, NULL);
}

events_result events_report_warn(session *s, replica *r, size_t *sent, char *err, size_t cap,
                                 events_warn_fn warn, void *arg)
{
	events_result res;
	size_t missing = 0;
	int rc;

	*sent = 0;
	for (;;) {
		Hearth__ClientEvent **ev = NULL;
		uint64_t *keys = NULL;
		size_t n = 0;

		if ((rc = replica_next_events(r, NOTE_EVENTS_MAX, &ev, &keys, &n)) != 0) {
			snprintf(err, cap, _("cannot read the queued audit events: %s"), _(hearth_strerror(rc)));
			return EVENTS_FAILED;
		}
		if (n == 0) {
			replica_events_free(ev, keys, n);
			return EVENTS_OK;
		}
		res = send_batch(s, ev, n, &missing, err, cap);
		if (res == EVENTS_MISSING) {
			/* Its record never reached the server: no retry will
			 * change that, and keeping it would stop every sync. */
			char text[300], idt[UUID_TEXT_LEN + 1] = "?";
			const Hearth__ClientEvent *m = ev[missing];
			if (m->record_id.len == UUID_LEN)
				uuid_format(m->record_id.data, idt);
			snprintf(text, sizeof(text), _("dropped a queued %s event of record %s: the server "
			                             "does not have that record (its change never reached the "
			                             "server), so the audit log cannot take it"),
			         m->action && m->action[0] ? m->action : "reveal/export", idt);
			rc = replica_drop_events(r, keys + missing, 1);
			replica_events_free(ev, keys, n);
			if (rc != 0) {
				snprintf(err, cap, _("cannot drop a queued event the server refuses: %s"),
				         _(hearth_strerror(rc)));
				return EVENTS_FAILED;
			}
			if (warn)
				warn(arg, text);
			continue;
		}
		if (res != EVENTS_OK) {
			replica_events_free(ev, keys, n);
			return res;
		}
		rc = replica_drop_events(r, keys, n);
		replica_events_free(ev, keys, n);
		if (rc != 0) {
			/* They are in the log already; sending them again would
			 * double them, so say so rather than retry silently. */
			snprintf(err, cap, _("the server recorded %zu events but the replica could not forget "
			                   "them (%s); the next sync may report them twice"),
			         n, _(hearth_strerror(rc)));
			return EVENTS_FAILED;
		}
		*sent += n;
	}
}
