/* replica_meta.h: the replica's status, cursor and meta values, and the witness's accepted checkpoint (replica_meta.c). The replica is
 * opened with replica_open (replica.h); every function returns 0 or a
 * negative HEARTH_E* unless its comment says otherwise. */
#ifndef HEARTH_CORE_REPLICA_META_H
#define HEARTH_CORE_REPLICA_META_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"

/* Cursor, counts and the like for `hearth status`. */
typedef struct replica_status {
	uint64_t cursor;
	uint64_t pending_ops;      /* ops waiting to be sent (rejected ones not counted) */
	uint64_t rejected;         /* records whose change the server rejected */
	uint64_t rejected_ops;     /* the ops those records hold in the outbox */
	uint64_t open_conflicts;
	uint64_t records;
	int64_t last_sync_ms;     /* 0: never */
} replica_status;
int replica_status_get(replica *r, replica_status *st);

/* The same without st->records (left 0): the count of records reads
 * every record, which a sync that reports only the rest need not pay
 * (a second or two on a replica of a million records). */
int replica_status_brief(replica *r, replica_status *st);

int replica_set_last_sync(replica *r, int64_t ms);

/* *none = 1 when no server or local copy of this replica has ever held an
 * attachment (kept from its making on; a replica older than that keeps
 * 0), so there is no content to look for. */
int replica_holds_no_attachments(replica *r, int *none);

/* The pull cursor (0 before the first pull). */
int replica_cursor(replica *r, uint64_t *cursor);

/* The replica's generation: the id of its last committed write
 * transaction, as a read transaction begun now sees it. Every write to the
 * replica (a local edit, an import, a pull page, a push result, the last
 * sync time, by this process or by a CLI command beside it) commits a write
 * transaction and so moves it forward; reading moves nothing. A cache keyed
 * on (replica_id, generation) is therefore never stale. Returns 0 or the
 * replica's error (*gen is 0). */
int replica_generation(replica *r, uint64_t *gen);

/* A string from meta (e.g. "branch") into out (cap bytes incl. NUL).
 * Returns 0, HEARTH_ENOTFOUND (out is ""), HEARTH_ETOOBIG. */
int replica_meta_get_str(replica *r, const char *key, char *out, size_t cap);
int replica_meta_set_str(replica *r, const char *key, const char *value);

/* Whether branch is in the scope this replica mirrors (its "branch", the
 * subtree of its general branch, the one branch an admin synced, or all),
 * so that a command asked about another branch refuses instead of
 * answering with an empty list. Returns 0 when it is, 1 when it is not
 * (why gets the sentence to show, naming what the replica holds), or a
 * negative HEARTH_E* code. */
int replica_scope_check(replica *r, const char *branch, char *why, size_t cap);


/* Bytes stored under a meta key, as a malloc'd copy the caller frees.
 * Returns 0, HEARTH_ENOTFOUND (*out NULL, *len 0), HEARTH_ENOMEM. */
int replica_meta_get_bytes(replica *r, const char *key, uint8_t **out, size_t *len);
int replica_meta_set_bytes(replica *r, const char *key, const uint8_t *data, size_t len);

/* The checkpoint this replica accepted last (heap copy, free with
 * hearth__checkpoint__free_unpacked), or HEARTH_ENOTFOUND. */
int replica_checkpoint_get(replica *r, Hearth__Checkpoint **out);

/* Stores cp as the accepted checkpoint, in one transaction that first
 * re-reads the stored one: a checkpoint smaller than it is not stored (two
 * commands verifying concurrently must not move the witness backwards).
 * The caller has verified cp against the stored checkpoint. */
int replica_checkpoint_put(replica *r, const Hearth__Checkpoint *cp);

#endif
