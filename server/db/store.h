/* store.h: the server's LMDB store: records, revision history, change
 * indexes, op ledger, conflicts, digests, and the push/pull logic that
 * reads and writes them (DESIGN sections 4-5).
 *
 * Named databases (keys are big-endian so LMDB order is numeric order):
 *   records    id(16)                  -> Record bytes, latest revision
 *   revs       id(16) rev(8)           -> Record bytes, every revision
 *   changes    seq(8)                  -> type(1) id(16): one live entry per record/conflict
 *   bchanges   branch NUL seq(8)       -> type(1) id(16): the same, per branch
 *   ops        op_id(16)               -> OpResult bytes (without the record)
 *   conflicts  id(16)                  -> Conflict bytes
 *   digests    branch NUL kind(1)      -> count(8) xor-of-sha256(32)
 *   branches   branch id               -> (reserved for the admin console)
 *   meta       "seq"                   -> u64, the last change sequence
 *
 * Threads: one writer thread calls store_push_* inside its write
 * transaction; the loop thread calls store_pull/store_digest with short read
 * transactions. Nothing here touches the network. */
#ifndef HEARTHD_STORE_H
#define HEARTHD_STORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"
#include "common/wire.h"

/* What a change-index entry refers to; the value is type(1) id(16).
 * REF_MOVED is the marker a record leaves in the feed of a branch it moved
 * out of (store_rehome); pull checks where the record is now. */
enum { REF_RECORD = 1, REF_CONFLICT = 2, REF_MOVED = 3 };

/* Branch ids are at most this many bytes (as certificate URIs allow). */
#define STORE_BRANCH_MAX 63

/* The per-branch index key: branch bytes, a NUL, the sequence (8 bytes,
 * big-endian). Returns its length, or 0 when it does not fit in cap or the
 * branch id is longer than STORE_BRANCH_MAX. */
size_t store_branch_key(uint8_t *key, size_t cap, const char *branch, uint64_t seq);

typedef struct store {
	MDB_env *env;
	MDB_dbi records, revs, changes, bchanges, ops, conflicts, digests, branches, meta;
	MDB_dbi audit, audit_links, audit_branch, audit_record, checkpoints;  /* audit_log.h */
	MDB_dbi principals;                                                  /* admin.h */
	uint64_t map_size;
	char path[1024];
} store;

/* Who is acting, copied out of the connection so the writer thread never
 * touches a conn. */
typedef struct actor {
	Hearth__Role role;
	char branch[64];
	char fingerprint[65];
	char name[256];
	uint8_t replica[16];
	int has_replica;
} actor;

/* Opens (creating) the store in dir. Returns 0 or a negative HEARTH_E*
 * code; err says what failed. */
int store_open(store *s, const char *dir, uint64_t map_size, char *err, size_t errlen);
void store_close(store *s);

/* Translates an LMDB return code into a HEARTH_E* code. The only place
 * that knows MDB_* codes. */
int store_err(int mdb_rc);

/* ---- writer side (inside one write transaction) ---- */

/* Applies one op and appends its OpResult (as a length-delimited field 1
 * of a PushResponse, i.e. ready to be the body of push_result) to out.
 * Validation and authorization failures become REJECTED results, not
 * errors. Returns 0, or a negative code when the transaction itself failed
 * (HEARTH_EFULL for a full map): the caller must abort it. */
int store_push_op(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op, int64_t now_ms,
                  wirebuf *out);

/* Adds (sign +1) or removes (sign -1) a record's stored bytes to or from
 * its branch's per-kind count and XOR digest, in txn. */
int store_digest_apply(store *s, MDB_txn *txn, const char *branch, int kind, const void *bytes,
                       size_t len, int sign);

/* Moves a record to another branch (a new revision with the new
 * branch_id): indexes and digests follow; the old branch's feed gets a
 * marker so its replicas drop the record. Used by refs for accepted
 * transfers. Returns 0, HEARTH_ENOTFOUND, or a store error. */
int store_rehome(store *s, MDB_txn *txn, const actor *who, const uint8_t id[16],
                 const char *new_branch, int64_t now);

/* Appends an audit entry for a session event (login, denial, revocation...)
 * in txn. */
int store_audit_event(store *s, MDB_txn *txn, const actor *who, const char *action, const char *branch,
                      const char *detail, const char *peer);

/* Appends the audit entry of something a client reported (reveal, export). */
int store_audit_client_event(store *s, MDB_txn *txn, const actor *who, const Hearth__ClientEvent *ev,
                             const char *peer);

/* ---- reader side ---- */

/* Builds a PullResponse body (fields of the message, no envelope) into out:
 * records and conflicts with seq > cursor in scope (branch NULL: all),
 * oldest first, at most limit entries or about max_bytes of them.
 * fresh (may be NULL) is per-connection state that tells a pull from zero
 * (page two of it included) from a stale replica: see retention.h.
 * Returns 0 or a negative code. */
int store_pull(store *s, const char *branch, uint64_t cursor, uint32_t limit, size_t max_bytes,
               wirebuf *out, uint32_t *n_out, uint64_t *fresh);

/* Builds a DigestResponse body for the scope into out. */
int store_digest(store *s, const char *branch, wirebuf *out);

/* The last assigned sequence number (0 for an empty store). */
int store_last_seq(store *s, uint64_t *seq);

/* Map usage for status and the STORE_FULL message. */
int store_usage(store *s, uint64_t *used_bytes, uint64_t *map_bytes);

#endif
