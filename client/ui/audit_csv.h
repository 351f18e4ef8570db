/* audit_csv.h: the audit log as rows of a table for people and
 * spreadsheets (audit_csv.c): the columns and cells written by `hearth
 * audit export --csv` and by the 导出 of `hearth ui`'s auditor pages (CSV
 * and xlsx), each entry described by client/core/audit_text.h. */
#ifndef HEARTH_UI_AUDIT_CSV_H
#define HEARTH_UI_AUDIT_CSV_H

#include <stddef.h>

#include "client/ui/output.h"
#include "common/audit.h"
#include "common/record.h"

#define AUDIT_ROW_COLUMNS 10

/* The header of column i (< AUDIT_ROW_COLUMNS) in the reader's language.
 * Static. */
const char *audit_row_column(size_t i);

/* One entry's cells: seq, time, actor, role/branch, action, kind, record,
 * record branch, what changed or why, hash. cells[i] point into the row
 * (or into the entry, which must outlive the row); free with
 * audit_row_free. */
typedef struct audit_row {
	const char *cells[AUDIT_ROW_COLUMNS];
	char seq[24], time[64], actor[120], where[100], record[80], hash[2 * AUDIT_HASH_LEN + 1];
	char *summary;
} audit_row;

/* names (may be NULL) tells members by name in the summary. Returns 0 or
 * HEARTH_ENOMEM (nothing to free then). */
struct member_namer;
int audit_row_fill(audit_row *row, const Hearth__AuditEntry *e, struct member_namer *names);
void audit_row_free(audit_row *row);

/* The header row, in the reader's language. */
void audit_csv_header(out_csv *csv);

/* One entry as a CSV row. Returns 0 or HEARTH_ENOMEM (nothing written then). */
int audit_csv_row(out_csv *csv, const Hearth__AuditEntry *e, struct member_namer *names);

#endif
