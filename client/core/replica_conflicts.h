/* replica_conflicts.h: the open conflicts the replica holds (replica_conflicts.c). The replica is
 * opened with replica_open (replica.h); every function returns 0 or a
 * negative HEARTH_E* unless its comment says otherwise. */
#ifndef HEARTH_CORE_REPLICA_CONFLICTS_H
#define HEARTH_CORE_REPLICA_CONFLICTS_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"

/* Open conflicts, oldest first. fn as for replica_each. */
typedef int (*replica_conflict_fn)(void *ctx, const Hearth__Conflict *c);
int replica_each_conflict(replica *r, replica_conflict_fn fn, void *ctx);
int replica_get_conflict(replica *r, const char *id_text, Hearth__Conflict **out, char *err,
                         size_t errlen);

/* Drops from cs (n of them, e.g. the server's conflict queue) every
 * conflict this replica has already resolved, its resolution still in the
 * outbox until the next sync: what is left to settle here. Compacts cs in
 * place (the conflicts stay the caller's) and sets *n. Costs the pending
 * ops of each conflict's record (the outbox's by-record index). */
int replica_drop_resolved_here(replica *r, Hearth__Conflict **cs, size_t *n);

#endif
