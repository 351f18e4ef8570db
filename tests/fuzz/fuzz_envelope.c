/* fuzz_envelope.c: libFuzzer driver that unpacks arbitrary bytes as an Envelope and re-packs what unpacked. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/frame.h"
#include "common/hearth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever unpacks must pack again, the packed form must unpack, and packing
 * that a second time must give the same bytes.  A failure here means a peer
 * could send something we accept but cannot echo or store consistently.
 * Re-encoding may grow a message (a negative int32 or enum sent as a 5-byte
 * varint packs as 10 bytes), so going over the limit on re-pack is allowed. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t max = HEARTH_FRAME_MAX_DEFAULT;
	Hearth__Envelope *env = NULL, *again = NULL;
	uint8_t *f1 = NULL, *f2 = NULL;
	size_t l1 = 0, l2 = 0;
	int rc;

	rc = envelope_unpack(data, size, max, NULL, &env);
	if (rc != 0) {
		if (env != NULL || (rc != HEARTH_EPROTO && rc != HEARTH_ETOOBIG))
			abort();
		return 0;
	}
	if (env->body_case == HEARTH__ENVELOPE__BODY__NOT_SET ||
	    strcmp(envelope_body_name(env), "unknown") == 0)
		abort();
	rc = envelope_pack_frame(env, max, &f1, &l1);
	if (rc == HEARTH_ETOOBIG)
		goto done;
	if (rc != 0 || l1 <= FRAME_HEADER_LEN)
		abort();
	if (envelope_unpack(f1 + FRAME_HEADER_LEN, l1 - FRAME_HEADER_LEN, max, NULL, &again) != 0)
		abort();
	if (envelope_pack_frame(again, max, &f2, &l2) != 0)
		abort();
	if (l1 != l2 || memcmp(f1, f2, l1) != 0)
		abort();
done:
	free(f2);
	free(f1);
	envelope_free(again, NULL);
	envelope_free(env, NULL);
	return 0;
}
