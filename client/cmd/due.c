/* due.c: `hearth due`, what a branch owes its members (client/core/due.c
 * computes it) as a table or JSON. */
#include "client/cmd/due.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/due_load.h"
#include "client/core/values.h"
#include "client/ui/output.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"
#include "client/core/branch_lookup.h"
#include "client/core/replica_meta.h"

static void print_json(const due_report *r, const char *branch)
{
	out_json j;
	char d[11], id[UUID_TEXT_LEN + 1];

	out_json_init(&j, stdout);
	out_json_begin_object(&j);
	date_format(r->today, d);
	out_json_key(&j, "today");
	out_json_string(&j, d);
	out_json_key(&j, "branch");
	out_json_string(&j, branch);
	out_json_key(&j, "thresholds");
	out_json_begin_object(&j);
	out_json_key(&j, "visit_gap_days");
	out_json_int(&j, r->cfg.visit_gap_days);
	out_json_key(&j, "talk_window_days");
	out_json_int(&j, r->cfg.talk_window_days);
	out_json_key(&j, "talk_lookback_days");
	out_json_int(&j, r->cfg.talk_lookback_days);
	out_json_key(&j, "note_gap_days");
	out_json_int(&j, r->cfg.note_gap_days);
	out_json_key(&j, "dues_months");
	out_json_int(&j, r->cfg.dues_months);
	out_json_key(&j, "contact_gap_days");
	out_json_int(&j, r->cfg.contact_gap_days);
	out_json_end_object(&j);
	out_json_key(&j, "counts");
	out_json_begin_object(&j);
	for (int w = 0; w < DUE_WHAT_COUNT; w++) {
		out_json_key(&j, due_what_name((enum due_what)w));
		out_json_uint(&j, r->counts[w]);
	}
	out_json_key(&j, "talk_overdue");
	out_json_uint(&j, r->talks_overdue);
	out_json_key(&j, "total");
	out_json_uint(&j, r->n_items);
	out_json_end_object(&j);
	out_json_key(&j, "items");
	out_json_begin_array(&j);
	for (size_t i = 0; i < r->n_items; i++) {
		const due_item *it = &r->items[i];
		out_json_begin_object(&j);
		out_json_key(&j, "what");
		out_json_string(&j, due_what_name(it->what));
		out_json_key(&j, "member");
		uuid_format(it->member, id);
		out_json_string(&j, id);
		out_json_key(&j, "member_name");
		out_json_string(&j, it->member_name);
		out_json_key(&j, "record");
		uuid_format(it->record, id);
		out_json_string(&j, id);
		out_json_key(&j, "reason");
		out_json_string(&j, it->reason);
		out_json_key(&j, "since");
		date_format(it->since, d);
		out_json_string(&j, d);
		out_json_key(&j, "days");
		out_json_int(&j, it->days);
		if (it->what == DUE_TALK) {
			out_json_key(&j, "deadline");
			date_format(it->deadline, d);
			out_json_string(&j, d);
		}
		out_json_key(&j, "overdue");
		out_json_bool(&j, it->overdue);
		if (it->what == DUE_DUES || it->what == DUE_DUES_MISSING) {
			out_json_key(&j, "months");
			out_json_uint(&j, it->months);
		}
		if (it->what == DUE_DUES) {
			out_json_key(&j, "amount_fen");
			out_json_int(&j, it->amount);
		}
		out_json_key(&j, "detail");
		out_json_string(&j, it->detail);
		out_json_end_object(&j);
	}
	out_json_end_array(&j);
	out_json_key(&j, "campaigns");
	out_json_begin_array(&j);
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(r->campaigns); i++) {
		const due_campaign *cp = &r->campaigns[i];
		char name[64];
		enum_short_name(&hearth__visit_occasion__descriptor, cp->occasion, name, sizeof(name));
		out_json_begin_object(&j);
		out_json_key(&j, "occasion");
		out_json_string(&j, name);
		out_json_key(&j, "label");
		out_json_string(&j, enum_label(&hearth__visit_occasion__descriptor, cp->occasion));
		out_json_key(&j, "year");
		out_json_int(&j, r->year);
		out_json_key(&j, "visited");
		out_json_uint(&j, cp->visited);
		out_json_key(&j, "total");
		out_json_uint(&j, cp->total);
		out_json_key(&j, "missing");
		out_json_begin_array(&j);
		for (size_t k = 0; k < cp->n_missing; k++)
			out_json_string(&j, cp->missing[k]);
		out_json_end_array(&j);
		out_json_end_object(&j);
	}
	out_json_end_array(&j);
	out_json_end_object(&j);
	fputc('\n', stdout);
}

static int print_table(const due_report *r)
{
	out_table *t = out_table_new(), *ct = NULL;
	char d[11], num[32];
	int rc = HEARTH_ENOMEM;

	if (!t)
		return rc;
	date_format(r->today, d);
	printf("应办事项（截至 %s）\n", d);
	if (r->n_items == 0) {
		printf("没有应办事项\n");
	} else {
		if (out_table_column(t, "事项", 0, 0) || out_table_column(t, "党员", 16, 0) ||
		    out_table_column(t, "事由", 30, 0) || out_table_column(t, "起算日期", 0, 0) ||
		    out_table_column(t, "天数", 0, 1) || out_table_column(t, "说明", 0, 0))
			goto fail;
		for (size_t i = 0; i < r->n_items; i++) {
			const due_item *it = &r->items[i];
			date_format(it->since, d);
			snprintf(num, sizeof(num), "%d", (int)it->days);
			if (out_table_row(t) || out_table_cell(t, due_what_label(it->what)) ||
			    out_table_cell(t, it->member_name) || out_table_cell(t, it->reason) ||
			    out_table_cell(t, d) || out_table_cell(t, num) || out_table_cell(t, it->detail))
				goto fail;
		}
		out_table_print(t, stdout);
	}
	printf("\n合计 %zu 项：走访 %zu，谈心谈话 %zu（逾期 %zu），帮扶进展 %zu，党费 %zu\n\n",
	       r->n_items, r->counts[DUE_VISIT], r->counts[DUE_TALK], r->talks_overdue,
	       r->counts[DUE_NOTE], r->counts[DUE_DUES]);
	if (r->counts[DUE_DUES_MISSING])
		printf(_("members without dues records: %zu\n\n"), r->counts[DUE_DUES_MISSING]);
	if (r->counts[DUE_CONTACT])
		printf(_("mobile members without a contact in %d days: %zu\n\n"), (int)r->cfg.contact_gap_days,
		       r->counts[DUE_CONTACT]);
	if (!(ct = out_table_new()))
		goto fail;
	if (out_table_column(ct, "走访活动", 0, 0) || out_table_column(ct, "已走访", 0, 1) ||
	    out_table_column(ct, "应走访", 0, 1) || out_table_column(ct, "覆盖率", 0, 1) ||
	    out_table_column(ct, "未走访", 40, 0))
		goto fail;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(r->campaigns); i++) {
		const due_campaign *cp = &r->campaigns[i];
		char name[64], pct[16], v[16], tot[16], missing[1024] = "";
		size_t used = 0;

		snprintf(name, sizeof(name), "%d %s", r->year,
		         enum_label(&hearth__visit_occasion__descriptor, cp->occasion));
		snprintf(v, sizeof(v), "%u", cp->visited);
		snprintf(tot, sizeof(tot), "%u", cp->total);
		if (cp->total)
			snprintf(pct, sizeof(pct), "%.1f%%", 100.0 * cp->visited / cp->total);
		else
			snprintf(pct, sizeof(pct), "-");
		for (size_t k = 0; k < cp->n_missing && used + 100 < sizeof(missing); k++)
			used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s",
			                         k ? "、" : "", cp->missing[k]);
		if (out_table_row(ct) || out_table_cell(ct, name) || out_table_cell(ct, v) ||
		    out_table_cell(ct, tot) || out_table_cell(ct, pct) || out_table_cell(ct, missing))
			goto fail;
	}
	out_table_print(ct, stdout);
	rc = 0;
fail:
	out_table_free(ct);
	out_table_free(t);
	return rc;
}

static void usage(FILE *f)
{
	fputs(_("usage: hearth due [--days N] [--branch ID] [--json]\n\n"
	      "What the branch owes its members, from the local replica (works offline):\n"
	      "  走访      hardship-ledger members (在册/帮扶中) not visited in N days\n"
	      "  谈心谈话  a talk required by a trigger (hardship registered, a visit for\n"
	      "            思想波动, a transfer, an honor) and not yet held; overdue after 30 days\n"
	      "  帮扶进展  active pairings without a progress note in 60 days\n"
	      "  党费      dues unpaid (未缴/部分缴纳) for more than 3 months\n"
	      "  党费记录  members with no dues record at all for past months, counted from\n"
	      "            their join month or the branch's first dues record (it says which)\n"
	      "  流动党员联系  mobile members (流动党员) with no contact logged in 90 days\n"
	      "and the coverage of this year's Spring Festival (春节) and 七一 visits among\n"
	      "the hardship-ledger members.\n\n"
	      "  --days N     the visit gap in days (default 90, or [due] visit_gap_days)\n"
	      "  --branch ID  only that branch (an admin replica holds all of them)\n"
	      "  --json       one JSON object: today, thresholds, counts, items, campaigns\n\n"
	      "Thresholds come from profile.ini, section [due]: visit_gap_days = 90,\n"
	      "talk_window_days = 30, talk_lookback_days = 365, note_gap_days = 60,\n"
	      "dues_months = 3, contact_gap_days = 90 (流动党员 without a contact in the\n"
	      "log, 'hearth member note'). Talks owed ('hearth member need') are listed\n"
	      "under 谈心谈话 until a talk with that trigger is held.\n"
	      "HEARTH_TODAY=YYYY-MM-DD computes as of another day.\n"
	      "exit status: 0 ok, 1 the replica could not be read, 2 bad usage.\n"), f);
}

int cmd_due(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "branch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *branch = NULL, *days = NULL;
	char err[1200] = "", own[128] = "", typed_id[128] = "";
	int json = 0, o, rc;
	int32_t today;
	due_config cfg;
	due_snapshot snap;
	due_report rep;
	replica r;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 'd': days = optarg; break;
		case 'b': branch = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		case ':':
			cli_error(_("due: %s needs a value; see 'hearth due --help'"), argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error(_("due: unknown option \"%s\"; see 'hearth due --help'"), argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(_("due: unexpected argument \"%s\"; see 'hearth due --help'"), argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_profile(c)) != EXIT_OK)
		return rc;
	if (due_config_load(&cfg, c->prof.home, err, sizeof(err)) != 0) {
		cli_error(_("due: %s"), err);
		return EXIT_USAGE;
	}
	if (days) {
		char *end;
		long v = strtol(days, &end, 10);
		if (!*days || *end || v < 1 || v > 3660) {
			cli_error(_("due: --days \"%s\" is not a whole number of days from 1 to 3660"), days);
			return EXIT_USAGE;
		}
		cfg.visit_gap_days = (int32_t)v;
	}
	if (due_today(&today, err, sizeof(err)) != 0) {
		cli_error(_("due: %s"), err);
		return EXIT_USAGE;
	}
	if (replica_open(&r, c->prof.home, err, sizeof(err)) != 0) {
		cli_error(_("due: %s"), err[0] ? err : "cannot open the local replica");
		return EXIT_FAIL;
	}
	if (branch) {
		char why[2400];
		int sc = branch_resolve(&r, branch, typed_id, sizeof(typed_id), why, sizeof(why));
		if (sc == 0) {
			branch = typed_id;
			sc = replica_scope_check(&r, branch, why, sizeof(why));
		}
		if (sc != 0) {
			replica_close(&r);
			if (sc < 0)
				cli_error(_("%s: cannot read the local replica: %s"), "due", _(hearth_strerror(sc)));
			else
				cli_error("%s: %s", "due", why);
			return sc < 0 ? EXIT_FAIL : EXIT_USAGE;
		}
	}
	if (!branch && replica_meta_get_str(&r, "branch", own, sizeof(own)) == 0 && own[0])
		branch = own;
	rc = due_snapshot_load(&r, branch, &snap);
	replica_close(&r);
	if (rc != 0) {
		cli_error(_("due: cannot read the local replica: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	rc = due_compute(&snap, today, &cfg, &rep);
	if (rc != 0) {
		due_snapshot_free(&snap);
		cli_error(_("due: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	if (json)
		print_json(&rep, branch);
	else if (print_table(&rep) != 0)
		rc = HEARTH_ENOMEM;
	due_report_free(&rep);
	due_snapshot_free(&snap);
	if (rc != 0) {
		cli_error(_("due: out of memory"));
		return EXIT_FAIL;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
