/* sync.h: the request handlers of the sync protocol: push, pull, digest. */
#ifndef HEARTHD_SYNC_H
#define HEARTHD_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "common/envelope.h"

struct conn;

/* Handlers are dispatch_fn (server/loop/dispatch.h): each answers c with
 * exactly one response (or an Error) and returns DISPATCH_DONE, except
 * that a push handed to the writer returns DISPATCH_KEPT: env then belongs
 * to the job and is freed with it. */

/* Push: limits and role (authz.c) on the loop, the ops in the writer's
 * next group commit; answered after the commit. */
int sync_handle_push(struct conn *c, Hearth__Envelope *env);

/* server.on_frame: a push with more ops than max_ops_per_push (a recovery
 * with more than twice as many records and audit entries) is answered
 * ERR_TOO_LARGE (or the role's refusal) from its wire bytes, before it is
 * unpacked. Returns 1 when it answered, 0 to go on to unpack. */
int sync_precheck_frame(struct conn *c, const uint8_t *frame, size_t len);

/* Pull: one page of the scope's feed (pull.c), answered at once. */
int sync_handle_pull(struct conn *c, Hearth__Envelope *env);

/* Digest: the scope's per-kind counts and hashes (feeds.c). */
int sync_handle_digest(struct conn *c, Hearth__Envelope *env);

#endif
