/* import.h: one CSV file or .xlsx workbook of one record kind, every cell
 * of every row checked, then stored in one local transaction or not at all
 * (import.c): the importer of `hearth KIND import` and of the web app's
 * 导入. The file formats are those of csv.h, text_encoding.h and
 * xlsx_read.h; each cell is read as field_input reads a typed value. */
#ifndef HEARTH_CORE_IMPORT_H
#define HEARTH_CORE_IMPORT_H

#include <stddef.h>

#include "client/core/replica.h"
#include "client/core/text_encoding.h"
#include "common/record.h"

/* One bad cell or row. Every pointer is valid only during the call. */
typedef struct import_problem {
	unsigned line;              /* CSV: the physical line; xlsx: the row number */
	const char *sheet;          /* xlsx: the sheet's name; CSV: NULL */
	char cell[16];              /* xlsx, a cell: "C5"; otherwise "" */
	const char *column;         /* the column as the header names it, or "row", "record", a field */
	const char *message;        /* one sentence */
} import_problem;

typedef void (*import_problem_fn)(void *ctx, const import_problem *p);

typedef struct import_options {
	const kind_info *k;
	replica *rep;               /* open; borrowed for the call */
	const char *branch;         /* the branch new records belong to */
	const char *name;           /* the file's name (NULL: unknown): "x.xlsx" reads as a workbook */
	text_encoding encoding;     /* a CSV file's; TEXT_ENC_AUTO detects UTF-8 or GB18030 */
	int dry_run;                /* check every row and store nothing */
	import_problem_fn problem;  /* told of every bad cell, in file order */
	void *problem_ctx;
} import_options;

typedef enum import_outcome {
	IMPORT_STORED = 0,          /* every row stored (added + updated of them) */
	IMPORT_CHECKED,             /* dry run: every row is good, nothing stored */
	IMPORT_BAD_ROWS,            /* bad_rows of rows are bad (each told); nothing stored */
	IMPORT_BAD_HEADER,          /* the header row is bad (told); nothing stored */
	IMPORT_EMPTY,               /* no data rows (rows: 0 none at all, 1 a header only) */
	IMPORT_UNREADABLE,          /* not a CSV or workbook hearth reads: err, at err_line if not 0 */
	IMPORT_FAILED,              /* the replica or memory failed: err; nothing stored */
} import_outcome;

typedef struct import_result {
	import_outcome outcome;
	int is_xlsx;
	size_t rows;                /* data rows of the file */
	size_t added, updated, unchanged, bad_rows, bad_cells;
	char **unknown;             /* headers that name no field (left out), n_unknown of them */
	size_t n_unknown;
	unsigned err_line;
	char err[1200];
} import_result;

/* Whether data (a file called name, which may be NULL) is an .xlsx workbook. */
int import_is_xlsx(const char *data, size_t len, const char *name);

/* Imports data[0..len) as o says. Returns 0 with res->outcome saying what
 * happened, or HEARTH_EIO when it is IMPORT_FAILED. Free res with
 * import_result_free whatever it returned. */
int import_data(const import_options *o, const char *data, size_t len, import_result *res);
void import_result_free(import_result *res);

#endif
