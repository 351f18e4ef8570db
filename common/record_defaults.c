/* record_defaults.c: the values a record takes when they were not typed: the expected defaults and the values that follow from others. */
#include "common/record_defaults.h"

#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/dues_rate.h"
#include "proto/hearth.pb-c.h"

/* The year of a YYYY-MM-DD date that exists, or 0. */
static int32_t year_of(const char *s)
{
	int32_t d;

	if (!s || date_parse(s, &d) != 0)
		return 0;
	return (int32_t)strtol(s, NULL, 10);
}

static int32_t year_of_day(int32_t day)
{
	char t[11];

	date_format(day, t);
	return (int32_t)strtol(t, NULL, 10);
}

/* The rate and due of a dues record that the official table gives, when
 * its group says which line applies (common/dues_rate.h); without a group,
 * due is base_income x rate as before the table.  A due with a reason for
 * departing from the table, or lowered by a relief decision, is the
 * person's, and is kept. */
static void dues_derive(Hearth__Dues *d, const record_defaults_opts *o)
{
	dues_rate_result r;

	if (d->due != 0 || (d->due_reason && d->due_reason[0]) ||
	    (d->relief_decision && d->relief_decision[0]))
		return;
	if (d->dues_group == HEARTH__DUES_GROUP__DUES_GROUP_UNSPECIFIED) {
		if (d->base_income > 0 && d->rate > 0)
			d->due = dues_rate_apply(d->base_income, d->rate);
		return;
	}
	if (dues_rate_compute(&(dues_rate_args){ .group = d->dues_group, .income_fen = d->base_income,
	                                         .farmer_fen = o->farmer_fen },
	                      &r) != DUES_RATE_OK)
		return;
	if (r.basis == DUES_BASIS_INCOME && d->rate == 0)
		d->rate = r.rate_bp;
	if (r.basis != DUES_BASIS_INCOME || d->rate == r.rate_bp)
		d->due = r.due_fen;
}

/* The defaults of the table a secretary works from; values typed win. */
static void new_defaults(const kind_info *k, ProtobufCMessage *body)
{
	switch (k->kind) {
	case HEARTH__KIND__KIND_MEMBER: {
		Hearth__Member *m = (Hearth__Member *)body;
		if (!m->category)
			m->category = HEARTH__MEMBER_CATEGORY__CATEGORY_FULL;
		if (!m->standing)
			m->standing = HEARTH__STANDING__STANDING_NORMAL;
		break;
	}
	case HEARTH__KIND__KIND_HARDSHIP: {
		Hearth__Hardship *h = (Hearth__Hardship *)body;
		if (!h->status)
			h->status = HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED;
		break;
	}
	case HEARTH__KIND__KIND_PAIRING: {
		Hearth__Pairing *p = (Hearth__Pairing *)body;
		if (!p->status)
			p->status = HEARTH__PAIRING_STATUS__PAIRING_STATUS_ACTIVE;
		break;
	}
	case HEARTH__KIND__KIND_TRANSFER: {
		Hearth__Transfer *t = (Hearth__Transfer *)body;
		if (!t->status)
			t->status = HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_PENDING;
		break;
	}
	case HEARTH__KIND__KIND_TALK: {
		Hearth__Talk *t = (Hearth__Talk *)body;
		if (!t->form)
			t->form = HEARTH__TALK_FORM__TALK_FORM_INDIVIDUAL;
		break;
	}
	case HEARTH__KIND__KIND_VISIT: {
		Hearth__Visit *v = (Hearth__Visit *)body;
		if (!v->status)
			v->status = HEARTH__VISIT_STATUS__VISIT_STATUS_DONE;
		break;
	}
	default:
		break;
	}
}

void record_defaults_apply(const kind_info *k, ProtobufCMessage *body, const record_defaults_opts *o)
{
	if (o->mode == RECORD_DEFAULTS_NEW)
		new_defaults(k, body);
	switch (k->kind) {
	case HEARTH__KIND__KIND_HARDSHIP: {
		/* 统计年度 is the year the hardship was certified; a new entry
		 * without a certification date counts in the current year. */
		Hearth__Hardship *h = (Hearth__Hardship *)body;
		if (!h->year)
			h->year = year_of(h->certified_at);
		if (!h->year && o->mode == RECORD_DEFAULTS_NEW)
			h->year = year_of_day(o->today);
		break;
	}
	case HEARTH__KIND__KIND_ACTIVITY: {
		Hearth__Activity *a = (Hearth__Activity *)body;
		if (a->participant_count == 0 && a->n_members > 0 && a->n_members <= INT32_MAX)
			a->participant_count = (int32_t)a->n_members;
		break;
	}
	case HEARTH__KIND__KIND_DUES:
		dues_derive((Hearth__Dues *)body, o);
		break;
	default:
		break;
	}
}
