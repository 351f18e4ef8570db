/* pbfield.h: facts about one field of a protobuf-c message, taken from its
 * descriptor: where it lives, how big one element is, whether it holds a
 * value, and how to reset it (pbfield.c). One copy for the record rules
 * (common/record.c) and the client commands that set fields from flags and
 * CSV cells.
 *
 * Ownership: pbfield_ptr and pbfield_count return pointers into msg, valid
 * as long as msg is. pbfield_free_elem and pbfield_clear free what the
 * field holds the way protobuf_c_message_free_unpacked would (default
 * allocator), so msg can still be freed whole afterwards. */
#ifndef HEARTH_PBFIELD_H
#define HEARTH_PBFIELD_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

/* 1 for the protobuf integer types (32 and 64 bit, signed or not), else 0;
 * enums and bools are not integers here. */
int pbfield_is_int_type(ProtobufCType t);

/* The size of one element of field fd as protobuf-c stores it: 4 or 8 for
 * numbers and enums, the size of a pointer for strings and messages, of
 * ProtobufCBinaryData for bytes. Never 0. */
size_t pbfield_elem_size(const ProtobufCFieldDescriptor *fd);

/* Where field fd of msg lives: the value, or for a repeated field the
 * pointer to its array. */
void *pbfield_ptr(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd);

/* The element count of repeated field fd of msg (its has-flag or oneof
 * case for a singular field with presence). */
size_t *pbfield_count(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd);

/* Whether field fd of msg holds a value: a repeated field any element; a
 * oneof member when the oneof's case is fd; a field with a has-flag when
 * the flag is set and the value is not the default; otherwise when the
 * value differs from its default (proto3: a non-empty string or bytes, a
 * non-NULL message, a non-zero number). */
int pbfield_is_set(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd);

/* Frees what one element slot of field fd holds (a string, bytes data or
 * a message; the element itself belongs to its array or message) and leaves
 * it empty. Numbers hold nothing to free. */
void pbfield_free_elem(const ProtobufCFieldDescriptor *fd, void *slot);

/* Resets field fd of msg to its default: frees a repeated field's elements
 * and array, a string (not the static default), bytes or a message; zeroes
 * a number; and clears the has-flag, or the oneof case when it is fd. */
void pbfield_clear(ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd);

#endif
