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

int record_peek_bytes(const uint8_t *buf, size_t len, record_peek *out)
{
	const uint8_t *p = buf, *end = buf + len;

	memset(out, 0, sizeof(*out));
	out->branch = "";
	while (p < end) {
		uint64_t tag, v;
		uint32_t field;

		if (varint(&p, end, &tag) != 0 || tag >> 3 == 0 || tag >> 3 > UINT32_MAX)
			return HEARTH_EINVAL;
		field = (uint32_t)(tag >> 3);
		switch (tag & 7) {
		case 0:
			if (varint(&p, end, &v) != 0)
				return HEARTH_EINVAL;
			if (field == PEEK_KIND)
				out->kind = (int)(int32_t)v;
			else if (field == PEEK_REV)
				out->rev = v;
			else if (field == PEEK_DELETED)
				out->deleted = v != 0;
			break;
		case 1:
			if ((size_t)(end - p) < 8)
				return HEARTH_EINVAL;
			p += 8;
			break;
		case 2:
			if (varint(&p, end, &v) != 0 || v > (uint64_t)(end - p))
				return HEARTH_EINVAL;
			if (field == PEEK_BRANCH) {
				out->branch = (const char *)p;
				out->branch_len = (size_t)v;
			} else if (field >= PEEK_BODY_FIRST && field <= PEEK_BODY_LAST) {
				out->body = p;
				out->body_len = (size_t)v;
			}
			p += v;
			break;
		case 5:
			if ((size_t)(end - p) < 4)
				return HEARTH_EINVAL;
			p += 4;
			break;
		default:
			return HEARTH_EINVAL;
		}
	}
	return 0;
}

int record_peek_has_field(const uint8_t *buf, size_t len, uint32_t number)
{
	const uint8_t *p = buf, *end = buf + len;
	int found = 0;

	while (p < end) {
		uint64_t tag, v;

		if (varint(&p, end, &tag) != 0 || tag >> 3 == 0)
			return HEARTH_EINVAL;
		if (tag >> 3 == number)
			found = 1;
		switch (tag & 7) {
		case 0:
			if (varint(&p, end, &v) != 0)
				return HEARTH_EINVAL;
			break;
		case 1:
			if ((size_t)(end - p) < 8)
				return HEARTH_EINVAL;
			p += 8;
			break;
		case 2:
			if (varint(&p, end, &v) != 0 || v > (uint64_t)(end - p))
				return HEARTH_EINVAL;
			p += v;
			break;
		case 5:
			if ((size_t)(end - p) < 4)
				return HEARTH_EINVAL;
			p += 4;
			break;
		default:
			return HEARTH_EINVAL;
		}
	}
	return found;
}
