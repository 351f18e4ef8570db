/* conflict_queue.h: the conflict queue request (ConflictQueueRequest ->
 * ConflictQueue, issue 16 item 4), answered from the index of open
 * conflicts (server/db/conflict_queue.h), so `hearth admin conflicts`
 * needs no replica. */
#ifndef HEARTHD_API_CONFLICT_QUEUE_H
#define HEARTHD_API_CONFLICT_QUEUE_H

#include "common/envelope.h"

struct conn;

/* dispatch_fn (loop thread): answers c with one ConflictQueue page, or an
 * Error: scope as authz_conflict_queue (a branch certificate FORBIDDEN);
 * limit above CONFLICT_QUEUE_LIMIT or an `after` that is neither empty
 * nor CONFLICT_QUEUE_CURSOR bytes is INVALID naming the field; limit 0
 * reads CONFLICT_QUEUE_LIMIT. A masked page is read in a short read
 * transaction on the loop (DISPATCH_DONE); a revealed one in the writer,
 * which appends a reveal entry per conflict that shows a sensitive value
 * in the same transaction, and answers only after the commit
 * (DISPATCH_KEPT: the job owns env). */
int conflict_queue_handle_request(struct conn *c, Hearth__Envelope *env);

#endif
