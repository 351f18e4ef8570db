/* record.h: what is done with a record's body whatever its kind: packing
 * it, attaching it to a record, the validation both client and server run
 * (the server never trusts the client), masking for display, and the rules
 * that need other records (unique keys, member references).  It includes
 * the kind table (kinds.h), enum naming (enums.h) and record_error, so a
 * caller needs only this header. */
#ifndef HEARTH_RECORD_H
#define HEARTH_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "common/enums.h"
#include "common/kinds.h"
#include "common/record_error.h"
#include "proto/hearth.pb-c.h"

/* The body sub-message of a record (borrowed from r), or NULL when none. */
const ProtobufCMessage *record_body(const Hearth__Record *r);

/* Packs r's body into a new malloc'd buffer. A record without a body gives
 * *len 0. Returns 0, HEARTH_EINVAL (no body or kind mismatch), HEARTH_ENOMEM. */
int record_pack_body(const Hearth__Record *r, uint8_t **out, size_t *len);

/* Unpacks buf as the body of kind k and attaches it to r (setting r->kind
 * and the oneof case), first freeing any body r had with protobuf-c's
 * default allocator. The new body is allocated with the default allocator,
 * so a record from hearth__record__unpack(NULL, ...) is still freed whole
 * by hearth__record__free_unpacked. For a stack record, release the body
 * with record_clear_body. Returns 0, HEARTH_EINVAL, HEARTH_ENOMEM. */
int record_set_body(Hearth__Record *r, const kind_info *k, const uint8_t *buf, size_t len);

/* Frees r's body (default allocator) and clears the oneof. */
void record_clear_body(Hearth__Record *r);

/* Validates an encoded body of kind k: the bytes decode; every string is
 * valid UTF-8 within its length limit (no control characters except in
 * multi-line text); enum values are known; repeated fields within their
 * count; dates exist; money is not negative; required fields present; then
 * the kind's cross-field rules. The body may be at most
 * record_body_limit(k) bytes, and unknown fields (from a newer client) are
 * kept up to RECORD_UNKNOWN_MAX bytes (common/record_limits.h). Returns 0 or
 * HEARTH_EINVAL with err filled. */
int record_validate_body(const kind_info *k, const uint8_t *body, size_t len, record_error *err);

/* Same for an unpacked body message of kind k. */
int record_validate_message(const kind_info *k, const ProtobufCMessage *body, record_error *err);

/* What every mask must leave (see the rule above record_mask in record.c):
 * at least this many candidate values once every unmasked field of the
 * record is known, i.e. at least this many hidden free digits. */
#define RECORD_MASK_CANDIDATES 10000
#define RECORD_MASK_MIN_HIDDEN_DIGITS 4

/* Masks a sensitive value for display: keeps the first and last character
 * of an id-card number (1****************4), the first 3 and last 4 of a
 * phone while 4 digits stay hidden (138****1234), and replaces the rest with
 * '*'; short values become all '*'. Writes into out (cap bytes, always
 * NUL-terminated, never cut inside a character). */
void record_mask(const char *value, char *out, size_t cap);

/* A value that holds nothing of value's hidden characters and that
 * record_mask masks exactly as it masks value: the shown characters as
 * they are, each hidden one as '0' when it is a digit, itself when it is
 * '+', '-' or a space, else '*' (so 13912341111 gives 13900001111 and
 * masks to 139****1111). The server sends it for a sensitive value it
 * does not reveal, so that a client prints the masked value it would
 * print from its replica (ConflictQueue in proto/hearth.proto). Writes
 * into out as record_mask does; out needs at most strlen(value) + 1
 * bytes. */
void record_mask_stand_in(const char *value, char *out, size_t cap);

/* ---- rules that need other records (checked by the server's refs.c in
 * its store and by the client against its replica) ---- */

#define RECORD_UNIQUE_KEY_MAX 64

/* The uniqueness key a body claims, or 0 when it claims none: the dues of
 * a member-month ('u' 'd' member(16) month(7)); the open (在册/帮扶中)
 * hardship entry of a member ('u' 'h' member(16)). Two records of a branch
 * may not claim the same key. */
size_t record_unique_key(const kind_info *k, const ProtobufCMessage *body,
                         uint8_t key[RECORD_UNIQUE_KEY_MAX]);

/* Calls fn for every member reference (FIELD_ID value of 16 bytes) in body,
 * with the field's proto name. Stops and returns fn's value when non-zero.
 * A transfer summary (record_transfer_summary) refers to nobody: its member
 * belongs to the receiving branch, so no rule checks her there, no later
 * transfer moves the summary with her, and no delete of her counts it. */
typedef int (*record_ref_fn)(void *ctx, const char *field, const uint8_t id[16]);
int record_refs_each(const kind_info *k, const ProtobufCMessage *body, record_ref_fn fn, void *ctx);

/* Sets b, a reference or an id field, to a copy of the 16 bytes of id in
 * memory b then owns (malloc'd, so protobuf_c_message_free_unpacked frees
 * it with its message); what b held before is not freed. Returns 0, or
 * HEARTH_ENOMEM with b untouched. */
int record_id_set(ProtobufCBinaryData *b, const uint8_t id[16]);

/* The summary a transfer body carries when it is the sending branch's
 * read-only trace of an accepted transfer (proto TransferSummary, written
 * by the server's refs.c only), or NULL for any other body (k or body may
 * be NULL). The result points into body. */
const Hearth__TransferSummary *record_transfer_summary(const kind_info *k, const ProtobufCMessage *body);

#endif
