/* committee.c: the CommitteeRequest checks and one branch's committee row
 * to and from its CommitteeBranch (committee.h). */
#include "common/committee.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/hearth.h"
#include "common/yearly.h"

/* The request's thresholds in the order of due_config_keys. */
static int32_t *ask_field(Hearth__CommitteeRequest *rq, const char *name)
{
	if (!strcmp(name, "visit_gap_days"))
		return &rq->visit_gap_days;
	if (!strcmp(name, "talk_window_days"))
		return &rq->talk_window_days;
	if (!strcmp(name, "talk_lookback_days"))
		return &rq->talk_lookback_days;
	if (!strcmp(name, "note_gap_days"))
		return &rq->note_gap_days;
	if (!strcmp(name, "dues_months"))
		return &rq->dues_months;
	if (!strcmp(name, "contact_gap_days"))
		return &rq->contact_gap_days;
	return NULL;
}

int committee_ask_check(const Hearth__CommitteeRequest *rq, committee_ask *out, const char **field,
                        char *msg, size_t cap)
{
	int32_t lo = 0, hi = 0;
	size_t n;
	const due_config_key *keys = due_config_keys(&n);

	memset(out, 0, sizeof(*out));
	date_parse("1921-01-01", &lo);
	date_parse("2199-12-31", &hi);
	if (rq->year < 1921 || rq->year > 2199) {
		*field = "year";
		snprintf(msg, cap, "year %d is not a year from 1921 to 2199", (int)rq->year);
		return HEARTH_EINVAL;
	}
	if (rq->today < lo || rq->today > hi) {
		*field = "today";
		snprintf(msg, cap, "today %d is not a day number from %d (1921-01-01) to %d (2199-12-31)",
		         (int)rq->today, (int)lo, (int)hi);
		return HEARTH_EINVAL;
	}
	out->year = rq->year;
	out->today = rq->today;
	for (size_t i = 0; i < n; i++) {
		int32_t v = *ask_field((Hearth__CommitteeRequest *)rq, keys[i].name);
		if (v < 1 || v > keys[i].max) {
			*field = keys[i].name;
			snprintf(msg, cap, "%s %d is outside 1..%d", keys[i].name, (int)v, (int)keys[i].max);
			return HEARTH_EINVAL;
		}
		*(int32_t *)((char *)&out->due + keys[i].offset) = v;
	}
	if (rq->n_branches > COMMITTEE_ASK_MAX) {
		*field = "branches";
		snprintf(msg, cap, "%zu branches asked; at most %d in one request", rq->n_branches, COMMITTEE_ASK_MAX);
		return HEARTH_EINVAL;
	}
	for (size_t i = 0; i < rq->n_branches; i++) {
		size_t len = rq->branches[i] ? strlen(rq->branches[i]) : 0;
		if (len == 0 || len > 63) {
			*field = "branches";
			snprintf(msg, cap, "branch %zu of the request is %zu bytes long; a branch id has 1 to 63", i + 1,
			         len);
			return HEARTH_EINVAL;
		}
	}
	return 0;
}

void committee_ask_to_request(const committee_ask *ask, Hearth__CommitteeRequest *rq)
{
	size_t n;
	const due_config_key *keys = due_config_keys(&n);

	hearth__committee_request__init(rq);
	rq->year = ask->year;
	rq->today = ask->today;
	for (size_t i = 0; i < n; i++)
		*ask_field(rq, keys[i].name) = *(const int32_t *)((const char *)&ask->due + keys[i].offset);
}

/* ------------------------------------------------ a row to the wire */

void committee_wire_free(committee_wire *w)
{
	free(w->figs);
	free(w->figp);
	free(w->vets);
	free(w->vetp);
	memset(w, 0, sizeof(*w));
}

int committee_row_to_wire(const stats_row *row, committee_wire *w)
{
	const yearly_report *y = &row->year;

	memset(w, 0, sizeof(*w));
	hearth__committee_branch__init(&w->msg);
	if (y->n && (!(w->figs = calloc(y->n, sizeof(*w->figs))) || !(w->figp = calloc(y->n, sizeof(*w->figp)))))
		goto failed;
	if (y->n_veterans && (!(w->vets = calloc(y->n_veterans, sizeof(*w->vets))) ||
	                      !(w->vetp = calloc(y->n_veterans, sizeof(*w->vetp)))))
		goto failed;
	memcpy(w->values, row->v, sizeof(w->values));
	memcpy(w->months, row->visits_month, sizeof(w->months));
	w->msg.branch_id = (char *)row->branch;
	w->msg.figure_count = ST_COUNT;
	w->msg.values = w->values;
	w->msg.n_values = ST_COUNT;
	w->msg.visits_month = w->months;
	w->msg.n_visits_month = 12;
	for (size_t i = 0; i < y->n; i++) {
		const yearly_figure *f = &y->f[i];
		Hearth__YearFigure *o = &w->figs[i];
		hearth__year_figure__init(o);
		o->section = (char *)(f->section ? f->section : "");
		o->group = (char *)(f->group ? f->group : "");
		o->key = (char *)f->key;
		o->label = (char *)f->label;
		o->unit = (int32_t)f->unit;
		o->value = f->value;
		w->figp[i] = o;
	}
	w->msg.figures = w->figp;
	w->msg.n_figures = y->n;
	for (size_t i = 0; i < y->n_veterans; i++) {
		const yearly_veteran *v = &y->veterans[i];
		Hearth__Veteran *o = &w->vets[i];
		hearth__veteran__init(o);
		o->member.data = (uint8_t *)v->member;
		o->member.len = sizeof(v->member);
		o->name = (char *)v->name;
		o->join_date = (char *)v->join_date;
		o->years = v->years;
		w->vetp[i] = o;
	}
	w->msg.veterans = w->vetp;
	w->msg.n_veterans = y->n_veterans;
	return 0;
failed:
	committee_wire_free(w);
	return HEARTH_ENOMEM;
}

/* ------------------------------------------------ and back */

/* Copies text into out (cap bytes) when it fits, else fails. */
static int take_text(char *out, size_t cap, const char *text)
{
	size_t len = text ? strlen(text) : 0;
	if (len >= cap)
		return -1;
	memcpy(out, text ? text : "", len + 1);
	return 0;
}

int committee_row_from_wire(const Hearth__CommitteeBranch *in, int year, stats_row *row, const char **field)
{
	yearly_report *y = &row->year;

	memset(row, 0, sizeof(*row));
	y->year = year;
	if (take_text(row->branch, sizeof(row->branch), in->branch_id) != 0 || !row->branch[0]) {
		*field = "branch_id";
		goto invalid;
	}
	if (in->n_values > COMMITTEE_VALUES_MAX || in->figure_count != in->n_values) {
		*field = "values";
		goto invalid;
	}
	if (in->n_visits_month > 12) {
		*field = "visits_month";
		goto invalid;
	}
	if (in->n_figures > COMMITTEE_FIGURES_MAX) {
		*field = "figures";
		goto invalid;
	}
	if (in->n_veterans > COMMITTEE_VETERANS_MAX) {
		*field = "veterans";
		goto invalid;
	}
	for (size_t i = 0; i < in->n_values && i < ST_COUNT; i++)
		row->v[i] = in->values[i];
	for (size_t i = 0; i < in->n_visits_month; i++)
		row->visits_month[i] = in->visits_month[i];
	if (in->n_figures && !(y->f = calloc(in->n_figures, sizeof(*y->f))))
		goto oom;
	y->cap = in->n_figures;
	for (size_t i = 0; i < in->n_figures; i++) {
		const Hearth__YearFigure *g = in->figures[i];
		yearly_figure *f = &y->f[y->n];
		if (g->unit < YEARLY_COUNT || g->unit > YEARLY_PERMILLE || take_text(f->key, sizeof(f->key), g->key) != 0 ||
		    take_text(f->label, sizeof(f->label), g->label) != 0) {
			*field = "figures";
			goto invalid;
		}
		/* A newer server's section or group: this build has no place for it. */
		if (yearly_intern(g->section, g->group, &f->section, &f->section_label, &f->group, &f->group_label) != 0) {
			memset(f, 0, sizeof(*f));
			continue;
		}
		f->unit = (enum yearly_unit)g->unit;
		f->value = g->value;
		y->n++;
	}
	if (in->n_veterans && !(y->veterans = calloc(in->n_veterans, sizeof(*y->veterans))))
		goto oom;
	y->cap_veterans = in->n_veterans;
	for (size_t i = 0; i < in->n_veterans; i++) {
		const Hearth__Veteran *g = in->veterans[i];
		yearly_veteran *v = &y->veterans[i];
		if ((g->member.len != 16 && g->member.len != 0) || take_text(v->name, sizeof(v->name), g->name) != 0 ||
		    take_text(v->join_date, sizeof(v->join_date), g->join_date) != 0) {
			*field = "veterans";
			goto invalid;
		}
		if (g->member.len)
			memcpy(v->member, g->member.data, 16);
		v->years = g->years;
		y->n_veterans++;
	}
	return 0;
invalid:
	yearly_free(y);
	memset(row, 0, sizeof(*row));
	return HEARTH_EINVAL;
oom:
	yearly_free(y);
	memset(row, 0, sizeof(*row));
	return HEARTH_ENOMEM;
}
