/* fuzz_frame.c: libFuzzer driver that feeds arbitrary bytes to the frame decoder in input-chosen chunks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/frame.h"
#include "common/hearth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first two bytes choose the limit and the chunking; the rest is the
 * stream.  Chunk sizes come from a generator seeded by the input so that
 * the fuzzer explores splits inside headers and payloads, and each chunk is
 * fed in a loop the way the server's read callback will feed it.  Besides
 * crashes and leaks, the driver checks the decoder's promises: it never
 * consumes more than offered, hands out only frames within the limit, and
 * consumes everything when it asks for more. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	frame_decoder d;
	uint32_t seed, max;
	size_t pos;

	if (size < 2)
		return 0;
	/* Small limits make ETOOBIG reachable; 64 KiB keeps runs fast. */
	max = data[0] & 0x80 ? 64u * 1024u : 1u + (data[0] & 0x7f);
	seed = (uint32_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;

	frame_decoder_init(&d, max);
	pos = 0;
	while (pos < size) {
		size_t chunk, off = 0;

		seed = seed * 1103515245u + 12345u;
		chunk = 1 + (seed >> 16) % 17;
		if ((seed >> 8) % 8 == 0)
			chunk = size - pos;     /* sometimes the whole rest at once */
		if (chunk > size - pos)
			chunk = size - pos;
		while (off < chunk) {
			uint8_t *out = NULL;
			uint32_t out_len = 0;
			size_t used = 0;
			int rc = frame_decode(&d, data + pos + off, chunk - off, &used, &out, &out_len);

			if (used > chunk - off)
				abort();
			off += used;
			if (rc == 0) {
				if (out == NULL || out_len == 0 || out_len > max)
					abort();
				free(out);
				continue;
			}
			if (out != NULL)
				abort();
			if (rc == HEARTH_EAGAIN) {
				if (off != chunk)
					abort();
				break;
			}
			if (rc == HEARTH_ETOOBIG && d.bad_len <= max)
				abort();
			goto done;
		}
		pos += chunk;
	}
done:
	frame_decoder_free(&d);
	return 0;
}
