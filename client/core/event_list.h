/* event_list.h: reveal/export events gathered before anything sensitive is
 * shown or exported (event_list.c), the one copy every face uses: the CLI's
 * --reveal and export, the web app's 显示. The caller queues them with
 * replica_queue_events (replica_events.h) before it shows anything, so
 * nothing is shown unrecorded. */
#ifndef HEARTH_CORE_EVENT_LIST_H
#define HEARTH_CORE_EVENT_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "common/record.h"
#include "proto/hearth.pb-c.h"

/* Events owned by the list until event_list_free. Start from all zeros. */
typedef struct event_list {
	Hearth__ClientEvent **ev;
	size_t n, cap;
} event_list;

/* Frees every event and leaves l empty. */
void event_list_free(event_list *l);

/* Adds an event (action "reveal" or "export"; a static string) naming the
 * sensitive fields of k that are set in body (all of k's sensitive fields
 * when body is NULL), of record id (NULL: none) in branch, with count and
 * detail (copied). A reveal of a record whose sensitive fields are all
 * empty reveals nothing and adds nothing. Returns 0 or HEARTH_ENOMEM. */
int event_list_add(event_list *l, const char *action, const kind_info *k, const uint8_t *id,
                   const char *branch, const ProtobufCMessage *body, uint32_t count,
                   const char *detail);

/* Adds a reveal event for conflict c: the sensitive fields it shows (a
 * value on either side), of its record in its branch, with detail
 * (copied). Adds nothing when it shows none or its kind is unknown.
 * Returns 0 or HEARTH_ENOMEM. */
int event_list_add_conflict(event_list *l, const Hearth__Conflict *c, const char *detail);

#endif
