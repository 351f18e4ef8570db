/* fuzz_record.c: libFuzzer driver that validates arbitrary bytes as the body of every record kind and checks what passes still passes after a round trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/record.h"
#include "common/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Validation must answer 0 or HEARTH_EINVAL with a readable message.  A
 * body that passes must attach to a record, pack, and pass again in its
 * packed form: the server stores what it validated, so the two must agree.
 * The input is also masked as a string, which must give UTF-8 back. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[256], masked[256];
	size_t tlen = size < sizeof(text) - 1 ? size : sizeof(text) - 1;

	for (size_t i = 0; i < kind_count(); i++) {
		const kind_info *k = kind_at(i);
		Hearth__Record r = HEARTH__RECORD__INIT;
		record_error err;
		uint8_t *packed = NULL;
		size_t plen = 0;
		int rc;

		memset(&err, 0, sizeof(err));
		rc = record_validate_body(k, data, size, &err);
		if (rc == HEARTH_EINVAL) {
			if (err.message[0] == '\0' ||
			    memchr(err.message, 0, sizeof(err.message)) == NULL ||
			    utf8_chars(err.message, strlen(err.message)) < 0)
				abort();
			continue;
		}
		if (rc != 0)
			abort();
		if (record_set_body(&r, k, data, size) != 0)
			abort();
		if (record_pack_body(&r, &packed, &plen) != 0)
			abort();
		if (record_validate_body(k, packed, plen, &err) != 0)
			abort();
		free(packed);
		record_clear_body(&r);
	}

	memcpy(text, data, tlen);
	text[tlen] = '\0';
	record_mask(text, masked, sizeof(masked));
	if (utf8_chars(masked, strlen(masked)) < 0)
		abort();
	return 0;
}
