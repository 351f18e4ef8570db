/* session.h: one connection's session: identity and revocation once TLS
 * is done (the loop's handshake hook), then Hello and Ping. */
#ifndef HEARTHD_SESSION_H
#define HEARTHD_SESSION_H

#include <stdint.h>

#include "common/envelope.h"
#include "server/loop/connection.h"

struct remote_backup;

/* What the request side keeps per connection (c->app_data), from the
 * handshake until the connection is freed. */
typedef struct session_state {
	uint8_t replica_id[16];         /* from Hello, when the client sent one */
	int has_replica_id;
	uint64_t pull_fresh;            /* retention: the horizon a pull from zero started under */
	struct remote_backup *backup;   /* `hearth admin backup` snapshot, if any (backup.c) */
	void (*backup_free)(struct remote_backup *b); /* set with backup; session_on_conn_free calls it */
} session_state;

/* c's session state: set once the handshake was accepted, so never NULL
 * in a request handler. Owned by c (freed by session_on_conn_free). */
session_state *session_of(const conn *c);

/* The loop's handshake hook (server.on_handshake): reads the peer
 * certificate's hearth identity into c->id and refuses a certificate that
 * is not one, or is revoked, then makes its session state. Returns 0 to go
 * on to Hello, or -1 when c was answered (UNAUTHENTICATED, audited; or
 * INTERNAL when out of memory) and is closing. */
int session_on_handshake(conn *c);

/* Refuses c when its certificate is in the revocation table: answers
 * UNAUTHENTICATED with who revoked it and why, audits it, closes c, and
 * returns -1. Fails closed: when the revocation table cannot be read, c is
 * refused too (INTERNAL, logged as revocation_check_failed, audited).
 * Returns 0 only for a certificate found not revoked. */
int session_refuse_revoked(conn *c);

/* The loop's connection-free hook: releases c's session state (and its
 * backup snapshot). */
void session_on_conn_free(conn *c);

/* Hello -> Welcome (dispatch_fn). A version mismatch names both versions
 * and closes. Returns DISPATCH_DONE. */
int session_handle_hello(conn *c, Hearth__Envelope *env);

/* Ping -> Pong (dispatch_fn). Returns DISPATCH_DONE. */
int session_handle_ping(conn *c, Hearth__Envelope *env);

#endif
