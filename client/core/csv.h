/* csv.h: reading a CSV document (csv.c). The document owns every row
 * and cell; free it with csv_free. */
#ifndef HEARTH_CORE_CSV_H
#define HEARTH_CORE_CSV_H

#include <stddef.h>

/* Bounds applied before allocating. */
#define CSV_MAX_BYTES (64u << 20)   /* the whole file */
#define CSV_MAX_ROWS 200000u
#define CSV_MAX_FIELDS 256u         /* per row */

/* What a spreadsheet cell held before it became text (xlsx only). */
typedef enum csv_cell_type {
	CSV_CELL_TEXT = 0,      /* a string (every CSV cell) */
	CSV_CELL_NUMBER,        /* a number, as the sheet stored it ("4.40304E+17") */
	CSV_CELL_DATE,          /* a date serial with a date style, now YYYY-MM-DD */
} csv_cell_type;

typedef struct csv_row {
	char **cells;       /* NUL-terminated copies, owned by the document */
	size_t n;
	unsigned line;      /* the physical line the row starts on (1-based); xlsx: the row number */
	unsigned char *types; /* xlsx: a csv_cell_type per cell, owned by the document; CSV: NULL */
} csv_row;

typedef struct csv_doc {
	csv_row *rows;
	size_t n, cap;
	int had_bom;
} csv_doc;

/* Parses data[0..len) as CSV: an optional UTF-8 BOM, fields separated by
 * commas, quoted fields with doubled quotes and line breaks inside, rows
 * ending in CRLF, LF or CR; blank lines are skipped. The text must be valid
 * UTF-8. Returns 0, or HEARTH_EINVAL with *line and err (a sentence) set,
 * HEARTH_ETOOBIG (a bound above), HEARTH_ENOMEM. doc is empty on error;
 * free it with csv_free. */
int csv_parse(const char *data, size_t len, csv_doc *doc, unsigned *line, char *err, size_t cap);
void csv_free(csv_doc *doc);

/* Whether a cell starting with ch is one a spreadsheet runs as a formula
 * (= + - @, tab, CR): the rule out_csv_neutral_prefix (client/ui) writes
 * against and csv_unneutral reads back. */
int csv_formula_start(char ch);

/* For import: s without its first byte when s begins with a quote
 * followed by = + - @, tab, CR or a quote (what out_csv_neutral_prefix put
 * there); else s itself. Points into s; the caller keeps owning it. */
const char *csv_unneutral(const char *s);

#endif
