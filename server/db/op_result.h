/* op_result.h: the outcome of one pushed op (APPLIED, MERGED, CONFLICT,
 * DUPLICATE, REJECTED with its reason) as push, revision and conflicts
 * fill it, and its encoding as an OpResult. */
#ifndef HEARTHD_OP_RESULT_H
#define HEARTHD_OP_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"
#include "common/wire.h"

typedef struct op_result {
	Hearth__OpStatus status;
	uint64_t rev, seq;
	Hearth__ErrorCode code;         /* REJECTED only */
	char field[64];                 /* REJECTED only: the field at fault */
	char message[400];              /* REJECTED only: what to fix */
	uint8_t conflict_id[16];
	int has_conflict;
	const uint8_t *record;          /* stored bytes: valid only inside the txn */
	size_t record_len;
	/* The op's record id and kind, kept in the op ledger so a duplicate
	 * answers only about the record the first op was about. */
	uint8_t record_id[16];
	Hearth__Kind kind;
	int has_record_id;
} op_result;

/* Marks r REJECTED with code, the field at fault and a message. */
void op_reject(op_result *r, Hearth__ErrorCode code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Which OpResult to encode: the answer to the client carries the record;
 * the op ledger's copy carries, as its record, only the op's record id and
 * kind (Record fields 1 and 2, no body; a DUPLICATE reads today's record).
 * Ledger rows written before record_id existed have no record at all. */
enum op_result_form { OP_RESULT_LEDGER, OP_RESULT_WITH_RECORD };

/* Appends r's OpResult fields to b (the caller's). An allocation failure
 * sets b->failed. */
void op_result_encode(wirebuf *b, const uint8_t *op_id, size_t op_id_len, const op_result *r,
                      enum op_result_form form);

#endif
