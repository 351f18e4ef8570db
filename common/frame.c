/* frame.c: incremental decoding and encoding of length-prefixed frames. */
#include "common/frame.h"

#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"

void frame_decoder_init(frame_decoder *d, uint32_t max)
{
	memset(d, 0, sizeof(*d));
	d->max = max;
}

/* The limit is consulted only when a header completes, so raising it after
 * the handshake never changes the fate of a frame already being collected. */
void frame_decoder_set_max(frame_decoder *d, uint32_t max)
{
	d->max = max;
}

/* Drops any partial frame.  The sticky error stays: a decoder that failed
 * has lost its place in the stream and must be re-initialised to be used. */
void frame_decoder_free(frame_decoder *d)
{
	free(d->buf);
	d->buf = NULL;
	d->hdr_have = 0;
	d->need = 0;
	d->have = 0;
}

int frame_decoder_partial(const frame_decoder *d)
{
	return d->hdr_have > 0 || d->buf != NULL;
}

void frame_header(uint8_t hdr[FRAME_HEADER_LEN], uint32_t len)
{
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
}

/* Records a sticky error.  After a bad header the stream position is
 * meaningless (we cannot know where the next frame starts), so every later
 * call must fail the same way rather than misread payload as headers. */
static int set_failed(frame_decoder *d, int err)
{
	free(d->buf);
	d->buf = NULL;
	d->failed = err;
	return err;
}

/* Collects bytes into the header and then the payload.  The length is
 * checked against d->max before anything is allocated, so a peer that
 * announces 4 GiB costs us nothing but the four header bytes (imsg's rule).
 * Each call returns at most one frame so that the caller can act on it
 * (e.g. raise the limit after a Welcome) before the next header is read. */
int frame_decode(frame_decoder *d, const uint8_t *data, size_t len, size_t *used,
                 uint8_t **out, uint32_t *out_len)
{
	size_t pos = 0;
	int err;

	*used = 0;
	*out = NULL;
	*out_len = 0;
	if (d->failed)
		return d->failed;

	if (d->hdr_have < FRAME_HEADER_LEN) {
		size_t take = FRAME_HEADER_LEN - d->hdr_have;
		uint32_t n;

		if (take > len)
			take = len;
		if (take > 0)
			memcpy(d->hdr + d->hdr_have, data, take);
		d->hdr_have += take;
		pos += take;
		if (d->hdr_have < FRAME_HEADER_LEN) {
			*used = pos;
			return HEARTH_EAGAIN;
		}
		n = (uint32_t)d->hdr[0] << 24 | (uint32_t)d->hdr[1] << 16 |
		    (uint32_t)d->hdr[2] << 8 | (uint32_t)d->hdr[3];
		if (n == 0) {
			err = HEARTH_EPROTO;
			goto fail;
		}
		if (n > d->max) {
			d->bad_len = n;
			err = HEARTH_ETOOBIG;
			goto fail;
		}
		d->buf = malloc(n);
		if (d->buf == NULL) {
			err = HEARTH_ENOMEM;
			goto fail;
		}
		d->need = n;
		d->have = 0;
	}

	{
		size_t take = d->need - d->have;

		if (take > len - pos)
			take = len - pos;
		if (take > 0)
			memcpy(d->buf + d->have, data + pos, take);
		d->have += (uint32_t)take;
		pos += take;
	}
	*used = pos;
	if (d->have < d->need)
		return HEARTH_EAGAIN;

	*out = d->buf;
	*out_len = d->need;
	d->buf = NULL;
	d->hdr_have = 0;
	d->need = 0;
	d->have = 0;
	return 0;

fail:
	*used = pos;
	return set_failed(d, err);
}
