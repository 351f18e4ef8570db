/* yearly.c: one branch's year in figures (yearly.h), computation only;
 * cmd/report.c prints them. */
#include "common/yearly.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/date.h"
#include "common/figure_rules.h"
#include "common/hearth.h"
#include "common/money.h"
#include "common/record.h"

#define NO_DAY DUE_NO_DAY



static int32_t year_day(int year, int last)
{
	char t[32];
	int32_t d = 0;
	snprintf(t, sizeof(t), "%04d-%s", year, last ? "12-31" : "01-01");
	date_parse(t, &d);
	return d;
}

/* The sections and breakdowns, with their labels: the one copy of these
 * names. A figure points at these static strings, and yearly_intern maps a
 * name received from hearthd back to them. */
static const struct name_label { const char *key, *label; } sections[] = {
	{ "members", "党员" },
	{ "hardship", "困难党员台账" },
	{ "visits", "走访慰问" },
	{ "talks", "谈心谈话" },
	{ "pairings", "结对帮扶" },
	{ "honors", "表彰激励" },
	{ "activities", "主题活动" },
	{ "disclosures", "党务公开" },
	{ "dues", "党费" },
	{ "transfers", "组织关系转接" },
};

static const struct name_label groups[] = {
	{ "by_category", "类别" },
	{ "by_type", "类型" },
	{ "status_at_year_end", "年末状态" },
	{ "by_occasion", "事由" },
	{ "cash_by_fund_source_fen", "慰问金按经费来源" },
	{ "goods_by_fund_source_fen", "慰问品按经费来源" },
	{ "by_trigger", "起因" },
	{ "closed_by_outcome", "结对成效" },
	{ "by_title", "称号" },
	{ "by_status", "状态" },
};

static const struct name_label *find_name(const struct name_label *t, size_t n, const char *key)
{
	for (size_t i = 0; key && i < n; i++)
		if (!strcmp(t[i].key, key))
			return &t[i];
	return NULL;
}

int yearly_intern(const char *section, const char *group, const char **section_out,
                  const char **section_label, const char **group_out, const char **group_label)
{
	const struct name_label *sec = find_name(sections, HEARTH_ARRAY_LEN(sections), section);
	const struct name_label *grp = group && group[0] ? find_name(groups, HEARTH_ARRAY_LEN(groups), group) : NULL;

	if (!sec || (group && group[0] && !grp))
		return HEARTH_ENOTFOUND;
	if (section_out)
		*section_out = sec->key;
	if (section_label)
		*section_label = sec->label;
	if (group_out)
		*group_out = grp ? grp->key : NULL;
	if (group_label)
		*group_label = grp ? grp->label : NULL;
	return 0;
}

typedef struct ctx {
	yearly_report *r;
	const char *section, *section_label;
	int32_t lo, hi;
	int oom;
} ctx;

/* Starts section key (of the table above) for the figures that follow. */
static void set_section(ctx *c, const char *key)
{
	if (yearly_intern(key, NULL, &c->section, &c->section_label, NULL, NULL) != 0)
		c->oom = 1;   /* a section missing from the table: caught by the unit test */
}

static yearly_figure *add(ctx *c, const char *group, const char *group_label, const char *key,
                          const char *label, enum yearly_unit unit, int64_t value)
{
	yearly_report *r = c->r;
	yearly_figure *f;

	if (c->oom)
		return NULL;
	if (array_grow(&r->f, &r->cap, r->n, sizeof(*r->f), 64) != 0) {
		c->oom = 1;
		return NULL;
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
static void by_enum_unit(ctx *c, const char *group_key, const ProtobufCEnumDescriptor *d,
                         const int64_t *counts, size_t n, enum yearly_unit unit)
{
	const char *group = NULL, *group_label = NULL;

	if (yearly_intern(c->section, group_key, NULL, NULL, &group, &group_label) != 0) {
		c->oom = 1;   /* a group missing from the table: caught by the unit test */
		return;
	}
	for (unsigned i = 0; i < d->n_values; i++) {
		int v = d->values[i].value;
		char name[48];

		if (v <= 0 || (size_t)v >= n)
			continue;
		enum_short_name(d, v, name, sizeof(name));
		add(c, group, group_label, name, enum_label(d, v), unit, counts[v]);
	}
	if (n && counts[0])
		add(c, group, group_label, "unspecified", "未填", unit, counts[0]);
}

static void by_enum(ctx *c, const char *group, const ProtobufCEnumDescriptor *d, const int64_t *counts,
                    size_t n)
{
	by_enum_unit(c, group, d, counts, n, YEARLY_COUNT);
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

/* A live member who has been in the Party 50 years or more by the end of
 * the year (光荣在党50年), added to r's list. */
static void veteran(ctx *c, const Hearth__Record *rec, int years)
{
	yearly_report *r = c->r;
	yearly_veteran *v;

	if (c->oom)
		return;
	if (array_grow(&r->veterans, &r->cap_veterans, r->n_veterans, sizeof(*r->veterans), 16) != 0) {
		c->oom = 1;
		return;
	}
	v = &r->veterans[r->n_veterans++];
	memset(v, 0, sizeof(*v));
	memcpy(v->member, rec->id.data, rec->id.len == 16 ? 16 : 0);
	snprintf(v->name, sizeof(v->name), "%s", rec->member->name ? rec->member->name : "");
	snprintf(v->join_date, sizeof(v->join_date), "%s", rec->member->join_date);
	v->years = years;
}

static int veteran_order(const void *a, const void *b)
{
	const yearly_veteran *x = a, *y = b;
	int k = strcmp(x->join_date, y->join_date);
	return k ? k : strcmp(x->name, y->name);
}

static void members(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, total = 0, joined = 0, fifty = 0;

	set_section(c, "members");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_MEMBER]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_MEMBER][i];
		const Hearth__Member *m = rec->member;
		int32_t join = due_day_of(m->join_date);
		int years;

		if (!figure_member_live(m))
			continue;
		total++;
		tally(by, m->category);
		joined += in_year(c, join);
		if (join != NO_DAY && (years = date_full_years(join, c->hi)) >= 50) {
			fifty++;
			veteran(c, rec, years);
		}
	}
	count(c, "total", "合计", total);
	by_enum(c, "by_category", &hearth__member_category__descriptor, by, SLOTS);
	count(c, "joined", "当年入党", joined);
	count(c, "fifty_years", "光荣在党50年", fifty);
	if (c->r->n_veterans > 1)
		qsort(c->r->veterans, c->r->n_veterans, sizeof(*c->r->veterans), veteran_order);
}

static void hardship(ctx *c, const due_snapshot *s)
{
	int64_t types[SLOTS] = { 0 }, status[SLOTS] = { 0 }, in = 0, fresh = 0, closed = 0;

	set_section(c, "hardship");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_HARDSHIP]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_HARDSHIP][i];
		const Hearth__Hardship *h = rec->hardship;
		int32_t start = due_day_or_created(h->certified_at, rec), end = due_day_of(h->closed_date);
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
	by_enum(c, "by_type", &hearth__hardship_type__descriptor, types, SLOTS);
	by_enum(c, "status_at_year_end", &hearth__hardship_status__descriptor, status, SLOTS);
}

static void visits(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, n = 0, people = 0, cash = 0, goods = 0;
	int64_t cash_by[SLOTS] = { 0 }, goods_by[SLOTS] = { 0 };

	set_section(c, "visits");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_VISIT]; i++) {
		const Hearth__Visit *v = s->recs[HEARTH__KIND__KIND_VISIT][i]->visit;
		if (!figure_visit_counts(v, c->r->year))
			continue;
		n++;
		people += (int64_t)v->n_members;
		cash += v->cash;
		goods += v->goods_value;
		tally(by, v->occasion);
		if (v->fund_source >= 0 && v->fund_source < SLOTS) {
			cash_by[v->fund_source] += v->cash;
			goods_by[v->fund_source] += v->goods_value;
		}
	}
	count(c, "count", "次数", n);
	count(c, "member_visits", "人次", people);
	by_enum(c, "by_occasion", &hearth__visit_occasion__descriptor, by, SLOTS);
	fen(c, "cash_fen", "慰问金", cash);
	fen(c, "goods_value_fen", "慰问品折价", goods);
	by_enum_unit(c, "cash_by_fund_source_fen", &hearth__fund_source__descriptor,
	             cash_by, SLOTS, YEARLY_FEN);
	by_enum_unit(c, "goods_by_fund_source_fen", &hearth__fund_source__descriptor,
	             goods_by, SLOTS, YEARLY_FEN);
}

static void talks(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, n = 0;

	set_section(c, "talks");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_TALK]; i++) {
		const Hearth__Talk *t = s->recs[HEARTH__KIND__KIND_TALK][i]->talk;
		if (!figure_talk_counts(t, c->r->year))
			continue;
		n++;
		tally(by, t->trigger);
	}
	count(c, "count", "次数", n);
	by_enum(c, "by_trigger", &hearth__talk_trigger__descriptor, by, SLOTS);
}

static void pairings(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, active = 0, closed = 0, notes = 0;

	set_section(c, "pairings");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_PAIRING]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_PAIRING][i];
		const Hearth__Pairing *p = rec->pairing;
		int32_t start = due_day_or_created(p->start_date, rec), end = due_day_of(p->end_date);
		int is_closed = p->status == HEARTH__PAIRING_STATUS__PAIRING_STATUS_CLOSED;

		for (size_t k = 0; k < p->n_notes; k++)
			notes += in_year(c, due_day_of(p->notes[k]->date));
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
	by_enum(c, "closed_by_outcome", &hearth__pairing_outcome__descriptor, by, SLOTS);
	count(c, "notes", "进展记录", notes);
}

static void honors(ctx *c, const due_snapshot *s, int year)
{
	/* figure_honor_counts: nominated (推荐) and revoked honors count nowhere. */
	int64_t by[SLOTS] = { 0 }, n = 0, award = 0;

	set_section(c, "honors");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_HONOR]; i++) {
		const Hearth__Honor *h = s->recs[HEARTH__KIND__KIND_HONOR][i]->honor;
		if (!figure_honor_counts(h, year))
			continue;
		n++;
		award += h->award;
		tally(by, h->title);
	}
	count(c, "count", "人次/个", n);
	by_enum(c, "by_title", &hearth__honor_title__descriptor, by, SLOTS);
	fen(c, "award_fen", "奖金", award);
}

static void activities(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, n = 0, people = 0;

	set_section(c, "activities");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_ACTIVITY]; i++) {
		const Hearth__Activity *a = s->recs[HEARTH__KIND__KIND_ACTIVITY][i]->activity;
		if (!in_year(c, due_day_of(a->date)))
			continue;
		n++;
		people += a->participant_count > 0 ? a->participant_count : (int64_t)a->n_members;
		tally(by, a->type);
	}
	count(c, "count", "次数", n);
	by_enum(c, "by_type", &hearth__activity_type__descriptor, by, SLOTS);
	count(c, "participants", "参加人次", people);
}

static void disclosures(ctx *c, const due_snapshot *s)
{
	int64_t by[SLOTS] = { 0 }, n = 0;

	set_section(c, "disclosures");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DISCLOSURE]; i++) {
		const Hearth__Disclosure *d = s->recs[HEARTH__KIND__KIND_DISCLOSURE][i]->disclosure;
		if (!in_year(c, due_day_of(d->from_date)))
			continue;
		n++;
		tally(by, d->category);
	}
	count(c, "count", "次数", n);
	by_enum(c, "by_category", &hearth__disclosure_category__descriptor, by, SLOTS);
}

/* Rounded half up to a tenth of a percent; members may pay more than
 * due, so the rate can pass 100%. -1: nothing was due. */
static int64_t collection_rate(int64_t paid, int64_t due)
{
	return due > 0 ? (paid * 1000 + due / 2) / due : -1;
}

static void dues(ctx *c, const due_snapshot *s, int year)
{
	int64_t due = 0, paid = 0, records = 0, by[SLOTS] = { 0 };

	set_section(c, "dues");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DUES]; i++) {
		const Hearth__Dues *d = s->recs[HEARTH__KIND__KIND_DUES][i]->dues;
		if (!figure_dues_in_year(d, year))
			continue;
		records++;
		tally(by, d->status);
		due += figure_dues_owed(d);
		paid += d->paid;
	}
	count(c, "records", "记录数", records);
	by_enum(c, "by_status", &hearth__dues_status__descriptor, by, SLOTS);
	fen(c, "due_fen", "应缴", due);
	fen(c, "paid_fen", "实缴", paid);
	add(c, NULL, NULL, "collection_rate", "收缴率", YEARLY_PERMILLE, collection_rate(paid, due));
}

static void transfers(ctx *c, const due_snapshot *s, const char *branch)
{
	int64_t out = 0, in = 0;

	set_section(c, "transfers");
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_TRANSFER]; i++) {
		const Hearth__Transfer *t = s->recs[HEARTH__KIND__KIND_TRANSFER][i]->transfer;
		int32_t issued = due_day_of(t->issued_date), acc = due_day_of(t->accepted_date);

		if (t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_RETURNED)
			continue;
		/* An accepted transfer lives in the receiving branch; the sending
		 * branch keeps its summary, which counts as that branch's 转出
		 * only (over every branch, the transfer itself counts both). */
		if (t->summary) {
			if (branch && !strcmp(t->from_branch, branch) && in_year(c, issued))
				out++;
			continue;
		}
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
	free(r->veterans);
	memset(r, 0, sizeof(*r));
}

static int same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static yearly_figure *find_figure(yearly_report *r, const yearly_figure *f)
{
	for (size_t i = 0; i < r->n; i++)
		if (same_text(r->f[i].section, f->section) && same_text(r->f[i].group, f->group) &&
		    !strcmp(r->f[i].key, f->key))
			return &r->f[i];
	return NULL;
}

int yearly_add(yearly_report *sum, const yearly_report *r)
{
	yearly_figure *due = NULL, *paid = NULL, *rate = NULL;

	sum->year = r->year;
	for (size_t i = 0; i < r->n; i++) {
		yearly_figure *f = find_figure(sum, &r->f[i]);
		if (!f) {
			if (array_grow(&sum->f, &sum->cap, sum->n, sizeof(*sum->f), 64) != 0)
				return HEARTH_ENOMEM;
			f = &sum->f[sum->n++];
			*f = r->f[i];
			f->value = 0;
		}
		if (f->unit != YEARLY_PERMILLE)
			f->value += r->f[i].value;
	}
	if (r->n_veterans) {
		size_t nc = sum->n_veterans + r->n_veterans;
		yearly_veteran *grown = realloc(sum->veterans, nc * sizeof(*grown));
		if (!grown)
			return HEARTH_ENOMEM;
		memcpy(grown + sum->n_veterans, r->veterans, r->n_veterans * sizeof(*grown));
		sum->veterans = grown;
		sum->n_veterans = sum->cap_veterans = nc;
	}
	/* The rate of the sums, never a sum of rates. */
	for (size_t i = 0; i < sum->n; i++) {
		yearly_figure *f = &sum->f[i];
		if (!same_text(f->section, "dues") || f->group)
			continue;
		if (!strcmp(f->key, "due_fen"))
			due = f;
		else if (!strcmp(f->key, "paid_fen"))
			paid = f;
		else if (!strcmp(f->key, "collection_rate"))
			rate = f;
	}
	if (due && paid && rate)
		rate->value = collection_rate(paid->value, due->value);
	return 0;
}

int64_t yearly_value(const yearly_report *r, const char *section, const char *group, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (same_text(r->f[i].section, section) && same_text(r->f[i].group, group) &&
		    !strcmp(r->f[i].key, key))
			return r->f[i].value;
	return -1;
}

void yearly_value_text(const yearly_figure *f, char out[YEARLY_TEXT_MAX])
{
	char y[MONEY_YUAN_TEXT_MAX];

	switch (f->unit) {
	case YEARLY_FEN:
		money_yuan_format(f->value, y);
		snprintf(out, YEARLY_TEXT_MAX, "%s \xe5\x85\x83", y);   /* 元 */
		break;
	case YEARLY_PERMILLE:
		if (f->value < 0)
			snprintf(out, YEARLY_TEXT_MAX, "-");
		else
			snprintf(out, YEARLY_TEXT_MAX, "%lld.%lld%%", (long long)(f->value / 10),
			         (long long)(f->value % 10));
		break;
	default:
		snprintf(out, YEARLY_TEXT_MAX, "%lld", (long long)f->value);
		break;
	}
}
