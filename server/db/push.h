/* push.h: applying pushed ops in the writer's transaction: every outcome
 * of DESIGN section 5 (APPLIED, MERGED, CONFLICT, DUPLICATE, REJECTED). */
#ifndef HEARTHD_PUSH_H
#define HEARTHD_PUSH_H

#include <lmdb.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"
#include "common/wire.h"
#include "server/db/store.h"

/* Applies one op in txn and appends its OpResult (as a length-delimited
 * field 1 of a PushResponse, i.e. ready to be the body of push_result) to
 * out, which the caller owns. Validation and authorization failures become
 * REJECTED results (audited as push.rejected), not errors. op and who are
 * borrowed. Returns 0, or a negative HEARTH_E* code when the transaction
 * itself failed (HEARTH_EFULL for a full map): the caller must abort it. */
int push_op(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op, int64_t now, wirebuf *out);

#endif
