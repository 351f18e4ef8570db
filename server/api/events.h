/* events.h: audit entries about the session (login, denial, refusal),
 * queued for the writer. */
#ifndef HEARTHD_EVENTS_H
#define HEARTHD_EVENTS_H

#include "common/tls.h"

struct api;

/* Queues an audit entry about a session event for the writer (no answer
 * awaited). id may be a partial identity (a refused certificate). */
void events_submit(struct api *a, const tls_identity *id, const char *action,
                   const char *branch, const char *detail, const char *peer);

#endif
