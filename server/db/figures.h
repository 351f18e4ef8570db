/* figures.h: the committee's counters per branch and year (the figures of
 * `hearth admin stats`, by the rules of common/figure_rules.h), kept in
 * the figures database in the same transaction as every change, so an
 * admin needs no replica to see them (issue 16).
 *
 * The database holds three kinds of keys:
 *   'c' be32 year branch       -> int64[FC_COUNT] (host order), year 0 for
 *                                figures as they stand now (a shorter value,
 *                                from before a counter was appended, reads
 *                                as zeros: bump BUILT_KEY in figures.c when
 *                                adding one, so old stores are made again);
 *   'l' member(16) branch       -> be32 open ledger entries of the member in
 *                                that branch (FC_HARDSHIP_MEMBERS);
 *   'v' member(16) occ be32 year -> be32 counted visits of the member on
 *                                that occasion (1 春节, 2 七一) in the year
 *                                (FC_SPRING_VISITED, FC_JULY_VISITED);
 * and "#built" once the counters were made from every record.
 * Everything runs in the caller's transaction: on error it aborts it. */
#ifndef HEARTHD_FIGURES_H
#define HEARTHD_FIGURES_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/figure_rules.h"
#include "server/db/store.h"

/* The counters of a record that was old (NULL for a create) and is now
 * the packed Record new_rec (new_len bytes) move from the one to the
 * other: edits, deletes, restores, moves to another branch and
 * resolutions alike. Called by revision_write. Returns 0 or a negative
 * HEARTH_E* code. */
int figures_record_changed(store *s, MDB_txn *txn, const Hearth__Record *old, const uint8_t *new_rec,
                           size_t new_len);

/* Makes the counters from every record when the store has none yet (a
 * store from before them), once: *rebuilt gets 1 then, else 0. txn is a
 * write transaction. Returns 0 or a negative HEARTH_E* code. */
int figures_ensure(store *s, MDB_txn *txn, int *rebuilt);

/* One branch's counters for a year: the year's and those as they stand now. */
typedef struct figures_row {
	char branch[64];
	int64_t v[FC_COUNT];
} figures_row;

/* Every branch with counters, sorted by branch id, for year: *rows (the
 * caller frees it) and *n. txn may be read-only. Returns 0 or a negative
 * HEARTH_E* code. */
int figures_read(store *s, MDB_txn *txn, int year, figures_row **rows, size_t *n);

/* One branch's counters for year (those as they stand now added, as
 * figures_read does) into *row, zeros when it has none. txn may be
 * read-only. Returns 0 or a negative HEARTH_E* code. */
int figures_read_branch(store *s, MDB_txn *txn, int year, const char *branch, figures_row *row);

#endif
