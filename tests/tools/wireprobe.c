/* wireprobe.c: a test tool that speaks to hearthd at the byte level, to
 * check how the server answers malformed or hostile input.
 *
 *   wireprobe --port P --cert C --key K --ca CA [--no-hello] [--raw-tcp]
 *             [--send HEX]... [--frame-len N] [--ping] [--wait-ms N] [--stall-ms N]
 *             [--push-member SPEC] [--pipeline-pulls N [--pull-limit L] [--no-read-ms T]]
 *
 * --stall-ms also works after Hello: the --send bytes are then trickled
 * into the TLS stream one byte (one TLS record) at a time.
 * --push-member sends, after Hello, one PushRequest with one member op
 * built from SPEC, comma-separated key=value (see apply_spec): the fields
 * name, name_hex, name_len, notes_len, gender, category, standing,
 * birth_date, join_date, full_member_date, care_tags (count), branch,
 * kind, id_len, op_id_len, base_rev, delete, unknown (member field 99),
 * record_unknown (record field 99), and body_hex + body_field (a raw
 * body of any kind, e.g. body_field=22 for a visit, sent instead of the
 * member, with kind= naming its kind). It prints "result status=... code=...
 * field=... message=..." per op result.
 * --pipeline-pulls sends N PullRequests (cursor 0, all branches, limit L)
 * back to back without reading any answer, then waits --no-read-ms before
 * reading; prints "pulls_sent=N" and, at the end, "responses=M".
 *
 * Prints one line per event: "welcome", "pong", "error code=NAME field=F
 * message=...", "result ...", "conflict_queue conflicts=N next=BYTES
 * open_total=N masked=0|1", "closed", "timeout". Exit 0 unless the tool
 * itself failed. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/hearth.h"
#include "client/core/session.h"
#include "tool_util.h"
#include "common/uuid.h"

/* What --push-member builds: a valid member op unless SPEC says otherwise. */
typedef struct member_spec {
	char name[8192];
	size_t name_len;
	char notes[8192];
	int gender, category, standing;
	char birth_date[64], join_date[64], full_member_date[64];
	int care_tags;
	char branch[64];
	int kind;
	int id_len, op_id_len;
	uint64_t base_rev;
	int delete_;
	int unknown, record_unknown;
	uint8_t body[4096];         /* body_hex: a raw body of any kind ... */
	size_t body_len;
	int body_field;             /* ... sent as Record field body_field */
} member_spec;


static void spec_defaults(member_spec *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->name, "测试党员");
	m->name_len = strlen(m->name);
	m->gender = 1;
	m->category = 1;
	strcpy(m->join_date, "2001-07-01");
	m->kind = HEARTH__KIND__KIND_MEMBER;
	m->id_len = 16;
	m->op_id_len = 16;
}

static void fill(char *dst, size_t cap, long n, char ch)
{
	if (n < 0 || (size_t)n >= cap)
		n = (long)cap - 1;
	memset(dst, ch, (size_t)n);
	dst[n] = '\0';
}

/* Applies "key=value,key=value"; returns 0 or -1 on an unknown key. */
static int apply_spec(member_spec *m, char *spec)
{
	for (char *save = NULL, *kv = strtok_r(spec, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');
		if (!v)
			return -1;
		*v++ = '\0';
		if (!strcmp(kv, "name")) {
			snprintf(m->name, sizeof(m->name), "%s", v);
			m->name_len = strlen(m->name);
		} else if (!strcmp(kv, "name_hex")) {
			m->name_len = tool_unhex(v, (uint8_t *)m->name, sizeof(m->name) - 1);
			m->name[m->name_len] = '\0';
		} else if (!strcmp(kv, "name_len")) {
			fill(m->name, sizeof(m->name), atol(v), 'a');
			m->name_len = strlen(m->name);
		} else if (!strcmp(kv, "notes_len")) {
			fill(m->notes, sizeof(m->notes), atol(v), 'n');
		} else if (!strcmp(kv, "gender")) {
			m->gender = atoi(v);
		} else if (!strcmp(kv, "category")) {
			m->category = atoi(v);
		} else if (!strcmp(kv, "standing")) {
			m->standing = atoi(v);
		} else if (!strcmp(kv, "birth_date")) {
			snprintf(m->birth_date, sizeof(m->birth_date), "%s", v);
		} else if (!strcmp(kv, "join_date")) {
			snprintf(m->join_date, sizeof(m->join_date), "%s", v);
		} else if (!strcmp(kv, "full_member_date")) {
			snprintf(m->full_member_date, sizeof(m->full_member_date), "%s", v);
		} else if (!strcmp(kv, "care_tags")) {
			m->care_tags = atoi(v);
		} else if (!strcmp(kv, "branch")) {
			snprintf(m->branch, sizeof(m->branch), "%s", v);
		} else if (!strcmp(kv, "kind")) {
			m->kind = atoi(v);
		} else if (!strcmp(kv, "id_len")) {
			m->id_len = atoi(v);
		} else if (!strcmp(kv, "op_id_len")) {
			m->op_id_len = atoi(v);
		} else if (!strcmp(kv, "base_rev")) {
			m->base_rev = strtoull(v, NULL, 10);
		} else if (!strcmp(kv, "delete")) {
			m->delete_ = atoi(v);
		} else if (!strcmp(kv, "unknown")) {
			m->unknown = atoi(v);
		} else if (!strcmp(kv, "body_hex")) {
			/* protobuf-c keeps an unknown field's length prefix in its
			 * data: two varint bytes here, enough for this buffer. */
			size_t n = tool_unhex(v, m->body + 2, sizeof(m->body) - 2);
			m->body[0] = (uint8_t)(0x80 | (n & 0x7f));
			m->body[1] = (uint8_t)(n >> 7);
			m->body_len = n + 2;
		} else if (!strcmp(kv, "body_field")) {
			m->body_field = atoi(v);
		} else if (!strcmp(kv, "record_unknown")) {
			m->record_unknown = atoi(v);
		} else {
			return -1;
		}
	}
	if (m->id_len < 0 || m->id_len > 64 || m->op_id_len < 0 || m->op_id_len > 64 ||
	    m->care_tags < 0 || m->care_tags > 1000)
		return -1;
	return 0;
}

static void print_result(const Hearth__OpResult *r)
{
	const char *st = tool_enum_name(&hearth__op_status__descriptor, r->status);
	if (r->error)
		printf("result status=%s code=%s field=%s message=%s\n", st,
		       tool_enum_name(&hearth__error_code__descriptor, r->error->code), r->error->field,
		       r->error->message);
	else
		printf("result status=%s rev=%llu\n", st, (unsigned long long)r->rev);
}

/* Sends one PushRequest holding the op SPEC describes (does not wait). */
static int send_member_push(session *s, const member_spec *m)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__PushRequest pr = HEARTH__PUSH_REQUEST__INIT;
	Hearth__Op op = HEARTH__OP__INIT, *opp = &op;
	Hearth__Record rec = HEARTH__RECORD__INIT;
	Hearth__Member mem = HEARTH__MEMBER__INIT;
	Hearth__CareTag *tags = NULL;
	uint32_t changed[] = { 1, 2, 7, 8 };
	uint8_t id[64], op_id[64];
	uint8_t unk_data[1] = { 1 };
	ProtobufCMessageUnknownField unk = { 99, PROTOBUF_C_WIRE_TYPE_VARINT, 1, unk_data };
	ProtobufCMessageUnknownField runk[2] = {
		{ 99, PROTOBUF_C_WIRE_TYPE_VARINT, 1, unk_data },
		{ (uint32_t)m->body_field, PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED, m->body_len, (uint8_t *)m->body },
	};
	int rc;

	uuid_v7(id);
	memcpy(id + 16, id, 16);
	memcpy(id + 32, id, 32);
	uuid_v7(op_id);
	memcpy(op_id + 16, op_id, 16);
	memcpy(op_id + 32, op_id, 32);
	mem.name = (char *)m->name;
	mem.gender = (Hearth__Gender)m->gender;
	mem.category = (Hearth__MemberCategory)m->category;
	mem.standing = (Hearth__Standing)m->standing;
	mem.birth_date = (char *)m->birth_date;
	mem.join_date = (char *)m->join_date;
	mem.full_member_date = (char *)m->full_member_date;
	mem.notes = (char *)m->notes;
	if (m->care_tags) {
		tags = calloc((size_t)m->care_tags, sizeof(*tags));
		if (!tags)
			return -1;
		for (int i = 0; i < m->care_tags; i++)
			tags[i] = HEARTH__CARE_TAG__CARE_ELDERLY;
		mem.n_care_tags = (size_t)m->care_tags;
		mem.care_tags = tags;
	}
	if (m->unknown) {
		mem.base.n_unknown_fields = 1;
		mem.base.unknown_fields = &unk;
	}
	rec.id.data = id;
	rec.id.len = (size_t)m->id_len;
	rec.kind = (Hearth__Kind)m->kind;
	rec.branch_id = (char *)m->branch;
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &mem;
	if (m->body_field > 0) {
		/* A body this tool has no struct for travels as an unknown field
		 * of the right number: the server reads it as the real body. */
		rec.body_case = HEARTH__RECORD__BODY__NOT_SET;
		rec.member = NULL;
		rec.base.n_unknown_fields = 1;
		rec.base.unknown_fields = &runk[1];
	} else if (m->record_unknown) {
		rec.base.n_unknown_fields = 1;
		rec.base.unknown_fields = &runk[0];
	}
	op.op_id.data = op_id;
	op.op_id.len = (size_t)m->op_id_len;
	op.record = &rec;
	op.base_rev = m->base_rev;
	op.delete_ = m->delete_ != 0;
	op.n_changed_fields = HEARTH_ARRAY_LEN(changed);
	op.changed_fields = changed;
	pr.n_ops = 1;
	pr.ops = &opp;
	req.body_case = HEARTH__ENVELOPE__BODY_PUSH;
	req.push = &pr;
	/* protobuf-c packs strings with strlen: name_hex bytes must not hold NUL. */
	rc = session_send(s, &req, NULL);
	free(tags);
	return rc;
}

static int send_pulls(session *s, int n, uint32_t limit)
{
	for (int i = 0; i < n; i++) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
		Hearth__PullRequest pr = HEARTH__PULL_REQUEST__INIT;
		pr.cursor = 0;
		pr.limit = limit;
		pr.branch_id = "";
		req.body_case = HEARTH__ENVELOPE__BODY_PULL;
		req.pull = &pr;
		if (session_send(s, &req, NULL) != 0)
			return i;
	}
	return n;
}

static void print_env(Hearth__Envelope *e)
{
	if (e->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
		printf("error code=%s field=%s message=%s\n",
		       tool_enum_name(&hearth__error_code__descriptor, e->error->code), e->error->field,
		       e->error->message);
	} else if (e->body_case == HEARTH__ENVELOPE__BODY_PUSH_RESULT) {
		for (size_t i = 0; i < e->push_result->n_results; i++)
			print_result(e->push_result->results[i]);
	} else if (e->body_case == HEARTH__ENVELOPE__BODY_CONFLICT_QUEUE) {
		printf("conflict_queue conflicts=%zu next=%zu open_total=%llu masked=%d\n",
		       e->conflict_queue->n_conflicts, e->conflict_queue->next.len,
		       (unsigned long long)e->conflict_queue->open_total, (int)e->conflict_queue->masked);
	} else {
		printf("%s\n", envelope_body_name(e));
	}
	fflush(stdout);
}

static int raw_tcp(int port, const uint8_t *data, size_t len, int wait_ms, int stall_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[4096];
	sa.sin_addr.s_addr = htonl(0x7f000001);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		printf("connect_failed %s\n", strerror(errno));
		return 1;
	}
	if (stall_ms > 0) {
		/* Slowloris: one byte at a time, stall_ms apart. */
		for (size_t i = 0; i < len; i++) {
			if (send(fd, data + i, 1, MSG_NOSIGNAL) != 1)
				break;
			usleep((useconds_t)stall_ms * 1000);
		}
	} else if (len) {
		(void)!send(fd, data, len, MSG_NOSIGNAL);
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, wait_ms);
		ssize_t r;
		if (pr == 0) {
			printf("timeout\n");
			break;
		}
		r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0) {
			printf("closed\n");
			break;
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' }, { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },  { "ca", required_argument, NULL, 'a' },
		{ "no-hello", no_argument, NULL, 'n' },   { "raw-tcp", no_argument, NULL, 'r' },
		{ "send", required_argument, NULL, 's' }, { "frame-len", required_argument, NULL, 'f' },
		{ "ping", no_argument, NULL, 'P' },       { "wait-ms", required_argument, NULL, 'w' },
		{ "stall-ms", required_argument, NULL, 'S' },
		{ "push-member", required_argument, NULL, 'M' },
		{ "pipeline-pulls", required_argument, NULL, 'L' },
		{ "pull-limit", required_argument, NULL, 'l' },
		{ "no-read-ms", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	member_spec spec;
	int push_member = 0, pulls = 0, no_read_ms = 0;
	long responses = 0;
	uint32_t pull_limit = 5000;
	profile prof;
	session s;
	static uint8_t data[1 << 20];
	size_t len = 0;
	int port = 0, hello = 1, raw = 0, ping = 0, wait_ms = 3000, stall_ms = 0, o;
	long long frame_len = -1;

	memset(&prof, 0, sizeof(prof));
	spec_defaults(&spec);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'c': snprintf(prof.cert, sizeof(prof.cert), "%s", optarg); break;
		case 'k': snprintf(prof.key, sizeof(prof.key), "%s", optarg); break;
		case 'a': snprintf(prof.ca, sizeof(prof.ca), "%s", optarg); break;
		case 'n': hello = 0; break;
		case 'r': raw = 1; break;
		case 's': len += tool_unhex(optarg, data + len, sizeof(data) - len); break;
		case 'f': frame_len = atoll(optarg); break;
		case 'P': ping = 1; break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'S': stall_ms = atoi(optarg); break;
		case 'M':
			push_member = 1;
			if (apply_spec(&spec, optarg) != 0) {
				fprintf(stderr, "wireprobe: bad --push-member spec\n");
				return 2;
			}
			break;
		case 'L': pulls = atoi(optarg); break;
		case 'l': pull_limit = (uint32_t)atoi(optarg); break;
		case 'N': no_read_ms = atoi(optarg); break;
		default: return 2;
		}
	}
	if (frame_len >= 0) {
		/* A header claiming frame_len bytes, followed by whatever --send gave. */
		memmove(data + 4, data, len);
		data[0] = (uint8_t)(frame_len >> 24);
		data[1] = (uint8_t)(frame_len >> 16);
		data[2] = (uint8_t)(frame_len >> 8);
		data[3] = (uint8_t)frame_len;
		len += 4;
	}
	if (raw)
		return raw_tcp(port, data, len, wait_ms, stall_ms);

	char server[64];
	snprintf(server, sizeof(server), "127.0.0.1:%d", port);
	profile_set_server(&prof, server);
	if (hello) {
		if (session_open(&s, &prof) != 0) {
			printf("open_failed %s\n", s.error);
			session_close(&s);
			return 0;
		}
		printf("welcome\n");
	} else {
		/* TLS only: the same as session_open but stop before Hello. */
		fprintf(stderr, "wireprobe: --no-hello needs --raw-tcp in this version\n");
		return 2;
	}
	s.timeout_ms = wait_ms;
	if (len && stall_ms > 0) {
		/* Slowloris after Hello: each byte its own TLS record. */
		for (size_t i = 0; i < len; i++) {
			if (session_write_raw(&s, data + i, 1) != 0) {
				printf("closed\n");
				session_close(&s);
				return 0;
			}
			usleep((useconds_t)stall_ms * 1000);
		}
	} else if (len && session_write_raw(&s, data, len) != 0) {
		printf("closed\n");
		session_close(&s);
		return 0;
	}
	if (push_member && send_member_push(&s, &spec) != 0) {
		printf("closed\n");
		session_close(&s);
		return 0;
	}
	if (pulls > 0) {
		printf("pulls_sent=%d\n", send_pulls(&s, pulls, pull_limit));
		fflush(stdout);
		if (no_read_ms > 0)
			usleep((useconds_t)no_read_ms * 1000);
	}
	if (ping) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
		Hearth__Ping p = HEARTH__PING__INIT;
		req.body_case = HEARTH__ENVELOPE__BODY_PING;
		req.ping = &p;
		session_send(&s, &req, NULL);
	}
	for (;;) {
		Hearth__Envelope *e = NULL;
		int rc = session_recv(&s, &e);
		if (rc == HEARTH_ETIMEDOUT) {
			printf("timeout\n");
			break;
		}
		if (rc < 0) {
			printf("closed\n");
			break;
		}
		if (pulls > 0) {
			/* Count, do not print, a flood of answers. */
			if (e->body_case != HEARTH__ENVELOPE__BODY_PULL_RESULT)
				print_env(e);
			responses++;
			envelope_free(e, NULL);
			if (responses >= pulls)
				break;
			continue;
		}
		print_env(e);
		envelope_free(e, NULL);
		if (!len && ping)
			break;
		if (!len && push_member)
			break;
	}
	if (pulls > 0)
		printf("responses=%ld\n", responses);
	s.fail = SESSION_PROTOCOL; /* skip close_notify on a dead connection */
	session_close(&s);
	return 0;
}
