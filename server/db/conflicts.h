/* conflicts.h: the Conflicts that pushed ops raise and resolutions close
 * (DESIGN section 5), stored in `conflicts` and listed in the feeds. */
#ifndef HEARTHD_CONFLICTS_H
#define HEARTHD_CONFLICTS_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/merge.h"
#include "common/record.h"
#include "server/db/op_result.h"
#include "server/db/store.h"

/* Which overlap a conflict records. */
enum conflict_shape {
	CONFLICT_FIELDS,                /* both sides changed the same fields */
	CONFLICT_DELETE_OF_EDITED,      /* the op deletes what the server edited since base_rev */
	CONFLICT_EDIT_OF_DELETED,       /* the op edits what the server deleted */
};

/* What conflicts_open needs. Pointers are borrowed for the call; fields
 * (n_fields of them) hold both sides' values per field. */
typedef struct conflict_args {
	const actor *who;
	const Hearth__Op *op;
	const Hearth__Record *cur;      /* the server's current copy */
	const kind_info *kind;
	const merge_conflict *fields;
	size_t n_fields;
	enum conflict_shape shape;
	int64_t now;
} conflict_args;

/* Stores a new OPEN Conflict in txn, indexes it in the feeds and audits
 * it; r gets its id (has_conflict). Returns 0 or a negative HEARTH_E*
 * code. */
int conflicts_open(store *s, MDB_txn *txn, const conflict_args *a, op_result *r);

/* How conflicts_close ended when it did not fail. */
enum conflicts_close_outcome {
	CONFLICTS_CLOSED = 0,           /* it was open and is now RESOLVED */
	CONFLICTS_WAS_RESOLVED = 1,     /* the other side resolved it first: nothing to close */
	CONFLICTS_REFUSED = 2,          /* op->resolves names no conflict of this record: r is REJECTED */
};

/* What conflicts_close needs. Pointers are borrowed for the call. */
typedef struct conflict_close_args {
	const actor *who;
	const Hearth__Op *op;           /* the resolving op: resolves, changed_fields, delete */
	const uint8_t *record_id;       /* 16 bytes */
	const uint8_t *mine;            /* the op's record body, to tell which side it kept */
	size_t mine_len;
	int64_t now;
} conflict_close_args;

/* Closes the conflict a->op->resolves names, for a->record_id, in txn, and
 * audits which side the resolution kept for each field, with both values
 * (digests for sensitive fields). Returns a conflicts_close_outcome or a
 * negative HEARTH_E* code. */
int conflicts_close(store *s, MDB_txn *txn, const conflict_close_args *a, op_result *r);

#endif
