/* fuzz_envelope.c: libFuzzer driver that unpacks arbitrary bytes as an Envelope and re-packs what unpacked. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/frame.h"
#include "common/hearth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The wire bytes a sync stores for each pulled record
 * (envelope_pull_records) must unpack to the very record the Envelope
 * unpacked to at that index: the same packing of both. */
static void check_spans(const uint8_t *data, size_t size, const Hearth__PullResponse *pr)
{
	envelope_bytes *spans = malloc((pr->n_records ? pr->n_records : 1) * sizeof(*spans));
	int rc;

	if (spans == NULL)
		return;
	rc = envelope_pull_records(data, size, pr->n_records, spans);
	if (rc != 0 && rc != HEARTH_ENOTFOUND && rc != HEARTH_EPROTO)
		abort();
	for (size_t i = 0; rc == 0 && i < pr->n_records; i++) {
		Hearth__Record *r = hearth__record__unpack(NULL, spans[i].len, spans[i].data);
		size_t a, b;
		uint8_t *pa, *pb;

		if (r == NULL)
			abort();
		a = hearth__record__get_packed_size(r);
		b = hearth__record__get_packed_size(pr->records[i]);
		pa = malloc(a + 1);
		pb = malloc(b + 1);
		if (pa && pb && (a != b || hearth__record__pack(r, pa) != a || hearth__record__pack(pr->records[i], pb) != b ||
		                 memcmp(pa, pb, a) != 0))
			abort();
		free(pa);
		free(pb);
		hearth__record__free_unpacked(r, NULL);
	}
	free(spans);
}

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
	if (env->body_case == HEARTH__ENVELOPE__BODY_PULL_RESULT)
		check_spans(data, size, env->pull_result);
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
