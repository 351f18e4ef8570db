/* op_result.c: the outcome of one pushed op and its OpResult encoding. */
#include "server/db/op_result.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void op_reject(op_result *r, Hearth__ErrorCode code, const char *field, const char *fmt, ...)
{
	va_list ap;
	r->status = HEARTH__OP_STATUS__OP_REJECTED;
	r->code = code;
	snprintf(r->field, sizeof(r->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

void op_result_encode(wirebuf *b, const uint8_t *op_id, size_t op_id_len, const op_result *r,
                      enum op_result_form form)
{
	wire_bytes_field(b, 1, op_id, op_id_len, 0);
	wire_uint_field(b, 2, (uint64_t)r->status);
	wire_uint_field(b, 3, r->rev);
	wire_uint_field(b, 4, r->seq);
	if (r->status == HEARTH__OP_STATUS__OP_REJECTED) {
		wirebuf e = WIREBUF_INIT;
		wire_uint_field(&e, 1, (uint64_t)r->code);
		wire_bytes_field(&e, 2, r->message, strlen(r->message), 0);
		wire_bytes_field(&e, 3, r->field, strlen(r->field), 0);
		if (e.failed)
			b->failed = 1;
		wire_bytes_field(b, 5, e.data, e.len, 1);
		wire_free(&e);
	}
	if (r->has_conflict)
		wire_bytes_field(b, 6, r->conflict_id, 16, 0);
	if (form == OP_RESULT_WITH_RECORD && r->record)
		wire_bytes_field(b, 7, r->record, r->record_len, 1);
	if (form == OP_RESULT_LEDGER && r->has_record_id) {
		wirebuf rec = WIREBUF_INIT;
		wire_bytes_field(&rec, 1, r->record_id, 16, 1);
		wire_uint_field(&rec, 2, (uint64_t)r->kind);
		if (rec.failed)
			b->failed = 1;
		wire_bytes_field(b, 7, rec.data, rec.len, 1);
		wire_free(&rec);
	}
}

