/* events.c: reports the replica's queued reveal/export events to the
 * server's audit log, batch by batch, dropping each once acknowledged. */
#include "client/core/events.h"

#include <stdio.h>

#include "client/core/replica_events.h"
#include "common/envelope.h"
#include "common/hearth.h"

#define NOTE_EVENTS_MAX 500     /* events per AuditNote: a few tens of KiB */

/* Sends one batch and waits for its ack. */
static events_result send_batch(session *s, Hearth__ClientEvent **ev, size_t n, char *err, size_t cap)
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
	if (resp->body_case != HEARTH__ENVELOPE__BODY_AUDIT_NOTE_ACK) {
		if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR)
			snprintf(err, cap, "the server refused to record %zu reveal/export events: %s "
			                   "(they stay queued for the next sync)",
			         n, resp->error->message);
		else
			snprintf(err, cap, "the server answered the audit note with %s", envelope_body_name(resp));
		res = EVENTS_FAILED;
	} else if (resp->audit_note_ack->recorded != n) {
		snprintf(err, cap, "the server recorded %u of %zu reveal/export events; they stay queued",
		         resp->audit_note_ack->recorded, n);
		res = EVENTS_FAILED;
	}
	envelope_free(resp, NULL);
	return res;
}

events_result events_report(session *s, replica *r, size_t *sent, char *err, size_t cap)
{
	events_result res;
	int rc;

	*sent = 0;
	for (;;) {
		Hearth__ClientEvent **ev = NULL;
		uint64_t *keys = NULL;
		size_t n = 0;

		if ((rc = replica_next_events(r, NOTE_EVENTS_MAX, &ev, &keys, &n)) != 0) {
			snprintf(err, cap, "cannot read the queued audit events: %s", hearth_strerror(rc));
			return EVENTS_FAILED;
		}
		if (n == 0) {
			replica_events_free(ev, keys, n);
			return EVENTS_OK;
		}
		if ((res = send_batch(s, ev, n, err, cap)) != EVENTS_OK) {
			replica_events_free(ev, keys, n);
			return res;
		}
		rc = replica_drop_events(r, keys, n);
		replica_events_free(ev, keys, n);
		if (rc != 0) {
			/* They are in the log already; sending them again would
			 * double them, so say so rather than retry silently. */
			snprintf(err, cap, "the server recorded %zu events but the replica could not forget "
			                   "them (%s); the next sync may report them twice",
			         n, hearth_strerror(rc));
			return EVENTS_FAILED;
		}
		*sent += n;
	}
}
