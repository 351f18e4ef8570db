/* push.h: applying pushed ops in the writer's transaction: every outcome
 * of DESIGN section 5 (APPLIED, MERGED, CONFLICT, DUPLICATE, REJECTED). */
#ifndef HEARTHD_PUSH_H
#define HEARTHD_PUSH_H

#include <lmdb.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"
#include "common/record_error.h"
#include "common/wire.h"
#include "server/db/store.h"

/* The half of an op's checks that needs no store: its body packed and
 * checked against its kind's rules (record_validate_body). It is the
 * writer's largest single step (about a sixth of its CPU per create), and
 * the writer is the one thread every push waits for, so sync_handle_push
 * runs it for each op on the loop thread and push_op uses the verdict at
 * the step where it would have checked the body itself: answers and their
 * order stay as they were. */
typedef struct push_body_check {
	int done;            /* 0: not computed, push_op checks the body itself */
	int mismatch;        /* the body does not match its kind (it does not pack) */
	uint8_t *body;       /* the packed body (owned; push_op borrows it); NULL if none */
	size_t len;
	record_error *err;   /* why the body is refused (owned), NULL when it is valid */
} push_body_check;

/* Fills *c for op (borrowed) on any thread. Out of memory leaves c->done
 * 0, so push_op does the check. */
void push_body_precheck(const Hearth__Op *op, push_body_check *c);

/* Frees what *c still owns. */
void push_body_check_free(push_body_check *c);

/* Applies one op in txn and appends its OpResult (as a length-delimited
 * field 1 of a PushResponse, i.e. ready to be the body of push_result) to
 * out, which the caller owns. Validation and authorization failures become
 * REJECTED results (audited as push.rejected), not errors. op and who are
 * borrowed. Returns 0, or a negative HEARTH_E* code when the transaction
 * itself failed (HEARTH_EFULL for a full map): the caller must abort it. */
/* pre, when not NULL, is push_body_precheck's verdict on this op
 * (borrowed; it serves again when the op runs again). */
int push_op(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op, const push_body_check *pre,
            int64_t now, wirebuf *out);

#endif
