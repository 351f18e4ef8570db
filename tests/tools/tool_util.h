/* tool_util.h: small helpers the test tools share (hex arguments, enum
 * names for their one-line output). Header-only: each tool is one .c file. */
#ifndef HEARTH_TOOL_UTIL_H
#define HEARTH_TOOL_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <protobuf-c/protobuf-c.h>

/* Decodes hex pairs from hex into out (at most cap bytes); stops at the
 * first non-hex pair. Returns the number of bytes written. */
static inline size_t tool_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (hex[0] && hex[1] && n < cap) {
		unsigned v;
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* The schema name of an enum value ("ERR_INVALID"), or "?". */
static inline const char *tool_enum_name(const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue *e = protobuf_c_enum_descriptor_get_value(d, v);
	return e ? e->name : "?";
}

#endif
