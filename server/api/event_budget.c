/* event_budget.c: per-principal budget of audit entries for client events
 * and denials, and the coalesced entry for what went over it. */
#include "server/api/event_budget.h"

#include <stdio.h>
#include <string.h>

#include "server/api/context.h"
#include "server/api/events.h"

/* One principal's current window. The table is the process's (one loop
 * thread, one api); fixed, so a flood of new certificates costs no memory. */
typedef struct slot {
	int used;
	tls_identity id;
	char branch[64];
	char peer[64];
	int64_t start_ms;               /* window start */
	uint32_t stored;                /* entries stored one by one in this window */
	uint32_t over_notes, over_denials;
} slot;

static slot table[EVENT_BUDGET_SLOTS];

static void close_window(api *a, slot *s)
{
	char detail[300];

	if (s->over_notes || s->over_denials) {
		snprintf(detail, sizeof(detail),
		         "count=%u: %u client events and %u denials beyond the budget of %u per %u ms "
		         "(limits.audit_events_per_minute) were not stored one by one",
		         s->over_notes + s->over_denials, s->over_notes, s->over_denials,
		         a->audit_events_per_window, a->audit_event_window_ms);
		events_submit(a, &s->id, "audit.coalesced", s->branch, detail, s->peer);
	}
	s->stored = s->over_notes = s->over_denials = 0;
}

void event_budget_flush(api *a, int64_t now_ms)
{
	for (size_t i = 0; i < EVENT_BUDGET_SLOTS; i++) {
		slot *s = &table[i];
		if (s->used && (now_ms == INT64_MAX || now_ms - s->start_ms >= (int64_t)a->audit_event_window_ms)) {
			close_window(a, s);
			s->used = 0;
		}
	}
}

static slot *find(api *a, const tls_identity *id, int64_t now_ms)
{
	slot *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < EVENT_BUDGET_SLOTS; i++) {
		slot *s = &table[i];
		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (strcmp(s->id.fingerprint, id->fingerprint) == 0)
			return s;
		if (!oldest || s->start_ms < oldest->start_ms)
			oldest = s;
	}
	if (!free_slot) {
		close_window(a, oldest);
		free_slot = oldest;
	}
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = 1;
	free_slot->id = *id;
	free_slot->start_ms = now_ms;
	return free_slot;
}

uint32_t event_budget_take(api *a, const tls_identity *id, const char *branch, const char *peer,
                           enum event_budget_kind what, uint32_t n, int64_t now_ms)
{
	slot *s;
	uint32_t room, ok;

	event_budget_flush(a, now_ms);
	s = find(a, id, now_ms);
	snprintf(s->branch, sizeof(s->branch), "%s", branch ? branch : "");
	snprintf(s->peer, sizeof(s->peer), "%s", peer ? peer : "");
	room = s->stored < a->audit_events_per_window ? a->audit_events_per_window - s->stored : 0;
	ok = n < room ? n : room;
	s->stored += ok;
	if (what == EVENT_BUDGET_NOTE)
		s->over_notes += n - ok;
	else
		s->over_denials += n - ok;
	return ok;
}
