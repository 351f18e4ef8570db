/* audit_csv.h: the audit log as CSV rows for people and spreadsheets
 * (audit_csv.c), written by `hearth audit export --csv` and by the 导出
 * of `hearth ui`'s auditor pages: the same columns, the same words (each
 * entry described by client/core/audit_text.h). */
#ifndef HEARTH_UI_AUDIT_CSV_H
#define HEARTH_UI_AUDIT_CSV_H

#include "client/ui/output.h"
#include "common/record.h"

/* The header row, in the reader's language. */
void audit_csv_header(out_csv *csv);

/* One entry as a row: seq, time, actor, role/branch, action, kind,
 * record, record branch, what changed or why, hash. Returns 0 or
 * HEARTH_ENOMEM (nothing written then). */
int audit_csv_row(out_csv *csv, const Hearth__AuditEntry *e);

#endif
