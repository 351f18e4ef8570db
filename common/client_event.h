/* client_event.h: the checks a client-reported audit event (proto
 * ClientEvent, sent in an AuditNote) must pass before the server stores it:
 * the same text rules as record text, and bounded sizes.  Whether the
 * event's record lies in the sender's scope needs the store and is the
 * server's to check. */
#ifndef HEARTH_CLIENT_EVENT_H
#define HEARTH_CLIENT_EVENT_H

#include "common/record.h"
#include "proto/hearth.pb-c.h"

/* Limits, in characters (code points) for text.  The client sends at most
 * 500 events per note (client/cmd/audit.c NOTE_EVENTS_MAX), and its longest
 * detail is "audit export --jsonl PATH" in a 1,300-byte buffer. */
#define CLIENT_NOTE_EVENTS_MAX 500
#define CLIENT_EVENT_FIELDS_MAX 64
#define CLIENT_EVENT_FIELD_NAME_MAX 64
#define CLIENT_EVENT_DETAIL_MAX 1300
#define CLIENT_EVENT_BRANCH_MAX 63

/* Checks one event: action is "reveal" or "export"; record_id is empty or
 * 16 bytes; kind is unspecified or a known kind, and every name in fields
 * is a field of that kind (none when the kind is unspecified), at most
 * CLIENT_EVENT_FIELDS_MAX of them; branch_id is empty or up to
 * CLIENT_EVENT_BRANCH_MAX characters of [A-Za-z0-9._-]; detail is valid
 * UTF-8 of at most CLIENT_EVENT_DETAIL_MAX characters with no control,
 * line break, bidi, zero-width or joiner character (it is printed in one
 * row of `hearth audit show`); time is not negative.  Returns 0, or
 * HEARTH_EINVAL with err (when not NULL) naming the field, e.g. "detail",
 * and the rule.  ev and err are borrowed. */
int client_event_validate(const Hearth__ClientEvent *ev, record_error *err);

/* Checks a whole note: at most CLIENT_NOTE_EVENTS_MAX events (an empty note
 * is harmless and accepted), each passing
 * client_event_validate; err->field then names the event, e.g.
 * "events[3].detail".  Returns 0 or HEARTH_EINVAL. */
int client_note_validate(const Hearth__AuditNote *note, record_error *err);

#endif
