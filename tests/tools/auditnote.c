/* auditnote.c: a test tool that sends client-reported audit events
 * (AuditNote) the way a hostile client could: raw detail bytes (ESC, line
 * breaks, invalid UTF-8), any record id, many events per note, and many
 * notes pipelined on one connection.
 *
 *   auditnote --port P --cert C --key K --ca CA [--action A] [--record HEX]
 *             [--kind K] [--field NAME]... [--detail TEXT | --detail-hex HEX]
 *             [--branch B] [--events N] [--notes N]
 *
 * Each note holds --events copies of the event (default 1); --notes (default
 * 1) notes are sent before any answer is read. With one note it prints the
 * answer: "ack recorded=N" or "error code=... field=... message=...". With
 * more it prints "acks=A recorded=R errors=E" and then the first error line,
 * if any. Then "closed" if the server closed the connection. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/hearth.h"
#include "client/core/session.h"
#include "tool_util.h"

#define FIELDS_MAX 80

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },   { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },    { "ca", required_argument, NULL, 'a' },
		{ "action", required_argument, NULL, 'A' }, { "record", required_argument, NULL, 'r' },
		{ "kind", required_argument, NULL, 'K' },   { "field", required_argument, NULL, 'f' },
		{ "detail", required_argument, NULL, 'd' }, { "detail-hex", required_argument, NULL, 'x' },
		{ "branch", required_argument, NULL, 'B' }, { "events", required_argument, NULL, 'e' },
		{ "notes", required_argument, NULL, 'n' },  { NULL, 0, NULL, 0 },
	};
	static char detail[70000];
	static uint8_t rid[16];
	char *fields[FIELDS_MAX], server[64], first_error[700] = "";
	size_t n_fields = 0;
	profile prof;
	session s;
	Hearth__ClientEvent ev = HEARTH__CLIENT_EVENT__INIT, **evs;
	Hearth__AuditNote note = HEARTH__AUDIT_NOTE__INIT;
	int port = 0, n_events = 1, notes = 1, o, closed = 0;
	unsigned acks = 0, errors = 0;
	unsigned long long recorded = 0;

	memset(&prof, 0, sizeof(prof));
	ev.action = "reveal";
	ev.detail = "show --reveal";
	ev.time = 1764633600000LL;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'c': snprintf(prof.cert, sizeof(prof.cert), "%s", optarg); break;
		case 'k': snprintf(prof.key, sizeof(prof.key), "%s", optarg); break;
		case 'a': snprintf(prof.ca, sizeof(prof.ca), "%s", optarg); break;
		case 'A': ev.action = optarg; break;
		case 'r':
			ev.record_id.len = tool_unhex(optarg, rid, sizeof(rid));
			ev.record_id.data = rid;
			break;
		case 'K': ev.kind = atoi(optarg); break;
		case 'f':
			if (n_fields < FIELDS_MAX)
				fields[n_fields++] = optarg;
			break;
		case 'd': ev.detail = optarg; break;
		case 'x': {
			size_t n = tool_unhex(optarg, (uint8_t *)detail, sizeof(detail) - 1);
			detail[n] = 0;
			ev.detail = detail;
			break;
		}
		case 'B': ev.branch_id = optarg; break;
		case 'e': n_events = atoi(optarg); break;
		case 'n': notes = atoi(optarg); break;
		default: return 2;
		}
	}
	if (n_events < 0 || n_events > 100000 || notes < 1 || notes > 100000)
		return 2;
	ev.n_fields = n_fields;
	ev.fields = fields;
	if ((evs = calloc((size_t)n_events + 1, sizeof(*evs))) == NULL)
		return 2;
	for (int i = 0; i < n_events; i++)
		evs[i] = &ev;
	note.n_events = (size_t)n_events;
	note.events = evs;

	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	profile_set_server(&prof, server);
	if (session_open(&s, &prof) != 0) {
		printf("open_failed %s\n", s.error);
		session_close(&s);
		free(evs);
		return 0;
	}
	for (int i = 0; i < notes; i++) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
		uint64_t id;
		req.body_case = HEARTH__ENVELOPE__BODY_AUDIT_NOTE;
		req.audit_note = &note;
		if (session_send(&s, &req, &id) != 0) {
			closed = 1;
			break;
		}
	}
	for (int i = 0; i < notes && !closed; i++) {
		Hearth__Envelope *e = NULL;
		char line[700];
		if (session_recv(&s, &e) != 0) {
			closed = 1;
			break;
		}
		if (e->body_case == HEARTH__ENVELOPE__BODY_AUDIT_NOTE_ACK) {
			acks++;
			recorded += e->audit_note_ack->recorded;
			snprintf(line, sizeof(line), "ack recorded=%u", e->audit_note_ack->recorded);
		} else if (e->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
			errors++;
			snprintf(line, sizeof(line), "error code=%s field=%s message=%s",
			         tool_enum_name(&hearth__error_code__descriptor, e->error->code), e->error->field,
			         e->error->message);
			if (!first_error[0])
				snprintf(first_error, sizeof(first_error), "%s", line);
		} else {
			snprintf(line, sizeof(line), "%s", envelope_body_name(e));
		}
		if (notes == 1)
			printf("%s\n", line);
		envelope_free(e, NULL);
	}
	if (notes > 1) {
		printf("acks=%u recorded=%llu errors=%u\n", acks, recorded, errors);
		if (first_error[0])
			printf("%s\n", first_error);
	}
	if (closed)
		printf("closed\n");
	s.fail = SESSION_PROTOCOL;
	session_close(&s);
	free(evs);
	return 0;
}
