/* record_peek.h: a packed Record's kind, branch, revision and deleted flag,
 * read from its bytes without unpacking its body. */
#ifndef HEARTH_RECORD_PEEK_H
#define HEARTH_RECORD_PEEK_H

#include <stddef.h>
#include <stdint.h>

typedef struct record_peek {
	int kind;                /* Record.kind (0 when absent) */
	const char *branch;      /* Record.branch_id: points into the bytes, NOT NUL-terminated */
	size_t branch_len;
	uint64_t rev;
	int deleted;
	const uint8_t *body;     /* the body sub-message's bytes (fields 20-29), borrowing buf; NULL if none */
	size_t body_len;
} record_peek;

/* Walks the top-level fields of the packed Record in buf (len bytes) and
 * fills out (the last occurrence of a field wins, as in protobuf). Returns 0,
 * or HEARTH_EINVAL when the bytes are not a well-formed message. out->branch
 * borrows buf. */
int record_peek_bytes(const uint8_t *buf, size_t len, record_peek *out);

/* Whether the packed message in buf (len bytes) has a top-level field
 * number: 1 if it has, 0 if not, HEARTH_EINVAL when the bytes are not a
 * well-formed message. */
int record_peek_has_field(const uint8_t *buf, size_t len, uint32_t number);

#endif
