/* record.h: what hearth knows about each record kind: its body message,
 * its field rules (required, length, dates, money, sensitive), its Chinese
 * labels, and the validation both client and server run (the server never
 * trusts the client).  The sync engine itself never looks inside a body;
 * everything kind-specific is in the table behind this header. */
#ifndef HEARTH_RECORD_H
#define HEARTH_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "proto/hearth.pb-c.h"

/* Why a record was refused: the field (proto name, e.g. "join_date") and a
 * sentence naming the rule, e.g. "join_date 2026-02-30 is not a date that
 * exists (YYYY-MM-DD)". */
typedef struct record_error {
	char field[64];
	char message[320];
} record_error;

enum field_flags {
	FIELD_REQUIRED = 1 << 0,   /* must be present and non-empty */
	FIELD_SENSITIVE = 1 << 1,  /* masked in listings; audited when revealed */
	FIELD_DATE = 1 << 2,       /* string YYYY-MM-DD that exists */
	FIELD_MONTH = 1 << 3,      /* string YYYY-MM */
	FIELD_MONEY = 1 << 4,      /* int64 fen, >= 0 */
	FIELD_ID = 1 << 5,         /* bytes: a 16-byte record id (reference) */
	FIELD_MULTILINE = 1 << 6,  /* free text: newlines allowed */
};

typedef struct field_rule {
	uint32_t number;           /* field number in the body message */
	uint32_t flags;            /* enum field_flags */
	uint32_t max;              /* strings: max bytes; repeated: max count; 0 = default */
	const char *label;         /* 中文 column label, e.g. "姓名" */
} field_rule;

/* Defaults when a rule gives no max. */
#define RECORD_STRING_MAX_DEFAULT 200
#define RECORD_TEXT_MAX 4000       /* FIELD_MULTILINE */
#define RECORD_REPEATED_MAX_DEFAULT 64

typedef struct kind_info {
	Hearth__Kind kind;
	const char *name;                       /* "member": the CLI word */
	const char *label;                      /* "党员" */
	uint32_t record_field;                  /* body's field number in Record */
	const ProtobufCMessageDescriptor *desc; /* body message */
	const field_rule *rules;                /* one per body field */
	size_t n_rules;
	/* Cross-field rules (dates in order, ...); NULL when none.
	 * Returns 0 or HEARTH_EINVAL with err filled. */
	int (*check)(const ProtobufCMessage *body, record_error *err);
	const char *list_fields;                /* comma-separated fields `list` shows */
} kind_info;

/* Lookup. NULL when unknown. */
const kind_info *kind_find(Hearth__Kind kind);
const kind_info *kind_by_name(const char *name);
const kind_info *kind_by_record_field(uint32_t record_field);
size_t kind_count(void);
const kind_info *kind_at(size_t i);

/* The rule for a body field, or NULL. */
const field_rule *kind_rule(const kind_info *k, uint32_t number);

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
 * with the field's proto name. Stops and returns fn's value when non-zero. */
typedef int (*record_ref_fn)(void *ctx, const char *field, const uint8_t id[16]);
int record_refs_each(const kind_info *k, const ProtobufCMessage *body, record_ref_fn fn, void *ctx);

/* Enum values as people write them: the value name without its prefix,
 * case-insensitive ("male", "full", "elderly"), the full name, the number,
 * or the Chinese label ("男", "正式", "高龄"). Returns 0 or HEARTH_EINVAL. */
int enum_parse(const ProtobufCEnumDescriptor *d, const char *text, int *value);

/* The Chinese label of an enum value ("男"), or its short name when there is
 * no label, or "?" when unknown. Static string. */
const char *enum_label(const ProtobufCEnumDescriptor *d, int value);

/* The short name of an enum value ("male"), lower-case, into out. */
void enum_short_name(const ProtobufCEnumDescriptor *d, int value, char *out, size_t cap);

#endif
