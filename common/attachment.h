/* attachment.h: what an attachment's metadata must hold (issue 18), the one
 * place its content type is found from its bytes, and the helpers both
 * sides use to name content by its SHA-256.  Nothing here allocates. */
#ifndef HEARTH_ATTACHMENT_H
#define HEARTH_ATTACHMENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/record_error.h"
#include "proto/hearth.pb-c.h"

/* The body field that holds a record's attachments, the same number in
 * every kind's message (proto/hearth.proto). */
#define ATTACHMENT_FIELD 50
/* At most this many attachments on one record. */
#define ATTACHMENTS_MAX 32
/* A file name, in characters. */
#define ATTACHMENT_NAME_MAX 200
/* Bytes attachment_sniff wants to see of a file's start (it works with
 * fewer, refusing what it cannot tell). */
#define ATTACHMENT_SNIFF_LEN 4096
/* Lower-case hex of a SHA-256, without its NUL. */
#define ATTACHMENT_HEX_LEN 64

/* The content type of a file from its first bytes and, for the legacy OLE
 * office formats whose container is the same for all three, its name's
 * extension: "image/jpeg", "image/png", "application/pdf", the OOXML types
 * (docx, xlsx, pptx) and "application/msword", "application/vnd.ms-excel",
 * "application/vnd.ms-powerpoint". A zip that is not an office document,
 * and every other format, gives NULL. The returned string is static. */
const char *attachment_sniff(const uint8_t *head, size_t len, const char *name);

/* Whether type is one attachment_sniff can give. */
int attachment_type_known(const char *type);

/* A short word for a type, for listings: "JPEG", "PNG", "PDF", "Word",
 * "Excel", "PowerPoint" (static; "?" for an unknown type). */
const char *attachment_type_word(const char *type);

/* Checks the list a record body holds: each entry has a plain file name
 * (no directory, no "." or ".."), a known type, a size above 0, a 32-byte
 * SHA-256; names are unique on the record; at most ATTACHMENTS_MAX.
 * Returns 0 or HEARTH_EINVAL with err filled (field "attachments"). */
int attachment_check_list(Hearth__Attachment *const *list, size_t n, record_error *err);

/* The attachments of a body of any kind: *n and the array inside body
 * (borrowed, valid while body is). NULL with *n 0 for a body without
 * the field. */
Hearth__Attachment **attachment_list(const ProtobufCMessage *body, size_t *n);

/* The audit action of an edit whose only changed field (applied, n) is the
 * attachments: "record.attach" when the new body (after, encoded) holds
 * more of them than the old (before), "record.detach" when fewer, else
 * fallback (a note changed, or other fields too). Static strings. */
const char *attachment_edit_action(const uint8_t *before, size_t before_len, const uint8_t *after,
                                   size_t after_len, const uint32_t *applied, size_t n,
                                   const char *fallback);

/* Lower-case hex of a 32-byte hash into out[ATTACHMENT_HEX_LEN + 1]. */
void attachment_hex(const uint8_t hash[32], char out[ATTACHMENT_HEX_LEN + 1]);

/* Parses 64 hex digits (either case) into hash. Returns 0 or HEARTH_EINVAL. */
int attachment_parse_hex(const char *text, uint8_t hash[32]);

#endif
