/* stats_print.c: the branch statistics (client/core/stats.c) as terminal
 * tables, JSON or CSV, for `hearth admin stats`. */
#include "client/ui/stats_print.h"

#include <stdio.h>
#include <string.h>

#include "client/ui/output.h"
#include "common/hearth.h"
#include "common/i18n.h"

static const char *const group_titles[] = {
	"党员",
	"困难党员台账（按状态）",
	"困难党员台账（在册和帮扶中的条目，按类型）",
	"关怀（%d年）",
	"党费（%d年）和逾期事项（截至今天）",
};

static int print_group(const stats *s, FILE *f, int group)
{
	size_t n;
	const stats_column *cols = stats_columns(&n);
	out_table *t = out_table_new();
	char cell[64];
	int rc = HEARTH_ENOMEM;

	if (!t)
		return HEARTH_ENOMEM;
	if (out_table_column(t, "支部", 16, 0) || out_table_column(t, "名称", 20, 0))
		goto done;
	for (size_t i = 0; i < n; i++)
		if (cols[i].group == group && out_table_column(t, cols[i].label, 0, 1))
			goto done;
	/* The branches, then a subtotal per general branch (党总支 小计: it and
	 * every branch below it), then the committee's total. */
	for (size_t r = 0; r <= s->n + s->n_sub; r++) {
		const stats_row *row = r < s->n ? &s->rows[r] : r < s->n + s->n_sub ? &s->subtotals[r - s->n] : &s->total;
		char label[96];
		if (r < s->n)
			snprintf(label, sizeof(label), "%s", row->branch);
		else if (r < s->n + s->n_sub)
			snprintf(label, sizeof(label), "%s 小计", row->branch);
		else
			snprintf(label, sizeof(label), "合计");
		if (out_table_row(t) || out_table_cell(t, label) || out_table_cell(t, r == s->n + s->n_sub ? "" : row->name))
			goto done;
		for (size_t i = 0; i < n; i++) {
			if (cols[i].group != group)
				continue;
			stats_cell(&cols[i], row, cell, sizeof(cell));
			if (out_table_cell(t, cell))
				goto done;
		}
	}
	fprintf(f, group_titles[group], s->year);
	fputc('\n', f);
	rc = out_table_print(t, f);
done:
	out_table_free(t);
	return rc;
}

int stats_print_table(const stats *s, FILE *f)
{
	for (int g = 0; g < (int)HEARTH_ARRAY_LEN(group_titles); g++) {
		int rc;
		if (g)
			fputc('\n', f);
		if ((rc = print_group(s, f, g)) != 0)
			return rc;
	}
	fputc('\n', f);
	if (s->from_committee)
		fputs(_("Source: computed by the server over its records, as of now.\n"), f);
	else if (s->from_server)
		fputs(_("Source: the server's counters, as of now. Overdue items (-) are counted on a "
		        "synced replica: hearth due.\n"), f);
	else
		fputs(_("Source: this replica's records.\n"), f);
	return ferror(f) ? HEARTH_EIO : 0;
}

int stats_print_json(const stats *s, FILE *f)
{
	size_t n;
	const stats_column *cols = stats_columns(&n);

	fputc('[', f);
	for (size_t r = 0; r < s->n; r++) {
		const stats_row *row = &s->rows[r];
		fputs(r ? ",{\"branch\":" : "{\"branch\":", f);
		out_json_quote(f, row->branch);
		fputs(",\"name\":", f);
		out_json_quote(f, row->name);
		fprintf(f, ",\"year\":%d", s->year);
		fprintf(f, ",\"source\":\"%s\"", s->from_server ? "server" : "replica");
		for (size_t i = 0; i < n; i++) {
			fprintf(f, ",\"%s\":", cols[i].key);
			if (row->no_overdue && stats_column_is_overdue(&cols[i])) {
				fputs("null", f);
			} else if (cols[i].type == STATS_PERCENT) {
				double p = stats_percent(row->v[cols[i].fig], row->v[cols[i].den]);
				if (p < 0)
					fputs("null", f);
				else
					fprintf(f, "%.1f", p);
			} else {
				fprintf(f, "%lld", (long long)row->v[cols[i].fig]);
			}
		}
		fputc('}', f);
	}
	fputs("]\n", f);
	return ferror(f) ? HEARTH_EIO : 0;
}

int stats_print_csv(const stats *s, FILE *f, int bom)
{
	size_t n;
	const stats_column *cols = stats_columns(&n);
	out_csv c;
	char cell[64];

	out_csv_init(&c, f, bom);
	out_csv_field(&c, "支部");
	out_csv_field(&c, "名称");
	for (size_t i = 0; i < n; i++)
		out_csv_field(&c, cols[i].label);
	out_csv_end_row(&c);
	for (size_t r = 0; r <= s->n; r++) {
		const stats_row *row = r < s->n ? &s->rows[r] : &s->total;
		out_csv_field(&c, r < s->n ? row->branch : "合计");
		out_csv_field(&c, r < s->n ? row->name : "");
		for (size_t i = 0; i < n; i++) {
			stats_cell(&cols[i], row, cell, sizeof(cell));
			/* Excel reads "66.7%" as a percentage; keep the sign out of
			 * money so it stays a number. */
			out_csv_field(&c, cell[0] == '-' && !cell[1] ? "" : cell);
		}
		out_csv_end_row(&c);
	}
	return ferror(f) ? HEARTH_EIO : 0;
}
