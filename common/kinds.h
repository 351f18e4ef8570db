/* kinds.h: the kind table: what hearth knows about each record kind (its
 * body message, its field rules, its Chinese labels, its cross-field
 * checks) and the lookups over it.  Every entry is static and lives for the
 * whole program; nothing here is allocated or freed. */
#ifndef HEARTH_KINDS_H
#define HEARTH_KINDS_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "common/record_error.h"
#include "proto/hearth.pb-c.h"

enum field_flags {
	FIELD_REQUIRED = 1 << 0,   /* must be present and non-empty */
	FIELD_SENSITIVE = 1 << 1,  /* masked in listings; audited when revealed */
	FIELD_DATE = 1 << 2,       /* string YYYY-MM-DD that exists */
	FIELD_MONTH = 1 << 3,      /* string YYYY-MM */
	FIELD_MONEY = 1 << 4,      /* int64 fen, >= 0 */
	FIELD_ID = 1 << 5,         /* bytes: a 16-byte record id (reference) */
	FIELD_MULTILINE = 1 << 6,  /* free text: newlines allowed */
	FIELD_PERCENT = 1 << 7,    /* int32 basis points, typed and shown as a percentage (1.5%) */
};

typedef struct field_rule {
	uint32_t number;           /* field number in the body message */
	uint32_t flags;            /* enum field_flags */
	uint32_t max;              /* strings: max characters; repeated: max count; 0 = default */
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

/* A fresh, empty body of kind k, allocated as protobuf-c's default
 * allocator would, so hearth__record__free_unpacked frees it with its
 * record; NULL when out of memory. */
ProtobufCMessage *kind_new_body(const kind_info *k);

/* Puts body into rec's oneof as the body of kind k (found through the
 * Record descriptor, so a new kind needs no code here) and sets rec's
 * kind; rec then owns body. HEARTH_EINVAL when k has no such oneof. */
int kind_set_body(Hearth__Record *rec, const kind_info *k, ProtobufCMessage *body);

/* The rule for a body field, or NULL. */
const field_rule *kind_rule(const kind_info *k, uint32_t number);

#endif
