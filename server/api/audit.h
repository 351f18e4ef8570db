/* audit.h: audit requests on the wire (checkpoints, witness proofs, review
 * queries, client-reported events) and the latest signed checkpoint. */
#ifndef HEARTHD_AUDIT_HANDLERS_H
#define HEARTHD_AUDIT_HANDLERS_H

#include "common/envelope.h"
#include "common/tls.h"

struct conn;
struct api;

/* Handlers are dispatch_fn: each answers c and returns DISPATCH_DONE; a
 * note handed to the writer returns DISPATCH_KEPT (env goes with the job).
 * Reads are short read transactions on the loop thread, each bounded. */

/* The latest signed checkpoint. */
int audit_handle_checkpoint(struct conn *c, Hearth__Envelope *env);
/* Witness proof links for (from_size, to_size], at most one page. */
int audit_handle_proof(struct conn *c, Hearth__Envelope *env);
/* Review query: filtered entries, the scan bounded per request. */
int audit_handle_query(struct conn *c, Hearth__Envelope *env);
/* The stored checkpoints (admins and auditors). */
int audit_handle_checkpoints(struct conn *c, Hearth__Envelope *env);
/* Client-reported reveals and exports, audited in the writer. */
int audit_handle_note(struct conn *c, Hearth__Envelope *env);

/* The latest signed checkpoint (db/checkpoint.c: signed again only when
 * the head moved; a newly signed one is queued for the writer to keep).
 * Fills cp with pointers into a's cache: valid until the next call (loop
 * thread). Returns 0 or a negative HEARTH_E* code. */
int audit_current_checkpoint(struct api *a, Hearth__Checkpoint *cp);

#endif
