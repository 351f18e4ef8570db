/* audit_csv.c: one audit entry as the cells of one row, the header above
 * the rows, and the CSV of them, for every export of the log that a
 * spreadsheet opens. */
#include "client/ui/audit_csv.h"

#include <stdio.h>
#include <stdlib.h>

#include "client/core/audit_text.h"
#include "client/core/witness.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* The columns, for people and spreadsheets; JSON lines keep every field. */
static const char *const columns[AUDIT_ROW_COLUMNS] = {
	N_("seq"), N_("time"), N_("actor"), N_("role/branch"), N_("action"), N_("kind"),
	N_("record"), N_("record branch"), N_("what changed or why"), N_("hash"),
};

const char *audit_row_column(size_t i)
{
	return i < AUDIT_ROW_COLUMNS ? _(columns[i]) : "";
}

int audit_row_fill(audit_row *row, const Hearth__AuditEntry *e, struct member_namer *names)
{
	const kind_info *k = kind_find(e->kind);

	row->summary = audq_summary(e, names);
	if (!row->summary)
		return HEARTH_ENOMEM;
	snprintf(row->seq, sizeof(row->seq), "%llu", (unsigned long long)e->seq);
	witness_time(e->time, row->time, sizeof(row->time));
	audq_who(e, row->actor, sizeof(row->actor));
	audq_role_branch(e, row->where, sizeof(row->where));
	row->record[0] = '\0';
	if (e->record_id.len)
		audq_id_text(&e->record_id, row->record, sizeof(row->record));
	row->hash[0] = '\0';
	audq_hex_of(&e->hash, row->hash, sizeof(row->hash));
	row->cells[0] = row->seq;
	row->cells[1] = row->time;
	row->cells[2] = row->actor;
	row->cells[3] = row->where;
	row->cells[4] = e->action;
	row->cells[5] = k ? k->label : "";
	row->cells[6] = row->record;
	row->cells[7] = e->branch_id;
	row->cells[8] = row->summary;
	row->cells[9] = row->hash;
	return 0;
}

void audit_row_free(audit_row *row)
{
	free(row->summary);
	row->summary = NULL;
}

void audit_csv_header(out_csv *csv)
{
	for (size_t i = 0; i < AUDIT_ROW_COLUMNS; i++)
		out_csv_field(csv, audit_row_column(i));
	out_csv_end_row(csv);
}

int audit_csv_row(out_csv *csv, const Hearth__AuditEntry *e, struct member_namer *names)
{
	audit_row row;

	if (audit_row_fill(&row, e, names) != 0)
		return HEARTH_ENOMEM;
	for (size_t i = 0; i < AUDIT_ROW_COLUMNS; i++)
		out_csv_field(csv, row.cells[i]);
	out_csv_end_row(csv);
	audit_row_free(&row);
	return 0;
}
