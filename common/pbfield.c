/* pbfield.c: the facts about a protobuf-c field (element size, where it
 * sits, whether it is set, how to clear it) read from its descriptor. */
#include "common/pbfield.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int pbfield_is_int_type(ProtobufCType t)
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

size_t pbfield_elem_size(const ProtobufCFieldDescriptor *fd)
{
	switch (fd->type) {
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
	case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
	}
	return sizeof(void *);   /* a type newer than this code: never smaller than a slot */
}

void *pbfield_ptr(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd)
{
	return (char *)msg + fd->offset;
}

size_t *pbfield_count(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd)
{
	return (size_t *)((char *)msg + fd->quantifier_offset);
}

/* Strings and messages have presence of their own (NULL / ""), so only the
 * other singular optional fields carry a protobuf_c_boolean has-flag. */
static int has_flag(const ProtobufCFieldDescriptor *fd)
{
	return fd->label == PROTOBUF_C_LABEL_OPTIONAL && !(fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
	       fd->quantifier_offset && fd->type != PROTOBUF_C_TYPE_STRING &&
	       fd->type != PROTOBUF_C_TYPE_MESSAGE;
}

int pbfield_is_set(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd)
{
	const char *base = (const char *)msg;
	const void *p = base + fd->offset;

	if (fd->label == PROTOBUF_C_LABEL_REPEATED)
		return *pbfield_count(msg, fd) > 0;
	/* A oneof's members share one memory: only the case says whose it is. */
	if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		if (*(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
			return 0;
	} else if (has_flag(fd)) {
		if (!*(const protobuf_c_boolean *)(base + fd->quantifier_offset))
			return 0;
	}
	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;

		return s != NULL && s[0] != '\0';
	}
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len != 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(const ProtobufCMessage *const *)p != NULL;
	default: {
		static const uint8_t zero[8];

		return memcmp(p, zero, pbfield_elem_size(fd)) != 0;
	}
	}
}

void pbfield_free_elem(const ProtobufCFieldDescriptor *fd, void *slot)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING:
		free(*(char **)slot);
		*(char **)slot = NULL;
		break;
	case PROTOBUF_C_TYPE_BYTES:
		free(((ProtobufCBinaryData *)slot)->data);
		((ProtobufCBinaryData *)slot)->data = NULL;
		((ProtobufCBinaryData *)slot)->len = 0;
		break;
	case PROTOBUF_C_TYPE_MESSAGE:
		if (*(ProtobufCMessage **)slot)
			protobuf_c_message_free_unpacked(*(ProtobufCMessage **)slot, NULL);
		*(ProtobufCMessage **)slot = NULL;
		break;
	default: break;
	}
}

void pbfield_clear(ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd)
{
	void *p = pbfield_ptr(msg, fd);

	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t *n = pbfield_count(msg, fd);
		char *arr = *(char **)p;
		size_t sz = pbfield_elem_size(fd);
		for (size_t i = 0; arr && i < *n; i++)
			pbfield_free_elem(fd, arr + i * sz);
		free(arr);
		*(void **)p = NULL;
		*n = 0;
		return;
	}
	if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		uint32_t *c = (uint32_t *)((char *)msg + fd->quantifier_offset);
		if (*c != fd->id)
			return;   /* the memory belongs to another member */
		*c = 0;
	}
	if (fd->type == PROTOBUF_C_TYPE_STRING) {
		char *s = *(char **)p;
		/* The default string is static: free_unpacked never frees it. */
		if (s && s != fd->default_value)
			free(s);
		*(const char **)p = fd->default_value ? fd->default_value : protobuf_c_empty_string;
	} else if (fd->type == PROTOBUF_C_TYPE_BYTES || fd->type == PROTOBUF_C_TYPE_MESSAGE) {
		pbfield_free_elem(fd, p);
	} else {
		memset(p, 0, pbfield_elem_size(fd));
	}
	if (has_flag(fd))
		*(protobuf_c_boolean *)((char *)msg + fd->quantifier_offset) = 0;
}
