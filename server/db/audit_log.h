/* audit_log.h: the server's side of the audit chain: appending entries in
 * the caller's write transaction, the head, the proof links, the stored
 * checkpoints, and the offline verifier (hearthd --verify-audit).
 *
 * Databases (opened by store_open):
 *   audit         seq(8)              -> AuditEntry bytes (with prev_hash, hash)
 *   audit_links   seq(8)              -> leaf(32) hash(32), for witness proofs
 *   audit_branch  branch NUL seq(8)   -> "" (entries a branch may read)
 *   audit_record  id(16) seq(8)       -> "" (history of one record)
 *   checkpoints   size(8)             -> Checkpoint bytes (every one signed)
 *   meta          "audit_head"        -> size(8) hash(32) */
#ifndef HEARTHD_AUDIT_LOG_H
#define HEARTHD_AUDIT_LOG_H

#include <lmdb.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "common/audit.h"
#include "common/record.h"
#include "common/wire.h"
#include "server/db/store.h"

/* Appends e (seq, prev_hash and hash are set here; time is set when 0) in
 * txn, with its index entries and the new head. Returns 0 or a negative
 * HEARTH_E* code (the caller aborts). */
int audit_append(store *s, MDB_txn *txn, Hearth__AuditEntry *e);

/* Fills the actor fields of e from who (borrowed strings). */
void audit_set_actor(Hearth__AuditEntry *e, const actor *who);

/* Reads the head in txn. An empty log gives size 0 and a zero hash. */
int audit_head(store *s, MDB_txn *txn, uint64_t *size, uint8_t head[AUDIT_HASH_LEN]);

/* Stores a signed checkpoint (keyed by its size; a later one of the same
 * size replaces it). */
int audit_store_checkpoint(store *s, MDB_txn *txn, const Hearth__Checkpoint *cp);

/* How many signed checkpoints the store keeps, in its own short read
 * transaction: more than 0 means clients may have pinned the audit key and
 * seen digests keyed with the secret, so neither may be made anew
 * (server/audit_keys.c). Returns 0 or a negative HEARTH_E* code. */
int audit_checkpoint_count(store *s, uint64_t *count);

/* Verifies the whole chain of the store in dir (opened read-only), every
 * stored checkpoint against the chain and, when pub is non-NULL, their
 * signatures. Returns 0 when sound; otherwise HEARTH_ECORRUPT with *bad_seq
 * the first bad entry (0 when the damage is elsewhere) and msg saying what.
 * *entries gets the number of entries checked. */
int audit_verify_store(const char *dir, const uint8_t *pub, uint64_t *entries, uint64_t *bad_seq,
                       char *msg, size_t msglen);

/* What audit_change needs to describe a record change. Every pointer is
 * borrowed for the call. old_body is NULL (old_len 0) for a create; op and
 * conflict_id and detail may be NULL. */
typedef struct audit_change_args {
	const actor *who;
	const char *action;             /* "record.create", "record.merge", ... */
	const kind_info *kind;
	const uint8_t *record_id;       /* 16 bytes */
	const char *branch;
	uint64_t rev_before, rev_after;
	const Hearth__Op *op;
	const uint8_t *old_body;
	size_t old_len;
	const uint8_t *body;
	size_t body_len;
	const uint8_t *conflict_id;     /* 16 bytes */
	const char *detail;
	/* SHA-256 of the new revision's stored bytes (revs: record_id,
	 * rev_after), written in txn (32 bytes). For a create the entry then
	 * carries it instead of a copy of every field; NULL keeps the copy. */
	const uint8_t *revision_digest;
} audit_change_args;

/* Appends the entry of a record change in txn: who, what, revisions, and
 * each changed field from what to what (sensitive fields as SHA-256
 * digests, never in clear); a create with a->revision_digest names that
 * revision by it instead. Returns 0 or a negative HEARTH_E* code (the
 * caller aborts). */
int audit_change(store *s, MDB_txn *txn, const audit_change_args *a);

/* Reads the revision a served entry e names (revision_digest set) in txn
 * and appends to out, as fields of the entry's message, what the server
 * found: revision_check, and when the revision matches its digest every
 * field it holds as revision_changes (in the audit's form: sensitive
 * values as digests). Appends nothing for an entry without
 * revision_digest. Returns 0 or a negative HEARTH_E* code (out failed or a
 * store error). */
int audit_revision_extra(store *s, MDB_txn *txn, const Hearth__AuditEntry *e, wirebuf *out);

/* One value of a field as audit_field_values takes it. */
typedef struct audit_side {
	const uint8_t *bytes;
	size_t len;
	int present;                    /* 0: the field is absent on this side */
} audit_side;

/* Fills ch (initialised here) with one field's two values as the audit log
 * keeps them: in clear, or for a sensitive field their keyed digests
 * (plain SHA-256 in a store without the audit secret), written into
 * digests. Borrows k's names and the clear bytes; ch lives as long as
 * they and digests do. */
void audit_field_values(const store *s, const kind_info *k, uint32_t field, const audit_side *old_side,
                        const audit_side *new_side, Hearth__AuditChange *ch, uint8_t digests[2][32]);

/* What audit_event records: everything but who and action may be NULL/0.
 * Pointers are borrowed for the call. */
typedef struct audit_event_args {
	const actor *who;
	const char *action;             /* "login", "denied", "conflict.open", ... */
	Hearth__Kind kind;
	const uint8_t *record_id;       /* 16 bytes */
	const char *branch;
	const uint8_t *conflict_id;     /* 16 bytes */
	const Hearth__Op *op;
	const char *detail;
	const char *peer;
	Hearth__AuditChange **changes;  /* field values (a conflict's two sides) */
	size_t n_changes;
} audit_event_args;

/* Appends an entry that is not a record change (a session event, a
 * refusal, a conflict opened or resolved, with the values in question) in
 * txn. Returns 0 or a negative HEARTH_E*
 * code. */
int audit_event(store *s, MDB_txn *txn, const audit_event_args *a);

/* Appends the entry of something a client reported (reveal, export) in
 * txn. Returns 0 or a negative HEARTH_E* code. */
int audit_client_event(store *s, MDB_txn *txn, const actor *who, const Hearth__ClientEvent *ev,
                       const char *peer);

#endif
