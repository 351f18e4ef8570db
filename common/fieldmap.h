/* fieldmap.h: a protobuf message body viewed as "field number -> encoded
 * bytes", without knowing its schema.  The sync engine merges, compares and
 * records changes per field through this view, so it is the same code for
 * every record kind, and fields it does not know (from a newer client) pass
 * through untouched.
 *
 * A field's bytes are all its wire occurrences (tag + value), concatenated
 * in wire order.  Two bodies packed by protobuf-c hold equal bytes for a
 * field exactly when the field's values are equal.  An absent field has no
 * entry (len 0): for proto3 that is the default value. */
#ifndef HEARTH_FIELDMAP_H
#define HEARTH_FIELDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct field_entry {
	uint32_t number;
	uint8_t *bytes;      /* owned by the map */
	size_t len;
} field_entry;

typedef struct fieldmap {
	field_entry *f;      /* sorted by number, no duplicates, no empty entries */
	size_t n;
	size_t cap;
} fieldmap;

#define FIELDMAP_INIT { NULL, 0, 0 }

/* Hard bounds applied while parsing, before allocating. */
#define FIELDMAP_MAX_FIELDS 256
#define FIELDMAP_MAX_NUMBER 536870911u

/* Splits buf into fields. Validates the wire format: varints of at most 10
 * bytes, field number 1..2^29-1, wire types 0 (varint), 1 (64-bit),
 * 2 (length-delimited, length within buf) and 5 (32-bit); groups (3, 4) are
 * refused. Returns 0, HEARTH_EINVAL for malformed input, HEARTH_ETOOBIG for
 * more than FIELDMAP_MAX_FIELDS distinct fields, HEARTH_ENOMEM. On error *m
 * is left empty. */
int fieldmap_parse(const uint8_t *buf, size_t len, fieldmap *m);

/* Frees what the map owns and leaves it empty (reusable). */
void fieldmap_free(fieldmap *m);

/* The entry for number, or NULL when absent. Valid until the map changes. */
const field_entry *fieldmap_get(const fieldmap *m, uint32_t number);

/* Replaces a field's bytes with a copy of bytes[0..len); len 0 removes it.
 * The bytes must be complete encoded occurrences (tag included) of that
 * field number. Returns 0 or HEARTH_ENOMEM. */
int fieldmap_set(fieldmap *m, uint32_t number, const uint8_t *bytes, size_t len);

/* True when both maps hold the same bytes for number (both absent counts). */
int fieldmap_same(const fieldmap *a, const fieldmap *b, uint32_t number);

/* Serialises the map (fields in ascending number order) into a new malloc'd
 * buffer. An empty map gives len 0 and *out NULL... or a 1-byte buffer: the
 * caller must only rely on *len. Returns 0 or HEARTH_ENOMEM. */
int fieldmap_build(const fieldmap *m, uint8_t **out, size_t *len);

/* Deep copy. Returns 0 or HEARTH_ENOMEM. */
int fieldmap_copy(const fieldmap *src, fieldmap *dst);

#endif
