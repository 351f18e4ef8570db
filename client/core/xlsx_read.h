/* xlsx_read.h: the first worksheet of an .xlsx workbook as rows of text
 * cells (xlsx_read.c), for `hearth KIND import FILE.xlsx`. The result is a
 * csv_doc (csv.h), so one importer serves both formats. */
#ifndef HEARTH_CORE_XLSX_READ_H
#define HEARTH_CORE_XLSX_READ_H

#include <stddef.h>

#include "client/core/csv.h"

/* Bounds against hostile files (zip bombs), checked while inflating: no
 * size a zip header claims is trusted. */
#define XLSX_MAX_ENTRIES 1000u          /* entries in the zip */
#define XLSX_MAX_PART (64u << 20)       /* one part (sheet, shared strings) uncompressed */
#define XLSX_MAX_TOTAL (128u << 20)     /* every part read, uncompressed */
#define XLSX_MAX_STRINGS 1000000u       /* shared strings */

/* The sheet read and what it was called (for cell references: members!C5). */
typedef struct xlsx_sheet {
	csv_doc doc;          /* rows by row number (line), cells by column (A = 0); owned */
	char name[128];       /* the sheet's name, UTF-8 */
} xlsx_sheet;

/* Options of one read; zero is the default. */
typedef struct xlsx_read_opts {
	size_t max_part;      /* 0: XLSX_MAX_PART (tests use less) */
} xlsx_read_opts;

/* Reads data[0..len) (the bytes of an .xlsx file) into sheet: the first
 * sheet of the workbook; shared strings (rich text runs joined, phonetic
 * runs dropped), inline strings and formula results become their text;
 * numbers their text as stored (CSV_CELL_NUMBER); a number in a cell with
 * a date style (built-in or custom format) becomes YYYY-MM-DD
 * (CSV_CELL_DATE; 1900 or 1904 date system); booleans 1 or 0. Empty rows
 * are left out; a row's missing cells are "". XML with a DTD (entities) is
 * refused. Returns 0; HEARTH_EINVAL (not a workbook, a part missing or
 * broken) or HEARTH_ETOOBIG (a bound above, or CSV_MAX_ROWS/CSV_MAX_FIELDS)
 * with err (a sentence) set; HEARTH_ENOMEM. On error sheet->doc is empty.
 * Free with xlsx_sheet_free. */
int xlsx_read(const void *data, size_t len, const xlsx_read_opts *opts, xlsx_sheet *sheet,
              char *err, size_t cap);
void xlsx_sheet_free(xlsx_sheet *sheet);

/* Writes the column letters of col (0 = A, 26 = AA) into out (at least 8
 * bytes). */
void xlsx_col_name(size_t col, char *out);

/* True when data starts like a zip file (PK\3\4), as every .xlsx does. */
int xlsx_looks_like(const void *data, size_t len);

#endif
