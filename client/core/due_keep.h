/* due_keep.h: the due snapshot (common/due.h) of every branch in the
 * replica, kept by a long-lived process (`hearth ui`: 首页 and 报表) and
 * brought up to date after a change by reading again only the records
 * whose bytes changed, as the ui's search index does. A first request
 * after an edit on a replica of 100,000 records then costs one walk of
 * the packed bytes (hashed, never unpacked) and the unpacking of the few
 * records that differ, instead of unpacking them all (issue 14 item 7). */
#ifndef HEARTH_CORE_DUE_KEEP_H
#define HEARTH_CORE_DUE_KEEP_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"
#include "common/due.h"

/* One live record of the replica's view as the last walk saw it. */
typedef struct due_keep_row {
	uint8_t id[16];
	uint64_t hash;              /* hash64 of its packed bytes */
} due_keep_row;

typedef struct due_keep {
	uint8_t replica_id[16];
	uint64_t gen;               /* the generation snap is at least as new as; 0: nothing kept */
	due_snapshot snap;          /* every branch's live records */
	due_keep_row *rows;         /* every live record of the view at the last walk, in id order
	                             * (those snap leaves out too: no body, unknown kind) */
	size_t n_rows, cap_rows;
	size_t stale;               /* old versions left in snap's arena since its last full load */
} due_keep;

/* How due_keep_get brought the snapshot up to date. */
enum due_keep_how {
	DUE_KEEP_KEPT,              /* the generation had not moved: nothing read */
	DUE_KEEP_FOLLOWED,          /* the changed records were read again */
	DUE_KEEP_LOADED,            /* every record was read (first use, another replica, too many
	                             * changes, or too many stale versions) */
};

typedef struct due_keep_result {
	enum due_keep_how how;
	size_t changed;             /* FOLLOWED: records put or removed */
	size_t live;                /* the live records of the view the snapshot was read from, of
	                             * every kind (replica_status's records, counted by the walk
	                             * that tells the changes, so 首页 need not count them again) */
} due_keep_result;

/* How many changed records one due_keep_get follows; past this it reads
 * every record (each change moves the pointers of its kind's later
 * records, so a sync that brought thousands is cheaper loaded). */
#define DUE_KEEP_MAX_CHANGES 512

/* Starts k empty; nothing to free until the first due_keep_get. */
void due_keep_init(due_keep *k);

/* Brings k's snapshot up to what r holds now and points *snap at it:
 * borrowed from k, valid until the next due_keep_get or due_keep_free
 * (a caller that wants one branch takes a due_snapshot_view of it).
 * The generation is read first and the records after, so a write landing
 * between the two only costs one walk more at the next call, never a
 * stale snapshot; and the hashes are read before the records a full load
 * unpacks, for the same reason. res (may be NULL) says how. Returns 0, or
 * the replica's error, HEARTH_ECORRUPT (a record does not unpack) or
 * HEARTH_ENOMEM; on error k is empty again and *snap is NULL. */
int due_keep_get(due_keep *k, replica *r, const due_snapshot **snap, due_keep_result *res);

/* Releases what k keeps; k is empty again (due_keep_init state). */
void due_keep_free(due_keep *k);

#endif
