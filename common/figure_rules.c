/* figure_rules.c: the counting rules that stats.c, yearly.c and hearthd's
 * counters (server/db/figures.c) share
 * (figure_rules.h says what each one counts). */
#include "common/figure_rules.h"

#include <stdlib.h>
#include <string.h>

#include "common/date.h"

int figure_year_of(const char *text)
{
	if (!text || strlen(text) < 7 || text[4] != '-' || strspn(text, "0123456789") != 4)
		return 0;
	return atoi(text);
}

int figure_member_live(const Hearth__Member *m)
{
	return m->standing != HEARTH__STANDING__STANDING_DECEASED &&
	       m->standing != HEARTH__STANDING__STANDING_LEFT;
}

int figure_visit_counts(const Hearth__Visit *v, int year)
{
	int32_t day;

	if (v->status == HEARTH__VISIT_STATUS__VISIT_STATUS_PLANNED ||
	    v->status == HEARTH__VISIT_STATUS__VISIT_STATUS_CANCELLED)
		return 0;
	return v->date && date_parse(v->date, &day) == 0 && figure_year_of(v->date) == year;
}

int figure_talk_counts(const Hearth__Talk *t, int year)
{
	int32_t day;

	return t->date && date_parse(t->date, &day) == 0 && figure_year_of(t->date) == year;
}

int figure_honor_counts(const Hearth__Honor *h, int year)
{
	int y = h->year ? (int)h->year : figure_year_of(h->date);

	if (h->status != HEARTH__HONOR_STATUS__HONOR_STATUS_APPROVED &&
	    h->status != HEARTH__HONOR_STATUS__HONOR_STATUS_AWARDED)
		return 0;
	return y == year;
}

int figure_dues_in_year(const Hearth__Dues *d, int year)
{
	return figure_year_of(d->month) == year;
}

int64_t figure_dues_owed(const Hearth__Dues *d)
{
	return d->status == HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT ? 0 : d->due;
}

int figure_hardship_open(const Hearth__Hardship *h)
{
	return h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED ||
	       h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_ASSISTING;
}

int figure_visit_occasion(const Hearth__Visit *v, int *year)
{
	*year = figure_year_of(v->date);
	if (!*year || !figure_visit_counts(v, *year))
		return 0;
	if (v->occasion == HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL)
		return 1;
	return v->occasion == HEARTH__VISIT_OCCASION__VISIT_OCCASION_JULY_FIRST ? 2 : 0;
}

/* The year of a valid ISO day, or 0. */
static int day_year(const char *text)
{
	int32_t day;
	return text && *text && date_parse(text, &day) == 0 ? figure_year_of(text) : 0;
}

static void member(const Hearth__Member *m, figure_add_fn add, void *ctx)
{
	/* 党员 and its categories are the live members; the standings show
	 * every member record, the departed too (stats.h). */
	if (figure_member_live(m)) {
		add(ctx, 0, FC_MEMBERS, 1);
		if (m->category == HEARTH__MEMBER_CATEGORY__CATEGORY_FULL)
			add(ctx, 0, FC_MEMBERS_FULL, 1);
		else if (m->category == HEARTH__MEMBER_CATEGORY__CATEGORY_PROBATIONARY)
			add(ctx, 0, FC_MEMBERS_PROBATIONARY, 1);
	}
	switch (m->standing) {
	case HEARTH__STANDING__STANDING_NORMAL: add(ctx, 0, FC_MEMBERS_NORMAL, 1); break;
	case HEARTH__STANDING__STANDING_SUSPENDED: add(ctx, 0, FC_MEMBERS_SUSPENDED, 1); break;
	case HEARTH__STANDING__STANDING_DECEASED: add(ctx, 0, FC_MEMBERS_DECEASED, 1); break;
	case HEARTH__STANDING__STANDING_LEFT: add(ctx, 0, FC_MEMBERS_LEFT, 1); break;
	default: break;
	}
}

static void hardship(const Hearth__Hardship *h, figure_add_fn add, void *ctx)
{
	static const int type_fc[] = {
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_LIVING] = FC_HARDSHIP_TYPE_LIVING,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ALONE] = FC_HARDSHIP_TYPE_ALONE,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ELDERLY] = FC_HARDSHIP_TYPE_ELDERLY,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_FRAIL] = FC_HARDSHIP_TYPE_FRAIL,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ILL] = FC_HARDSHIP_TYPE_ILL,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_DISABLED] = FC_HARDSHIP_TYPE_DISABLED,
	};

	add(ctx, 0, FC_HARDSHIP, 1);
	switch (h->status) {
	case HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED: add(ctx, 0, FC_HARDSHIP_REGISTERED, 1); break;
	case HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_ASSISTING: add(ctx, 0, FC_HARDSHIP_ASSISTING, 1); break;
	case HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED: add(ctx, 0, FC_HARDSHIP_RESOLVED, 1); break;
	case HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REMOVED: add(ctx, 0, FC_HARDSHIP_REMOVED, 1); break;
	default: break;
	}
	if (!figure_hardship_open(h))
		return;
	add(ctx, 0, FC_HARDSHIP_OPEN, 1);
	for (size_t i = 0; i < h->n_types; i++) {
		int t = (int)h->types[i];
		if (t > 0 && (size_t)t < sizeof(type_fc) / sizeof(type_fc[0]) && type_fc[t])
			add(ctx, 0, type_fc[t], 1);
	}
}

static void visit(const Hearth__Visit *v, figure_add_fn add, void *ctx)
{
	int year = figure_year_of(v->date), month;

	if (!year || !figure_visit_counts(v, year))
		return;
	add(ctx, year, FC_VISITS, 1);
	month = atoi(v->date + 5);
	if (month >= 1 && month <= 12)
		add(ctx, year, FC_VISITS_MONTH + month - 1, 1);
	if (v->occasion == HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL)
		add(ctx, year, FC_VISITS_SPRING, 1);
	else if (v->occasion == HEARTH__VISIT_OCCASION__VISIT_OCCASION_JULY_FIRST)
		add(ctx, year, FC_VISITS_JULY, 1);
}

/* As yearly.c counts a branch's transfers: an accepted transfer lives in
 * the receiving branch, and the sending branch keeps its summary, which
 * counts as that branch's 转出 only. */
static void transfer(const char *branch, const Hearth__Transfer *t, figure_add_fn add, void *ctx)
{
	int issued = day_year(t->issued_date), acc = day_year(t->accepted_date);

	if (t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_RETURNED)
		return;
	if (issued && t->from_branch && !strcmp(t->from_branch, branch))
		add(ctx, issued, FC_TRANSFERS_OUT, 1);
	if (t->summary)
		return;
	if (t->to_branch && !strcmp(t->to_branch, branch) &&
	    t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED && (acc || issued))
		add(ctx, acc ? acc : issued, FC_TRANSFERS_IN, 1);
}

void figure_contributions(const Hearth__Record *rec, figure_add_fn add, void *ctx)
{
	const char *branch = rec->branch_id ? rec->branch_id : "";
	int y;

	if (rec->deleted)
		return;
	switch (rec->body_case) {
	case HEARTH__RECORD__BODY_MEMBER: member(rec->member, add, ctx); break;
	case HEARTH__RECORD__BODY_HARDSHIP: hardship(rec->hardship, add, ctx); break;
	case HEARTH__RECORD__BODY_VISIT: visit(rec->visit, add, ctx); break;
	case HEARTH__RECORD__BODY_TALK:
		if ((y = figure_year_of(rec->talk->date)) && figure_talk_counts(rec->talk, y))
			add(ctx, y, FC_TALKS, 1);
		break;
	case HEARTH__RECORD__BODY_PAIRING:
		if (rec->pairing->status == HEARTH__PAIRING_STATUS__PAIRING_STATUS_ACTIVE)
			add(ctx, 0, FC_PAIRINGS_ACTIVE, 1);
		break;
	case HEARTH__RECORD__BODY_HONOR:
		y = rec->honor->year ? (int)rec->honor->year : figure_year_of(rec->honor->date);
		if (y && figure_honor_counts(rec->honor, y))
			add(ctx, y, FC_HONORS, 1);
		break;
	case HEARTH__RECORD__BODY_DUES:
		if ((y = figure_year_of(rec->dues->month)) != 0) {
			add(ctx, y, FC_DUES_DUE, figure_dues_owed(rec->dues));
			add(ctx, y, FC_DUES_PAID, rec->dues->paid);
		}
		break;
	case HEARTH__RECORD__BODY_TRANSFER: transfer(branch, rec->transfer, add, ctx); break;
	default: break;
	}
}
