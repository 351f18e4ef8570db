/* session.h: one connection's session: identity and revocation once TLS
 * is done (the loop's handshake hook), then Hello and Ping. */
#ifndef HEARTHD_SESSION_H
#define HEARTHD_SESSION_H

#include "common/envelope.h"
#include "server/loop/connection.h"

/* The loop's handshake hook (server.on_handshake): reads the peer
 * certificate's hearth identity into c->id and refuses a certificate that
 * is not one, or is revoked. Returns 0 to go on to Hello, or -1 when c was
 * answered UNAUTHENTICATED and is closing (the refusal is audited). */
int session_on_handshake(conn *c);

/* Refuses c when its certificate is in the revocation table: answers
 * UNAUTHENTICATED with who revoked it and why, audits it, closes c, and
 * returns -1. Returns 0 otherwise, including when the store could not be
 * read. */
int session_refuse_revoked(conn *c);

/* The loop's connection-free hook: releases c's session state (a backup
 * snapshot). */
void session_on_conn_free(conn *c);

/* Hello -> Welcome (dispatch_fn). A version mismatch names both versions
 * and closes. Returns DISPATCH_DONE. */
int session_handle_hello(conn *c, Hearth__Envelope *env);

/* Ping -> Pong (dispatch_fn). Returns DISPATCH_DONE. */
int session_handle_ping(conn *c, Hearth__Envelope *env);

#endif
