/* replica_rejected.h: local changes the server rejected, kept with its
 * reason until the person edits them (re-queued, replica_edit) or discards
 * them on purpose (replica_rejected.c). A sync marks them (replica_sync.h);
 * each function returns 0 or a negative HEARTH_E*. */
#ifndef HEARTH_CORE_REPLICA_REJECTED_H
#define HEARTH_CORE_REPLICA_REJECTED_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"

/* One rejected record, filled from the mark, its pending ops and its
 * copies. Plain data: nothing to free. */
typedef struct replica_rejected_item {
	uint8_t id[16];
	Hearth__Kind kind;
	int64_t rejected_at_ms;    /* this replica's clock when the result came */
	Hearth__ErrorCode code;
	char reason[512];          /* the server's message, as it sent it */
	char field[64];            /* the field it names, "" when none */
	int has_clash;             /* clash_id holds the record it clashes with */
	uint8_t clash_id[16];
	size_t n_ops;              /* local ops kept for it in the outbox */
	int deleting;              /* the newest of them deletes the record */
	uint64_t server_rev;       /* the server copy's revision, 0: none (only here) */
} replica_rejected_item;

/* Calls fn for each rejected record, in id order. fn returns 0 to go on,
 * non-zero to stop. */
typedef int (*replica_rejected_fn)(void *ctx, const replica_rejected_item *it);
int replica_rejected_each(replica *r, replica_rejected_fn fn, void *ctx);

/* The rejected record id into *out; HEARTH_ENOTFOUND when id has no
 * rejected change. */
int replica_rejected_get(replica *r, const uint8_t id[16], replica_rejected_item *out);

/* Drops the rejected change of id on purpose: its ops, its mark and its
 * local copy (the view becomes the server copy, or nothing when the server
 * never had it), in one transaction. *dropped (may be NULL) says what went.
 * Returns 0, HEARTH_ENOTFOUND (err says id has no rejected change). */
int replica_rejected_discard(replica *r, const uint8_t id[16], replica_rejected_item *dropped,
                             char *err, size_t errlen);

/* The record a server reason names as the one this clashes with: the
 * server gives it only in the message text, "(record UUID)". Returns 1 and
 * fills clash when found (and not the record itself), else 0. */
int replica_rejected_clash(const char *reason, const uint8_t self[16], uint8_t clash[16]);

#endif
