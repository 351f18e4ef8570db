/* recoverop.c: a test tool that sends hand-built RecoverRequests, so tests
 * can re-push what a correct replica never would (another branch's record,
 * a record outside recovery mode, a copy that contradicts its witnessed
 * audit entry, a flood of empty records).
 *
 *   recoverop --port P --cert C --key K --ca CA [--branch B] [--name NAME]
 *             [--id HEX] [--rev R] [--kind K] [--witness-bad] [--empty N]
 *
 * Sends one member record (kind K, default member) with that id (default a
 * new one), branch, name and claimed revision (default 1), by protobuf-c.
 * --witness-bad attaches an audit entry of that revision whose body digest
 * is not the record's. --empty N instead sends N empty records, built by
 * hand (2 bytes each on the wire).
 *
 * Prints the whole-request error ("error code=... field=... message=...")
 * or one line per result ("status=RECOVER_RESTORED rev=3" or
 * "status=RECOVER_REJECTED code=ERR_FORBIDDEN field=F message=M"), or
 * "closed" when the server closed the connection. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/session.h"
#include "common/hearth.h"
#include "common/uuid.h"
#include "common/wire.h"
#include "tool_util.h"

static void print_answer(const Hearth__Envelope *e)
{
	if (e->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
		printf("error code=%s field=%s message=%s\n", tool_enum_name(&hearth__error_code__descriptor, e->error->code),
		       e->error->field, e->error->message);
		return;
	}
	if (e->body_case != HEARTH__ENVELOPE__BODY_RECOVER_RESULT) {
		printf("%s\n", envelope_body_name(e));
		return;
	}
	for (size_t i = 0; i < e->recover_result->n_results; i++) {
		const Hearth__RecoverResult *r = e->recover_result->results[i];
		if (r->error)
			printf("status=%s code=%s field=%s message=%s\n",
			       tool_enum_name(&hearth__recover_status__descriptor, r->status),
			       tool_enum_name(&hearth__error_code__descriptor, r->error->code), r->error->field,
			       r->error->message);
		else
			printf("status=%s rev=%llu\n", tool_enum_name(&hearth__recover_status__descriptor, r->status),
			       (unsigned long long)r->rev);
	}
	printf("checkpoint=%s\n", e->recover_result->checkpoint ? "yes" : "no");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },  { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },   { "ca", required_argument, NULL, 'a' },
		{ "branch", required_argument, NULL, 'B' }, { "name", required_argument, NULL, 'N' },
		{ "id", required_argument, NULL, 'I' },    { "rev", required_argument, NULL, 'r' },
		{ "kind", required_argument, NULL, 'K' },  { "witness-bad", no_argument, NULL, 'w' },
		{ "empty", required_argument, NULL, 'E' }, { NULL, 0, NULL, 0 },
	};
	profile prof;
	session s;
	char server[64];
	uint8_t id[16], zero[32];
	const char *branch = "", *name = "测试";
	unsigned long long rev = 1;
	int port = 0, kind = HEARTH__KIND__KIND_MEMBER, witness_bad = 0, empty = 0, have_id = 0, o;

	memset(&prof, 0, sizeof(prof));
	memset(zero, 0, sizeof(zero));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'c': snprintf(prof.cert, sizeof(prof.cert), "%s", optarg); break;
		case 'k': snprintf(prof.key, sizeof(prof.key), "%s", optarg); break;
		case 'a': snprintf(prof.ca, sizeof(prof.ca), "%s", optarg); break;
		case 'B': branch = optarg; break;
		case 'N': name = optarg; break;
		case 'I': have_id = tool_unhex(optarg, id, 16) == 16; break;
		case 'r': rev = strtoull(optarg, NULL, 10); break;
		case 'K': kind = atoi(optarg); break;
		case 'w': witness_bad = 1; break;
		case 'E': empty = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!have_id)
		uuid_v7(id);
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	profile_set_server(&prof, server);
	if (session_open(&s, &prof) != 0) {
		printf("open_failed %s\n", s.error);
		session_close(&s);
		return 0;
	}
	if (empty > 0) {
		wirebuf body = WIREBUF_INIT, frame = WIREBUF_INIT;
		Hearth__Envelope *e = NULL;
		for (int i = 0; i < empty && i < 4000000; i++)
			wire_bytes_field(&body, 1, NULL, 0, 1);
		wire_frame_begin(&frame);
		wire_uint_field(&frame, 1, 7);
		wire_bytes_field(&frame, HEARTH__ENVELOPE__BODY_RECOVER, body.data, body.len, 1);
		wire_frame_finish(&frame);
		if (session_write_raw(&s, frame.data, frame.len) != 0 || session_recv(&s, &e) != 0)
			printf("closed\n");
		else
			print_answer(e);
		envelope_free(e, NULL);
		wire_free(&body);
		wire_free(&frame);
	} else {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__RecoverRequest rq = HEARTH__RECOVER_REQUEST__INIT;
		Hearth__Record rec = HEARTH__RECORD__INIT, *recs[1] = { &rec };
		Hearth__Member m = HEARTH__MEMBER__INIT;
		Hearth__AuditEntry w = HEARTH__AUDIT_ENTRY__INIT, *ws[1] = { &w };

		rec.id.data = id;
		rec.id.len = 16;
		rec.kind = (Hearth__Kind)kind;
		rec.branch_id = (char *)branch;
		rec.rev = rev;
		rec.updated_at = 1767225600000;
		rec.updated_by = "0123456789abcdef";
		rec.updated_by_name = "原作者";
		m.name = (char *)name;
		m.gender = HEARTH__GENDER__GENDER_FEMALE;
		rec.body_case = HEARTH__RECORD__BODY_MEMBER;
		rec.member = &m;
		rq.n_records = 1;
		rq.records = recs;
		if (witness_bad) {
			w.seq = 99;
			w.action = "record.create";
			w.record_id = rec.id;
			w.kind = rec.kind;
			w.branch_id = rec.branch_id;
			w.rev_after = rev;
			w.body_digest.data = zero;
			w.body_digest.len = 32;
			rq.n_witnessed = 1;
			rq.witnessed = ws;
		}
		req.body_case = HEARTH__ENVELOPE__BODY_RECOVER;
		req.recover = &rq;
		if (session_call(&s, &req, &resp) != 0)
			printf("closed\n");
		else
			print_answer(resp);
		envelope_free(resp, NULL);
	}
	s.fail = SESSION_PROTOCOL;
	session_close(&s);
	return 0;
}
