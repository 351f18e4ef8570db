/* replica_recovery.h: what the replica keeps for recovering a restored
 * server (replica_recovery.c; issue 13 item 10):
 *
 *   meta "seen/" seq(8, big-endian) -> hash(32) [leaf(32)]: every audit
 *        chain link this replica verified as a witness (and the head of each
 *        checkpoint it accepted, without a leaf), so it can tell whether the
 *        checkpoint a restore notice names is a prefix of what it saw, and
 *        vouch for the entries whose leaves it verified
 *   meta "lost/" seq(8) -> the same, for the links after the checkpoint a
 *        restore notice named: the log the server lost
 *   meta "entry/" record id(16) rev(8) -> AuditEntry bytes: the audit entry
 *        of each revision of a record in scope, fetched after each sync
 *        (meta "entries_after": the audit seq fetched up to), so that in a
 *        recovery the server can check a re-pushed revision against it
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

/* One verified audit link: the chain's hash after entry seq, and entry
 * seq's leaf when it was verified (has_leaf). */
typedef struct replica_seen {
	uint64_t seq;
	uint8_t hash[AUDIT_HASH_LEN];
	uint8_t leaf[AUDIT_HASH_LEN];
	int has_leaf;
} replica_seen;

/* Stores n verified links in one transaction. */
int replica_seen_put(replica *r, const replica_seen *links, size_t n);

/* The chain's hash after entry seq as this replica verified it, into hash.
 * Returns 0 or HEARTH_ENOTFOUND (this replica never saw that link). */
int replica_seen_get(replica *r, uint64_t seq, uint8_t hash[AUDIT_HASH_LEN]);

/* The leaf of entry seq as this replica verified it, in the log it
 * witnesses now, or (lost) in the log a restored server lost. Returns 0 or
 * HEARTH_ENOTFOUND (never verified: seen only as a checkpoint's head). */
int replica_seen_leaf(replica *r, uint64_t seq, int lost, uint8_t leaf[AUDIT_HASH_LEN]);

/* The audit seq up to which entries were fetched (0: none). */
int replica_entries_after(replica *r, uint64_t *seq);

/* Stores the n entries of one AuditPage that describe a revision (a
 * record id and rev_after) under their record and revision, and next as
 * the seq fetched up to, in one transaction. */
int replica_entries_put(replica *r, Hearth__AuditEntry *const *entries, size_t n, uint64_t next);

/* The stored audit entry of revision rev of record id (heap copy, free with
 * hearth__audit_entry__free_unpacked), or HEARTH_ENOTFOUND. */
int replica_entry_get(replica *r, const uint8_t id[16], uint64_t rev, Hearth__AuditEntry **out);

/* Returns 1 when this replica accepted the notice with that id before, 0
 * when not, or a negative code. */
int replica_notice_used(replica *r, const uint8_t id[AUDIT_NOTICE_ID_LEN]);

/* Accepts a restore notice the caller verified, in one transaction: marks
 * it used, keeps it as the pending recovery, moves the links seen after
 * the notice's checkpoint to "lost/" (they belong to the log the server
 * lost, and are the evidence of the recovery), fetches
 * entries again from the notice's checkpoint on, and
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
