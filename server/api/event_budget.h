/* event_budget.h: how many audit entries of client-reported events and of
 * denials each principal may add per window (limits.audit_events_per_minute),
 * and the one coalesced entry, with its counts, that stands for the rest.
 * Loop thread only. */
#ifndef HEARTHD_EVENT_BUDGET_H
#define HEARTHD_EVENT_BUDGET_H

#include <stdint.h>

#include "common/tls.h"

struct api;

/* What an entry would have been. */
enum event_budget_kind { EVENT_BUDGET_NOTE, EVENT_BUDGET_DENIAL };

/* Asks for n entries of id's principal (by fingerprint) at now_ms. Returns
 * how many of them may be stored one by one (0..n); the others are counted
 * and written as one "audit.coalesced" entry naming both counts once the
 * principal's window has passed (at the next call for any principal after
 * that). The table holds EVENT_BUDGET_SLOTS principals; when it is full,
 * the oldest window is closed early (its entry written). id and peer are
 * borrowed. */
uint32_t event_budget_take(struct api *a, const tls_identity *id, const char *branch, const char *peer,
                           enum event_budget_kind what, uint32_t n, int64_t now_ms);

/* Writes the coalesced entries of windows that ended by now_ms (all of
 * them when now_ms is INT64_MAX, e.g. at shutdown). */
void event_budget_flush(struct api *a, int64_t now_ms);

#define EVENT_BUDGET_SLOTS 256

#endif
