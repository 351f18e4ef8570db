/* xlsx_write.h: a table written as an .xlsx workbook (xlsx_write.c, on
 * libxlsxwriter): typed columns, Chinese headers, widths that fit. */
#ifndef HEARTH_UI_XLSX_WRITE_H
#define HEARTH_UI_XLSX_WRITE_H

#include <stddef.h>

/* What a column holds; it decides how a cell's text is written. Text that
 * does not read as the column's type (a masked "***" in a money column) is
 * written as text. */
typedef enum xlsx_col_type {
	XLSX_COL_TEXT = 0,   /* a string cell in a Text (@) column: id cards and phones keep every digit */
	XLSX_COL_MONEY,      /* "12.50" (yuan) -> the number 12.5 shown as 0.00 */
	XLSX_COL_INT,        /* "2026" -> a number */
	XLSX_COL_DATE,       /* "1946-03-15" -> a date serial shown as yyyy-mm-dd */
} xlsx_col_type;

typedef struct xlsx_writer xlsx_writer;

/* Starts a workbook at path with one sheet (sheet_name, UTF-8; cut to
 * Excel's 31 characters). Nothing is written until xlsx_writer_close.
 * Returns 0, HEARTH_ENOMEM, HEARTH_EIO (err says why). The writer is the
 * caller's until xlsx_writer_close, which frees it. */
int xlsx_writer_open(const char *path, const char *sheet_name, xlsx_writer **out, char *err,
                     size_t cap);

/* Adds a column (header row, bold, frozen). Every column comes before the
 * first row. Returns 0, HEARTH_EINVAL (rows already written), HEARTH_ENOMEM. */
int xlsx_writer_column(xlsx_writer *w, const char *header, xlsx_col_type type);

/* Starts the next row; cells follow left to right with xlsx_writer_cell
 * (NULL or "" leaves the cell empty). Returns 0 or HEARTH_EINVAL (more
 * cells than columns, more rows than a sheet holds). */
int xlsx_writer_row(xlsx_writer *w);
int xlsx_writer_cell(xlsx_writer *w, const char *text);

/* Sets the column widths, writes the file and frees w (also after an
 * error). Returns 0, or HEARTH_EIO with err set (the file could not be
 * written). */
int xlsx_writer_close(xlsx_writer *w, char *err, size_t cap);

#endif
