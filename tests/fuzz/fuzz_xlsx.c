/* fuzz_xlsx.c: libFuzzer driver that hands arbitrary bytes to the xlsx reader as a workbook file. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "client/core/xlsx_read.h"
#include "common/hearth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Besides crashes, leaks and sanitizer reports, the driver checks what the
 * reader promises: an error leaves the sheet empty with a sentence in err;
 * success gives rows in bounds whose cells are all strings and types. A
 * small part bound (1 MiB) keeps runs fast and makes the bomb path
 * reachable. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xlsx_read_opts o = { 1u << 20 };
	xlsx_sheet s;
	char err[512];
	int rc = xlsx_read(data, size, &o, &s, err, sizeof(err));

	if (rc != 0) {
		if (s.doc.n != 0 || s.doc.rows != NULL || err[0] == '\0')
			__builtin_trap();
		return 0;
	}
	if (s.doc.n > CSV_MAX_ROWS)
		__builtin_trap();
	for (size_t i = 0; i < s.doc.n; i++) {
		const csv_row *r = &s.doc.rows[i];
		if (r->n == 0 || r->n > CSV_MAX_FIELDS || !r->types)
			__builtin_trap();
		for (size_t k = 0; k < r->n; k++) {
			if (!r->cells[k] || r->types[k] > CSV_CELL_DATE)
				__builtin_trap();
			(void)strlen(r->cells[k]);
		}
	}
	xlsx_sheet_free(&s);
	return 0;
}
