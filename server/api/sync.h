/* sync.h: the request handlers of the sync protocol: push, pull, digest. */
#ifndef HEARTHD_SYNC_H
#define HEARTHD_SYNC_H

#include "common/envelope.h"

struct conn;

/* Handlers follow dispatch.c's contract: return 0 when done with env, 1
 * when env was kept for asynchronous work. */
int sync_handle_push(struct conn *c, Hearth__Envelope *env);
int sync_handle_pull(struct conn *c, Hearth__Envelope *env);
int sync_handle_digest(struct conn *c, Hearth__Envelope *env);

#endif
