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

#endif
