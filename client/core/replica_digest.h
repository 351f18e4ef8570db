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

/* Changes to the kept digests gathered over many server copies and written
 * once per branch and kind: a pull page stores thousands of copies of a few
 * kinds, and reading and writing the digests for each one cost more than
 * hashing it. Note copies with rdigest_batch_remove (before a copy is
 * replaced or deleted) and rdigest_batch_add (after it is stored), in any
 * order, then write them all with rdigest_batch_flush in the same write
 * transaction. The bytes are hashed during the call and not kept. The
 * batch owns heap memory: flush frees it (whatever it returns), and
 * rdigest_batch_free releases a batch that is not flushed. Note functions
 * return 0, HEARTH_EINVAL (bytes not a record: nothing noted) or
 * HEARTH_ENOMEM; flush returns 0, HEARTH_ECORRUPT (more copies removed
 * than the replica held) or an LMDB error. */
typedef struct rdigest_share rdigest_share;
typedef struct rdigest_batch {
	rdigest_share *v;
	size_t n, cap;
	size_t last;    /* the share noted last: tried first */
} rdigest_batch;
#define RDIGEST_BATCH_INIT { NULL, 0, 0, 0 }
int rdigest_batch_remove(rdigest_batch *b, const void *bytes, size_t len);
int rdigest_batch_add(rdigest_batch *b, const void *bytes, size_t len);
int rdigest_batch_flush(replica *r, MDB_txn *t, rdigest_batch *b);
void rdigest_batch_free(rdigest_batch *b);

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
