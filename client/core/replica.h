/* replica.h: a branch office's local copy of its records (client LMDB under
 * $HEARTH_HOME/replica), so every command works offline.
 *
 * Named databases:
 *   server     id(16) -> Record bytes, the last copy the server sent: a pulled
 *              record as the bytes it came in (which are the bytes the
 *              server stores and hashes), a push result's as protobuf-c
 *              packs it (the divergence digest hashes these bytes)
 *   local      id(16) -> Record bytes, the local view while ops are pending
 *              (absent: the local view is the server copy)
 *   outbox     seq(8, big-endian) -> Op bytes, in the order they were made
 *   byrec      id(16) seq(8)      -> empty: index of the outbox by record, so
 *              "pending ops of this record" costs O(its ops), not O(outbox)
 *   conflicts  conflict id(16) -> Conflict bytes (open ones only)
 *   events     seq(8, big-endian) -> ClientEvent bytes: reveals and exports
 *              waiting to be reported to the audit log at the next sync
 *   rejected   id(16) -> rejected_at ms (8, big-endian) + Error bytes: the
 *              server refused this record's oldest pending op. Its ops stay
 *              in the outbox and its local copy stays (nothing typed is
 *              lost), but they are not sent again until the person edits
 *              the record (re-queued as one op) or discards the change
 *              (replica_rejected.h)
 *   meta       "cursor" (u64), "replica_id" (16 bytes), "last_sync" (i64 ms),
 *              "outbox_seq" (u64), "branch" (string), "event_seq" (u64),
 *              "checkpoint" (packed Checkpoint: the last one this replica
 *              accepted as a witness), "audit_key" (32-byte Ed25519 public
 *              key pinned on first use), "no_attachments" (u64: 1 while no
 *              copy has ever held an attachment, replica_store.h)
 *
 * Every function that changes state runs in one write transaction: a local
 * edit (op + local copy), a pull page (records + conflicts + cursor), a push
 * result (server copy + outbox removal + rebase of the local copy).
 *
 * This header: opening, reading and local edits (replica.c). What a sync
 * does is in replica_sync.h, status and meta values in replica_meta.h,
 * conflicts in replica_conflicts.h, the event queue in replica_events.h. */
#ifndef HEARTH_REPLICA_H
#define HEARTH_REPLICA_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"
#include "common/arena.h"
#include "client/core/replica_handle.h"
#include "common/record.h"
#include "common/ref_summary.h"

/* Opens (creating) the replica under home/replica. Returns 0 or a negative
 * HEARTH_E* code with err set. Within one process every open of one
 * replica shares one LMDB environment (LMDB forbids opening it twice): an
 * open while another is still open is a counted copy of that handle, and
 * the environment closes with the last replica_close. Thread-safe; each
 * read still sees every write committed before it, by any process. */
int replica_open(replica *r, const char *home, char *err, size_t errlen);
void replica_close(replica *r);

/* ---- reading (each call runs its own read transaction; returned records
 * are heap copies the caller frees with hearth__record__free_unpacked) ---- */

/* The local view of a record: local copy if any, else server copy.
 * Returns 0, HEARTH_ENOTFOUND. */
int replica_get(replica *r, const uint8_t id[16], Hearth__Record **out);

/* The last server copy, or HEARTH_ENOTFOUND. */
int replica_get_server(replica *r, const uint8_t id[16], Hearth__Record **out);

/* Resolves a full id, a unique prefix of its text form (at least 4 hex
 * digits) or a unique tail of 12 hex digits (the random end of the id)
 * among local views. Returns 0, HEARTH_ENOTFOUND, HEARTH_EINVAL (ambiguous:
 * err names how many match). */
int replica_resolve_id(replica *r, const char *text, uint8_t id[16], char *err, size_t errlen);

/* Calls fn for every record of kind in the local view (kind 0: all), in id
 * order (= creation order, UUIDv7). Deleted records are skipped unless
 * with_deleted. fn returns 0 to continue, non-zero to stop. The record is
 * valid only during the call. */
typedef int (*replica_each_fn)(void *ctx, const Hearth__Record *rec);
int replica_each(replica *r, Hearth__Kind kind, int with_deleted, replica_each_fn fn, void *ctx);

/* As replica_each(r, 0, 0, fn, ctx), but only the records whose body has
 * the top-level field number (e.g. ATTACHMENT_FIELD): the others are
 * passed over on their packed bytes, never unpacked. */
int replica_each_with_field(replica *r, uint32_t number, replica_each_fn fn, void *ctx);

/* As replica_each, but only the deleted records (the recycle bin), read in
 * one pass over the view whatever their kind (kind 0: all). */
int replica_each_deleted(replica *r, Hearth__Kind kind, replica_each_fn fn, void *ctx);

/* One page of replica_each(r, kind, 0, …): fn gets the live records of
 * kind number offset to offset + limit - 1 in id order, and *total counts
 * them all. Only the page's records are unpacked (the others are counted
 * from their packed bytes), so a page costs one scan of the ids, not one
 * decode per record. */
int replica_page(replica *r, Hearth__Kind kind, size_t offset, size_t limit, replica_each_fn fn, void *ctx,
                 size_t *total);

/* As replica_each (live records of kind, 0: all), but fn takes each
 * record: it is the callee's from the call on, to keep or to free with
 * hearth__record__free_unpacked, whatever fn returns. For a caller that
 * keeps the records (due_snapshot_load), so none is copied. */
typedef int (*replica_take_fn)(void *ctx, Hearth__Record *rec);
int replica_each_take(replica *r, Hearth__Kind kind, replica_take_fn fn, void *ctx);

/* The packed bytes of each live record of kind (0: all) in the local
 * view, in id order, borrowed for the call (they are the read
 * transaction's). Bytes that cannot be peeked are given too: the caller
 * unpacks and judges them. For a reader that keeps something per record
 * and recomputes it only for the records whose bytes changed (the ui's
 * search index). fn's nonzero return stops the walk and is returned. */
typedef int (*replica_raw_fn)(void *ctx, const uint8_t id[16], const uint8_t *bytes, size_t len);
int replica_each_raw(replica *r, Hearth__Kind kind, replica_raw_fn fn, void *ctx);

/* As replica_each, but each record is unpacked in ar (arena.h), which is
 * cleared after each call of fn: for a walk of many records that keeps
 * nothing of them (a search index), no malloc or free per field. */
int replica_each_in(replica *r, Hearth__Kind kind, int with_deleted, arena *ar, replica_each_fn fn,
                    void *ctx);

/* As replica_each_take, but each record is unpacked in ar (arena.h): the
 * callee keeps it until arena_free releases them all (freeing one is
 * hearth__record__free_unpacked with arena_allocator(ar), a no-op).
 * Returns HEARTH_ENOMEM when ar could not grow. */
int replica_each_take_in(replica *r, Hearth__Kind kind, arena *ar, replica_take_fn fn, void *ctx);

/* ---- local edits ---- */

/* Records a local edit of rec (its id, kind, branch_id and full new body).
 * Computes changed_fields against the current local view (all set fields
 * for a new record), sets base_rev to the server copy's rev (0 when the
 * server has never seen it), appends the Op to the outbox and stores the
 * new local copy, in one transaction. A no-op edit (nothing changed) is
 * refused with HEARTH_EINVAL ("nothing to change"). An edit of a record
 * whose change the server rejected re-queues it: its rejected ops and mark
 * go and one op carries everything that differs from the server copy (none
 * left: the local copy goes too).
 * Returns 0 or a negative code with err set. */
int replica_edit(replica *r, const Hearth__Record *rec, int create, char *err, size_t errlen);

/* How a delete is asked for. */
typedef struct replica_delete_opts {
	int confirm_referenced;         /* the person confirmed deleting a member others refer to;
	                                 * sent with the op, the server refuses it otherwise */
} replica_delete_opts;

/* Records a local delete of id (tombstone in the local view + Op); a
 * rejected change of it is replaced by the delete. o is borrowed for the
 * call (NULL: no confirmation). The caller checks references first
 * (replica_referencing). */
int replica_delete(replica *r, const uint8_t id[16], const replica_delete_opts *o, char *err,
                   size_t errlen);

/* Records a restore of deleted record id: an Op (restore, base_rev = the
 * server copy's rev) and the local copy alive again with the body it had.
 * The server makes it a new revision, or refuses it once the tombstone is
 * purged. Returns 0, HEARTH_ENOTFOUND (not in the replica), HEARTH_EINVAL
 * (not deleted, or never on the server), or another negative code; err is
 * set. */
int replica_restore(replica *r, const uint8_t id[16], char *err, size_t errlen);

/* Sums up into out the records in the local view, not deleted, that refer
 * to member (their member fields name it). Returns 0 or a negative code. */
int replica_referencing(replica *r, const uint8_t member[16], ref_summary *out);

/* Records a resolution: an op on the conflict's record with base_rev = the
 * server copy's rev, changed_fields = the conflict's fields, body = body
 * (already holding the chosen values), delete flag as chosen, resolves =
 * conflict id. Removes the conflict locally. */
int replica_resolve(replica *r, const Hearth__Conflict *c, const Hearth__Record *rec, int del,
                    char *err, size_t errlen);

/* Drops every change not yet accepted by the server, on purpose: the whole
 * outbox, every rejected mark and every local copy (each record's view is
 * its server copy again), in one transaction. *ops and *records (may be
 * NULL) get how many ops and local copies went. For a replica that is to
 * sync under another scope (hearth init --discard-unsent). */
int replica_discard_unsent(replica *r, uint64_t *ops, uint64_t *records);

/* ---- batch edits ---- */

/* Records n local edits as replica_edit would, all in one write
 * transaction: either every record is stored (with its op) or none is.
 * create[i] says whether recs[i] is new. The first refused record stops
 * the batch; err names it. Returns 0 or a negative code with err set. */
int replica_edit_batch(replica *r, Hearth__Record *const *recs, const int *create, size_t n,
                       char *err, size_t errlen);

#endif
