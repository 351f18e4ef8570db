/* pushop.c: a test tool that pushes hand-built ops, byte by byte, so tests
 * can send what a correct client never would (wrong id lengths, unknown
 * kinds, future base revisions, raw body bytes, too many ops).
 *
 *   pushop --port P --cert C --key K --ca CA [--count N] [--kind K]
 *          [--id HEX] [--id-len L] [--op-id-len L] [--base-rev R]
 *          [--branch B] [--delete] [--body-hex HEX | --name NAME]
 *          [--changed 1,2,...] [--body-field N] [--op-id HEX] [--show-record]
 *          [--empty-ops N]
 *
 * --op-id sends every op with that op_id (a retry, or a reuse of it);
 * --show-record prints, after each result that carries a record, the line
 * "record branch=B" plus "name=N phone=P id_card=I" for a member.
 * --empty-ops N sends N empty Op messages (2 bytes each on the wire: the
 * cheapest way to announce a huge op count) instead of --count real ones.
 *
 * Prints the whole-request error ("error code=... field=... message=...")
 * or one line per op result ("status=OP_APPLIED rev=1" or
 * "status=OP_REJECTED code=ERR_INVALID field=F message=M"), then
 * "closed" if the server closed the connection. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "client/core/session.h"
#include "common/uuid.h"
#include "common/wire.h"
#include "tool_util.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },     { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },      { "ca", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'n' },    { "kind", required_argument, NULL, 'K' },
		{ "id", required_argument, NULL, 'I' },       { "id-len", required_argument, NULL, 'i' },
		{ "op-id-len", required_argument, NULL, 'o' }, { "base-rev", required_argument, NULL, 'b' },
		{ "branch", required_argument, NULL, 'B' },   { "delete", no_argument, NULL, 'd' },
		{ "body-hex", required_argument, NULL, 'x' }, { "name", required_argument, NULL, 'N' },
		{ "changed", required_argument, NULL, 'C' },  { "body-field", required_argument, NULL, 'F' },
		{ "op-id", required_argument, NULL, 'O' },    { "show-record", no_argument, NULL, 'S' },
		{ "empty-ops", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	profile prof;
	session s;
	char server[64];
	static uint8_t body[65536], fixed_id[16], fixed_op_id[16];
	size_t body_len = 0;
	int port = 0, count = 1, kind = HEARTH__KIND__KIND_MEMBER, id_len = 16, op_id_len = 16, del = 0;
	int body_field = HEARTH__RECORD__BODY_MEMBER, have_id = 0, have_op_id = 0, show_record = 0, o;
	int empty_ops = 0;
	unsigned long long base_rev = 0;
	const char *branch = "", *changed = NULL;

	memset(&prof, 0, sizeof(prof));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'c': snprintf(prof.cert, sizeof(prof.cert), "%s", optarg); break;
		case 'k': snprintf(prof.key, sizeof(prof.key), "%s", optarg); break;
		case 'a': snprintf(prof.ca, sizeof(prof.ca), "%s", optarg); break;
		case 'n': count = atoi(optarg); break;
		case 'E': empty_ops = atoi(optarg); break;
		case 'K': kind = atoi(optarg); break;
		case 'I': have_id = tool_unhex(optarg, fixed_id, 16) == 16; break;
		case 'i': id_len = atoi(optarg); break;
		case 'o': op_id_len = atoi(optarg); break;
		case 'b': base_rev = strtoull(optarg, NULL, 10); break;
		case 'B': branch = optarg; break;
		case 'd': del = 1; break;
		case 'x': body_len = tool_unhex(optarg, body, sizeof(body)); break;
		case 'N': {
			wirebuf b = WIREBUF_INIT;
			wire_bytes_field(&b, 1, optarg, strlen(optarg), 0);
			if (b.len)
				memcpy(body, b.data, b.len);
			body_len = b.len;
			wire_free(&b);
			break;
		}
		case 'C': changed = optarg; break;
		case 'F': body_field = atoi(optarg); break;
		case 'O': have_op_id = tool_unhex(optarg, fixed_op_id, 16) == 16; break;
		case 'S': show_record = 1; break;
		default: return 2;
		}
	}
	if (count < 0 || id_len < 0 || id_len > 64 || op_id_len < 0 || op_id_len > 64)
		return 2;
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	profile_set_server(&prof, server);
	if (session_open(&s, &prof) != 0) {
		printf("open_failed %s\n", s.error);
		session_close(&s);
		return 0;
	}

	/* PushRequest{ops: Op{op_id, record{id, kind, branch, body}, base_rev,
	 * changed_fields (packed), delete}} by hand. */
	wirebuf push = WIREBUF_INIT, frame = WIREBUF_INIT;
	if (empty_ops > 0)
		count = 0;
	for (int i = 0; i < empty_ops && i < 4000000; i++)
		wire_bytes_field(&push, 1, NULL, 0, 1);
	for (int i = 0; i < count; i++) {
		wirebuf op = WIREBUF_INIT, rec = WIREBUF_INIT, ch = WIREBUF_INIT;
		uint8_t id[64], opid[64];
		uuid_v7(id);
		memcpy(id + 16, id, 16);
		uuid_v7(opid);
		memcpy(opid + 16, opid, 16);
		if (have_id)
			memcpy(id, fixed_id, 16);
		if (have_op_id)
			memcpy(opid, fixed_op_id, 16);
		wire_bytes_field(&rec, 1, id, (size_t)id_len, 1);
		wire_uint_field(&rec, 2, (uint64_t)kind);
		wire_bytes_field(&rec, 3, branch, strlen(branch), 0);
		if (body_len || !del)
			wire_bytes_field(&rec, (uint32_t)body_field, body, body_len, 1);
		wire_bytes_field(&op, 1, opid, (size_t)op_id_len, 1);
		wire_bytes_field(&op, 2, rec.data, rec.len, 1);
		wire_uint_field(&op, 3, base_rev);
		if (changed) {
			char *dup = strdup(changed), *save = NULL;
			for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
				wire_varint(&ch, strtoull(t, NULL, 10));
			free(dup);
			wire_bytes_field(&op, 4, ch.data, ch.len, 1);
		}
		wire_uint_field(&op, 5, (uint64_t)del);
		wire_bytes_field(&push, 1, op.data, op.len, 1);
		wire_free(&op);
		wire_free(&rec);
		wire_free(&ch);
	}
	wire_frame_begin(&frame);
	wire_uint_field(&frame, 1, 7);
	wire_bytes_field(&frame, HEARTH__ENVELOPE__BODY_PUSH, push.data, push.len, 1);
	wire_frame_finish(&frame);
	if (session_write_raw(&s, frame.data, frame.len) != 0) {
		printf("closed\n");
		goto out;
	}
	for (;;) {
		Hearth__Envelope *e = NULL;
		if (session_recv(&s, &e) != 0) {
			printf("closed\n");
			break;
		}
		if (e->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
			printf("error code=%s field=%s message=%s\n",
			       tool_enum_name(&hearth__error_code__descriptor, e->error->code), e->error->field,
			       e->error->message);
		} else if (e->body_case == HEARTH__ENVELOPE__BODY_PUSH_RESULT) {
			for (size_t i = 0; i < e->push_result->n_results; i++) {
				Hearth__OpResult *r = e->push_result->results[i];
				if (r->status == HEARTH__OP_STATUS__OP_REJECTED && r->error)
					printf("status=%s code=%s field=%s message=%s\n",
					       tool_enum_name(&hearth__op_status__descriptor, r->status),
					       tool_enum_name(&hearth__error_code__descriptor, r->error->code), r->error->field,
					       r->error->message);
				else
					printf("status=%s rev=%llu\n", tool_enum_name(&hearth__op_status__descriptor, r->status),
					       (unsigned long long)r->rev);
				if (show_record && r->record) {
					const Hearth__Member *m = r->record->body_case == HEARTH__RECORD__BODY_MEMBER
					                              ? r->record->member : NULL;
					printf("record branch=%s", r->record->branch_id);
					if (m)
						printf(" name=%s phone=%s id_card=%s", m->name, m->phone, m->id_card);
					printf("\n");
				}
			}
		} else {
			printf("%s\n", envelope_body_name(e));
		}
		envelope_free(e, NULL);
		/* One answer per request; then check the connection is still usable. */
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__Ping ping = HEARTH__PING__INIT;
		req.body_case = HEARTH__ENVELOPE__BODY_PING;
		req.ping = &ping;
		if (session_call(&s, &req, &resp) != 0)
			printf("closed\n");
		else
			printf("still_open\n");
		envelope_free(resp, NULL);
		break;
	}
out:
	wire_free(&push);
	wire_free(&frame);
	s.fail = SESSION_PROTOCOL;
	session_close(&s);
	return 0;
}
