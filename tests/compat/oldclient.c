/* oldclient.c: a client built from the previous protocol description
 * (tests/compat/hearth_v1_0.proto, C prefix hearth_v1_0__), run against
 * the current hearthd to prove old clients survive an upgrade.
 *
 *   oldclient --port P --cert C --key K --ca CA --mode MODE [--major N --minor N]
 *
 * Modes:
 *   sync     Hello as 1.0, push a member, pull it back, edit it, pull the
 *            edit, and check the server's digest against the pulled bytes
 *   hello    Hello with --major/--minor only; prints the server's answer;
 *            exit 0 when it is Welcome, 5 when it is ERR_VERSION
 *   hold     Hello, then wait for a line on standard input, then Ping: a
 *            connection that lives across a server event (t_service.sh
 *            reloads the certificates in between); exit 0 on Pong
 *   unknown  push a member carrying field 100 (unknown to every version so
 *            far, as a newer client might send), pull it back and compare
 *            the stored member bytes with the pushed ones byte for byte;
 *            then edit another field with a body that lacks field 100 and
 *            check the server kept it
 *
 * It talks to the server through the shared TLS engine and frame decoder
 * (neither depends on the schema) and packs and unpacks only
 * hearth_v1_0__* messages. Prints the server certificate's fingerprint
 * ("server-cert: HEX") and one line per step; exit 0 when all held. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "common/frame.h"
#include "common/hearth.h"
#include "hearth_v1_0.pb-c.h"
#include "common/tls.h"
#include "common/uuid.h"

typedef HearthV10__Envelope Env;

static int g_fd = -1;
static tls_engine g_tls;
static frame_decoder g_dec;
static uint64_t g_next_id;
static uint8_t g_plain[1 << 16];
static size_t g_plain_len, g_plain_off;
/* The raw payload of the last frame received: the server's exact bytes. */
static uint8_t *g_raw;
static size_t g_raw_len;

static int die(const char *what)
{
	fprintf(stderr, "oldclient: %s\n", what);
	return 1;
}

static int flush_out(void)
{
	uint8_t buf[16384];
	size_t n;
	while ((n = tls_engine_take_out(&g_tls, buf, sizeof(buf))) > 0) {
		for (size_t off = 0; off < n;) {
			ssize_t w = send(g_fd, buf + off, n - off, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			off += (size_t)w;
		}
	}
	return 0;
}

static int read_in(void)
{
	uint8_t buf[65536];
	struct pollfd p = { g_fd, POLLIN, 0 };
	ssize_t r;
	if (poll(&p, 1, 20000) != 1)
		return -1;
	r = recv(g_fd, buf, sizeof(buf), 0);
	if (r <= 0)
		return -1;
	return tls_engine_feed(&g_tls, buf, (size_t)r);
}

static int connect_to(int port, const char *cert, const char *key, const char *ca)
{
	tls_ctx_config tc = { cert, key, ca, NULL };
	struct sockaddr_in sa;
	char err[512];
	SSL_CTX *ctx = tls_ctx_new(TLS_CLIENT, &tc, err, sizeof(err));
	int rc;

	if (!ctx)
		return die(err);
	g_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (g_fd < 0 || connect(g_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		SSL_CTX_free(ctx);
		return die("cannot connect to 127.0.0.1");
	}
	setsockopt(g_fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	rc = tls_engine_init(&g_tls, ctx, TLS_CLIENT, "127.0.0.1");
	SSL_CTX_free(ctx);   /* the SSL keeps its own reference */
	if (rc != 0)
		return die("cannot set up TLS");
	frame_decoder_init(&g_dec, HEARTH_FRAME_MAX_CAP);
	for (;;) {
		rc = tls_engine_handshake(&g_tls);
		if (flush_out() != 0)
			return die("send failed");
		if (rc == 0) {
			X509 *peer = SSL_get1_peer_certificate(g_tls.ssl);
			char fp[65] = "";
			if (peer && tls_cert_fingerprint(peer, fp) == 0)
				printf("server-cert: %s\n", fp);
			X509_free(peer);
			fflush(stdout);
			return 0;
		}
		if (rc != HEARTH_EAGAIN || read_in() != 0)
			return die(g_tls.error[0] ? g_tls.error : "TLS handshake failed");
	}
}

/* Sends req and returns the response with the same request id. */
static Env *call(Env *req)
{
	size_t len;
	uint8_t *buf;

	req->request_id = ++g_next_id;
	len = hearth_v1_0__envelope__get_packed_size(req);
	buf = malloc(len + 4);
	if (!buf)
		return NULL;
	frame_header(buf, (uint32_t)len);
	hearth_v1_0__envelope__pack(req, buf + 4);
	if (tls_engine_write(&g_tls, buf, len + 4) != 0 || flush_out() != 0) {
		free(buf);
		return NULL;
	}
	free(buf);
	for (;;) {
		while (g_plain_off < g_plain_len) {
			size_t used = 0;
			uint8_t *frame = NULL;
			uint32_t flen = 0;
			int rc = frame_decode(&g_dec, g_plain + g_plain_off, g_plain_len - g_plain_off, &used,
			                      &frame, &flen);
			g_plain_off += used;
			if (rc == HEARTH_EAGAIN)
				break;
			if (rc < 0)
				return NULL;
			Env *resp = hearth_v1_0__envelope__unpack(NULL, flen, frame);
			free(g_raw);
			g_raw = frame;
			g_raw_len = flen;
			if (!resp)
				return NULL;
			if (resp->request_id == req->request_id || resp->request_id == 0)
				return resp;
			hearth_v1_0__envelope__free_unpacked(resp, NULL);
		}
		g_plain_off = g_plain_len = 0;
		int n = tls_engine_read(&g_tls, g_plain, sizeof(g_plain));
		if (flush_out() != 0)
			return NULL;
		if (n > 0) {
			g_plain_len = (size_t)n;
			continue;
		}
		if (n != HEARTH_EAGAIN || read_in() != 0)
			return NULL;
	}
}

/* ---- raw wire reading: the server's stored bytes, not a re-encoding ---- */

static int varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
	int shift = 0;
	*v = 0;
	while (*i < len && shift < 64) {
		*v |= (uint64_t)(p[*i] & 0x7f) << shift;
		shift += 7;
		if (!(p[(*i)++] & 0x80))
			return 0;
	}
	return -1;
}

/* Finds the n-th (0-based) length-delimited field `number` in p. */
static int field(const uint8_t *p, size_t len, uint32_t number, int nth, const uint8_t **out, size_t *out_len)
{
	size_t i = 0;
	while (i < len) {
		uint64_t tag, n;
		if (varint(p, len, &i, &tag) != 0)
			return -1;
		switch (tag & 7) {
		case 0:
			if (varint(p, len, &i, &n) != 0)
				return -1;
			break;
		case 1: i += 8; break;
		case 5: i += 4; break;
		case 2:
			if (varint(p, len, &i, &n) != 0 || n > len - i)
				return -1;
			if ((tag >> 3) == number && nth-- == 0) {
				*out = p + i;
				*out_len = (size_t)n;
				return 0;
			}
			i += (size_t)n;
			break;
		default: return -1;
		}
	}
	return -1;
}

/* ------------------------------------------------------------- steps */

static int hello(uint32_t major, uint32_t minor, HearthV10__ErrorCode *code)
{
	Env req = HEARTH_V1_0__ENVELOPE__INIT, *resp;
	HearthV10__Hello h = HEARTH_V1_0__HELLO__INIT;
	int rc = 1;

	h.protocol_major = major;
	h.protocol_minor = minor;
	h.client_version = "0.0.9-compat";
	req.body_case = HEARTH_V1_0__ENVELOPE__BODY_HELLO;
	req.hello = &h;
	*code = HEARTH_V1_0__ERROR_CODE__ERR_NONE;
	if (!(resp = call(&req)))
		return die("no answer to Hello");
	if (resp->body_case == HEARTH_V1_0__ENVELOPE__BODY_WELCOME) {
		printf("welcome: server %s speaks protocol %u.%u; we said %u.%u\n", resp->welcome->server_version,
		       resp->welcome->protocol_major, resp->welcome->protocol_minor, major, minor);
		rc = 0;
	} else if (resp->body_case == HEARTH_V1_0__ENVELOPE__BODY_ERROR) {
		*code = resp->error->code;
		printf("error: code=%d field=%s message=%s\n", resp->error->code, resp->error->field,
		       resp->error->message);
	}
	hearth_v1_0__envelope__free_unpacked(resp, NULL);
	return rc;
}

/* Pushes one op; returns the status and copies the stored record's rev. */
static int push(HearthV10__Op *op, uint64_t *rev)
{
	Env req = HEARTH_V1_0__ENVELOPE__INIT, *resp;
	HearthV10__PushRequest pr = HEARTH_V1_0__PUSH_REQUEST__INIT;
	HearthV10__Op *ops[1] = { op };
	int status = -1;

	pr.n_ops = 1;
	pr.ops = ops;
	req.body_case = HEARTH_V1_0__ENVELOPE__BODY_PUSH;
	req.push = &pr;
	if (!(resp = call(&req)))
		return -1;
	if (resp->body_case == HEARTH_V1_0__ENVELOPE__BODY_PUSH_RESULT && resp->push_result->n_results == 1) {
		HearthV10__OpResult *r = resp->push_result->results[0];
		status = r->status;
		*rev = r->rev;
		if (r->error)
			printf("push: rejected: %s (%s)\n", r->error->message, r->error->field);
	}
	hearth_v1_0__envelope__free_unpacked(resp, NULL);
	return status;
}

/* Pulls everything after cursor; finds record id; copies the raw member
 * bytes of its body and the XOR of SHA-256 over every raw record. */
typedef struct pulled {
	uint64_t cursor;
	uint64_t rev;
	size_t n;
	uint8_t member[4096];
	size_t member_len;
	int found;
	uint8_t x[32];
} pulled;

static int pull(uint64_t cursor, const uint8_t id[16], pulled *out)
{
	Env req = HEARTH_V1_0__ENVELOPE__INIT, *resp;
	HearthV10__PullRequest pr = HEARTH_V1_0__PULL_REQUEST__INIT;
	const uint8_t *body, *rec, *mem;
	size_t body_len, rec_len, mem_len;

	memset(out, 0, sizeof(*out));
	pr.cursor = cursor;
	pr.limit = 1000;
	req.body_case = HEARTH_V1_0__ENVELOPE__BODY_PULL;
	req.pull = &pr;
	if (!(resp = call(&req)))
		return -1;
	if (resp->body_case != HEARTH_V1_0__ENVELOPE__BODY_PULL_RESULT) {
		hearth_v1_0__envelope__free_unpacked(resp, NULL);
		return -1;
	}
	out->cursor = resp->pull_result->cursor;
	out->n = resp->pull_result->n_records;
	for (size_t i = 0; i < resp->pull_result->n_records; i++) {
		HearthV10__Record *r = resp->pull_result->records[i];
		if (r->id.len == 16 && !memcmp(r->id.data, id, 16)) {
			out->found = 1;
			out->rev = r->rev;
		}
	}
	hearth_v1_0__envelope__free_unpacked(resp, NULL);
	/* Envelope.pull_result (23) -> PullResponse.records (1) -> Record.member (20). */
	if (field(g_raw, g_raw_len, 23, 0, &body, &body_len) != 0)
		return out->n ? -1 : 0;
	for (int i = 0; field(body, body_len, 1, i, &rec, &rec_len) == 0; i++) {
		uint8_t h[32];
		const uint8_t *rid;
		size_t rid_len;
		SHA256(rec, rec_len, h);
		for (int j = 0; j < 32; j++)
			out->x[j] ^= h[j];
		if (field(rec, rec_len, 1, 0, &rid, &rid_len) == 0 && rid_len == 16 && !memcmp(rid, id, 16) &&
		    field(rec, rec_len, 20, 0, &mem, &mem_len) == 0 && mem_len <= sizeof(out->member)) {
			memcpy(out->member, mem, mem_len);
			out->member_len = mem_len;
		}
	}
	return 0;
}

static int digest(uint64_t *count, uint8_t x[32])
{
	Env req = HEARTH_V1_0__ENVELOPE__INIT, *resp;
	HearthV10__DigestRequest dr = HEARTH_V1_0__DIGEST_REQUEST__INIT;
	*count = 0;
	memset(x, 0, 32);
	req.body_case = HEARTH_V1_0__ENVELOPE__BODY_DIGEST;
	req.digest = &dr;
	if (!(resp = call(&req)))
		return -1;
	if (resp->body_case == HEARTH_V1_0__ENVELOPE__BODY_DIGEST_RESULT) {
		for (size_t i = 0; i < resp->digest_result->n_kinds; i++) {
			HearthV10__KindDigest *k = resp->digest_result->kinds[i];
			*count += k->count;
			for (size_t j = 0; j < 32 && k->digest.len == 32; j++)
				x[j] ^= k->digest.data[j];
		}
	}
	hearth_v1_0__envelope__free_unpacked(resp, NULL);
	return 0;
}

/* Builds an op on a member: create (base_rev 0) or edit of `changed`. */
static void make_op(HearthV10__Op *op, HearthV10__Record *rec, HearthV10__Member *m, uint8_t ids[32],
                    const uint8_t id[16], uint64_t base_rev, uint32_t *changed, size_t n_changed)
{
	hearth_v1_0__op__init(op);
	hearth_v1_0__record__init(rec);
	uuid_v7(ids + 16);
	rec->id.data = (uint8_t *)id;
	rec->id.len = 16;
	rec->kind = HEARTH_V1_0__KIND__KIND_MEMBER;
	rec->body_case = HEARTH_V1_0__RECORD__BODY_MEMBER;
	rec->member = m;
	op->op_id.data = ids + 16;
	op->op_id.len = 16;
	op->record = rec;
	op->base_rev = base_rev;
	op->changed_fields = changed;
	op->n_changed_fields = n_changed;
}

static void init_member(HearthV10__Member *m, const char *name)
{
	hearth_v1_0__member__init(m);
	m->name = (char *)name;
	m->gender = HEARTH_V1_0__GENDER__GENDER_FEMALE;
	m->category = HEARTH_V1_0__MEMBER_CATEGORY__CATEGORY_FULL;
	m->join_date = "1998-07-01";
}

static int mode_sync(void)
{
	HearthV10__Op op;
	HearthV10__Record rec;
	HearthV10__Member m;
	uint8_t ids[32], id[16], x[32];
	uint32_t create_fields[] = { 1, 2, 7, 8 }, edit_fields[] = { 1 };
	uint64_t rev = 0, count;
	pulled p;
	int st, bad = 0;

	uuid_v7(id);
	init_member(&m, "李秀英");
	make_op(&op, &rec, &m, ids, id, 0, create_fields, 4);
	st = push(&op, &rev);
	printf("push create: status=%d rev=%llu\n", st, (unsigned long long)rev);
	bad |= st != HEARTH_V1_0__OP_STATUS__OP_APPLIED || rev != 1;
	if (pull(0, id, &p) != 0 || !p.found || p.rev != 1)
		return die("pull did not return the member just pushed");
	printf("pull: records=%zu cursor=%llu found rev=%llu\n", p.n, (unsigned long long)p.cursor,
	       (unsigned long long)p.rev);
	init_member(&m, "李秀英（改）");
	make_op(&op, &rec, &m, ids, id, 1, edit_fields, 1);
	st = push(&op, &rev);
	printf("push edit: status=%d rev=%llu\n", st, (unsigned long long)rev);
	bad |= st != HEARTH_V1_0__OP_STATUS__OP_APPLIED || rev != 2;
	{
		uint64_t c0 = p.cursor;
		if (pull(c0, id, &p) != 0 || !p.found || p.rev != 2)
			return die("pull after the cursor did not return the edit");
		printf("pull after cursor %llu: records=%zu rev=%llu\n", (unsigned long long)c0, p.n,
		       (unsigned long long)p.rev);
	}
	/* The sync check: the server's digest equals ours over its exact bytes. */
	if (pull(0, id, &p) != 0 || digest(&count, x) != 0)
		return die("pull or digest failed");
	printf("digest: server count=%llu, pulled=%zu, %s\n", (unsigned long long)count, p.n,
	       memcmp(x, p.x, 32) == 0 ? "digest matches" : "DIGEST DIFFERS");
	bad |= count != p.n || memcmp(x, p.x, 32) != 0;
	return bad;
}

static int mode_hold(void)
{
	Env req = HEARTH_V1_0__ENVELOPE__INIT, *resp;
	HearthV10__Ping ping = HEARTH_V1_0__PING__INIT;
	char line[64];
	int rc;

	printf("holding\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return die("standard input closed before the go-ahead");
	ping.client_time = 1;
	req.body_case = HEARTH_V1_0__ENVELOPE__BODY_PING;
	req.ping = &ping;
	if (!(resp = call(&req)))
		return die("no answer to Ping on the held connection");
	rc = resp->body_case == HEARTH_V1_0__ENVELOPE__BODY_PONG ? 0 : 1;
	printf("%s\n", rc == 0 ? "pong on the held connection" : "unexpected answer to Ping");
	hearth_v1_0__envelope__free_unpacked(resp, NULL);
	return rc;
}

static int mode_unknown(void)
{
	HearthV10__Op op;
	HearthV10__Record rec;
	HearthV10__Member m;
	ProtobufCMessageUnknownField uf;
	/* protobuf-c keeps an unknown field's bytes as they follow the tag: for
	 * a length-delimited field that is the length, then the data. */
	static uint8_t extra[] = "\x1d" "field 100 from a newer client";
	uint8_t ids[32], id[16], *sent;
	uint32_t create_fields[] = { 1, 2, 7, 8, 100 }, edit_fields[] = { 17 };
	uint64_t rev = 0;
	size_t sent_len;
	pulled p;
	int st, bad = 0;

	uuid_v7(id);
	init_member(&m, "张志强");
	uf.tag = 100;
	uf.wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
	uf.len = sizeof(extra) - 1;
	uf.data = extra;
	m.base.n_unknown_fields = 1;
	m.base.unknown_fields = &uf;
	sent_len = hearth_v1_0__member__get_packed_size(&m);
	sent = malloc(sent_len);
	if (!sent)
		return die("out of memory");
	hearth_v1_0__member__pack(&m, sent);
	make_op(&op, &rec, &m, ids, id, 0, create_fields, 5);
	st = push(&op, &rev);
	printf("push with field 100: status=%d rev=%llu\n", st, (unsigned long long)rev);
	bad |= st != HEARTH_V1_0__OP_STATUS__OP_APPLIED;
	if (pull(0, id, &p) != 0 || !p.found) {
		free(sent);
		return die("pull did not return the member");
	}
	if (p.member_len == sent_len && !memcmp(p.member, sent, sent_len))
		printf("stored member is byte-identical to the pushed one (%zu bytes, field 100 kept)\n", sent_len);
	else {
		printf("STORED MEMBER DIFFERS: pushed %zu bytes, pulled %zu\n", sent_len, p.member_len);
		bad = 1;
	}
	/* An edit of notes by a client that never had field 100. */
	m.base.n_unknown_fields = 0;
	m.base.unknown_fields = NULL;
	m.notes = "edited by a client without field 100";
	make_op(&op, &rec, &m, ids, id, 1, edit_fields, 1);
	st = push(&op, &rev);
	printf("push edit of notes: status=%d rev=%llu\n", st, (unsigned long long)rev);
	bad |= st != HEARTH_V1_0__OP_STATUS__OP_APPLIED;
	if (pull(0, id, &p) != 0 || !p.found) {
		free(sent);
		return die("pull after the edit failed");
	}
	{
		const uint8_t *v;
		size_t vl;
		if (field(p.member, p.member_len, 100, 0, &v, &vl) == 0 && vl == sizeof(extra) - 2 &&
		    !memcmp(v, extra + 1, vl))
			printf("after the edit field 100 is still there\n");
		else {
			printf("FIELD 100 LOST after an edit that did not touch it\n");
			bad = 1;
		}
	}
	free(sent);
	return bad;
}

int main(int argc, char **argv)
{
	static const struct option o[] = {
		{ "port", required_argument, NULL, 'p' }, { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },  { "ca", required_argument, NULL, 'a' },
		{ "mode", required_argument, NULL, 'm' }, { "major", required_argument, NULL, 'M' },
		{ "minor", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 },
	};
	const char *cert = NULL, *key = NULL, *ca = NULL, *mode = "sync";
	uint32_t major = 1, minor = 0;
	HearthV10__ErrorCode code;
	int port = 0, c, rc;

	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (c) {
		case 'p': port = atoi(optarg); break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'a': ca = optarg; break;
		case 'm': mode = optarg; break;
		case 'M': major = (uint32_t)atoi(optarg); break;
		case 'n': minor = (uint32_t)atoi(optarg); break;
		default: return 2;
		}
	}
	if (!port || !cert || !key || !ca)
		return die("need --port --cert --key --ca");
	if (connect_to(port, cert, key, ca) != 0)
		return 1;
	rc = hello(major, minor, &code);
	if (!strcmp(mode, "hello"))
		rc = rc == 0 ? 0 : code == HEARTH_V1_0__ERROR_CODE__ERR_VERSION ? 5 : 1;
	else if (rc == 0 && !strcmp(mode, "sync"))
		rc = mode_sync();
	else if (rc == 0 && !strcmp(mode, "hold"))
		rc = mode_hold();
	else if (rc == 0 && !strcmp(mode, "unknown"))
		rc = mode_unknown();
	else if (rc == 0)
		rc = die("unknown --mode");
	tls_engine_shutdown(&g_tls);
	(void)flush_out();
	close(g_fd);
	tls_engine_free(&g_tls);
	frame_decoder_free(&g_dec);
	free(g_raw);
	return rc;
}
