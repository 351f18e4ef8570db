/* yearly.c: one branch's year in figures (yearly.h) and `hearth report
 * year`, which prints them as a CJK-aligned table or JSON. */
#include "client/core/yearly.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd/cli.h"
#include "common/date.h"
#include "common/hearth.h"
#include "client/ui/output.h"
#include "common/record.h"

#define NO_DAY INT32_MIN

static int32_t day_of(const char *s)
{
	int32_t d;
	return s && *s && date_parse(s, &d) == 0 ? d : NO_DAY;
}

static int32_t day_or_created(const char *s, const Hearth__Record *rec)
{
	int32_t d = day_of(s);
	return d != NO_DAY ? d : due_created_day(rec);
}

static int32_t year_day(int year, int last)
{
	char t[32];
	int32_t d = 0;
	snprintf(t, sizeof(t), "%04d-%s", year, last ? "12-31" : "01-01");
	date_parse(t, &d);
	return d;
}

typedef struct ctx {
	yearly_report *r;
	const char *section, *section_label;
	int32_t lo, hi;
	int oom;
} ctx;

static yearly_figure *add(ctx *c, const char *group, const char *group_label, const char *key,
                          const char *label, enum yearly_unit unit, int64_t value)
{
	yearly_report *r = c->r;
	yearly_figure *f;

	if (c->oom)
		return NULL;
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		yearly_figure *grown = realloc(r->f, nc * sizeof(*grown));
		if (!grown) {
			c->oom = 1;
			return NULL;
		}
		r->f = grown;
		r->cap = nc;
	}
	f = &r->f[r->n++];
	memset(f, 0, sizeof(*f));
	f->section = c->section;
	f->section_label = c->section_label;
	f->group = group;
	f->group_label = group_label;
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->label, sizeof(f->label), "%s", label);
	f->unit = unit;
	f->value = value;
	return f;
}

static void count(ctx *c, const char *key, const char *label, int64_t v)
{
	add(c, NULL, NULL, key, label, YEARLY_COUNT, v);
}

static void fen(ctx *c, const char *key, const char *label, int64_t v)
{
	add(c, NULL, NULL, key, label, YEARLY_FEN, v);
}

/* A breakdown by an enum: one figure per value (zeros included, so every
 * year's report has the same rows), and "未填" only when some record left
 * the field empty. counts[v] for v in 0..n-1. */
static void by_enum(ctx *c, const char *group, const char *group_label,
                    const ProtobufCEnumDescriptor *d, const int64_t *counts, size_t n)
{
	for (unsigned i = 0; i < d->n_values; i++) {
		int v = d->values[i].value;
		char name[48];

		if (v <= 0 || (size_t)v >= n)
			continue;
		enum_short_name(d, v, name, sizeof(name));
		add(c, group, group_label, name, enum_label(d, v), YEARLY_COUNT, counts[v]);
	}
	if (n && counts[0])
		add(c, group, group_label, "unspecified", "未填", YEARLY_COUNT, counts[0]);
}

#define SLOTS 16   /* enough for every enum's values */

static void tally(int64_t *counts, int v)
{
	if (v >= 0 && v < SLOTS)
		counts[v]++;
}

static int in_year(const ctx *c, int32_t d)
{
	return d != NO_DAY && d >= c->lo && d <= c->hi;
}

static int alive(const Hearth__Member *m)
{
	return m->standing != HEARTH__STANDING__STANDING_DECEASED &&
	       m->standing != HEARTH__STANDING__STANDING_LEFT;
}

static void members(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, total = 0, joined = 0;

	c->section = "members";
	c->section_label = "党员";
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_MEMBER]; i++) {
		const Hearth__Member *m = s->recs[HEARTH__KIND__KIND_MEMBER][i]->member;
		if (!alive(m))
			continue;
		total++;
		tally(by, m->category);
		joined += in_year(c, day_of(m->join_date));
	}
	count(c, "total", "合计", total);
	by_enum(c, "by_category", "类别", &hearth__member_category__descriptor, by, SLOTS);
	count(c, "joined", "当年入党", joined);
}

static void hardship(ctx *c, const due_snapshot *s)
{
	int64_t types[SLOTS] = { 0 }, status[SLOTS] = { 0 }, in = 0, fresh = 0, closed = 0;

	c->section = "hardship";
	c->section_label = "困难党员台账";
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_HARDSHIP]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_HARDSHIP][i];
		const Hearth__Hardship *h = rec->hardship;
		int32_t start = day_or_created(h->certified_at, rec), end = day_of(h->closed_date);
		int is_closed = h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED ||
		                h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REMOVED;

		if (start == NO_DAY || start > c->hi || (is_closed && end != NO_DAY && end < c->lo))
			continue;
		in++;
		fresh += in_year(c, start);
		closed += is_closed && in_year(c, end);
		for (size_t k = 0; k < h->n_types; k++)
			tally(types, h->types[k]);
		if (is_closed && end != NO_DAY && end > c->hi)
			tally(status, HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_ASSISTING);
		else
			tally(status, h->status);
	}
	count(c, "in_ledger", "在册总数", in);
	count(c, "new", "新增", fresh);
	count(c, "closed", "当年销号", closed);
	by_enum(c, "by_type", "类型", &hearth__hardship_type__descriptor, types, SLOTS);
	by_enum(c, "status_at_year_end", "年末状态", &hearth__hardship_status__descriptor, status, SLOTS);
}

static void visits(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, n = 0, people = 0, cash = 0, goods = 0;

	c->section = "visits";
	c->section_label = "走访慰问";
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_VISIT]; i++) {
		const Hearth__Visit *v = s->recs[HEARTH__KIND__KIND_VISIT][i]->visit;
		if (v->status == HEARTH__VISIT_STATUS__VISIT_STATUS_PLANNED ||
		    v->status == HEARTH__VISIT_STATUS__VISIT_STATUS_CANCELLED || !in_year(c, day_of(v->date)))
			continue;
		n++;
		people += (int64_t)v->n_members;
		cash += v->cash;
		goods += v->goods_value;
		tally(by, v->occasion);
	}
	count(c, "count", "次数", n);
	count(c, "member_visits", "人次", people);
	by_enum(c, "by_occasion", "事由", &hearth__visit_occasion__descriptor, by, SLOTS);
	fen(c, "cash_fen", "慰问金", cash);
	fen(c, "goods_value_fen", "慰问品折价", goods);
}

static void talks(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, n = 0;

	c->section = "talks";
	c->section_label = "谈心谈话";
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_TALK]; i++) {
		const Hearth__Talk *t = s->recs[HEARTH__KIND__KIND_TALK][i]->talk;
		if (!in_year(c, day_of(t->date)))
			continue;
		n++;
		tally(by, t->trigger);
	}
	count(c, "count", "次数", n);
	by_enum(c, "by_trigger", "起因", &hearth__talk_trigger__descriptor, by, SLOTS);
}

static void pairings(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, active = 0, closed = 0, notes = 0;

	c->section = "pairings";
	c->section_label = "结对帮扶";
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_PAIRING]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_PAIRING][i];
		const Hearth__Pairing *p = rec->pairing;
		int32_t start = day_or_created(p->start_date, rec), end = day_of(p->end_date);
		int is_closed = p->status == HEARTH__PAIRING_STATUS__PAIRING_STATUS_CLOSED;

		for (size_t k = 0; k < p->n_notes; k++)
			notes += in_year(c, day_of(p->notes[k]->date));
		if (start == NO_DAY || start > c->hi)
			continue;
		if (is_closed && in_year(c, end)) {
			closed++;
			tally(by, p->outcome);
		} else if (!is_closed || end == NO_DAY || end > c->hi) {
			active++;
		}
	}
	count(c, "active", "年末帮扶中", active);
	count(c, "closed", "当年结束", closed);
	by_enum(c, "closed_by_outcome", "结对成效", &hearth__pairing_outcome__descriptor, by, SLOTS);
	count(c, "notes", "进展记录", notes);
}

static void honors(ctx *c, const due_snapshot *s, int year)
{
	int64_t by[SLOTS] = { 0 }, n = 0, award = 0;

	c->section = "honors";
	c->section_label = "表彰激励";
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_HONOR]; i++) {
		const Hearth__Honor *h = s->recs[HEARTH__KIND__KIND_HONOR][i]->honor;
		if (h->year != year || (h->status != HEARTH__HONOR_STATUS__HONOR_STATUS_APPROVED &&
		                        h->status != HEARTH__HONOR_STATUS__HONOR_STATUS_AWARDED))
			continue;
		n++;
		award += h->award;
		tally(by, h->title);
	}
	count(c, "count", "人次/个", n);
	by_enum(c, "by_title", "称号", &hearth__honor_title__descriptor, by, SLOTS);
	fen(c, "award_fen", "奖金", award);
}

static void activities(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, n = 0, people = 0;

	c->section = "activities";
	c->section_label = "主题活动";
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_ACTIVITY]; i++) {
		const Hearth__Activity *a = s->recs[HEARTH__KIND__KIND_ACTIVITY][i]->activity;
		if (!in_year(c, day_of(a->date)))
			continue;
		n++;
		people += a->participant_count > 0 ? a->participant_count : (int64_t)a->n_members;
		tally(by, a->type);
	}
	count(c, "count", "次数", n);
	by_enum(c, "by_type", "类型", &hearth__activity_type__descriptor, by, SLOTS);
	count(c, "participants", "参加人次", people);
}

static void disclosures(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, n = 0;

	c->section = "disclosures";
	c->section_label = "党务公开";
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DISCLOSURE]; i++) {
		const Hearth__Disclosure *d = s->recs[HEARTH__KIND__KIND_DISCLOSURE][i]->disclosure;
		if (!in_year(c, day_of(d->from_date)))
			continue;
		n++;
		tally(by, d->category);
	}
	count(c, "count", "次数", n);
	by_enum(c, "by_category", "类别", &hearth__disclosure_category__descriptor, by, SLOTS);
}

static void dues(ctx *c, const due_snapshot *s, int year)
{
	int64_t due = 0, paid = 0, records = 0, by[SLOTS] = { 0 };
	char prefix[16];

	c->section = "dues";
	c->section_label = "党费";
	snprintf(prefix, sizeof(prefix), "%04d-", year);
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DUES]; i++) {
		const Hearth__Dues *d = s->recs[HEARTH__KIND__KIND_DUES][i]->dues;
		if (strncmp(d->month, prefix, 5) != 0)
			continue;
		records++;
		tally(by, d->status);
		if (d->status == HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT)
			continue;
		due += d->due;
		paid += d->paid;
	}
	count(c, "records", "记录数", records);
	by_enum(c, "by_status", "状态", &hearth__dues_status__descriptor, by, SLOTS);
	fen(c, "due_fen", "应缴", due);
	fen(c, "paid_fen", "实缴", paid);
	/* Rounded half up to a tenth of a percent; members may pay more than
	 * due, so the rate can pass 100%. */
	add(c, NULL, NULL, "collection_rate", "收缴率", YEARLY_PERMILLE,
	    due > 0 ? (paid * 1000 + due / 2) / due : -1);
}

static void transfers(ctx *c, const due_snapshot *s, const char *branch)
{
	int64_t out = 0, in = 0;

	c->section = "transfers";
	c->section_label = "组织关系转接";
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_TRANSFER]; i++) {
		const Hearth__Transfer *t = s->recs[HEARTH__KIND__KIND_TRANSFER][i]->transfer;
		int32_t issued = day_of(t->issued_date), acc = day_of(t->accepted_date);

		if (t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_RETURNED)
			continue;
		if ((!branch || !strcmp(t->from_branch, branch)) && in_year(c, issued))
			out++;
		if ((!branch || !strcmp(t->to_branch, branch)) &&
		    t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED &&
		    in_year(c, acc != NO_DAY ? acc : issued))
			in++;
	}
	count(c, "out", "转出", out);
	count(c, "in", "转入", in);
}

int yearly_compute(const due_snapshot *s, const char *branch, int year, yearly_report *out)
{
	ctx c;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	out->year = year;
	c.r = out;
	c.lo = year_day(year, 0);
	c.hi = year_day(year, 1);
	members(&c, s);
	hardship(&c, s);
	visits(&c, s);
	talks(&c, s);
	pairings(&c, s);
	honors(&c, s, year);
	activities(&c, s);
	disclosures(&c, s);
	dues(&c, s, year);
	transfers(&c, s, branch);
	if (c.oom) {
		yearly_free(out);
		return HEARTH_ENOMEM;
	}
	return 0;
}

void yearly_free(yearly_report *r)
{
	free(r->f);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------ command */

static void value_text(const yearly_figure *f, char *out, size_t cap)
{
	char y[OUT_YUAN_TEXT_MAX];

	switch (f->unit) {
	case YEARLY_FEN:
		out_yuan_format(f->value, y);
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
	rc = out_table_print(t, stdout);
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
	out_json_end_object(&j);
	fputc('\n', stdout);
}

static void usage(FILE *f)
{
	fputs("usage: hearth report year [YYYY | --year YYYY] [--branch ID] [--json]\n\n"
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
	      "exit status: 0 ok, 1 the replica could not be read, 2 bad usage.\n", f);
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
			cli_error("report: unknown report \"%s\"; the one report is 'hearth report year'",
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
			cli_error("report year: %s needs a value; see 'hearth report --help'", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error("report year: unknown option \"%s\"; see 'hearth report --help'",
			          argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc && !ytext) {
		ytext = argv[optind++];
	}
	if (optind < argc) {
		cli_error("report year: unexpected argument \"%s\"; see 'hearth report --help'",
		          argv[optind]);
		return EXIT_USAGE;
	}
	if (due_today(&today, err, sizeof(err)) != 0) {
		cli_error("report year: %s", err);
		return EXIT_USAGE;
	}
	date_format(today, today_text);
	year = atoi(today_text);
	if (ytext && parse_year(ytext, &year) != 0) {
		cli_error("report year: \"%s\" is not a year (YYYY, 1900 to 2199)", ytext);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_profile(c)) != EXIT_OK)
		return rc;
	if (replica_open(&r, c->prof.home, err, sizeof(err)) != 0) {
		cli_error("report year: %s", err[0] ? err : "cannot open the local replica");
		return EXIT_FAIL;
	}
	if (!branch && replica_meta_get_str(&r, "branch", own, sizeof(own)) == 0 && own[0])
		branch = own;
	rc = due_snapshot_load(&r, branch, &snap);
	replica_close(&r);
	if (rc != 0) {
		cli_error("report year: cannot read the local replica: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	rc = yearly_compute(&snap, branch, year, &rep);
	due_snapshot_free(&snap);
	if (rc != 0) {
		cli_error("report year: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	if (json)
		print_json(&rep, branch);
	else
		rc = print_table(&rep, branch);
	yearly_free(&rep);
	if (rc != 0) {
		cli_error("report year: cannot print the report: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
