/* revision.h: writing a record's new revision with everything that must
 * change in the same transaction (latest copy, history, feeds, digests,
 * reference indexes, audit entry), and reading an old one back. */
#ifndef HEARTHD_REVISION_H
#define HEARTHD_REVISION_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/record.h"
#include "server/db/op_result.h"
#include "server/db/refs.h"
#include "server/db/store.h"

/* A recovered revision (server/db/recovery.h): what the replica that
 * re-pushed it claims about the revision it held. Borrowed for the call. */
typedef struct revision_claim {
	uint64_t rev;                   /* the revision number the replica held */
	int64_t at;                     /* its updated_at */
	const char *by, *by_name;       /* its updated_by (fingerprint) and name */
	const uint8_t *replica;         /* its updated_replica (16 bytes) or NULL */
	const char *detail;             /* the audit entry's detail */
} revision_claim;

/* What revision_write needs. Pointers are borrowed for the call. */
typedef struct revision_args {
	const actor *who;
	const Hearth__Record *cur;      /* the current stored copy; NULL for a create */
	const MDB_val *cur_bytes;       /* its stored bytes (NULL for a create) */
	const kind_info *kind;
	const uint8_t *id;              /* 16 bytes */
	const char *branch;             /* the branch the new revision is in */
	const uint8_t *body;            /* the merged, validated body */
	size_t body_len;
	int deleted;                    /* the new revision is a tombstone */
	int64_t now;
	const char *action;             /* the audit action: "record.update", ... */
	const Hearth__Op *op;           /* the op that caused it (NULL for a move) */
	/* NULL, or a recovered revision: it keeps the claimed author, time and
	 * replica and the claimed revision number (when above the current
	 * one), and the audit entry carries claim->detail */
	const revision_claim *claim;
	const char *detail;             /* NULL, or the audit entry's detail (not with claim) */
} revision_args;

/* How revision_write ended when it did not fail. */
enum revision_outcome {
	REVISION_WRITTEN = 0,           /* stored; r has rev, seq and the record */
	REVISION_REFUSED = 1,           /* a store rule (refs_check) refused it: r is REJECTED,
	                                 * nothing was written */
};

/* Writes a new revision of a record in txn. On REVISION_WRITTEN r->record
 * points at the new stored bytes, valid until the next write in txn.
 * Returns a revision_outcome, or a negative HEARTH_E* code (the caller
 * aborts txn). */
int revision_write(store *s, MDB_txn *txn, const revision_args *a, op_result *r);

/* Moves a record to another branch (a new revision with the new
 * branch_id): feeds and digests follow; the old branch's feed gets a
 * marker so its replicas drop the record. Used by refs for accepted
 * transfers (refs_rehome_fn). Returns 0, HEARTH_ENOTFOUND, HEARTH_EINVAL
 * when a store rule refuses the move, or a store error. */
int revision_rehome(store *s, MDB_txn *txn, const actor *who, const uint8_t id[16],
                    const char *new_branch, int64_t now);

/* Writes a record the server makes itself (revision 1, no op), audited
 * as r->action with r->detail: a transfer's summary in the sending branch
 * (refs_create_fn). Returns 0, HEARTH_EINVAL when a store rule refuses it,
 * or a store error. */
int revision_create(store *s, MDB_txn *txn, const refs_new_record *r);

/* The body of revision rev of record id (of kind k), into *body which the
 * caller frees. Returns 0, HEARTH_ENOTFOUND, HEARTH_ECORRUPT or another
 * negative code. */
int revision_load_body(store *s, MDB_txn *txn, const uint8_t id[16], uint64_t rev, const kind_info *k,
                       uint8_t **body, size_t *len);

#endif
