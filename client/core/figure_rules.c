/* figure_rules.c: the counting rules that stats.c and yearly.c share
 * (figure_rules.h says what each one counts). */
#include "client/core/figure_rules.h"

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
