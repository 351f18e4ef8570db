/* replica_events.h: the event queue of reveal/export events waiting for a sync (replica_events.c). The replica is
 * opened with replica_open (replica.h); every function returns 0 or a
 * negative HEARTH_E* unless its comment says otherwise. */
#ifndef HEARTH_CORE_REPLICA_EVENTS_H
#define HEARTH_CORE_REPLICA_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"

/* Appends n client events to the events queue in one transaction. */
int replica_queue_events(replica *r, Hearth__ClientEvent *const *events, size_t n);

/* Up to max queued events, oldest first, as heap copies; keys are their
 * queue keys for replica_drop_events. Free with replica_events_free. */
int replica_next_events(replica *r, size_t max, Hearth__ClientEvent ***events, uint64_t **keys,
                        size_t *n);
void replica_events_free(Hearth__ClientEvent **events, uint64_t *keys, size_t n);

/* Removes the given events from the queue, in one transaction. */
int replica_drop_events(replica *r, const uint64_t *keys, size_t n);

#endif
