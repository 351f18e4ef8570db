/* retention.h: how long tombstones stay, the purge that removes older
 * ones, and the horizon that tells a replica away longer than that to
 * re-pull from zero (DESIGN section 5, issue 8 item 4).
 *
 * A deleted record stays as a tombstone for [store] tombstone_days (default
 * 400) so slow branch offices still learn of the delete. After that the
 * purge removes the tombstone from `records`, its change-index entries
 * (`changes`, `bchanges`, and the markers it left in branches it moved out
 * of) and its share of the digests. Revision history (`revs`) is never
 * touched: the audit log refers to revisions, and history must outlive it.
 *
 * The purge records, in `meta`:
 *   "purged_seq"            u64 BE: the highest change sequence purged
 *   "purged_seq/" branch    u64 BE: the same, for one branch's feed
 *   "purge_scan_seq"        u64 BE: every change at or below this is decided
 *                           (live, a conflict, or purged), so the next run
 *                           starts above it and costs O(new changes)
 * A pull whose cursor is non-zero and below its scope's purged_seq may have
 * missed a delete: the server answers PullResponse.reset = true, and the
 * replica forgets its server copies and pulls from zero.
 *
 * Threads: retention_purge_batch runs inside the writer's transaction (one
 * writer, DESIGN section 7: api/purge.c submits it as writer jobs);
 * retention_purge runs its own write transactions, for tools and tests
 * while no server writes. */
#ifndef HEARTHD_RETENTION_H
#define HEARTHD_RETENTION_H

#include <lmdb.h>
#include <stdatomic.h>
#include <stdint.h>

#include "common/wire.h"
#include "server/db/store.h"

#define RETENTION_DEFAULT_DAYS 400
#define RETENTION_MAX_DAYS 36500
#define RETENTION_INTERVAL_MS (24u * 60u * 60u * 1000u)
/* Changes looked at per write transaction: keeps each one short so pushes
 * wait at most a few milliseconds behind a purge. */
#define RETENTION_BATCH 1000

typedef struct retention_stats {
	uint64_t scanned;           /* change-index entries looked at */
	uint64_t purged;            /* tombstones removed */
	uint64_t markers;           /* moved-out markers removed with them */
	uint64_t horizon;           /* meta "purged_seq" after the run */
	uint64_t scan_seq;          /* meta "purge_scan_seq" after the run */
} retention_stats;

/* Wall-clock milliseconds for retention decisions. The environment
 * variable HEARTHD_TEST_NOW_OFFSET_DAYS (test-only: integration tests use
 * it to make tombstones "old" without waiting) shifts it by whole days;
 * a running server logs a warning when it is set. */
int64_t retention_now_ms(void);

/* Returns the test clock offset in days (0 when unset or unparsable). */
int retention_test_offset_days(void);

/* How far ahead of the store's newest change the clock may be, beyond
 * the retention itself, before a purge is postponed as a clock jump. */
#define RETENTION_CLOCK_MARGIN_MS (24LL * 60 * 60 * 1000)
/* Feed entries looked at, newest first, to find the newest record change. */
#define RETENTION_NEWEST_SCAN 64

typedef enum retention_clock {
	RETENTION_CLOCK_PLAUSIBLE = 0,  /* purge up to the cutoff */
	RETENTION_CLOCK_AHEAD = 1       /* postpone: purge nothing this run */
} retention_clock;

typedef struct retention_cutoff_opts {
	uint32_t days;              /* the retention */
	int64_t now_ms;             /* the clock, as retention_now_ms */
	int clock_confirmed;        /* an admin confirmed the clock: trust now_ms */
} retention_cutoff_opts;

typedef struct retention_cutoff_plan {
	int64_t cutoff_ms;          /* purge tombstones last changed before this */
	int64_t newest_ms;          /* updated_at of the newest record change (0: none) */
	retention_clock clock;
} retention_cutoff_plan;

/* Decides a run's cutoff in txn. The purge must never remove a tombstone
 * younger than the retention as measured by the store's own newest commit
 * time, since a clock that jumped forward (a server started once 401 days
 * ahead) would otherwise purge tombstones made a minute earlier, which no
 * slow branch office has seen yet. So the cutoff is min(now, newest) -
 * days, and when now is later than newest + days + RETENTION_CLOCK_MARGIN_MS
 * the clock is implausible: nothing is purged (clock = AHEAD; the caller
 * logs it) until the store has newer changes or an admin confirms the
 * clock (o->clock_confirmed: the cutoff is then now - days). A store whose
 * newest changes are all conflicts or that has none has nothing the rule
 * can measure: cutoff = INT64_MIN. Returns 0 or a negative HEARTH_E*. */
int retention_cutoff(store *s, MDB_txn *txn, const retention_cutoff_opts *o,
                     retention_cutoff_plan *out);

/* One batch of the purge in txn (the caller's write transaction): looks at
 * at most RETENTION_BATCH changes above the scan mark and removes the
 * tombstones last changed before cutoff_ms, adding to *st. *done is set
 * when nothing older is left. Returns 0 or a negative HEARTH_E* code (the
 * caller aborts txn). */
int retention_purge_batch(store *s, MDB_txn *txn, int64_t cutoff_ms, retention_stats *st, int *done);

/* Purges every tombstone whose latest revision is older than days before
 * now_ms (trusted as given: tools and tests pass the clock they mean; the
 * running server plans its cutoff with retention_cutoff), in transactions of at most RETENTION_BATCH changes. stop, when
 * not NULL, is polled between transactions (a stopping server sets it).
 * Returns 0 or a negative HEARTH_E* code; what was committed before a
 * failure stays committed and consistent. */
int retention_purge(store *s, uint32_t days, int64_t now_ms, const atomic_int *stop,
                    retention_stats *st);

/* For pull_page, inside its read transaction. *floor is the purge horizon
 * of the scope (branch NULL: all branches). *reset is set when the replica
 * may have missed a purged delete: cursor is non-zero and below the
 * horizon, and this connection has not already started a pull from zero
 * since that horizon (fresh_since < *floor).
 *
 * fresh_since is per connection (conn->pull_fresh): the horizon as it was
 * when the connection last pulled from cursor 0 or was told to reset. It
 * is what tells "a stale replica at cursor 50" from "a replica at page 2 of
 * a pull from zero, at cursor 50"; the cursor alone cannot. A connection
 * cut during a pull from zero costs one more reset on the next, not a loop.
 *
 * What pull_page does with it: on reset, answer retention_reset_body
 * instead of a page; on a pull from cursor 0, set fresh_since = *floor; on
 * a page that ends the feed (more = false), answer a cursor of at least
 * *floor, or a replica whose branch feed ends below the horizon would be
 * reset on every sync. Returns 0 or a negative HEARTH_E* code. */
int retention_pull_check(store *s, MDB_txn *txn, const char *branch, uint64_t cursor,
                         uint64_t fresh_since, int *reset, uint64_t *floor);

/* Writes the PullResponse body that tells a replica to start over:
 * reset = true (field 5), no records, more = false, and cursor = the last
 * change sequence (field 3). A 1.1 client forgets its server copies and
 * pulls from zero. A 1.0 client ignores reset, takes the cursor, and its
 * digest check (which compares only at the server's cursor) then finds the
 * records whose deletes it missed and re-pulls from zero by itself; a page
 * from zero instead would move its cursor backwards, which it refuses.
 * Returns 0 or a negative HEARTH_E* code. */
int retention_reset_body(store *s, MDB_txn *txn, wirebuf *out);

#endif
