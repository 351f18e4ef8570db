/* client_event.c: validation of client-reported audit events. */
#include "common/client_event.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/hearth.h"
#include "common/utf8.h"

static int refuse(record_error *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(record_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		snprintf(err->field, sizeof(err->field), "%s", field);
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return HEARTH_EINVAL;
}

/* Every class but plain text: an audit row is one line, and what it shows
 * must be what was stored (a raw ESC or a newline forged a second row). */
#define UNSAFE_CLASSES                                                                  \
	(UTF8_CLASS_BIT(UTF8_C0) | UTF8_CLASS_BIT(UTF8_C1) | UTF8_CLASS_BIT(UTF8_BIDI) | \
	 UTF8_CLASS_BIT(UTF8_ZERO_WIDTH) | UTF8_CLASS_BIT(UTF8_JOINER))

/* One line of text of at most max characters.  Values are never echoed:
 * they are what is being refused. */
static int check_text(const char *name, const char *s, size_t max, record_error *err)
{
	size_t len = s ? strlen(s) : 0;
	long chars = utf8_chars(s ? s : "", len);
	uint32_t cp;

	if (chars < 0)
		return refuse(err, name, "%s is not valid UTF-8", name);
	if ((size_t)chars > max)
		return refuse(err, name, "%s is longer than %zu characters (%ld)", name, max, chars);
	if (utf8_find(s ? s : "", len, UNSAFE_CLASSES, &cp))
		return refuse(err, name, "%s contains a control or invisible character U+%04X", name,
		              (unsigned)cp);
	return 0;
}

static int is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static int check_branch(const char *s, record_error *err)
{
	size_t len = s ? strlen(s) : 0;

	if (len > CLIENT_EVENT_BRANCH_MAX)
		return refuse(err, "branch_id", "branch_id is longer than %d characters (%zu)",
		              CLIENT_EVENT_BRANCH_MAX, len);
	for (size_t i = 0; i < len; i++) {
		if (!is_id_char(s[i]))
			return refuse(err, "branch_id",
			              "branch_id may contain only A-Z, a-z, 0-9, '.', '_' and '-'");
	}
	return 0;
}

/* Field names must be the kind's own (a reveal names what was shown); the
 * name is ASCII by construction then, and safe to echo. */
static int check_fields(const Hearth__ClientEvent *ev, record_error *err)
{
	const kind_info *k = kind_find(ev->kind);

	if (ev->n_fields > CLIENT_EVENT_FIELDS_MAX)
		return refuse(err, "fields", "fields has more than %d names (%zu)",
		              CLIENT_EVENT_FIELDS_MAX, ev->n_fields);
	for (size_t i = 0; i < ev->n_fields; i++) {
		const char *f = ev->fields[i] ? ev->fields[i] : "";
		int found = 0;

		if (k == NULL)
			return refuse(err, "fields", "fields are named without a record kind");
		if (strlen(f) > CLIENT_EVENT_FIELD_NAME_MAX)
			return refuse(err, "fields", "fields[%zu] is longer than %d characters", i,
			              CLIENT_EVENT_FIELD_NAME_MAX);
		for (unsigned j = 0; j < k->desc->n_fields && !found; j++)
			found = strcmp(k->desc->fields[j].name, f) == 0;
		if (!found)
			return refuse(err, "fields", "fields[%zu] is not a field of a %s", i, k->name);
	}
	return 0;
}

int client_event_validate(const Hearth__ClientEvent *ev, record_error *err)
{
	int rc;

	if (ev == NULL)
		return refuse(err, "", "the event is missing");
	if (ev->action == NULL || (strcmp(ev->action, "reveal") != 0 && strcmp(ev->action, "export") != 0))
		return refuse(err, "action", "action must be \"reveal\" or \"export\"");
	if (ev->record_id.len != 0 && ev->record_id.len != 16)
		return refuse(err, "record_id", "record_id must be a 16-byte record id (got %zu bytes)",
		              ev->record_id.len);
	if (ev->kind != HEARTH__KIND__KIND_UNSPECIFIED && kind_find(ev->kind) == NULL)
		return refuse(err, "kind", "kind: %d is not a known record kind", (int)ev->kind);
	if ((rc = check_fields(ev, err)) != 0)
		return rc;
	if ((rc = check_branch(ev->branch_id, err)) != 0)
		return rc;
	if ((rc = check_text("detail", ev->detail, CLIENT_EVENT_DETAIL_MAX, err)) != 0)
		return rc;
	if (ev->time < 0)
		return refuse(err, "time", "time is negative");
	return 0;
}

/* The note is refused whole, so a client learns which event to fix and no
 * half of a note is stored. */
int client_note_validate(const Hearth__AuditNote *note, record_error *err)
{
	if (note == NULL)
		return refuse(err, "events", "the note is missing");
	if (note->n_events > CLIENT_NOTE_EVENTS_MAX)
		return refuse(err, "events", "%zu events exceed the limit of %d per note",
		              note->n_events, CLIENT_NOTE_EVENTS_MAX);
	for (size_t i = 0; i < note->n_events; i++) {
		record_error one;
		int rc = client_event_validate(note->events[i], &one);

		if (rc != 0) {
			if (err != NULL) {
				snprintf(err->field, sizeof(err->field), "events[%zu]%s%.24s", i,
				         one.field[0] ? "." : "", one.field);
				snprintf(err->message, sizeof(err->message), "event %zu: %.280s", i, one.message);
			}
			return rc;
		}
	}
	return 0;
}
