/* principals.h: the stored branches, principals and revocations:
 *   branches   branch id        -> Branch bytes
 *   principals fingerprint(64)  -> PrincipalInfo bytes (first/last seen,
 *                                  logins, revoked, reason, by whom)
 * Writes run in the writer's transaction and are audited there; reads are
 * short read transactions. Storage only: the role rules are api/authz.c. */
#ifndef HEARTHD_PRINCIPALS_H
#define HEARTHD_PRINCIPALS_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"
#include "server/db/store.h"

/* Who writes, from where, when. Borrowed for the call. */
typedef struct principals_write {
	const actor *who;
	const char *peer;
	int64_t now;
} principals_write;

/* What a principals write produced. refused is 0 when the change was
 * stored; otherwise the Hearth__ErrorCode of the refusal (nothing was
 * written) with why saying what is wrong. packed (owned by the caller:
 * free it) is the stored Branch or PrincipalInfo. */
typedef struct principals_result {
	int refused;
	char why[300];
	uint8_t *packed;
	size_t packed_len;
} principals_result;

/* 1 when id is 1-63 characters of A-Z a-z 0-9 . _ -, else 0. */
int principals_valid_branch_id(const char *id);

/* 1 when branch exists (in txn), else 0 (a store error reads as 0). */
int principals_branch_exists(store *s, MDB_txn *txn, const char *branch);

/* The name of branch id (in txn) into name (cap bytes): "" when the
 * branch has none or does not exist. Returns 0 or a negative HEARTH_E*
 * code. */
int principals_branch_name(store *s, MDB_txn *txn, const char *id, char *name, size_t cap);

/* The existing branches as "b001 (第一党支部), b002 (第二党支部)" into out
 * (cap bytes, cut with "…" when longer; "none" when there are none), for
 * refusals that must name them. Returns 0 or a negative HEARTH_E* code. */
int principals_branch_names(store *s, MDB_txn *txn, char *out, size_t cap);

/* The subtree of a general branch: root and every branch whose parent
 * chain (branch.parent, transitively) reaches it, in id order, into out,
 * with out->tag naming that set (it changes when a branch moves in or
 * out). *edits (may be NULL) gets root's general_edits setting. Reads
 * the branch table once: O(branches), not O(records). Returns 0,
 * HEARTH_ETOOBIG when the subtree holds more than STORE_SCOPE_MAX
 * branches, or another negative HEARTH_E* code. */
int principals_subtree(store *s, MDB_txn *txn, const char *root, store_scope *out, int *edits);

/* Adds or changes a branch (bp->create says which) in txn. Returns 0 (see
 * res->refused) or a negative HEARTH_E* code (the caller aborts). */
int principals_put_branch(store *s, MDB_txn *txn, const principals_write *w, const Hearth__BranchPut *bp,
                          principals_result *res);

/* Marks a certificate revoked (it may never have connected) in txn.
 * Returns 0 (see res->refused) or a negative HEARTH_E* code. */
int principals_revoke(store *s, MDB_txn *txn, const principals_write *w, const Hearth__RevokeRequest *rq,
                      principals_result *res);

/* Records that who logged in now (first/last seen, count) in txn. Returns
 * 0 or a negative HEARTH_E* code. */
int principals_seen(store *s, MDB_txn *txn, const actor *who, int64_t now);

/* Adds the branches named "ID=NAME" that do not exist yet (start-up), in
 * its own write transaction. Returns 0 or a negative HEARTH_E* code with
 * err saying what. */
int principals_preset_branches(store *s, char **specs, int n, char *err, size_t errlen);

/* What principals_revoked found. */
enum principals_revocation {
	PRINCIPALS_NOT_REVOKED = 0,
	PRINCIPALS_REVOKED = 1,         /* why holds the sentence for the refusal */
};

/* Looks fingerprint up in the revocation table, in its own read
 * transaction. Returns a principals_revocation, or a negative HEARTH_E*
 * code when the store could not be read. */
int principals_revoked(store *s, const char *fingerprint, char *why, size_t whylen);

#endif
