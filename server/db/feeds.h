/* feeds.h: the change feeds and the digests, kept in the writer's
 * transaction with every record and conflict write (store.h names the
 * databases). */
#ifndef HEARTHD_FEEDS_H
#define HEARTHD_FEEDS_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"
#include "server/db/store.h"

/* Removes the feed entries (global and branch) of sequence seq; seq 0 is
 * nothing. Missing entries are not an error. Returns 0, HEARTH_EINVAL for
 * an over-long branch id, or a store error. */
int feeds_index_del(store *s, MDB_txn *txn, const char *branch, uint64_t seq);

/* Adds a feed entry of type (REF_*) for id at seq to both feeds. seq must
 * be above every sequence already in the global feed (it is appended).
 * Returns 0, HEARTH_EINVAL for an over-long branch id, or a store error. */
int feeds_index_put(store *s, MDB_txn *txn, const char *branch, uint64_t seq, int type,
                    const uint8_t id[16]);

/* The same, in the branch feed only (the moved-out marker). */
int feeds_index_put_branch(store *s, MDB_txn *txn, const char *branch, uint64_t seq, int type,
                           const uint8_t id[16]);

/* Adds (sign +1) or removes (sign -1) a record's stored bytes to or from
 * its branch's per-kind count and XOR digest, in txn. bytes are only read.
 * Returns 0, HEARTH_EINVAL for an over-long branch id, or a store error. */
int feeds_digest_apply(store *s, MDB_txn *txn, const char *branch, int kind, const void *bytes,
                       size_t len, int sign);

/* Replaces a record's share of the digests: removes old_bytes (NULL for a
 * create) from old_branch and adds the new bytes, given by their SHA-256
 * new_hash (the caller names the revision by the same hash), to branch.
 * Returns as feeds_digest_apply. */
int feeds_digest_move(store *s, MDB_txn *txn, const char *old_branch, const char *branch, int kind,
                      const MDB_val *old_bytes, const uint8_t new_hash[32]);

/* Writes the meta key of a scope's purge horizon ("purged_seq", or
 * "purged_seq/" branch; u64 BE, the highest change sequence the retention
 * purge removed from that feed) into buf. Returns its length, 0 when it
 * does not fit in cap. */
size_t feeds_horizon_key(char *buf, size_t cap, const char *branch);

/* Reads a scope's purge horizon in txn into *out (0 when nothing was
 * purged). Returns 0 or a negative HEARTH_E* code. */
int feeds_horizon(store *s, MDB_txn *txn, const char *branch, uint64_t *out);

/* Builds a DigestResponse body (its cursor is max(feed head, purge
 * horizon, the highest over a scope's branches), the cursor pull_page ends
 * a complete pull at) for the scope (all, or its branches) into out,
 * which the caller owns and frees, in its own read transaction. Returns 0
 * or a negative HEARTH_E* code. */
int feeds_digest(store *s, const store_scope *sc, wirebuf *out);

#endif
