/* audit.h: audit requests on the wire (checkpoints, witness
 * proofs, review queries, client-reported events) and the server's audit
 * events (login, denial, refusal) handed to the writer. */
#ifndef HEARTHD_AUDIT_HANDLERS_H
#define HEARTHD_AUDIT_HANDLERS_H

#include "common/envelope.h"
#include "common/tls.h"

struct conn;
struct api;

int audit_handle_checkpoint(struct conn *c, Hearth__Envelope *env);
int audit_handle_proof(struct conn *c, Hearth__Envelope *env);
int audit_handle_query(struct conn *c, Hearth__Envelope *env);
int audit_handle_checkpoints(struct conn *c, Hearth__Envelope *env);
int audit_handle_note(struct conn *c, Hearth__Envelope *env);

/* The latest signed checkpoint (signed again only when the head moved).
 * Fills cp with pointers into the server's cache: valid until the next
 * call. Returns 0 or a negative code. */
int audit_current_checkpoint(struct api *a, Hearth__Checkpoint *cp);

#endif
