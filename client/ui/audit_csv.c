/* audit_csv.c: one audit entry as one CSV row, and the header above the
 * rows, for every export of the log that a spreadsheet opens. */
#include "client/ui/audit_csv.h"

#include <stdio.h>
#include <stdlib.h>

#include "client/core/audit_text.h"
#include "client/core/witness.h"
#include "common/audit.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* The CSV columns, for people and spreadsheets; JSON lines keep every field. */
static const char *const columns[] = {
	N_("seq"), N_("time"), N_("actor"), N_("role/branch"), N_("action"), N_("kind"),
	N_("record"), N_("record branch"), N_("what changed or why"), N_("hash"),
};

void audit_csv_header(out_csv *csv)
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(columns); i++)
		out_csv_field(csv, _(columns[i]));
	out_csv_end_row(csv);
}

int audit_csv_row(out_csv *csv, const Hearth__AuditEntry *e)
{
	const kind_info *k = kind_find(e->kind);
	char seq[24], t[64], actor[120], rb[100], rid[80] = "", hash[2 * AUDIT_HASH_LEN + 1] = "";
	char *sum = audq_summary(e);

	if (!sum)
		return HEARTH_ENOMEM;
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)e->seq);
	witness_time(e->time, t, sizeof(t));
	audq_who(e, actor, sizeof(actor));
	audq_role_branch(e, rb, sizeof(rb));
	if (e->record_id.len)
		audq_id_text(&e->record_id, rid, sizeof(rid));
	audq_hex_of(&e->hash, hash, sizeof(hash));
	out_csv_field(csv, seq);
	out_csv_field(csv, t);
	out_csv_field(csv, actor);
	out_csv_field(csv, rb);
	out_csv_field(csv, e->action);
	out_csv_field(csv, k ? k->label : "");
	out_csv_field(csv, rid);
	out_csv_field(csv, e->branch_id);
	out_csv_field(csv, sum);
	out_csv_field(csv, hash);
	out_csv_end_row(csv);
	free(sum);
	return 0;
}
