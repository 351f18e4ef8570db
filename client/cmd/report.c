/* report.c: `hearth report year`, one branch's year in figures
 * (client/core/yearly.c computes them) as a CJK-aligned table or JSON. */
#include "client/cmd/report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/due.h"
#include "client/core/values.h"
#include "client/core/yearly.h"
#include "client/ui/output.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"
#include "client/core/replica_meta.h"

static void value_text(const yearly_figure *f, char *out, size_t cap)
{
	char y[VALUE_YUAN_TEXT_MAX];

	switch (f->unit) {
	case YEARLY_FEN:
		value_yuan_format(f->value, y);
		snprintf(out, cap, "%s 元", y);
		break;
	case YEARLY_PERMILLE:
		if (f->value < 0)
			snprintf(out, cap, "-");
		else
			snprintf(out, cap, "%lld.%lld%%", (long long)(f->value / 10), (long long)(f->value % 10));
		break;
	default:
		snprintf(out, cap, "%lld", (long long)f->value);
		break;
	}
}

/* 光荣在党50年: the members, by join date, under the figures. */
static int print_veterans(const yearly_report *r)
{
	out_table *t;
	int rc = HEARTH_ENOMEM;

	if (!r->n_veterans)
		return 0;
	if (!(t = out_table_new()))
		return rc;
	printf("\n%s\n", _("Members 50 years or more in the Party by the end of the year (光荣在党50年)"));
	if (out_table_column(t, "姓名", 0, 0) || out_table_column(t, "入党日期", 0, 0) ||
	    out_table_column(t, "党龄", 0, 1))
		goto fail;
	for (size_t i = 0; i < r->n_veterans; i++) {
		char years[16];
		snprintf(years, sizeof(years), "%d", r->veterans[i].years);
		if (out_table_row(t) || out_table_cell(t, r->veterans[i].name) ||
		    out_table_cell(t, r->veterans[i].join_date) || out_table_cell(t, years))
			goto fail;
	}
	rc = out_table_print(t, stdout);
fail:
	out_table_free(t);
	return rc;
}

static int print_table(const yearly_report *r, const char *branch)
{
	out_table *t = out_table_new();
	int rc = HEARTH_ENOMEM;

	if (!t)
		return rc;
	printf("%d 年度工作统计（%s%s）\n", r->year, branch ? "支部 " : "",
	       branch ? branch : "全部支部");
	if (out_table_column(t, "类别", 0, 0) || out_table_column(t, "项目", 0, 0) ||
	    out_table_column(t, "数值", 0, 1))
		goto fail;
	for (size_t i = 0; i < r->n; i++) {
		const yearly_figure *f = &r->f[i];
		char item[160], v[64];

		if (f->group_label)
			snprintf(item, sizeof(item), "%s：%s", f->group_label, f->label);
		else
			snprintf(item, sizeof(item), "%s", f->label);
		value_text(f, v, sizeof(v));
		if (out_table_row(t) || out_table_cell(t, f->section_label) || out_table_cell(t, item) ||
		    out_table_cell(t, v))
			goto fail;
	}
	if ((rc = out_table_print(t, stdout)) != 0)
		goto fail;
	rc = print_veterans(r);
fail:
	out_table_free(t);
	return rc;
}

/* Sections and breakdowns become nested objects; money stays in fen (keys
 * end in _fen) and the rate is a "83.3%" string (null when nothing was due). */
static void print_json(const yearly_report *r, const char *branch)
{
	out_json j;
	const char *section = NULL, *group = NULL;

	out_json_init(&j, stdout);
	out_json_begin_object(&j);
	out_json_key(&j, "year");
	out_json_int(&j, r->year);
	out_json_key(&j, "branch");
	out_json_string(&j, branch);
	for (size_t i = 0; i < r->n; i++) {
		const yearly_figure *f = &r->f[i];

		if (group && (!f->group || strcmp(f->group, group) != 0 || f->section != section)) {
			out_json_end_object(&j);
			group = NULL;
		}
		if (f->section != section) {
			if (section)
				out_json_end_object(&j);
			out_json_key(&j, f->section);
			out_json_begin_object(&j);
			section = f->section;
		}
		if (f->group && !group) {
			out_json_key(&j, f->group);
			out_json_begin_object(&j);
			group = f->group;
		}
		out_json_key(&j, f->key);
		if (f->unit == YEARLY_PERMILLE) {
			char v[32];
			value_text(f, v, sizeof(v));
			if (f->value < 0)
				out_json_null(&j);
			else
				out_json_string(&j, v);
		} else {
			out_json_int(&j, f->value);
		}
	}
	if (group)
		out_json_end_object(&j);
	if (section)
		out_json_end_object(&j);
	out_json_key(&j, "fifty_years_members");
	out_json_begin_array(&j);
	for (size_t i = 0; i < r->n_veterans; i++) {
		char id[UUID_TEXT_LEN + 1];
		uuid_format(r->veterans[i].member, id);
		out_json_begin_object(&j);
		out_json_key(&j, "member");
		out_json_string(&j, id);
		out_json_key(&j, "name");
		out_json_string(&j, r->veterans[i].name);
		out_json_key(&j, "join_date");
		out_json_string(&j, r->veterans[i].join_date);
		out_json_key(&j, "years");
		out_json_int(&j, r->veterans[i].years);
		out_json_end_object(&j);
	}
	out_json_end_array(&j);
	out_json_end_object(&j);
	fputc('\n', stdout);
}

static void usage(FILE *f)
{
	fputs(_("usage: hearth report year [YYYY | --year YYYY] [--branch ID] [--json]\n\n"
	      "One branch's year in figures, from the local replica (works offline; sync\n"
	      "first for the latest): members by category, the hardship ledger (in the\n"
	      "ledger, new, closed, by type, status at year end), visits (count, 人次, by\n"
	      "occasion, cash and goods in yuan), talks by trigger, pairings (active at year\n"
	      "end, closed by outcome, notes), honors by title and awards, activities by\n"
	      "type, disclosures by category, dues (due, paid, collection rate) and\n"
	      "transfers in and out.\n\n"
	      "  YYYY, --year YYYY  the year (default: this year; HEARTH_TODAY=YYYY-MM-DD\n"
	      "                     sets \"today\")\n"
	      "  --branch ID        one branch of an admin replica (default: the replica's\n"
	      "                     own branch, or all)\n"
	      "  --json             nested JSON: sections, breakdowns, money in fen\n"
	      "exit status: 0 ok, 1 the replica could not be read, 2 bad usage.\n"), f);
}

static int parse_year(const char *s, int *year)
{
	if (strlen(s) != 4 || strspn(s, "0123456789") != 4 || atoi(s) < 1900 || atoi(s) > 2199)
		return HEARTH_EINVAL;
	*year = atoi(s);
	return 0;
}

int cmd_report(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "branch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *branch = NULL, *ytext = NULL;
	char err[1200] = "", own[128] = "", today_text[11];
	int json = 0, o, rc, year;
	int32_t today;
	due_snapshot snap;
	yearly_report rep;
	replica r;

	if (argc < 2 || strcmp(argv[1], "year") != 0) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage(stdout);
			return EXIT_OK;
		}
		if (argc >= 2)
			cli_error(_("report: unknown report \"%s\"; the one report is 'hearth report year'"),
			          argv[1]);
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 'y': ytext = optarg; break;
		case 'b': branch = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		case ':':
			cli_error(_("report year: %s needs a value; see 'hearth report --help'"), argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error(_("report year: unknown option \"%s\"; see 'hearth report --help'"),
			          argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc && !ytext) {
		ytext = argv[optind++];
	}
	if (optind < argc) {
		cli_error(_("report year: unexpected argument \"%s\"; see 'hearth report --help'"),
		          argv[optind]);
		return EXIT_USAGE;
	}
	if (due_today(&today, err, sizeof(err)) != 0) {
		cli_error(_("report year: %s"), err);
		return EXIT_USAGE;
	}
	date_format(today, today_text);
	year = atoi(today_text);
	if (ytext && parse_year(ytext, &year) != 0) {
		cli_error(_("report year: \"%s\" is not a year (YYYY, 1900 to 2199)"), ytext);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_profile(c)) != EXIT_OK)
		return rc;
	if (replica_open(&r, c->prof.home, err, sizeof(err)) != 0) {
		cli_error(_("report year: %s"), err[0] ? err : "cannot open the local replica");
		return EXIT_FAIL;
	}
	if (!branch && replica_meta_get_str(&r, "branch", own, sizeof(own)) == 0 && own[0])
		branch = own;
	rc = due_snapshot_load(&r, branch, &snap);
	replica_close(&r);
	if (rc != 0) {
		cli_error(_("report year: cannot read the local replica: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	rc = yearly_compute(&snap, branch, year, &rep);
	due_snapshot_free(&snap);
	if (rc != 0) {
		cli_error(_("report year: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	if (json)
		print_json(&rep, branch);
	else
		rc = print_table(&rep, branch);
	yearly_free(&rep);
	if (rc != 0) {
		cli_error(_("report year: cannot print the report: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
