/* fields.c: the per-type facts about a protobuf-c field (its element size,
 * where it sits in a message) that cmd_record.c and import.c both need. */
#include "common/pbfield.h"

#include <stdint.h>
#include <stdlib.h>

int fields_is_int_type(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		return 1;
	default:
		return 0;
	}
}

size_t fields_elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		return 8;
	case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_FLOAT: return sizeof(float);
	case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
	case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
	default: return 0;
	}
}

void *fields_ptr(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd)
{
	return (char *)msg + fd->offset;
}

size_t *fields_count(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd)
{
	return (size_t *)((char *)msg + fd->quantifier_offset);
}

void fields_free_elem(ProtobufCType t, void *slot)
{
	if (t == PROTOBUF_C_TYPE_STRING) {
		free(*(char **)slot);
		*(char **)slot = NULL;
	} else if (t == PROTOBUF_C_TYPE_BYTES) {
		free(((ProtobufCBinaryData *)slot)->data);
		((ProtobufCBinaryData *)slot)->data = NULL;
		((ProtobufCBinaryData *)slot)->len = 0;
	}
}
