/* envelope.h: packing and unpacking Envelope messages with bounds.
 *
 * Unpacked messages are allocated with the allocator passed in (NULL means
 * protobuf-c's default, i.e. malloc) and must be freed with
 * envelope_free() using the same allocator. */
#ifndef HEARTH_ENVELOPE_H
#define HEARTH_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "proto/hearth.pb-c.h"

/* Unpacks len bytes into *out.  Returns 0, HEARTH_ETOOBIG when len > max,
 * HEARTH_EPROTO when the bytes are not a valid Envelope or carry no body,
 * HEARTH_ENOMEM when the allocator failed.  On error *out is NULL. */
int envelope_unpack(const uint8_t *buf, size_t len, size_t max,
                    ProtobufCAllocator *alloc, Hearth__Envelope **out);

/* What envelope_scan learns from an Envelope's wire bytes. */
typedef struct envelope_scan_result {
	uint64_t request_id;   /* field 1; 0 when absent */
	uint32_t body;         /* field number of the last body field (protobuf's
	                        * "last one wins" for a oneof); 0 when none */
	size_t push_ops;       /* Op entries in every PushRequest occurrence (they merge) */
	size_t recover_items;  /* records and audit entries in every RecoverRequest occurrence */
} envelope_scan_result;

/* Reads the request id, the body's field number and a push's op count
 * from an encoded Envelope by walking its field tags, without unpacking or
 * allocating anything: a server can refuse an over-count push before
 * protobuf-c builds millions of Op messages.  Returns 0, or HEARTH_EPROTO
 * when the bytes are not well-formed protobuf (envelope_unpack then says
 * what is wrong). */
int envelope_scan(const uint8_t *buf, size_t len, envelope_scan_result *out);

/* A stretch of wire bytes inside a buffer it borrows. */
typedef struct envelope_bytes {
	const uint8_t *data;
	size_t len;
} envelope_bytes;

/* The wire bytes of each record of the PullResponse in an encoded Envelope
 * (buf, len), without unpacking anything: spans[i] gets the bytes that
 * records[i] of its unpacked form was unpacked from, for i < n, pointing
 * into buf (valid while buf is). Only an Envelope made of a request id and
 * one pull_result field holding exactly n records qualifies: a body field
 * that occurs twice is merged or replaced depending on the unpacker
 * (protobuf-c keeps the last), and a later body replaces an earlier one,
 * so in any other shape the i-th record on the wire need not be
 * records[i]. Returns 0, HEARTH_ENOTFOUND when the bytes do not qualify
 * (nothing need be wrong with them), or HEARTH_EPROTO when they are not
 * well-formed protobuf. */
int envelope_pull_records(const uint8_t *buf, size_t len, size_t n, envelope_bytes *spans);

/* Frees an envelope unpacked with the same allocator. NULL is fine. */
void envelope_free(Hearth__Envelope *env, ProtobufCAllocator *alloc);

/* Packs env as a complete frame (4-byte length + payload) into a new
 * malloc'd buffer the caller frees.  Returns 0, HEARTH_ETOOBIG when the
 * payload would exceed max, HEARTH_ENOMEM. */
int envelope_pack_frame(const Hearth__Envelope *env, size_t max,
                        uint8_t **out, size_t *out_len);

/* Name of the envelope's body case for logs ("hello", "ping", ...). */
const char *envelope_body_name(const Hearth__Envelope *env);

/* Helpers that fill a stack Envelope with an Error body. The strings are
 * borrowed: they must outlive the pack call. */
void envelope_set_error(Hearth__Envelope *env, Hearth__Error *err, uint64_t request_id,
                        Hearth__ErrorCode code, const char *message, const char *field);

#endif
