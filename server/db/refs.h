/* refs.h: rules that need the store, not just the record: references that
 * must resolve (a visit's members exist in the branch), uniqueness (one dues
 * record per member-month, one open hardship entry per member), and what a
 * record change implies for other records (an accepted transfer moves the
 * member's records to the receiving branch).
 *
 * Called by revision_write inside the writer's transaction. */
#ifndef HEARTHD_REFS_H
#define HEARTHD_REFS_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/record.h"
#include "common/ref_summary.h"
#include "server/db/store.h"

/* Checks a record about to be written at a new revision: body is the
 * merged, validated body; deleted says whether it is a tombstone. A
 * transfer summary passes: only the server writes one (push refuses an op
 * that carries or touches one, push.c check_read_only). Returns
 * 0, HEARTH_EINVAL with err filled (the op is then REJECTED, nothing
 * stored), or another negative code when the store failed. */
int refs_check(store *s, MDB_txn *txn, const kind_info *k, const uint8_t id[16], const char *branch,
               const uint8_t *body, size_t body_len, int deleted, record_error *err);

/* Moves a record to another branch in txn (revision_rehome). refs calls
 * it for an accepted transfer; it is passed in so refs needs no include of
 * the module that writes revisions (which calls refs). */
typedef int (*refs_rehome_fn)(store *s, MDB_txn *txn, const actor *who, const uint8_t id[16],
                              const char *new_branch, int64_t now);

/* A record the server writes itself, in txn: revision 1 of id in branch,
 * with its change-index entry and an audit entry of action and detail.
 * refs calls it for a transfer's summary in the sending branch; like
 * rehome it is passed in (revision_create). Pointers are borrowed for the
 * call. */
typedef struct refs_new_record {
	const actor *who;
	const kind_info *kind;
	const uint8_t *id;              /* 16 bytes */
	const char *branch;
	const uint8_t *body;
	size_t body_len;
	int64_t now;
	const char *action;             /* the audit action: "transfer.summary" */
	const char *detail;             /* the audit entry's detail */
} refs_new_record;

typedef int (*refs_create_fn)(store *s, MDB_txn *txn, const refs_new_record *r);

/* What refs_after_write did besides indexing, for the caller's audit
 * entry of the same revision. */
typedef struct refs_effects {
	int summary_made;               /* an accepted transfer left a summary ... */
	uint8_t summary_id[16];         /* ... with this id in ... */
	char summary_branch[64];        /* ... the sending branch */
} refs_effects;

/* A record's new revision, as refs_after_write sees it. Borrowed for the
 * call. old_body is the previous revision's body (NULL for a create). */
typedef struct refs_write {
	const actor *who;
	const kind_info *kind;
	const uint8_t *id;              /* 16 bytes */
	const char *branch;
	const uint8_t *old_body;
	size_t old_len;
	const uint8_t *body;
	size_t body_len;
	int deleted;
	int64_t now;
	refs_rehome_fn rehome;
	refs_create_fn create;
	refs_effects *effects;          /* NULL, or filled with what was done */
} refs_write;

/* Called after a record's new revision is written (same transaction), to
 * keep uniqueness indexes current and apply consequences: an accepted
 * transfer moves the member's records with w->rehome, then leaves its
 * read-only summary in the sending branch with w->create (the summary's
 * id in w->effects). A summary itself has no consequences. Returns 0 or a
 * negative HEARTH_E* code (the caller aborts). */
int refs_after_write(store *s, MDB_txn *txn, const refs_write *w);

/* The meta key that records that refs_backfill_summaries ran. */
#define REFS_SUMMARIES_META "transfer_summaries"

/* Gives every accepted transfer that has no summary (accepted before
 * summaries existed) its summary in the sending branch, as acceptance does
 * now, audited as transfer.summary by who (the server itself). It runs
 * once per store: the meta key REFS_SUMMARIES_META records that it did,
 * and later calls cost one lookup. In txn; *made gets the number of
 * summaries written. Returns 0 or a negative HEARTH_E* code (the caller
 * aborts). */
int refs_backfill_summaries(store *s, MDB_txn *txn, const actor *who, int64_t now, refs_create_fn create,
                            size_t *made);

/* Sums up, into out, the live (not deleted) records that refer to member:
 * all of them when branch is NULL (an admin), else only those in branch,
 * so a branch learns nothing of other branches' records. Returns 0 or a
 * negative HEARTH_E* code. */
int refs_summarize_referencing(store *s, MDB_txn *txn, const uint8_t member[16], const char *branch,
                               ref_summary *out);

#endif
