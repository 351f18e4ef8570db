/* routes.h: start-up of the request side: every handler's route and the
 * session hooks, handed to the loop. */
#ifndef HEARTHD_ROUTES_H
#define HEARTHD_ROUTES_H

#include "server/api/context.h"
#include "server/loop/server.h"

/* Connects a (filled in by the caller) to srv: registers every route with
 * dispatch and sets srv's request, handshake and connection-free hooks.
 * Returns 0 or a negative HEARTH_E* code (a route table that is full). */
int routes_start(api *a, server *srv);

#endif
