/* report.c: `hearth report year`, one branch's year in figures
 * (client/core/yearly.c computes them) as a CJK-aligned table, JSON or A4
 * HTML, and `hearth report ledger`, a branch's ledgers (client/core/
 * ledger.c) as a table or A4 HTML, sensitive fields masked unless
 * --reveal (audited). */
#include "client/cmd/report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/due_load.h"
#include "client/core/event_list.h"
#include "client/core/ledger.h"
#include "client/core/replica_events.h"
#include "common/yearly.h"
#include "client/ui/output.h"
#include "client/ui/print_html.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "client/core/branch_lookup.h"
#include "common/uuid.h"
#include "client/core/replica_meta.h"

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

static int print_table(const yearly_report *r, const char *branch, const char *name)
{
	out_table *t = out_table_new();
	int rc = HEARTH_ENOMEM;

	if (!t)
		return rc;
	printf("%d 年度工作统计（%s%s%s%s）\n", r->year, branch ? "支部 " : "",
	       branch ? branch : "全部支部", name[0] ? " " : "", name);
	if (out_table_column(t, "类别", 0, 0) || out_table_column(t, "项目", 0, 0) ||
	    out_table_column(t, "数值", 0, 1))
		goto fail;
	for (size_t i = 0; i < r->n; i++) {
		const yearly_figure *f = &r->f[i];
		char item[160], v[YEARLY_TEXT_MAX];

		if (f->group_label)
			snprintf(item, sizeof(item), "%s：%s", f->group_label, f->label);
		else
			snprintf(item, sizeof(item), "%s", f->label);
		yearly_value_text(f, v);
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
			char v[YEARLY_TEXT_MAX];
			yearly_value_text(f, v);
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
	fputs(_("usage: hearth report year [YYYY | --year YYYY] [--branch ID] [--json | --html FILE]\n"
	      "       hearth report ledger hardship|visits|talks|pairings [--year YYYY] [--branch ID]\n"
	      "                            [--html FILE] [--reveal]\n\n"
	      "year: one branch's year in figures, from the local replica (works offline;\n"
	      "sync first for the latest): members by category and 光荣在党50年 (50 years\n"
	      "or more in the Party by 31 December, listed by name), the hardship ledger\n"
	      "(in the ledger, new, closed, by type, status at year end), visits (count,\n"
	      "人次, by occasion, cash and goods in yuan, each by fund source), talks by\n"
	      "trigger, pairings (active at year end, closed by outcome, notes), honors by\n"
	      "title and awards (approved or awarded; a nominated honor counts nowhere, as\n"
	      "in 'hearth admin stats'), activities by type, disclosures by category, dues\n"
	      "(due, paid, collection rate) and transfers in and out.\n"
	      "ledger: a printable ledger of the year: 困难党员台账 (hardship, with age and\n"
	      "党龄), 走访慰问登记表 (visits), 谈心谈话记录 (talks) or 结对帮扶情况\n"
	      "(pairings); members by name, money in yuan. Sensitive fields (income,\n"
	      "household, health, talk content) are masked unless --reveal, which is\n"
	      "recorded in the audit log at the next sync, as is every --html file.\n\n"
	      "  YYYY, --year YYYY  the year (default: this year; HEARTH_TODAY=YYYY-MM-DD\n"
	      "                     sets \"today\")\n"
	      "  --branch ID        one branch of an admin replica (default: the replica's\n"
	      "                     own branch, or all)\n"
	      "  --json             nested JSON: sections, breakdowns, money in fen\n"
	      "  --html FILE        one self-contained HTML file to print on A4\n"
	      "  --reveal           ledger: show sensitive fields unmasked (audited)\n"
	      "exit status: 0 ok, 1 the replica could not be read or the file written,\n"
	      "2 bad usage.\n"), f);
}

static int parse_year(const char *s, int *year)
{
	if (strlen(s) != 4 || strspn(s, "0123456789") != 4 || atoi(s) < 1900 || atoi(s) > 2199)
		return HEARTH_EINVAL;
	*year = atoi(s);
	return 0;
}

/* What both reports take from the command line. */
typedef struct report_opts {
	const char *what;            /* "year" or "ledger" */
	const char *branch, *ytext, *html, *target;
	int json, reveal, year;
	int32_t today;
	char today_text[11];
	char typed_id[128];          /* --branch given by name, resolved to its id */
	char bname[256];             /* the branch's name when the replica knows it */
	char label[400];             /* branch_label's text */
} report_opts;

static int parse_opts(int argc, char **argv, report_opts *ro)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "branch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "reveal", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256] = "";
	int o;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 'y': ro->ytext = optarg; break;
		case 'b': ro->branch = optarg; break;
		case 'j': ro->json = 1; break;
		case 'H': ro->html = optarg; break;
		case 'r': ro->reveal = 1; break;
		case 'h': usage(stdout); return -1;
		case ':':
			cli_error(_("report %s: %s needs a value; see 'hearth report --help'"), ro->what,
			          argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error(_("report %s: unknown option \"%s\"; see 'hearth report --help'"), ro->what,
			          argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (!strcmp(ro->what, "ledger") && optind < argc)
		ro->target = argv[optind++];
	if (optind < argc && !ro->ytext)
		ro->ytext = argv[optind++];
	if (optind < argc) {
		cli_error(_("report %s: unexpected argument \"%s\"; see 'hearth report --help'"), ro->what,
		          argv[optind]);
		return EXIT_USAGE;
	}
	if (ro->json && ro->html) {
		cli_error(_("report %s: --json and --html: choose one"), ro->what);
		return EXIT_USAGE;
	}
	if (ro->html && !ro->html[0]) {
		cli_error(_("report %s: --html needs a file name"), ro->what);
		return EXIT_USAGE;
	}
	if (due_today(&ro->today, err, sizeof(err)) != 0) {
		cli_error(_("report %s: %s"), ro->what, err);
		return EXIT_USAGE;
	}
	date_format(ro->today, ro->today_text);
	ro->year = atoi(ro->today_text);
	if (ro->ytext && parse_year(ro->ytext, &ro->year) != 0) {
		cli_error(_("report %s: \"%s\" is not a year (YYYY, 1900 to 2199)"), ro->what, ro->ytext);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The branch as a page names it: "第一支部（b001）", the id alone when the
 * replica has no name for it, or all branches. */
static const char *branch_label(report_opts *ro)
{
	if (!ro->branch)
		return _("all branches");
	if (!ro->bname[0])
		return ro->branch;
	snprintf(ro->label, sizeof(ro->label), "%s（%s）", ro->bname, ro->branch);
	return ro->label;
}

/* Opens the replica and loads the branch's records (the replica's own
 * branch unless --branch). On EXIT_OK the replica stays open. */
static int load(cli *c, report_opts *ro, replica *r, due_snapshot *snap, char *own, size_t own_cap)
{
	char err[1200] = "";
	int rc;

	if ((rc = cli_load_profile(c)) != EXIT_OK)
		return rc;
	if (replica_open(r, c->prof.home, err, sizeof(err)) != 0) {
		cli_error(_("report %s: %s"), ro->what, err[0] ? err : _("cannot open the local replica"));
		return EXIT_FAIL;
	}
	if (ro->branch) {
		char why[2400];
		int sc = branch_resolve(r, ro->branch, ro->typed_id, sizeof(ro->typed_id), why, sizeof(why));
		if (sc == 0) {
			ro->branch = ro->typed_id;
			sc = replica_scope_check(r, ro->branch, why, sizeof(why));
		}
		if (sc != 0) {
			replica_close(r);
			if (sc < 0)
				cli_error(_("%s: cannot read the local replica: %s"), "report", _(hearth_strerror(sc)));
			else
				cli_error("%s: %s", "report", why);
			return sc < 0 ? EXIT_FAIL : EXIT_USAGE;
		}
	}
	if (!ro->branch && replica_meta_get_str(r, "branch", own, own_cap) == 0 && own[0])
		ro->branch = own;
	if (ro->branch)
		branch_name_of(r, ro->branch, ro->bname, sizeof(ro->bname));
	if ((rc = due_snapshot_load(r, ro->branch, snap)) != 0) {
		replica_close(r);
		cli_error(_("report %s: cannot read the local replica: %s"), ro->what, _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int write_year(FILE *f, void *ctx)
{
	const void *const *a = ctx;
	return print_html_year(f, a[0], a[1]);
}

static int report_year(cli *c, int argc, char **argv)
{
	report_opts ro = { .what = "year" };
	char own[128] = "", err[1200];
	due_snapshot snap;
	yearly_report rep;
	replica r;
	int rc;

	if ((rc = parse_opts(argc, argv, &ro)) != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = load(c, &ro, &r, &snap, own, sizeof(own))) != EXIT_OK)
		return rc;
	replica_close(&r);
	rc = yearly_compute(&snap, ro.branch, ro.year, &rep);
	due_snapshot_free(&snap);
	if (rc != 0) {
		cli_error(_("report year: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	if (ro.html) {
		print_info info = { branch_label(&ro), ro.today_text, NULL };
		const void *ctx[2] = { &rep, &info };
		rc = print_html_file(ro.html, write_year, ctx, err, sizeof(err));
		yearly_free(&rep);
		if (rc != 0) {
			cli_error(_("report year: %s"), err);
			return EXIT_FAIL;
		}
		printf(_("wrote %s: the year %d of %s\n"), ro.html, ro.year, info.branch);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	if (ro.json)
		print_json(&rep, ro.branch);
	else
		rc = print_table(&rep, ro.branch, ro.bname);
	yearly_free(&rep);
	if (rc != 0) {
		cli_error(_("report year: cannot print the report: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

/* The audit's record of what a ledger shows: one reveal event per record
 * whose sensitive fields it shows in clear, and for a file an export
 * event (naming the sensitive fields only when revealed). Queued before
 * anything is printed or written; refused means nothing is shown. */
static int queue_ledger_events(replica *r, const ledger *l, const report_opts *ro)
{
	const kind_info *k = kind_find(ledger_record_kind(l->kind));
	event_list ev = { 0 };
	char detail[160];
	int rc = 0;

	snprintf(detail, sizeof(detail), "report ledger %s%s%s", ro->target, ro->html ? " --html" : "",
	         ro->reveal ? " --reveal" : "");
	for (size_t i = 0; ro->reveal && rc == 0 && i < l->n_rows; i++)
		rc = event_list_add(&ev, "reveal", k, l->recs[i]->id.data, l->recs[i]->branch_id,
		                    record_body(l->recs[i]), 0, detail);
	if (rc == 0 && ro->html) {
		rc = event_list_add(&ev, "export", k, NULL, ro->branch ? ro->branch : "", NULL,
		                    (uint32_t)l->n_rows, detail);
		if (rc == 0 && !ro->reveal)
			ev.ev[ev.n - 1]->n_fields = 0;   /* nothing sensitive in it */
	}
	if (rc == 0 && ev.n)
		rc = replica_queue_events(r, ev.ev, ev.n);
	event_list_free(&ev);
	if (rc != 0)
		cli_error(_("report ledger: cannot record the reveal/export in the local replica (%s); "
		            "nothing was shown"), _(hearth_strerror(rc)));
	return rc;
}

static int print_ledger(const ledger *l)
{
	out_table *t = out_table_new();
	int rc = HEARTH_ENOMEM;

	if (!t)
		return rc;
	printf("%s（%d年度）\n", l->title, l->year);
	for (size_t c = 0; c < l->n_cols; c++)
		if (out_table_column(t, l->cols[c], 0, c == 0))
			goto fail;
	for (size_t r = 0; r < l->n_rows; r++) {
		if (out_table_row(t))
			goto fail;
		for (size_t c = 0; c < l->n_cols; c++)
			if (out_table_cell(t, ledger_cell(l, r, c)))
				goto fail;
	}
	if (l->total) {
		if (out_table_row(t))
			goto fail;
		for (size_t c = 0; c < l->n_cols; c++)
			if (out_table_cell(t, l->total[c] ? l->total[c] : ""))
				goto fail;
	}
	rc = l->n_rows ? out_table_print(t, stdout) : (printf("%s\n", _("no records in that year")), 0);
fail:
	out_table_free(t);
	return rc;
}

static int write_ledger(FILE *f, void *ctx)
{
	const void *const *a = ctx;
	return print_html_ledger(f, a[0], a[1]);
}

static int report_ledger(cli *c, int argc, char **argv)
{
	report_opts ro = { .what = "ledger" };
	char own[128] = "", err[1200];
	enum ledger_kind kind;
	due_snapshot snap;
	ledger l;
	replica r;
	int rc;

	if ((rc = parse_opts(argc, argv, &ro)) != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if (!ro.target) {
		cli_error(_("report ledger: which ledger? hardship (困难党员台账), visits (走访慰问登记表), "
		            "talks (谈心谈话记录) or pairings (结对帮扶情况)"));
		return EXIT_USAGE;
	}
	if (ledger_kind_parse(ro.target, &kind) != 0) {
		cli_error(_("report ledger: unknown ledger \"%s\"; choose hardship, visits, talks or pairings"),
		          ro.target);
		return EXIT_USAGE;
	}
	if (ro.json) {
		cli_error(_("report ledger: --json is not offered; use 'hearth %s list --json'"),
		          kind_find(ledger_record_kind(kind))->name);
		return EXIT_USAGE;
	}
	if ((rc = load(c, &ro, &r, &snap, own, sizeof(own))) != EXIT_OK)
		return rc;
	rc = ledger_build(&snap, kind, ro.year, ro.today, ro.reveal ? VALUE_REVEALED : VALUE_MASKED, &l);
	if (rc != 0) {
		cli_error(_("report ledger: %s"), _(hearth_strerror(rc)));
		rc = EXIT_FAIL;
		goto close;
	}
	if (queue_ledger_events(&r, &l, &ro) != 0) {
		rc = EXIT_FAIL;
		goto free_ledger;
	}
	if (ro.html) {
		print_info info = { branch_label(&ro), ro.today_text,
		                    ro.reveal ? "含敏感信息，注意保管" : "敏感信息已遮蔽" };
		const void *ctx[2] = { &l, &info };
		if (print_html_file(ro.html, write_ledger, ctx, err, sizeof(err)) != 0) {
			cli_error(_("report ledger: %s"), err);
			rc = EXIT_FAIL;
			goto free_ledger;
		}
		printf(P_("wrote %s: %s, %d, %zu record (recorded in the audit log at the next sync)\n",
		          "wrote %s: %s, %d, %zu records (recorded in the audit log at the next sync)\n",
		          l.n_rows),
		       ro.html, l.title, ro.year, l.n_rows);
		rc = EXIT_OK;
	} else {
		rc = print_ledger(&l) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	if (rc == EXIT_OK && ro.reveal && l.n_rows)
		fprintf(stderr, P_("hearth: revealed sensitive fields of %zu record (recorded in the audit log "
		                   "at the next sync)\n",
		                   "hearth: revealed sensitive fields of %zu records (recorded in the audit log "
		                   "at the next sync)\n",
		                   l.n_rows),
		        l.n_rows);
	if (rc == EXIT_OK && fflush(stdout) != 0)
		rc = EXIT_FAIL;
free_ledger:
	ledger_free(&l);
close:
	due_snapshot_free(&snap);
	replica_close(&r);
	return rc;
}

int cmd_report(cli *c, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "year"))
		return report_year(c, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "ledger"))
		return report_ledger(c, argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc >= 2)
		cli_error(_("report: unknown report \"%s\"; the reports are 'hearth report year' and "
		            "'hearth report ledger'"),
		          argv[1]);
	else
		usage(stderr);
	return EXIT_USAGE;
}
