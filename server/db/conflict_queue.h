/* conflict_queue.h: the index of OPEN conflicts and the pages of the
 * conflict queue read from it (ConflictQueueRequest, issue 16 item 4), so
 * that the queue costs what it returns, not every conflict ever stored.
 *
 * The open_conflicts database holds (every big-endian, so LMDB order is
 * queue order: created_at, then seq, then id, as a replica lists them):
 *   'a' at(8) seq(8) id(16)              -> empty: every open conflict
 *   'b' branch NUL at(8) seq(8) id(16)   -> empty: the same, per branch
 *   'n' branch                           -> be64 open conflicts of the branch
 *   'N'                                  -> be64 open conflicts in all
 *   "#built"                             once the index was made from the
 *                                         conflicts of a store from before it
 * at is created_at with its sign bit flipped, so negative times sort first.
 * The 32 bytes after 'a' (at, seq, id) are a conflict's queue position, the
 * cursor of ConflictQueue.next.
 * Everything runs in the caller's transaction, which the caller aborts on
 * an error. */
#ifndef HEARTHD_CONFLICT_QUEUE_H
#define HEARTHD_CONFLICT_QUEUE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "server/db/store.h"

/* Conflicts in one answer at most, and when the request says 0. */
#define CONFLICT_QUEUE_LIMIT 500
/* Packed conflicts in one answer at most (a long talk content is 4,000
 * characters per side): a page stops before it would pass this, after at
 * least one conflict, far below the 4 MiB frame. */
#define CONFLICT_QUEUE_BYTES (1024u * 1024u)
/* The cursor: at(8) seq(8) id(16) of the last conflict of a page. */
#define CONFLICT_QUEUE_CURSOR 32

/* Keeps the index of c, which write_conflict (conflicts.c) stores in txn:
 * the entry it had under old_seq (0: none, a new conflict) goes, and an
 * entry under c->seq comes when c is OPEN. Returns 0 or a negative
 * HEARTH_E* code. */
int conflict_queue_track(store *s, MDB_txn *txn, const Hearth__Conflict *c, uint64_t old_seq);

/* Makes the index from every stored conflict when the store has no
 * "#built" marker (a store from before the index), once: *built gets 1
 * then, else 0. txn is a write transaction. Returns 0 or a negative
 * HEARTH_E* code. */
int conflict_queue_ensure(store *s, MDB_txn *txn, int *built);

/* What one page asks. Pointers are borrowed for the call. */
typedef struct conflict_queue_args {
	const store_scope *scope;   /* all, or the branches to list */
	const uint8_t *after;       /* NULL, or a CONFLICT_QUEUE_CURSOR-byte cursor */
	uint32_t limit;             /* 1..CONFLICT_QUEUE_LIMIT */
	int reveal;                 /* sensitive values as stored; else stand-ins */
} conflict_queue_args;

/* One page: conflicts[n] (owned, oldest first), the cursor of the next
 * page when has_next, and the open conflicts of the whole scope. Free it
 * with conflict_queue_page_free. */
typedef struct conflict_queue_page {
	Hearth__Conflict **conflicts;
	size_t n;
	uint8_t next[CONFLICT_QUEUE_CURSOR];
	int has_next;
	uint64_t open_total;
	int masked;                 /* stand-ins replace sensitive values */
} conflict_queue_page;

/* Reads the page a asks into the caller's *p (zeroed first): at most
 * a->limit open conflicts of a->scope after a->after, and fewer when the
 * next would take the page past CONFLICT_QUEUE_BYTES. Unless a->reveal,
 * every non-empty sensitive value (FIELD_SENSITIVE) is replaced with its
 * stand-in: text by record_mask_stand_in, a number by 0, so a client
 * prints the masked value it prints from its replica. txn may be
 * read-only; the page holds copies, valid after it. Returns 0 or a
 * negative HEARTH_E* code (p then holds nothing). */
int conflict_queue_read(store *s, MDB_txn *txn, const conflict_queue_args *a, conflict_queue_page *p);

/* Frees what conflict_queue_read put in p. Idempotent. */
void conflict_queue_page_free(conflict_queue_page *p);

/* The names of the sensitive fields conflict c shows a value of (either
 * side non-empty), into names[cap] (borrowed from the kind's
 * descriptor): what a reveal of c discloses. Returns how many. */
size_t conflict_queue_revealed_fields(const Hearth__Conflict *c, const char **names, size_t cap);

#endif
