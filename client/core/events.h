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

/* Sends the queued events in AuditNotes (a few hundred per note) and drops
 * each batch once the server acknowledged it (the ack comes after its
 * entries are committed). *sent counts the events reported, also on
 * failure. err gets one sentence for EVENTS_FAILED. Events not
 * acknowledged stay queued for the next try. */
events_result events_report(session *s, replica *r, size_t *sent, char *err, size_t cap);

#endif
