/* committee.h: what hearthd reads from the store to compute the
 * committee's stats and report itself (server/api/committee.c): which
 * branches there are, a branch's change-feed head (the cache key) and a
 * branch's live records as a due_snapshot (common/due.h), from the branch
 * feed `bchanges` and `records`. Every function runs in the caller's
 * transaction, which may be read-only; nothing here keeps an MDB_val. */
#ifndef HEARTHD_DB_COMMITTEE_H
#define HEARTHD_DB_COMMITTEE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/due.h"
#include "server/db/store.h"

/* Branch ids as the store keeps them (STORE_BRANCH_MAX bytes and a NUL). */
typedef char committee_branch_id[STORE_BRANCH_MAX + 1];

/* The branches after `after` ("" for the first), in id order: every branch
 * with an entry in its change feed or a row in `branches`, at most max of
 * them into ids (the caller's array of max). *n gets their number and
 * *more 1 when there are others after the last. Returns 0 or a negative
 * HEARTH_E* code. */
int committee_branches(store *s, MDB_txn *txn, const char *after, committee_branch_id *ids, size_t max,
                       size_t *n, int *more);

/* 1 when branch has a row in `branches` (an admin named it), else 0. */
int committee_branch_known(store *s, MDB_txn *txn, const char *branch);

/* The sequence of the newest entry in branch's change feed (0 when it has
 * none) into *seq: any change to one of its records, a move out, a
 * conflict or a purge changes it. Returns 0 or a negative HEARTH_E* code. */
int committee_feed_head(store *s, MDB_txn *txn, const char *branch, uint64_t *seq);

/* The live records of branch, in id order, into out (initialised here;
 * the caller frees it with due_snapshot_free, also on error): each record
 * entry of the branch feed, read from `records` at its latest revision and
 * kept when it is of that branch and not deleted (due_snapshot_keep).
 * Moved-out markers and conflicts are skipped: a record that came back has
 * a record entry of its own. Returns 0 or a negative HEARTH_E* code. */
int committee_branch_snapshot(store *s, MDB_txn *txn, const char *branch, due_snapshot *out);

#endif
