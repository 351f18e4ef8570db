/* replica_digest.h: the replica's per-branch, per-kind count and XOR digest
 * of its server copies, kept up to date in the transaction of every change,
 * so that comparing with the server costs the number of kinds, not the
 * number of records. */
#ifndef HEARTH_REPLICA_DIGEST_H
#define HEARTH_REPLICA_DIGEST_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "client/core/replica_handle.h"

/* Per-kind count and XOR of SHA-256 over server copies' bytes (the
 * server's definition, server/db/feeds.h), for kinds 0..REPLICA_MAX_KINDS-1. */
typedef struct kind_digest_acc {
	uint64_t count;
	uint8_t digest[32];
} kind_digest_acc;
#define REPLICA_MAX_KINDS 32

/* Takes the server copy in bytes (len) out of the kept digests (before it is
 * replaced or deleted), or puts one in (after it is stored), in the write
 * transaction t. Call both for every write to r->server, in that order.
 * bytes are only read, and must stay valid during the call. Returns 0,
 * HEARTH_EINVAL (bytes not a record: nothing changed) or an LMDB error. */
int rdigest_remove(replica *r, MDB_txn *t, const void *bytes, size_t len);
int rdigest_add(replica *r, MDB_txn *t, const void *bytes, size_t len);

/* Forgets every kept digest and marks the (now empty) set complete: for
 * replica_reset_server, after it drops the server copies in t. */
int rdigest_reset(replica *r, MDB_txn *t);

/* Per-kind counts and digests of the server copies of branch (NULL: all
 * branches) into acc. A replica written by a version that did not keep them
 * has them computed once from its server copies (and kept from then on).
 * Returns 0 or a negative HEARTH_E* code. */
int replica_digest(replica *r, const char *branch, kind_digest_acc acc[REPLICA_MAX_KINDS]);

/* The same figures computed from every server copy, ignoring the kept ones:
 * the slow, obvious definition, for tests and for the first computation. */
int replica_digest_scan(replica *r, const char *branch, kind_digest_acc acc[REPLICA_MAX_KINDS]);

/* When a sync last compared the full scan with the server and found them
 * equal (ms since the epoch; 0: never), and recording that it just did. */
#define REPLICA_DIGEST_VERIFY_MS (24LL * 3600 * 1000)
int replica_digest_verified_at(replica *r, int64_t *ms);
int replica_digest_set_verified(replica *r, int64_t ms);

#endif
