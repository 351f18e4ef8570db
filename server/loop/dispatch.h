/* dispatch.h: routes each decoded Envelope to the handler for its body. */
#ifndef HEARTHD_DISPATCH_H
#define HEARTHD_DISPATCH_H

#include "common/envelope.h"

struct conn;

/* Handles one request. Takes ownership of *env: it is freed here unless a
 * handler keeps it (for asynchronous work), in which case the handler frees
 * it later. */
void dispatch_envelope(struct conn *c, Hearth__Envelope *env);

#endif
