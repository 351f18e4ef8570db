/* field_input.h: a field's value as a person typed it, into a record body
 * (field_input.c). One copy for the command line (--FIELD VALUE) and the web
 * app's forms. Nothing here keeps state. */
#ifndef HEARTH_CORE_FIELD_INPUT_H
#define HEARTH_CORE_FIELD_INPUT_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "client/core/replica.h"
#include "common/record.h"

/* One typed value for one body field. Everything is borrowed for the call. */
typedef struct field_input {
	replica *rep;                        /* resolves record ids and prefixes (FIELD_ID) */
	const ProtobufCFieldDescriptor *fd;  /* the body field */
	const field_rule *rule;              /* its rule, NULL when the table has none */
	int fen;                             /* money typed as integer fen, not yuan */
	const char *text;                    /* as typed; NULL: a bare yes (bool only) */
} field_input;

/* Fields a person can set: scalars, strings, enums and record ids, single
 * or repeated. Nested messages, oneofs and raw bytes have no input. */
int field_input_supported(const ProtobufCFieldDescriptor *fd, const field_rule *rule);

/* Sets the field of body from in->text: "" clears it; a repeated field
 * takes a comma-separated list (",", "，" or "、") and replaces the whole
 * list, bounded by the rule's max before anything is allocated. Money is
 * yuan with at most two decimals (value_yuan_parse) unless in->fen.
 * Returns 0, HEARTH_ENOMEM, or HEARTH_EINVAL / HEARTH_ENOTFOUND with why
 * set to a sentence naming the field and the value (the field is then as
 * it was). */
int field_input_apply(ProtobufCMessage *body, const field_input *in, char *why, size_t cap);

/* The next trimmed, non-empty item of a list value at *p, items being
 * separated by the ASCII comma, the fullwidth comma "，" or the enumeration
 * comma "、" of Chinese text (the one rule for a list typed on the command
 * line, in a form or in a cell): sets *item (pointing into the
 * text) and returns its length, moving *p past it; returns 0 at the end. */
size_t field_input_next_item(const char **p, const char **item);

/* The choices of enum d as people may type them, "male (男), female (女)",
 * into out (always NUL-terminated). The zero value ("not set") is left
 * out. */
void field_input_enum_choices(const ProtobufCEnumDescriptor *d, char *out, size_t cap);

#endif
