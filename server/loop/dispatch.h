/* dispatch.h: the route table from Envelope body to handler. Handlers
 * register at start-up (server/api/api.c); the loop knows none of them. */
#ifndef HEARTHD_DISPATCH_H
#define HEARTHD_DISPATCH_H

#include "common/envelope.h"

struct conn;

/* What a handler did with the request it was given. */
enum dispatch_result {
	DISPATCH_DONE = 0,              /* finished with env: the dispatcher frees it */
	DISPATCH_KEPT = 1,              /* kept env for asynchronous work and frees it later */
};

/* A handler: answers c (or keeps env for later). Returns a dispatch_result. */
typedef int (*dispatch_fn)(struct conn *c, Hearth__Envelope *env);

/* When a route may be used. */
enum dispatch_when {
	DISPATCH_AFTER_HELLO = 0,       /* refused until the Hello exchange is done */
	DISPATCH_BEFORE_HELLO = 1,      /* allowed before (Hello itself) */
};

/* Adds (or replaces) the route for body. Returns 0 or HEARTH_EINVAL when
 * the table is full. Start-up only (not thread-safe). */
int dispatch_register(Hearth__Envelope__BodyCase body, dispatch_fn fn, enum dispatch_when when);

/* Handles one request. Takes ownership of *env: it is freed here unless
 * the handler returned DISPATCH_KEPT. An unknown body, or any body but
 * Hello before the Hello exchange, is a protocol error that closes c. */
void dispatch_envelope(struct conn *c, Hearth__Envelope *env);

#endif
