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

#endif
