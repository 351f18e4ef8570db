/* replica_recovery.h: what the replica keeps for recovering a restored
 * server (replica_recovery.c; issue 13 item 10):
 *
 *   meta "seen/" seq(8, big-endian) -> hash(32): every audit chain link this
 *        replica verified as a witness (and the head of each checkpoint it
 *        accepted), so it can tell whether the checkpoint a restore notice
 *        names is a prefix of what it saw
 *   meta "notices_used"    -> the ids (16 bytes each) of the restore notices
 *        this replica accepted: each is accepted once
 *   meta "recovery_pending" -> the packed RestoreNotice accepted but not yet
 *        recovered: the next sync re-pushes and clears it
 *
 * The replica is opened with replica_open (replica.h); every function
 * returns 0 or a negative HEARTH_E* code unless its comment says otherwise. */
#ifndef HEARTH_CORE_REPLICA_RECOVERY_H
#define HEARTH_CORE_REPLICA_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"
#include "common/audit.h"

/* One verified audit link: the chain's hash after entry seq. */
typedef struct replica_seen {
	uint64_t seq;
	uint8_t hash[AUDIT_HASH_LEN];
} replica_seen;

/* Stores n verified links in one transaction. */
int replica_seen_put(replica *r, const replica_seen *links, size_t n);

/* The chain's hash after entry seq as this replica verified it, into hash.
 * Returns 0 or HEARTH_ENOTFOUND (this replica never saw that link). */
int replica_seen_get(replica *r, uint64_t seq, uint8_t hash[AUDIT_HASH_LEN]);

/* Returns 1 when this replica accepted the notice with that id before, 0
 * when not, or a negative code. */
int replica_notice_used(replica *r, const uint8_t id[AUDIT_NOTICE_ID_LEN]);

/* Accepts a restore notice the caller verified, in one transaction: marks
 * it used, keeps it as the pending recovery, forgets the links seen after
 * the notice's checkpoint (they belong to the log the server lost) and
 * stores now (verified to extend the notice's checkpoint) as the accepted
 * checkpoint, although it may be smaller than the one stored. */
int replica_recovery_accept(replica *r, const Hearth__RestoreNotice *n, const Hearth__Checkpoint *now);

/* The pending recovery's notice (heap copy, free with
 * hearth__restore_notice__free_unpacked), or HEARTH_ENOTFOUND. */
int replica_recovery_pending(replica *r, Hearth__RestoreNotice **out);

/* The server copies in scope (branch NULL or "": all) whose change
 * sequence is above after_seq: the revisions a server restored to
 * after_seq lacks, in the order the server made them (by seq). *out is a
 * heap array of heap records; free with replica_recovery_free. */
int replica_recovery_collect(replica *r, const char *branch, uint64_t after_seq, Hearth__Record ***out,
                             size_t *n);
void replica_recovery_free(Hearth__Record **recs, size_t n);

/* Ends the pending recovery in one transaction: the pull cursor goes back
 * to change_seq when it is beyond it (the server's feed after the restore
 * point is new: recovered records and later changes), and the pending mark
 * goes. */
int replica_recovery_done(replica *r, uint64_t change_seq);

#endif
