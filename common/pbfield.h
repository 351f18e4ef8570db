/* fields.h: reading and freeing one field of a record body through its
 * protobuf-c descriptor, shared by the commands that set fields from flags
 * (cmd_record.c) and from CSV cells (import.c).
 *
 * Ownership: nothing here allocates. fields_ptr and fields_count return
 * pointers into msg, valid as long as msg is. fields_free_elem frees what one
 * string or bytes element holds (the element itself belongs to its array or
 * message) and leaves it empty. */
#ifndef HEARTH_CLIENT_FIELDS_H
#define HEARTH_CLIENT_FIELDS_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

/* 1 for the protobuf integer types (32 and 64 bit, signed or not), else 0;
 * enums and bools are not integers here. */
int fields_is_int_type(ProtobufCType t);

/* The size of one element of type t as protobuf-c stores it (the size of
 * the pointer for strings, of ProtobufCBinaryData for bytes); 0 for
 * messages, which have no fixed element. */
size_t fields_elem_size(ProtobufCType t);

/* Where field fd of msg lives: the value, or for a repeated field the
 * pointer to its array. */
void *fields_ptr(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd);

/* The element count of repeated field fd of msg. */
size_t *fields_count(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd);

/* Frees the string or bytes data in slot (an element of type t) and sets
 * the slot to NULL / empty; other types hold nothing to free. */
void fields_free_elem(ProtobufCType t, void *slot);

#endif
