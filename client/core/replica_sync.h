/* replica_sync.h: what a sync does to the replica (replica_sync.c). The replica is
 * opened with replica_open (replica.h); every function returns 0 or a
 * negative HEARTH_E* unless its comment says otherwise. */
#ifndef HEARTH_CORE_REPLICA_SYNC_H
#define HEARTH_CORE_REPLICA_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"
#include "client/core/replica_digest.h"
#include "common/envelope.h"

/* Up to max ops from the head of the outbox, at most one per record (a
 * later op on the same record waits for the next batch, so its base_rev can
 * be rebased first). *ops is a heap array of unpacked Ops; free with
 * replica_ops_free. Sets *outbox_keys to their outbox sequence numbers. */
int replica_next_batch(replica *r, size_t max, Hearth__Op ***ops, uint64_t **outbox_keys, size_t *n);
void replica_ops_free(Hearth__Op **ops, uint64_t *keys, size_t n);

/* Applies one push result in one transaction: removes the op from the
 * outbox, stores result->record as the server copy when it is newer,
 * rebases later ops of that record (base_rev := new rev), and rebuilds or
 * drops the local copy. A REJECTED op stays in the outbox with its local
 * copy, and the record is marked rejected with the server's Error
 * (replica_rejected.h); replica_next_batch skips it from then on. */
int replica_apply_result(replica *r, uint64_t outbox_key, const Hearth__Op *op,
                         const Hearth__OpResult *res, char *err, size_t errlen);

/* Applies a pull page in one transaction: server copies, local copies
 * rebased field by field onto them (fields changed by pending ops keep the
 * local value), conflicts stored or dropped (resolved), cursor := new_cursor.
 * Conflicts of a branch other than the replica's scope are ignored. */
int replica_apply_pull(replica *r, const Hearth__PullResponse *page, char *err, size_t errlen);

/* A pull page to apply, and the bytes its records came in. */
typedef struct replica_pull_page {
	const Hearth__PullResponse *page;
	/* NULL, or one entry per page->records[i]: the wire bytes that record
	 * was unpacked from (envelope_pull_records), stored as they are. The
	 * server's digest is over the bytes it stores, which are the bytes it
	 * sends, so the replica keeps and hashes exactly those instead of
	 * packing the record again. Borrowed for the call. */
	const envelope_bytes *record_bytes;
} replica_pull_page;

/* As replica_apply_pull, for p->page with its records' wire bytes when
 * p->record_bytes has them. The replica it leaves is the one
 * replica_apply_pull would leave, apart from the server copies' bytes
 * where the server's are not protobuf-c's packing of what they unpack to
 * (then the replica's digest still equals the server's). */
int replica_apply_pull_page(replica *r, const replica_pull_page *p, char *err, size_t errlen);


/* The digests compared with the server's: client/core/replica_digest.h. */

/* Forgets every server copy and the cursor (keeps local copies of records
 * with pending ops, and the outbox), so the next pull starts from zero. */
int replica_reset_server(replica *r);

#endif
