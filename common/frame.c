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

void frame_decoder_set_first(frame_decoder *d, uint32_t first)
{
	d->first = first;
}

/* Drops any partial frame.  The sticky error stays: a decoder that failed
 * has lost its place in the stream and must be re-initialised to be used. */
void frame_decoder_free(frame_decoder *d)
{
	free(d->buf);
	d->buf = NULL;
	d->cap = 0;
	d->hdr_have = 0;
	d->need = 0;
	d->have = 0;
}

int frame_decoder_partial(const frame_decoder *d)
{
	return d->hdr_have > 0 || d->buf != NULL;
}

size_t frame_decoder_held(const frame_decoder *d)
{
	return d->buf != NULL ? d->cap : 0;
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
	d->cap = 0;
	d->failed = err;
	return err;
}

/* The smallest buffer a payload starts in: most Envelopes fit. */
#define FRAME_GROW_MIN 4096

/* Makes room for `more` payload bytes.  The buffer doubles (so a frame
 * arriving in many pieces is copied O(n) times in all) but never passes the
 * announced length: memory follows the bytes a peer really sent, not what
 * its header claims (issue 12 item 10: 150 connections each announcing
 * 4 MiB held 600 MB).  malloc and copy rather than realloc, so a failure
 * leaves the old buffer to set_failed. */
static int grow(frame_decoder *d, uint32_t more)
{
	uint64_t want = (uint64_t)d->have + more;
	uint64_t cap = (uint64_t)d->cap * 2;
	uint8_t *nb;

	if (want <= d->cap)
		return 0;
	if (cap < want)
		cap = want;
	if (cap < FRAME_GROW_MIN)
		cap = FRAME_GROW_MIN;
	if (d->cap == 0 && cap < d->first)
		cap = d->first;
	if (cap > d->need)
		cap = d->need;
	nb = malloc((size_t)cap);
	if (nb == NULL)
		return HEARTH_ENOMEM;
	if (d->have > 0)
		memcpy(nb, d->buf, d->have);
	free(d->buf);
	d->buf = nb;
	d->cap = (uint32_t)cap;
	return 0;
}

/* Collects bytes into the header and then the payload.  The length is
 * checked against d->max before anything is allocated, so a peer that
 * announces 4 GiB costs us nothing but the four header bytes (imsg's rule),
 * and the payload buffer then grows only as its bytes arrive (grow).
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
		d->need = n;
		d->have = 0;
	}

	{
		size_t take = d->need - d->have;

		if (take > len - pos)
			take = len - pos;
		if (take > 0) {
			if ((err = grow(d, (uint32_t)take)) != 0)
				goto fail;
			memcpy(d->buf + d->have, data + pos, take);
		}
		d->have += (uint32_t)take;
		pos += take;
	}
	*used = pos;
	if (d->have < d->need)
		return HEARTH_EAGAIN;

	*out = d->buf;
	*out_len = d->need;
	d->buf = NULL;
	d->cap = 0;
	d->hdr_have = 0;
	d->need = 0;
	d->have = 0;
	return 0;

fail:
	*used = pos;
	return set_failed(d, err);
}
