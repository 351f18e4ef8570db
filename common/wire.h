/* wire.h: a growable byte buffer with protobuf wire-format appenders, so
 * responses can be assembled from stored record bytes without unpacking
 * and repacking them (the server's pull path costs a copy, not a parse). */
#ifndef HEARTH_WIRE_H
#define HEARTH_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef struct wirebuf {
	uint8_t *data;   /* malloc'd; owned by the buffer */
	size_t len;
	size_t cap;
	int failed;      /* sticky: an allocation failed, the contents are incomplete */
} wirebuf;

#define WIREBUF_INIT { NULL, 0, 0, 0 }

/* Appenders. On allocation failure they set failed and do nothing more;
 * check failed once at the end. */
void wire_bytes(wirebuf *b, const void *data, size_t len);
void wire_varint(wirebuf *b, uint64_t v);
/* Field `number` as a varint (wire type 0). Zero values are skipped, as
 * protobuf-c does for proto3 scalars, so the bytes stay canonical. */
void wire_uint_field(wirebuf *b, uint32_t number, uint64_t v);
/* Field `number` as length-delimited bytes (wire type 2). Empty is skipped
 * unless always is set (repeated elements and sub-messages must be kept). */
void wire_bytes_field(wirebuf *b, uint32_t number, const void *data, size_t len, int always);

/* Reserves 4 bytes for a frame header; wire_frame_finish fills it with the
 * length of everything appended after it. */
void wire_frame_begin(wirebuf *b);
void wire_frame_finish(wirebuf *b);

/* Gives the buffer's memory to the caller (who frees it) and resets b. */
uint8_t *wire_take(wirebuf *b, size_t *len);
void wire_free(wirebuf *b);

#endif
