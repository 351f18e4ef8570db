/* frame.h: the length-prefixed framing of the wire protocol.
 *
 * A frame is a 4-byte big-endian length N followed by N bytes of payload.
 * N == 0 and N > max are protocol errors (there is no empty Envelope worth
 * sending).  The decoder is incremental: bytes may arrive split anywhere and
 * the same frames come out. */
#ifndef HEARTH_FRAME_H
#define HEARTH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER_LEN 4

typedef struct frame_decoder {
	uint32_t max;        /* frames longer than this are refused */
	uint8_t hdr[FRAME_HEADER_LEN];
	size_t hdr_have;     /* header bytes collected so far */
	uint8_t *buf;        /* payload being collected; owned by the decoder */
	uint32_t cap;        /* bytes allocated at buf: grows with have, <= need */
	uint32_t need;       /* payload length of the frame in progress */
	uint32_t have;       /* payload bytes collected so far */
	int failed;          /* sticky error: once set, every call returns it */
	uint32_t bad_len;    /* the length that caused HEARTH_ETOOBIG, for messages */
	uint32_t first;      /* a payload's first buffer holds up to this much of it (frame_decoder_set_first) */
} frame_decoder;

/* Initialises a decoder that accepts payloads of 1..max bytes. */
void frame_decoder_init(frame_decoder *d, uint32_t max);

/* Changes the limit (e.g. raising it after authentication).  Applies to the
 * next frame header read, not to a frame already in progress. */
void frame_decoder_set_max(frame_decoder *d, uint32_t max);

/* Lets a payload's first buffer hold up to first bytes of its announced
 * length at once (default 0: it starts small and doubles as bytes come).
 * For a peer trusted not to lie about lengths, as a client trusts the
 * server it authenticated: a pull page of megabytes is then collected
 * without copying it from buffer to bigger buffer. A server keeps the
 * default, so that memory follows the bytes a client really sent. */
void frame_decoder_set_first(frame_decoder *d, uint32_t first);

/* Frees the decoder's buffer. The decoder may be re-initialised afterwards. */
void frame_decoder_free(frame_decoder *d);

/* Feeds up to len bytes from data.  Sets *used to how many were consumed.
 * When a whole frame is ready, returns 0 and hands the payload to the caller
 * in *out / *out_len; the caller owns *out and frees it with free().  Feed the
 * remaining bytes (data + *used) again to get further frames.
 * Returns HEARTH_EAGAIN when all bytes were consumed and no frame is complete,
 * HEARTH_EPROTO for a zero length, HEARTH_ETOOBIG for a length over the limit
 * (d->bad_len says which), HEARTH_ENOMEM if the payload buffer could not be
 * grown.  Errors are sticky. */
int frame_decode(frame_decoder *d, const uint8_t *data, size_t len, size_t *used,
                 uint8_t **out, uint32_t *out_len);

/* True when the decoder holds part of a frame (for "truncated frame" errors at EOF). */
int frame_decoder_partial(const frame_decoder *d);

/* Bytes of memory the decoder holds for the frame in progress (0 between
 * frames).  It grows with the payload bytes actually received, geometrically
 * and never beyond the announced length, so a peer that announces 4 MiB and
 * sends ten bytes costs a few KiB.  A server sums this over its connections
 * to keep a budget for partial frames. */
size_t frame_decoder_held(const frame_decoder *d);

/* Writes the 4-byte header for a payload of len bytes into hdr. */
void frame_header(uint8_t hdr[FRAME_HEADER_LEN], uint32_t len);

#endif
