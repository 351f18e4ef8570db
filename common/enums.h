/* enums.h: the words people read and write for enum values: Chinese
 * labels, aliases and short names, and parsing what was typed back into a
 * value.  The descriptors are protobuf-c's static ones (borrowed). */
#ifndef HEARTH_ENUMS_H
#define HEARTH_ENUMS_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

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
