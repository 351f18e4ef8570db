/* hostile_server.c: a TLS server on 127.0.0.1 that speaks just enough of
 * the protocol for `hearth sync` and then misbehaves (issue 12 item 14).
 *
 *   hostile_server --cert C --key K --ca CA --audit-key K2 --mode M
 *                  [--max-requests N] [--seconds T] [--branch B] [--dirty-welcome]
 *
 * Prints "port=P" on stdout once listening on port 0, then accepts one
 * connection (its Hello gets a Welcome with the verified principal and a
 * checkpoint of an empty log signed with K2, so a fresh client home pins
 * it) and answers every PullRequest by mode:
 *   more-by-one       more=true, no records, cursor = request + 1
 *   reset-always      reset=true
 *   cursor-max        more=false, cursor = 2^64 - 1
 *   foreign-conflict  one open conflict of branch B (default b002), cursor + 1
 *   bad-record        one record whose bytes are not a valid Record (a member
 *                     body whose name runs past its end), cursor + 1: the
 *                     frame is not a valid Envelope (issue 13 item 7)
 *   wrong-body        one decodable record of kind visit that carries a
 *                     member body, cursor + 1
 * --dirty-welcome puts terminal control sequences into the Welcome's
 * server_version, principal name and branch (what whoami and status print).
 * DigestRequest gets an empty digest at cursor 0, anything else an Error.
 * Bounded: stops after N requests in all (default 1000, at most 100000) or
 * T seconds (default 20, at most 120), or when the client hangs up, and
 * prints "requests=R" on exit. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/audit.h"
#include "common/envelope.h"
#include "common/frame.h"
#include "common/hearth.h"
#include "common/tls.h"
#include "common/wire.h"

enum mode {
	MODE_MORE_BY_ONE, MODE_RESET_ALWAYS, MODE_CURSOR_MAX, MODE_FOREIGN_CONFLICT, MODE_BAD_RECORD,
	MODE_WRONG_BODY,
};

typedef struct hconn {
	int fd;
	tls_engine tls;
	frame_decoder dec;
} hconn;

static long requests, max_requests = 1000;
static int dirty_welcome;
static time_t deadline;

static int flush_out(hconn *h)
{
	uint8_t buf[16384];
	size_t n;

	while ((n = tls_engine_take_out(&h->tls, buf, sizeof(buf))) > 0) {
		size_t off = 0;
		while (off < n) {
			ssize_t w = send(h->fd, buf + off, n - off, MSG_NOSIGNAL);
			if (w <= 0)
				return -1;
			off += (size_t)w;
		}
	}
	return 0;
}

/* Reads more network bytes into the engine; -1 on EOF, error or deadline. */
static int pull_in(hconn *h)
{
	uint8_t buf[16384];
	struct pollfd pfd = { h->fd, POLLIN, 0 };
	ssize_t r;
	int left = (int)(deadline - time(NULL));

	if (left <= 0 || poll(&pfd, 1, left * 1000) != 1)
		return -1;
	r = recv(h->fd, buf, sizeof(buf), 0);
	if (r <= 0)
		return -1;
	return tls_engine_feed(&h->tls, buf, (size_t)r) == 0 ? 0 : -1;
}

static int send_env(hconn *h, const Hearth__Envelope *env)
{
	uint8_t *frame;
	size_t len;
	int rc;

	if (envelope_pack_frame(env, 16u << 20, &frame, &len) != 0)
		return -1;
	rc = tls_engine_write(&h->tls, frame, len);
	free(frame);
	return rc == 0 ? flush_out(h) : -1;
}

/* The next request; NULL when the connection ends. */
static Hearth__Envelope *recv_env(hconn *h)
{
	static uint8_t plain[65536];
	static size_t have, off;

	for (;;) {
		uint8_t *payload;
		uint32_t plen;
		size_t used = 0;
		int rc;

		if (off < have) {
			rc = frame_decode(&h->dec, plain + off, have - off, &used, &payload, &plen);
			off += used;
			if (rc == 0) {
				Hearth__Envelope *env = NULL;
				rc = envelope_unpack(payload, plen, plen, NULL, &env);
				free(payload);
				return rc == 0 ? env : NULL;
			}
			if (rc != HEARTH_EAGAIN)
				return NULL;
		}
		have = off = 0;
		rc = tls_engine_read(&h->tls, plain, sizeof(plain));
		if (rc > 0) {
			have = (size_t)rc;
			continue;
		}
		if (rc != HEARTH_EAGAIN || flush_out(h) != 0 || pull_in(h) != 0)
			return NULL;
	}
}

/* Encrypts one frame of hand-written bytes (what protobuf-c would never
 * pack). */
static int send_raw(hconn *h, const wirebuf *payload)
{
	wirebuf f = WIREBUF_INIT;
	int rc;

	wire_frame_begin(&f);
	wire_bytes(&f, payload->data, payload->len);
	wire_frame_finish(&f);
	rc = f.failed ? -1 : tls_engine_write(&h->tls, f.data, f.len);
	wire_free(&f);
	return rc == 0 ? flush_out(h) : -1;
}

/* A PullResponse whose one record has a member body (field 20) holding a
 * name (field 1) of 9 bytes of which only 3 follow. */
static void answer_bad_record(hconn *h, const Hearth__Envelope *req)
{
	static const uint8_t member[] = { 0x0a, 0x09, 'a', 'b', 'c' };
	wirebuf rec = WIREBUF_INIT, pr = WIREBUF_INIT, env = WIREBUF_INIT;
	uint8_t id[16];

	for (int i = 0; i < 16; i++)
		id[i] = (uint8_t)(0x50 + i);
	id[6] = 0x70;
	wire_bytes_field(&rec, 1, id, sizeof(id), 1);
	wire_uint_field(&rec, 2, HEARTH__KIND__KIND_MEMBER);
	wire_bytes_field(&rec, 3, "b001", 4, 1);
	wire_uint_field(&rec, 4, 1);
	wire_uint_field(&rec, 5, req->pull->cursor + 1);
	wire_bytes_field(&rec, 20, member, sizeof(member), 1);
	wire_bytes_field(&pr, 1, rec.data, rec.len, 1);
	wire_uint_field(&pr, 3, req->pull->cursor + 1);
	wire_uint_field(&env, 1, req->request_id);
	wire_bytes_field(&env, 23, pr.data, pr.len, 1);
	if (!rec.failed && !pr.failed && !env.failed)
		(void)send_raw(h, &env);
	wire_free(&rec);
	wire_free(&pr);
	wire_free(&env);
}

static void answer_pull(hconn *h, enum mode m, const char *branch, const Hearth__Envelope *req)
{
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__PullResponse pr = HEARTH__PULL_RESPONSE__INIT;
	Hearth__Conflict cf = HEARTH__CONFLICT__INIT, *cfs[1] = { &cf };
	Hearth__Record rec = HEARTH__RECORD__INIT, *recs[1] = { &rec };
	Hearth__Member mem = HEARTH__MEMBER__INIT;
	uint8_t cid[16], rid[16];
	uint64_t cursor = req->pull->cursor;

	switch (m) {
	case MODE_BAD_RECORD: answer_bad_record(h, req); return;
	case MODE_WRONG_BODY:
		for (int i = 0; i < 16; i++)
			rid[i] = (uint8_t)(0x60 + i);
		rid[6] = 0x70;
		rec.id.data = rid;
		rec.id.len = sizeof(rid);
		rec.kind = HEARTH__KIND__KIND_VISIT;
		rec.branch_id = (char *)"b001";
		rec.rev = 1;
		rec.seq = cursor + 1;
		mem.name = (char *)"王秀英";
		rec.body_case = HEARTH__RECORD__BODY_MEMBER;
		rec.member = &mem;
		pr.n_records = 1;
		pr.records = recs;
		pr.cursor = cursor + 1;
		break;
	case MODE_MORE_BY_ONE:
		pr.more = 1;
		pr.cursor = cursor + 1;
		break;
	case MODE_RESET_ALWAYS: pr.reset = 1; break;
	case MODE_CURSOR_MAX: pr.cursor = UINT64_MAX; break;
	case MODE_FOREIGN_CONFLICT:
		for (int i = 0; i < 16; i++) {
			cid[i] = (uint8_t)(0xc0 + i);
			rid[i] = (uint8_t)(0x40 + i);
		}
		cid[6] = 0x40; /* version 4 */
		rid[6] = 0x40;
		cf.id.data = cid;
		cf.id.len = sizeof(cid);
		cf.record_id.data = rid;
		cf.record_id.len = sizeof(rid);
		cf.kind = HEARTH__KIND__KIND_MEMBER;
		cf.branch_id = (char *)branch;
		cf.state = HEARTH__CONFLICT_STATE__CONFLICT_OPEN;
		cf.seq = cursor + 1;
		pr.n_conflicts = 1;
		pr.conflicts = cfs;
		pr.cursor = cursor + 1;
		break;
	}
	out.request_id = req->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_PULL_RESULT;
	out.pull_result = &pr;
	(void)send_env(h, &out);
}

static void answer(hconn *h, enum mode m, const char *branch, const Hearth__Envelope *req)
{
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__Error err = HEARTH__ERROR__INIT;
	Hearth__DigestResponse dr = HEARTH__DIGEST_RESPONSE__INIT;

	if (req->body_case == HEARTH__ENVELOPE__BODY_PULL) {
		answer_pull(h, m, branch, req);
		return;
	}
	out.request_id = req->request_id;
	if (req->body_case == HEARTH__ENVELOPE__BODY_DIGEST) {
		out.body_case = HEARTH__ENVELOPE__BODY_DIGEST_RESULT;
		out.digest_result = &dr;
	} else {
		envelope_set_error(&out, &err, req->request_id, HEARTH__ERROR_CODE__ERR_PROTOCOL,
		                   "hostile_server answers only pull and digest", NULL);
	}
	(void)send_env(h, &out);
}

static int welcome(hconn *h, EVP_PKEY *akey, const Hearth__Envelope *hello)
{
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__Welcome w = HEARTH__WELCOME__INIT;
	Hearth__Principal p = HEARTH__PRINCIPAL__INIT;
	Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;
	tls_identity id;
	uint8_t pub[AUDIT_KEY_LEN];
	char err[256], branch[96];
	int rc;

	if (tls_identity_from_peer(h->tls.ssl, NULL, &id, err, sizeof(err)) != 0) {
		fprintf(stderr, "hostile_server: %s\n", err);
		return -1;
	}
	p.role = id.role;
	p.org = id.org;
	p.branch_id = id.branch_id;
	p.name = id.name;
	p.fingerprint = id.fingerprint;
	w.server_version = "hostile";
	if (dirty_welcome) {
		snprintf(branch, sizeof(branch), "%s\033[31m", id.branch_id);
		p.branch_id = branch;
		p.name = "名\033]0;pwned\a\033[2J";
		w.server_version = "1.0\033[2J\nhearth: forged line";
	}
	cp.size = 0;
	cp.time = (int64_t)time(NULL) * 1000;
	if (audit_sign_checkpoint(akey, &cp) != 0 || audit_public_key(akey, pub) != 0)
		return -1;
	w.principal = &p;
	w.server_time = cp.time;
	w.protocol_major = HEARTH_PROTOCOL_MAJOR;
	w.protocol_minor = HEARTH_PROTOCOL_MINOR;
	w.checkpoint = &cp;
	w.audit_public_key.data = pub;
	w.audit_public_key.len = sizeof(pub);
	out.request_id = hello->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_WELCOME;
	out.welcome = &w;
	rc = send_env(h, &out);
	free(cp.signature.data);
	return rc;
}

static void serve(int fd, SSL_CTX *ctx, EVP_PKEY *akey, enum mode m, const char *branch)
{
	hconn h = { .fd = fd };
	Hearth__Envelope *env;

	if (tls_engine_init(&h.tls, ctx, TLS_SERVER, NULL) != 0)
		return;
	frame_decoder_init(&h.dec, 16u << 20);
	for (;;) {
		int rc = tls_engine_handshake(&h.tls);
		if (flush_out(&h) != 0 || rc == HEARTH_ETLS)
			goto done;
		if (rc == 0)
			break;
		if (pull_in(&h) != 0)
			goto done;
	}
	env = recv_env(&h);
	if (!env || env->body_case != HEARTH__ENVELOPE__BODY_HELLO || welcome(&h, akey, env) != 0) {
		envelope_free(env, NULL);
		goto done;
	}
	envelope_free(env, NULL);
	while (requests < max_requests && (env = recv_env(&h)) != NULL) {
		requests++;
		answer(&h, m, branch, env);
		envelope_free(env, NULL);
	}
done:
	frame_decoder_free(&h.dec);
	tls_engine_free(&h.tls);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },   { "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' },     { "audit-key", required_argument, NULL, 'A' },
		{ "mode", required_argument, NULL, 'm' },   { "max-requests", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 'T' }, { "branch", required_argument, NULL, 'b' },
		{ "dirty-welcome", no_argument, NULL, 'D' }, { NULL, 0, NULL, 0 },
	};
	static const char *const names[] = { "more-by-one", "reset-always", "cursor-max", "foreign-conflict",
	                                     "bad-record", "wrong-body" };
	tls_ctx_config cfg = { 0 };
	const char *akey_path = NULL, *branch = "b002";
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	SSL_CTX *ctx;
	EVP_PKEY *akey;
	char err[512];
	long seconds = 20;
	int o, lfd, mode = -1;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cfg.cert = optarg; break;
		case 'k': cfg.key = optarg; break;
		case 'a': cfg.ca = optarg; break;
		case 'A': akey_path = optarg; break;
		case 'm':
			for (int i = 0; i < (int)HEARTH_ARRAY_LEN(names); i++)
				if (!strcmp(optarg, names[i]))
					mode = i;
			break;
		case 'n': max_requests = atol(optarg); break;
		case 'T': seconds = atol(optarg); break;
		case 'b': branch = optarg; break;
		case 'D': dirty_welcome = 1; break;
		default: return 2;
		}
	}
	if (!cfg.cert || !cfg.key || !cfg.ca || !akey_path || mode < 0 || max_requests < 1 ||
	    max_requests > 100000 || seconds < 1 || seconds > 120) {
		fprintf(stderr, "hostile_server: need --cert --key --ca --audit-key, --mode more-by-one|"
		                "reset-always|cursor-max|foreign-conflict|"
		                "bad-record|wrong-body, --max-requests 1..100000, "
		                "--seconds 1..120\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!(ctx = tls_ctx_new(TLS_SERVER, &cfg, err, sizeof(err)))) {
		fprintf(stderr, "hostile_server: %s\n", err);
		return 1;
	}
	if (!(akey = audit_load_key(akey_path, err, sizeof(err)))) {
		fprintf(stderr, "hostile_server: %s\n", err);
		return 1;
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 4) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
		perror("hostile_server: listen");
		return 1;
	}
	printf("port=%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	deadline = time(NULL) + seconds;
	for (;;) {
		struct pollfd pfd = { lfd, POLLIN, 0 };
		int fd;

		if (time(NULL) >= deadline)
			break;
		if (poll(&pfd, 1, 200) != 1)
			continue;
		if ((fd = accept(lfd, NULL, NULL)) < 0)
			continue;
		serve(fd, ctx, akey, (enum mode)mode, branch);
		close(fd);
		break;
	}
	printf("requests=%ld\n", requests);
	close(lfd);
	EVP_PKEY_free(akey);
	SSL_CTX_free(ctx);
	return 0;
}
