/* figure_rules.h: what one record counts as in the figures, the one rule per
 * kind that the committee's figures (stats.c, `hearth admin stats` and
 * `admin report`) and a branch's year (yearly.c, `hearth report year`) both
 * apply, so the two never disagree on a count.
 *
 * The rules (year Y is Y-01-01..Y-12-31, inclusive):
 *   member    live: not 去世 and not 出党;
 *   visit     counts when its status is not 计划 or 已取消 and its date is
 *             in Y;
 *   talk      counts when its date is in Y;
 *   honor     counts in Y when its year (else its date's year) is Y and its
 *             status is 已批准 or 已颁发: a nominated (推荐, not yet
 *             approved) honor counts nowhere, nor does a revoked one (the
 *             committee's rule);
 *   dues      belongs to Y when its month is in Y; its due counts unless the
 *             month is 免缴;
 * Every function only reads its argument; none keeps a pointer. */
#ifndef HEARTH_FIGURE_RULES_H
#define HEARTH_FIGURE_RULES_H

#include <stdint.h>

#include "proto/hearth.pb-c.h"

/* 1 when m is a live member (not deceased or out of the Party), else 0. */
int figure_member_live(const Hearth__Member *m);

/* 1 when the visit happened (not 计划/已取消) on a day in year, else 0. */
int figure_visit_counts(const Hearth__Visit *v, int year);

/* 1 when the talk's date is in year, else 0. */
int figure_talk_counts(const Hearth__Talk *t, int year);

/* 1 when the honor counts in year (已批准 or 已颁发, of that year), else 0. */
int figure_honor_counts(const Hearth__Honor *h, int year);

/* 1 when the dues record's month is in year, else 0. */
int figure_dues_in_year(const Hearth__Dues *d, int year);

/* The amount the record owes toward the collection rate: its due, or 0 for
 * a 免缴 month. */
int64_t figure_dues_owed(const Hearth__Dues *d);

/* The year of a "YYYY-MM-DD" or "YYYY-MM" text, or 0 when it is none. */
int figure_year_of(const char *text);

/* The committee's counters, one slot each per branch and year: what one
 * record adds to the figures of `hearth admin stats` by the rules above.
 * hearthd keeps them (server/db/figures.c) and sends them indexed by this
 * enum, so the order is part of the protocol: append only, never reorder.
 * Figures as they stand now are kept under year 0; the others under the
 * year they fall in. FC_HARDSHIP_MEMBERS, FC_SPRING_VISITED and
 * FC_JULY_VISITED count distinct members over several records, so no one
 * record's contribution gives them (figure_contributions leaves them out;
 * the server keeps them from reference counts). */
enum figure_counter {
	FC_MEMBERS, FC_MEMBERS_FULL, FC_MEMBERS_PROBATIONARY,
	FC_MEMBERS_NORMAL, FC_MEMBERS_SUSPENDED, FC_MEMBERS_DECEASED, FC_MEMBERS_LEFT,
	FC_HARDSHIP, FC_HARDSHIP_REGISTERED, FC_HARDSHIP_ASSISTING, FC_HARDSHIP_RESOLVED,
	FC_HARDSHIP_REMOVED, FC_HARDSHIP_OPEN,
	FC_HARDSHIP_TYPE_LIVING, FC_HARDSHIP_TYPE_ALONE, FC_HARDSHIP_TYPE_ELDERLY,
	FC_HARDSHIP_TYPE_FRAIL, FC_HARDSHIP_TYPE_ILL, FC_HARDSHIP_TYPE_DISABLED,
	FC_HARDSHIP_MEMBERS,
	FC_PAIRINGS_ACTIVE,
	FC_VISITS, FC_VISITS_SPRING, FC_VISITS_JULY, FC_SPRING_VISITED, FC_JULY_VISITED,
	FC_TALKS, FC_HONORS, FC_DUES_DUE, FC_DUES_PAID, FC_TRANSFERS_OUT, FC_TRANSFERS_IN,
	FC_VISITS_MONTH, /* 12 slots: January .. December */
	FC_COUNT = FC_VISITS_MONTH + 12
};

/* Called once per counter a record adds to: v to counter c of the record's
 * branch in year (0: as it stands now). */
typedef void (*figure_add_fn)(void *ctx, int year, int c, int64_t v);

/* Calls add for every counter rec adds to (nothing for a deleted record or
 * one without a body). Only reads rec. */
void figure_contributions(const Hearth__Record *rec, figure_add_fn add, void *ctx);

/* 1 when the ledger entry is open (在册, 帮扶中), else 0. */
int figure_hardship_open(const Hearth__Hardship *h);

/* The coverage occasion of a counted visit: 1 Spring Festival, 2 七一, 0
 * neither (or the visit does not count in its year; *year gets it). */
int figure_visit_occasion(const Hearth__Visit *v, int *year);

#endif
