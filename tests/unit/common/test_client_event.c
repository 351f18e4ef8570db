/* test_client_event.c: a client-reported audit event is stored only when its text is clean one-line UTF-8 within its limits and its sizes are bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/client_event.h"
#include "common/hearth.h"

static uint8_t id16[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static char *reveal_fields[] = { "id_card", "phone" };

/* What `hearth show --reveal` queues. */
static void reveal(Hearth__ClientEvent *ev)
{
	hearth__client_event__init(ev);
	ev->action = "reveal";
	ev->record_id.data = id16;
	ev->record_id.len = 16;
	ev->kind = HEARTH__KIND__KIND_MEMBER;
	ev->n_fields = 2;
	ev->fields = reveal_fields;
	ev->time = 1764633600000;
	ev->detail = "show --reveal";
	ev->branch_id = "b001";
}

static void refused(const Hearth__ClientEvent *ev, const char *field, const char *message)
{
	record_error err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(client_event_validate(ev, &err), HEARTH_EINVAL);
	assert_string_equal(err.field, field);
	assert_string_equal(err.message, message);
}

static void test_real_events_pass(void **state)
{
	Hearth__ClientEvent ev;
	record_error err;

	(void)state;
	reveal(&ev);
	assert_int_equal(client_event_validate(&ev, &err), 0);
	/* `audit export` names no record and no kind; a path may be CJK. */
	hearth__client_event__init(&ev);
	ev.action = "export";
	ev.detail = "audit export --jsonl /home/书记/审计.jsonl";
	ev.count = 1200;
	assert_int_equal(client_event_validate(&ev, &err), 0);
	/* `list --csv` exports a kind without fields. */
	ev.kind = HEARTH__KIND__KIND_HARDSHIP;
	ev.branch_id = "b-002.x_y";
	assert_int_equal(client_event_validate(&ev, &err), 0);
}

static void test_text_is_one_clean_line(void **state)
{
	Hearth__ClientEvent ev;
	char *long_detail;

	(void)state;
	reveal(&ev);
	ev.detail = "show\x1b[2J";
	refused(&ev, "detail", "detail contains a control or invisible character U+001B");
	ev.detail = "show --reveal\n2026-12-01 admin reveal b002";
	refused(&ev, "detail", "detail contains a control or invisible character U+000A");
	ev.detail = "show\xc2\x9b" "2J";
	refused(&ev, "detail", "detail contains a control or invisible character U+009B");
	ev.detail = "show\xe2\x80\xae";
	refused(&ev, "detail", "detail contains a control or invisible character U+202E");
	ev.detail = "show\xe2\x80\x8b";
	refused(&ev, "detail", "detail contains a control or invisible character U+200B");
	ev.detail = "show \xff\xfe";
	refused(&ev, "detail", "detail is not valid UTF-8");
	ev.detail = "show \xed\xa0\x80";
	refused(&ev, "detail", "detail is not valid UTF-8");
	/* The limit counts characters: 1,300 CJK characters pass, 1,301 do not. */
	long_detail = malloc(3 * (CLIENT_EVENT_DETAIL_MAX + 1) + 1);
	assert_non_null(long_detail);
	for (size_t i = 0; i <= CLIENT_EVENT_DETAIL_MAX; i++)
		memcpy(long_detail + 3 * i, "审", 3);
	long_detail[3 * CLIENT_EVENT_DETAIL_MAX] = '\0';
	ev.detail = long_detail;
	assert_int_equal(client_event_validate(&ev, NULL), 0);
	long_detail[3 * CLIENT_EVENT_DETAIL_MAX] = "审"[0];
	long_detail[3 * (CLIENT_EVENT_DETAIL_MAX + 1)] = '\0';
	refused(&ev, "detail", "detail is longer than 1300 characters (1301)");
	free(long_detail);
}

static void test_fields_ids_and_names(void **state)
{
	Hearth__ClientEvent ev;
	char *bad_field[] = { "id_card", "no_such" };
	char *esc_field[] = { "id_card\x1b[2J" };
	char *many[CLIENT_EVENT_FIELDS_MAX + 1];

	(void)state;
	reveal(&ev);
	ev.action = "delete";
	refused(&ev, "action", "action must be \"reveal\" or \"export\"");
	ev.action = NULL;
	refused(&ev, "action", "action must be \"reveal\" or \"export\"");
	reveal(&ev);
	ev.record_id.len = 15;
	refused(&ev, "record_id", "record_id must be a 16-byte record id (got 15 bytes)");
	reveal(&ev);
	ev.kind = (Hearth__Kind)99;
	refused(&ev, "kind", "kind: 99 is not a known record kind");
	reveal(&ev);
	ev.fields = bad_field;
	refused(&ev, "fields", "fields[1] is not a field of a member");
	ev.n_fields = 1;
	ev.fields = esc_field;
	refused(&ev, "fields", "fields[0] is not a field of a member");
	ev.kind = HEARTH__KIND__KIND_UNSPECIFIED;
	refused(&ev, "fields", "fields are named without a record kind");
	reveal(&ev);
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(many); i++)
		many[i] = "phone";
	ev.n_fields = HEARTH_ARRAY_LEN(many);
	ev.fields = many;
	refused(&ev, "fields", "fields has more than 64 names (65)");
	reveal(&ev);
	ev.branch_id = "b002\n";
	refused(&ev, "branch_id", "branch_id may contain only A-Z, a-z, 0-9, '.', '_' and '-'");
	ev.branch_id = "b0000000000000000000000000000000000000000000000000000000000000000";
	refused(&ev, "branch_id", "branch_id is longer than 63 characters (65)");
	reveal(&ev);
	ev.time = -1;
	refused(&ev, "time", "time is negative");
}

static void test_note_bounds(void **state)
{
	Hearth__ClientEvent ev, bad, *evs[CLIENT_NOTE_EVENTS_MAX + 1];
	Hearth__AuditNote note = HEARTH__AUDIT_NOTE__INIT;
	record_error err;

	(void)state;
	reveal(&ev);
	reveal(&bad);
	bad.detail = "x\r";
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(evs); i++)
		evs[i] = &ev;
	note.events = evs;
	note.n_events = 0;
	assert_int_equal(client_note_validate(&note, &err), 0);
	note.n_events = CLIENT_NOTE_EVENTS_MAX;
	assert_int_equal(client_note_validate(&note, &err), 0);
	note.n_events = CLIENT_NOTE_EVENTS_MAX + 1;
	assert_int_equal(client_note_validate(&note, &err), HEARTH_EINVAL);
	assert_string_equal(err.field, "events");
	assert_string_equal(err.message, "501 events exceed the limit of 500 per note");
	note.n_events = 10;
	evs[7] = &bad;
	assert_int_equal(client_note_validate(&note, &err), HEARTH_EINVAL);
	assert_string_equal(err.field, "events[7].detail");
	assert_string_equal(err.message,
	                    "event 7: detail contains a control or invisible character U+000D");
	evs[7] = NULL;
	assert_int_equal(client_note_validate(&note, &err), HEARTH_EINVAL);
	assert_string_equal(err.field, "events[7]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_events_pass),
		cmocka_unit_test(test_text_is_one_clean_line),
		cmocka_unit_test(test_fields_ids_and_names),
		cmocka_unit_test(test_note_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
