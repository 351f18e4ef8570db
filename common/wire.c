/* wire.c: protobuf wire-format appenders over a growable buffer. */
#include "common/wire.h"

#include <stdlib.h>
#include <string.h>

static int grow(wirebuf *b, size_t need)
{
	size_t cap;
	uint8_t *p;

	if (b->failed)
		return -1;
	if (b->len + need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need) {
		if (cap > SIZE_MAX / 2) {
			b->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void wire_bytes(wirebuf *b, const void *data, size_t len)
{
	if (len == 0 || grow(b, len) != 0)
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

void wire_varint(wirebuf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		uint8_t byte = v & 0x7f;
		v >>= 7;
		tmp[n++] = byte | (v ? 0x80 : 0);
	} while (v);
	wire_bytes(b, tmp, n);
}

void wire_uint_field(wirebuf *b, uint32_t number, uint64_t v)
{
	if (v == 0)
		return;
	wire_varint(b, (uint64_t)number << 3);
	wire_varint(b, v);
}

void wire_bytes_field(wirebuf *b, uint32_t number, const void *data, size_t len, int always)
{
	if (len == 0 && !always)
		return;
	wire_varint(b, ((uint64_t)number << 3) | 2);
	wire_varint(b, len);
	wire_bytes(b, data, len);
}

void wire_frame_begin(wirebuf *b)
{
	static const uint8_t zero[4];
	wire_bytes(b, zero, 4);
}

void wire_frame_finish(wirebuf *b)
{
	size_t n;
	if (b->failed || b->len < 4)
		return;
	n = b->len - 4;
	b->data[0] = (uint8_t)(n >> 24);
	b->data[1] = (uint8_t)(n >> 16);
	b->data[2] = (uint8_t)(n >> 8);
	b->data[3] = (uint8_t)n;
}

uint8_t *wire_take(wirebuf *b, size_t *len)
{
	uint8_t *p = b->data;
	*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
	return p;
}

void wire_free(wirebuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
