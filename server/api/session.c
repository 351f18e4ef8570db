/* session.c: the session of one connection: the certificate's hearth
 * identity once TLS is done, the revocation check, the Hello/Welcome
 * exchange that opens the session, and Ping. */
#include "server/api/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>

#include "common/hearth.h"
#include "common/log.h"
#include "server/api/context.h"
#include "server/api/audit.h"
#include "server/api/events.h"
#include "server/db/principals.h"
#include "server/db/recovery.h"
#include "server/loop/dispatch.h"
#include "server/loop/listener.h"

static void log_refusal(conn *c, const char *why)
{
	char idbuf[24];
	log_event(LOG_WARN, "auth_refused", "conn", log_u64(idbuf, c->conn_id), "peer", c->peer,
	          "cn", c->id.name[0] ? c->id.name : NULL, "reason", why, NULL);
}

/* A certificate the CA signed but whose URI is not a hearth identity of
 * this organisation: refused, and who it claimed to be is audited. */
static int refuse_identity(conn *c, const char *err)
{
	tls_identity who;
	X509 *cert = SSL_get0_peer_certificate(c->tls.ssl);

	memset(&who, 0, sizeof(who));
	if (cert) {
		tls_cert_fingerprint(cert, who.fingerprint);
		X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, who.name,
		                          sizeof(who.name));
	}
	events_submit(api_of(c), &who, "unauthenticated", "", err, c->peer);
	log_refusal(c, err);
	conn_send_error(c, 0, HEARTH__ERROR_CODE__ERR_UNAUTHENTICATED, "certificate", 1, "%s", err);
	return -1;
}

int session_refuse_revoked(conn *c)
{
	char why[400], idbuf[24];
	int rc = principals_revoked(api_of(c)->store, c->id.fingerprint, why, sizeof(why));

	if (rc == PRINCIPALS_NOT_REVOKED)
		return 0;
	if (rc < 0) {
		/* Fail closed: a certificate that cannot be checked is not let in;
		 * a revoked one must not pass because the store is in trouble. */
		log_event(LOG_ERROR, "revocation_check_failed", "conn", log_u64(idbuf, c->conn_id), "peer",
		          c->peer, "cn", c->id.name, "fingerprint", c->id.fingerprint, "error", hearth_strerror(rc),
		          NULL);
		snprintf(why, sizeof(why),
		         "the server could not check whether this certificate is revoked (%s); connection "
		         "refused: try again later, and tell the administrator if it persists",
		         hearth_strerror(rc));
		events_submit(api_of(c), &c->id, "unauthenticated", c->id.branch_id, why, c->peer);
		conn_send_error(c, 0, HEARTH__ERROR_CODE__ERR_INTERNAL, "certificate", 1, "%s", why);
		return -1;
	}
	events_submit(api_of(c), &c->id, "unauthenticated", c->id.branch_id, why, c->peer);
	log_refusal(c, why);
	conn_send_error(c, 0, HEARTH__ERROR_CODE__ERR_UNAUTHENTICATED, "certificate", 1, "%s", why);
	return -1;
}

int session_on_handshake(conn *c)
{
	char err[256];

	if (tls_identity_from_peer(c->tls.ssl, api_of(c)->org, &c->id, err, sizeof(err)) != 0)
		return refuse_identity(c, err);
	if (session_refuse_revoked(c) != 0)
		return -1;
	if ((c->app_data = calloc(1, sizeof(session_state))) == NULL) {
		conn_send_error(c, 0, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 1, "out of memory");
		return -1;
	}
	return 0;
}

session_state *session_of(const conn *c)
{
	return c->app_data;
}

void session_on_conn_free(conn *c)
{
	session_state *ss = c->app_data;

	if (ss && ss->backup && ss->backup_free)
		ss->backup_free(ss->backup);
	free(ss);
	c->app_data = NULL;
}

/* The restore notice while the store is in recovery mode (a short read
 * transaction), else NULL. Free with hearth__restore_notice__free_unpacked.
 * A notice that cannot be read is left out: the witnesses then refuse the
 * shorter log as they would without recovery mode, which loses nothing. */
static Hearth__RestoreNotice *restore_notice(store *s)
{
	Hearth__RestoreNotice *n = NULL;
	MDB_txn *txn;
	uint8_t *bytes = NULL;
	size_t len = 0;

	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != 0)
		return NULL;
	if (recovery_notice_get(s, txn, &bytes, &len) == 0)
		n = hearth__restore_notice__unpack(NULL, len, bytes);
	mdb_txn_abort(txn);
	free(bytes);
	return n;
}

int session_handle_hello(conn *c, Hearth__Envelope *env)
{
	Hearth__Hello *h = env->hello;
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__Welcome w = HEARTH__WELCOME__INIT;
	Hearth__Principal p = HEARTH__PRINCIPAL__INIT;
	Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;
	Hearth__RestoreNotice *notice = NULL;

	if (c->state != CONN_HELLO) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_PROTOCOL, "hello", 1,
		                "Hello was already received on this connection");
		return DISPATCH_DONE;
	}
	/* The previous minor version of the current major is still served. */
	if (h->protocol_major != HEARTH_PROTOCOL_MAJOR ||
	    h->protocol_minor + 2u < HEARTH_PROTOCOL_MINOR + 1u) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_VERSION, "protocol_version", 1,
		                "client speaks protocol %u.%u (hearth %s) but this server (hearth %s) "
		                "speaks %d.%d and accepts %d.%d or newer; upgrade the %s",
		                h->protocol_major, h->protocol_minor,
		                h->client_version && h->client_version[0] ? h->client_version : "?",
		                HEARTH_VERSION, HEARTH_PROTOCOL_MAJOR, HEARTH_PROTOCOL_MINOR,
		                HEARTH_PROTOCOL_MAJOR,
		                HEARTH_PROTOCOL_MINOR > 0 ? HEARTH_PROTOCOL_MINOR - 1 : 0,
		                h->protocol_major > HEARTH_PROTOCOL_MAJOR ? "server" : "client");
		return DISPATCH_DONE;
	}
	c->state = CONN_READY;
	frame_decoder_set_max(&c->dec, c->srv->cfg.max_frame);
	if (h->replica_id.len == sizeof(session_of(c)->replica_id)) {
		memcpy(session_of(c)->replica_id, h->replica_id.data, sizeof(session_of(c)->replica_id));
		session_of(c)->has_replica_id = 1;
	}

	p.role = c->id.role;
	p.org = c->id.org;
	p.branch_id = c->id.branch_id;
	p.name = c->id.name;
	p.fingerprint = c->id.fingerprint;
	w.server_version = HEARTH_VERSION;
	w.principal = &p;
	w.server_time = server_now_ms();
	w.protocol_major = HEARTH_PROTOCOL_MAJOR;
	w.protocol_minor = HEARTH_PROTOCOL_MINOR;
	if (audit_current_checkpoint(api_of(c), &cp) == 0)
		w.checkpoint = &cp;
	w.audit_public_key.data = api_of(c)->audit_pub;
	w.audit_public_key.len = sizeof(api_of(c)->audit_pub);
	w.restore_notice = notice = restore_notice(api_of(c)->store);
	out.request_id = env->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_WELCOME;
	out.welcome = &w;
	log_event(LOG_INFO, "login", "peer", c->peer, "cn", c->id.name, "fingerprint",
	          c->id.fingerprint, "branch", c->id.branch_id,
	          "client", h->client_version, NULL);
	(void)conn_send(c, &out);
	if (notice)
		hearth__restore_notice__free_unpacked(notice, NULL);
	{
		char detail[200];
		snprintf(detail, sizeof(detail), "client %s, protocol %u.%u",
		         h->client_version && h->client_version[0] ? h->client_version : "?", h->protocol_major,
		         h->protocol_minor);
		events_submit(api_of(c), &c->id, "login", c->id.branch_id, detail, c->peer);
	}
	return DISPATCH_DONE;
}

int session_handle_ping(conn *c, Hearth__Envelope *env)
{
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__Pong pong = HEARTH__PONG__INIT;

	pong.client_time = env->ping->client_time;
	pong.server_time = server_now_ms();
	out.request_id = env->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_PONG;
	out.pong = &pong;
	(void)conn_send(c, &out);
	return DISPATCH_DONE;
}

