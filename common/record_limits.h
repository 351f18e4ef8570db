/* record_limits.h: how large a record body may be: the limit of each
 * string (in characters) or bytes field (in bytes), the per-kind maximum on a body's packed size, and the allowance
 * for unknown fields, so that nothing a client pushes is stored and
 * replicated without bound. */
#ifndef HEARTH_RECORD_LIMITS_H
#define HEARTH_RECORD_LIMITS_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "common/kinds.h"

/* Unknown fields (written by a newer client) a body may carry, in packed
 * bytes over the whole body, nested messages included.  Enough for a few
 * new fields; a blob is refused. */
#define RECORD_UNKNOWN_MAX 1024

/* The limit of a string element under rule (NULL: no rule), in
 * characters (Unicode code points), or of a bytes element, in bytes: the
 * rule's max, else RECORD_TEXT_MAX for multi-line text and bytes, else
 * RECORD_STRING_MAX_DEFAULT.  Client and server both count this way. */
size_t record_string_max(const field_rule *rule, int is_bytes);

/* The largest packed size a body of kind k may have: the worst case of
 * every known field at its limits (each field once, repeated fields at
 * their maximum count, nested messages with the default limits) plus
 * RECORD_UNKNOWN_MAX.  A longer body cannot be valid however its bytes are
 * arranged (a field sent twice on the wire counts twice here too). */
size_t record_body_limit(const kind_info *k);

/* Packed bytes of the unknown fields in m and every message nested in it
 * (to the validation depth limit).  m is borrowed. */
size_t record_unknown_bytes(const ProtobufCMessage *m);

#endif
