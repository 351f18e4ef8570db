/* dispatch.c: the table from Envelope body to handler, and the session
 * handlers (Hello, Ping).  Requests other than Hello are refused until the
 * Hello exchange is done. */
#include "server/loop/dispatch.h"

#include <stdio.h>
#include <string.h>

#include "server/loop/connection.h"
#include "common/hearth.h"
#include "common/log.h"
#include "server/loop/listener.h"
#include "server/api/sync.h"
#include "server/api/audit.h"
#include "server/api/admin.h"
#include "server/api/backup.h"

static int handle_hello(conn *c, Hearth__Envelope *env)
{
	Hearth__Hello *h = env->hello;
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__Welcome w = HEARTH__WELCOME__INIT;
	Hearth__Principal p = HEARTH__PRINCIPAL__INIT;
	Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;

	if (c->state != CONN_HELLO) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_PROTOCOL, "hello", 1,
		                "Hello was already received on this connection");
		return 0;
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
		return 0;
	}
	c->state = CONN_READY;
	frame_decoder_set_max(&c->dec, c->srv->cfg.max_frame);
	if (h->replica_id.len == sizeof(c->replica_id)) {
		memcpy(c->replica_id, h->replica_id.data, sizeof(c->replica_id));
		c->has_replica_id = 1;
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
	if (audit_current_checkpoint(c->srv, &cp) == 0)
		w.checkpoint = &cp;
	w.audit_public_key.data = c->srv->audit_pub;
	w.audit_public_key.len = sizeof(c->srv->audit_pub);
	out.request_id = env->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_WELCOME;
	out.welcome = &w;
	log_event(LOG_INFO, "login", "peer", c->peer, "cn", c->id.name, "fingerprint",
	          c->id.fingerprint, "branch", c->id.branch_id,
	          "client", h->client_version, NULL);
	(void)conn_send(c, &out);
	{
		char detail[200];
		snprintf(detail, sizeof(detail), "client %s, protocol %u.%u",
		         h->client_version && h->client_version[0] ? h->client_version : "?", h->protocol_major,
		         h->protocol_minor);
		audit_submit_event(c->srv, &c->id, "login", c->id.branch_id, detail, c->peer);
	}
	return 0;
}

static int handle_ping(conn *c, Hearth__Envelope *env)
{
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	Hearth__Pong pong = HEARTH__PONG__INIT;

	pong.client_time = env->ping->client_time;
	pong.server_time = server_now_ms();
	out.request_id = env->request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_PONG;
	out.pong = &pong;
	(void)conn_send(c, &out);
	return 0;
}

/* A handler returns 0 when it is done with env (the dispatcher frees it) or
 * 1 when it kept env for asynchronous work and will free it itself. */
typedef int (*handler_fn)(conn *c, Hearth__Envelope *env);

struct route {
	Hearth__Envelope__BodyCase body;
	handler_fn fn;
	int before_hello;   /* allowed before Hello completes */
};

static const struct route routes[] = {
	{ HEARTH__ENVELOPE__BODY_HELLO, handle_hello, 1 },
	{ HEARTH__ENVELOPE__BODY_PING, handle_ping, 0 },
	{ HEARTH__ENVELOPE__BODY_PUSH, sync_handle_push, 0 },
	{ HEARTH__ENVELOPE__BODY_PULL, sync_handle_pull, 0 },
	{ HEARTH__ENVELOPE__BODY_DIGEST, sync_handle_digest, 0 },
	{ HEARTH__ENVELOPE__BODY_CHECKPOINT_REQUEST, audit_handle_checkpoint, 0 },
	{ HEARTH__ENVELOPE__BODY_AUDIT_PROOF_REQUEST, audit_handle_proof, 0 },
	{ HEARTH__ENVELOPE__BODY_AUDIT_QUERY, audit_handle_query, 0 },
	{ HEARTH__ENVELOPE__BODY_CHECKPOINTS_REQUEST, audit_handle_checkpoints, 0 },
	{ HEARTH__ENVELOPE__BODY_AUDIT_NOTE, audit_handle_note, 0 },
	{ HEARTH__ENVELOPE__BODY_BRANCH_PUT, admin_handle_branch_put, 0 },
	{ HEARTH__ENVELOPE__BODY_BRANCH_LIST_REQUEST, admin_handle_branch_list, 0 },
	{ HEARTH__ENVELOPE__BODY_PRINCIPALS_REQUEST, admin_handle_principals, 0 },
	{ HEARTH__ENVELOPE__BODY_REVOKE, admin_handle_revoke, 0 },
	{ HEARTH__ENVELOPE__BODY_SERVER_STATUS_REQUEST, admin_handle_status, 0 },
	{ HEARTH__ENVELOPE__BODY_BACKUP_REQUEST, admin_handle_backup, 0 },
};

void dispatch_envelope(conn *c, Hearth__Envelope *env)
{
	const struct route *r = NULL;

	for (size_t i = 0; i < HEARTH_ARRAY_LEN(routes); i++) {
		if (routes[i].body == env->body_case) {
			r = &routes[i];
			break;
		}
	}
	if (!r) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_PROTOCOL, "body", 1,
		                "unexpected message \"%s\" from a client", envelope_body_name(env));
	} else if (!r->before_hello && c->state != CONN_READY) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_PROTOCOL, "hello", 1,
		                "send Hello before \"%s\"", envelope_body_name(env));
	} else {
		if (r->fn(c, env) == 1)
			return;
	}
	envelope_free(env, NULL);
}
