/* replica.h: a branch office's local copy of its records (client LMDB under
 * $HEARTH_HOME/replica), so every command works offline.
 *
 * Named databases:
 *   server     id(16) -> Record bytes, the last copy the server sent, exactly
 *              as packed (the divergence digest hashes these bytes)
 *   local      id(16) -> Record bytes, the local view while ops are pending
 *              (absent: the local view is the server copy)
 *   outbox     seq(8, big-endian) -> Op bytes, in the order they were made
 *   byrec      id(16) seq(8)      -> empty: index of the outbox by record, so
 *              "pending ops of this record" costs O(its ops), not O(outbox)
 *   conflicts  conflict id(16) -> Conflict bytes (open ones only)
 *   events     seq(8, big-endian) -> ClientEvent bytes: reveals and exports
 *              waiting to be reported to the audit log at the next sync
 *   meta       "cursor" (u64), "replica_id" (16 bytes), "last_sync" (i64 ms),
 *              "outbox_seq" (u64), "branch" (string), "event_seq" (u64),
 *              "checkpoint" (packed Checkpoint: the last one this replica
 *              accepted as a witness), "audit_key" (32-byte Ed25519 public
 *              key pinned on first use)
 *
 * Every function that changes state runs in one write transaction: a local
 * edit (op + local copy), a pull page (records + conflicts + cursor), a push
 * result (server copy + outbox removal + rebase of the local copy). */
#ifndef HEARTH_REPLICA_H
#define HEARTH_REPLICA_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"
#include "common/record.h"

typedef struct replica {
	MDB_env *env;
	MDB_dbi server, local, outbox, conflicts, meta;
	MDB_dbi byrec;            /* added by replica.c: outbox index by record */
	MDB_dbi events;           /* client events waiting for the audit log */
	uint8_t replica_id[16];
	char path[1100];
} replica;

/* Opens (creating) the replica under home/replica. Returns 0 or a negative
 * HEARTH_E* code with err set. */
int replica_open(replica *r, const char *home, char *err, size_t errlen);
void replica_close(replica *r);

/* ---- reading (each call runs its own read transaction; returned records
 * are heap copies the caller frees with hearth__record__free_unpacked) ---- */

/* The local view of a record: local copy if any, else server copy.
 * Returns 0, HEARTH_ENOTFOUND. */
int replica_get(replica *r, const uint8_t id[16], Hearth__Record **out);

/* The last server copy, or HEARTH_ENOTFOUND. */
int replica_get_server(replica *r, const uint8_t id[16], Hearth__Record **out);

/* Resolves a full id or a unique prefix of its text form (at least 4 hex
 * digits) among local views. Returns 0, HEARTH_ENOTFOUND, HEARTH_EINVAL
 * (ambiguous prefix: err names how many match). */
int replica_resolve_id(replica *r, const char *text, uint8_t id[16], char *err, size_t errlen);

/* Calls fn for every record of kind in the local view (kind 0: all), in id
 * order (= creation order, UUIDv7). Deleted records are skipped unless
 * with_deleted. fn returns 0 to continue, non-zero to stop. The record is
 * valid only during the call. */
typedef int (*replica_each_fn)(void *ctx, const Hearth__Record *rec);
int replica_each(replica *r, Hearth__Kind kind, int with_deleted, replica_each_fn fn, void *ctx);

/* ---- local edits ---- */

/* Records a local edit of rec (its id, kind, branch_id and full new body).
 * Computes changed_fields against the current local view (all set fields
 * for a new record), sets base_rev to the server copy's rev (0 when the
 * server has never seen it), appends the Op to the outbox and stores the
 * new local copy, in one transaction. A no-op edit (nothing changed) is
 * refused with HEARTH_EINVAL ("nothing to change").
 * Returns 0 or a negative code with err set. */
int replica_edit(replica *r, const Hearth__Record *rec, int create, char *err, size_t errlen);

/* Records a local delete of id (tombstone in the local view + Op). */
int replica_delete(replica *r, const uint8_t id[16], char *err, size_t errlen);

/* Records a resolution: an op on the conflict's record with base_rev = the
 * server copy's rev, changed_fields = the conflict's fields, body = body
 * (already holding the chosen values), delete flag as chosen, resolves =
 * conflict id. Removes the conflict locally. */
int replica_resolve(replica *r, const Hearth__Conflict *c, const Hearth__Record *rec, int del,
                    char *err, size_t errlen);

/* ---- sync ---- */

/* Up to max ops from the head of the outbox, at most one per record (a
 * later op on the same record waits for the next batch, so its base_rev can
 * be rebased first). *ops is a heap array of unpacked Ops; free with
 * replica_ops_free. Sets *outbox_keys to their outbox sequence numbers. */
int replica_next_batch(replica *r, size_t max, Hearth__Op ***ops, uint64_t **outbox_keys, size_t *n);
void replica_ops_free(Hearth__Op **ops, uint64_t *keys, size_t n);

/* Applies one push result in one transaction: removes the op from the
 * outbox (unless REJECTED... rejected ops are removed too, and their local
 * changes dropped, after the caller reported them), stores result->record
 * as the server copy when it is newer, rebases later ops of that record
 * (base_rev := new rev), and rebuilds or drops the local copy. */
int replica_apply_result(replica *r, uint64_t outbox_key, const Hearth__Op *op,
                         const Hearth__OpResult *res, char *err, size_t errlen);

/* Applies a pull page in one transaction: server copies, local copies
 * rebased field by field onto them (fields changed by pending ops keep the
 * local value), conflicts stored or dropped (resolved), cursor := new_cursor. */
int replica_apply_pull(replica *r, const Hearth__PullResponse *page, char *err, size_t errlen);

/* Cursor, counts and the like for `hearth status`. */
typedef struct replica_status {
	uint64_t cursor;
	uint64_t pending_ops;
	uint64_t open_conflicts;
	uint64_t records;
	int64_t last_sync_ms;     /* 0: never */
} replica_status;
int replica_status_get(replica *r, replica_status *st);

int replica_set_last_sync(replica *r, int64_t ms);

/* The pull cursor (0 before the first pull). */
int replica_cursor(replica *r, uint64_t *cursor);

/* A string from meta (e.g. "branch") into out (cap bytes incl. NUL).
 * Returns 0, HEARTH_ENOTFOUND (out is ""), HEARTH_ETOOBIG. */
int replica_meta_get_str(replica *r, const char *key, char *out, size_t cap);
int replica_meta_set_str(replica *r, const char *key, const char *value);

/* Per-kind count and XOR of SHA-256 over server copies' bytes, in the
 * scope given (branch NULL: all). digests[kind] for kind 1..n. */
typedef struct kind_digest_acc {
	uint64_t count;
	uint8_t digest[32];
} kind_digest_acc;
#define REPLICA_MAX_KINDS 32
int replica_digest(replica *r, const char *branch, kind_digest_acc acc[REPLICA_MAX_KINDS]);

/* Forgets every server copy and the cursor (keeps local copies of records
 * with pending ops, and the outbox), so the next pull starts from zero. */
int replica_reset_server(replica *r);

/* Open conflicts, oldest first. fn as for replica_each. */
typedef int (*replica_conflict_fn)(void *ctx, const Hearth__Conflict *c);
int replica_each_conflict(replica *r, replica_conflict_fn fn, void *ctx);
int replica_get_conflict(replica *r, const char *id_text, Hearth__Conflict **out, char *err,
                         size_t errlen);

/* ---- audit witness and client events ---- */

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

/* Appends n client events to the events queue in one transaction. */
int replica_queue_events(replica *r, Hearth__ClientEvent *const *events, size_t n);

/* Up to max queued events, oldest first, as heap copies; keys are their
 * queue keys for replica_drop_events. Free with replica_events_free. */
int replica_next_events(replica *r, size_t max, Hearth__ClientEvent ***events, uint64_t **keys,
                        size_t *n);
void replica_events_free(Hearth__ClientEvent **events, uint64_t *keys, size_t n);

/* Removes the given events from the queue, in one transaction. */
int replica_drop_events(replica *r, const uint64_t *keys, size_t n);

/* ---- batch edits ---- */

/* Records n local edits as replica_edit would, all in one write
 * transaction: either every record is stored (with its op) or none is.
 * create[i] says whether recs[i] is new. The first refused record stops
 * the batch; err names it. Returns 0 or a negative code with err set. */
int replica_edit_batch(replica *r, Hearth__Record *const *recs, const int *create, size_t n,
                       char *err, size_t errlen);

#endif
