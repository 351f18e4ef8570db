/* events.h: reporting the replica's queued reveal/export events to the
 * server's audit log (events.c); the queue itself is replica_events.h. */
#ifndef HEARTH_CORE_EVENTS_H
#define HEARTH_CORE_EVENTS_H

#include <stddef.h>

#include "client/core/replica.h"
#include "client/core/session.h"

/* What events_report did. */
typedef enum events_result {
	EVENTS_OK = 0,     /* the queue is empty now */
	EVENTS_LOST,       /* the connection failed (s->error says why) */
	EVENTS_FAILED,     /* the replica or the server failed (err says why) */
} events_result;

/* Told about an event the server will never take (its record never reached
 * the server, e.g. its push was rejected): text is one sentence, borrowed
 * for the call. */
typedef void (*events_warn_fn)(void *arg, const char *text);

/* Sends the queued events in AuditNotes (a few hundred per note) and drops
 * each batch once the server acknowledged it (the ack comes after its
 * entries are committed). An event the server refuses as ERR_NOT_FOUND
 * (field events[i].record_id) is dropped with a call to warn (may be NULL)
 * and the rest is sent again, so one such event does not stop every sync.
 * *sent counts the events reported, also on failure. err gets one sentence
 * for EVENTS_FAILED. Events not acknowledged stay queued for the next try. */
events_result events_report(session *s, replica *r, size_t *sent, char *err, size_t cap);
events_result events_report_warn(session *s, replica *r, size_t *sent, char *err, size_t cap,
                                 events_warn_fn warn, void *arg);

#endif
