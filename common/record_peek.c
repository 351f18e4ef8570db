/* record_peek.c: a packed Record's kind, branch, revision and deleted flag,
 * read from its bytes without unpacking its body. */
#include "common/record_peek.h"

#include <string.h>

#include "common/hearth.h"

/* Field numbers of Record in proto/hearth.proto. */
enum { PEEK_KIND = 2, PEEK_BRANCH = 3, PEEK_REV = 4, PEEK_DELETED = 6, PEEK_BODY_FIRST = 20,
       PEEK_BODY_LAST = 29 };

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	/* Tags, lengths under 128 and small numbers are one byte: most of
	 * what a peek reads, over every record of a replica. */
	if (*p < end && !(**p & 0x80)) {
		*v = *(*p)++;
		return 0;
	}
	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t b;
		if (*p >= end)
			return -1;
		b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* One field of a packed message at *p: its number, wire type, and value —
 * the varint in *v, or for a length-delimited field its bytes at *data and
 * their length in *v; fixed-width values are skipped. Advances *p past it.
 * Returns 0, or HEARTH_EINVAL for bytes that are not a field (field 0, a
 * number over 32 bits, a truncated value, a group or an unknown type). */
static int next_field(const uint8_t **p, const uint8_t *end, uint32_t *field, uint32_t *wire, uint64_t *v,
                      const uint8_t **data)
{
	uint64_t tag;

	if (varint(p, end, &tag) != 0 || tag >> 3 == 0 || tag >> 3 > UINT32_MAX)
		return HEARTH_EINVAL;
	*field = (uint32_t)(tag >> 3);
	*wire = (uint32_t)(tag & 7);
	*v = 0;
	*data = NULL;
	switch (*wire) {
	case 0:
		return varint(p, end, v) != 0 ? HEARTH_EINVAL : 0;
	case 1:
		if ((size_t)(end - *p) < 8)
			return HEARTH_EINVAL;
		*p += 8;
		return 0;
	case 2:
		if (varint(p, end, v) != 0 || *v > (uint64_t)(end - *p))
			return HEARTH_EINVAL;
		*data = *p;
		*p += *v;
		return 0;
	case 5:
		if ((size_t)(end - *p) < 4)
			return HEARTH_EINVAL;
		*p += 4;
		return 0;
	default:
		return HEARTH_EINVAL;
	}
}

int record_peek_bytes(const uint8_t *buf, size_t len, record_peek *out)
{
	const uint8_t *p = buf, *end = buf + len;

	memset(out, 0, sizeof(*out));
	out->branch = "";
	while (p < end) {
		const uint8_t *data;
		uint32_t field, wire;
		uint64_t v;

		if (next_field(&p, end, &field, &wire, &v, &data) != 0)
			return HEARTH_EINVAL;
		if (wire == 0) {
			if (field == PEEK_KIND)
				out->kind = (int)(int32_t)v;
			else if (field == PEEK_REV)
				out->rev = v;
			else if (field == PEEK_DELETED)
				out->deleted = v != 0;
		} else if (wire == 2) {
			if (field == PEEK_BRANCH) {
				out->branch = (const char *)data;
				out->branch_len = (size_t)v;
			} else if (field >= PEEK_BODY_FIRST && field <= PEEK_BODY_LAST) {
				out->body = data;
				out->body_len = (size_t)v;
			}
		}
	}
	return 0;
}

int record_peek_has_field(const uint8_t *buf, size_t len, uint32_t number)
{
	const uint8_t *p = buf, *end = buf + len;
	int found = 0;

	while (p < end) {
		const uint8_t *data;
		uint32_t field, wire;
		uint64_t v;

		if (next_field(&p, end, &field, &wire, &v, &data) != 0)
			return HEARTH_EINVAL;
		if (field == number)
			found = 1;
	}
	return found;
}
