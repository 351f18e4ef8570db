/* yearly.h: one branch's year in figures (`hearth report year`): members,
 * the hardship ledger, visits, talks, pairings, honors, activities,
 * disclosures, dues and transfers, from the local replica. The figures are
 * a flat list so the table, the JSON and the admin console print the same
 * numbers.
 *
 * What counts in year Y (dates inclusive, Y-01-01..Y-12-31):
 *   members      live members now (not deceased or out), by category;
 *                joined: join_date in Y; 光荣在党50年: live members whose
 *                join_date is 50 years or more before Y-12-31, listed
 *                by join date (veterans)
 *   hardship     in the ledger: entered (certified_at, else created) by the
 *                end of Y and not closed before Y; new: entered in Y; closed:
 *                closed_date in Y; by type (of those in the ledger); status
 *                at year end (an entry closed after Y counts as 帮扶中)
 *   visits       date in Y, not 计划/已取消: count, 人次, by occasion, cash
 *                and goods value, each also by fund source
 *   talks        date in Y, by trigger
 *   pairings     active at year end (started by then, not closed in or
 *                before Y), closed in Y by outcome, progress notes dated in Y
 *   honors       year = Y, 已批准/已颁发 (a nominated honor counts nowhere),
 *                by title, awards
 *   activities   date in Y, by type, participants
 *   disclosures  from_date in Y, by category
 *   dues         month in Y: due (without 免缴), paid, collection rate
 *   transfers    out: from_branch is the branch, issued in Y (an accepted one
 *                by the summary the sending branch keeps; over every
 *                branch by the transfer itself); in: to_branch is the
 *                branch, accepted (else issued) in Y
 * Visits, talks, honors, dues and live members count by the rules of
 * figure_rules.h, the ones `hearth admin stats` applies too. */
#ifndef HEARTH_YEARLY_H
#define HEARTH_YEARLY_H

#include <stddef.h>
#include <stdint.h>

#include "common/due.h"

enum yearly_unit { YEARLY_COUNT, YEARLY_FEN, YEARLY_PERMILLE };

typedef struct yearly_figure {
	const char *section;         /* JSON key: "visits" (static) */
	const char *section_label;   /* "走访慰问" (static) */
	const char *group;           /* JSON key of a breakdown: "by_occasion", or NULL */
	const char *group_label;     /* "事由" (static), or NULL */
	char key[48];                /* "count", "spring_festival" */
	char label[64];              /* "次数", "春节" */
	enum yearly_unit unit;
	int64_t value;               /* count, fen, or permille (833 = 83.3%; -1: none due) */
} yearly_figure;

/* A member 50 years or more in the Party by the end of the year. */
typedef struct yearly_veteran {
	uint8_t member[16];          /* the member's record id */
	char name[80];
	char join_date[11];
	int years;                   /* whole years in the Party at Y-12-31 */
} yearly_veteran;

typedef struct yearly_report {
	int year;
	yearly_figure *f;
	size_t n, cap;
	yearly_veteran *veterans;    /* 光荣在党50年, by join date then name */
	size_t n_veterans, cap_veterans;
} yearly_report;

/* Computes year's figures from the records of s (one branch's snapshot;
 * branch names it for transfers in/out, NULL counts every transfer of the
 * year as both). Returns 0 or HEARTH_ENOMEM. Free with yearly_free. */
int yearly_compute(const due_snapshot *s, const char *branch, int year, yearly_report *out);
void yearly_free(yearly_report *r);

/* Adds r's figures into sum (matched by section, group and key; a figure
 * sum lacks is appended) and r's veterans to sum's list; the collection
 * rate becomes that of the summed amounts. sum starts zeroed. Returns 0
 * or HEARTH_ENOMEM (sum is then partial but valid to free). */
int yearly_add(yearly_report *sum, const yearly_report *r);

/* The value of one figure (group NULL for an ungrouped one), or -1 when
 * r has no such figure. */
int64_t yearly_value(const yearly_report *r, const char *section, const char *group, const char *key);
/* Maps a section and group named by their JSON keys (group NULL or "" for
 * an ungrouped figure) to the static strings yearly_compute points its
 * figures at: *section_out and *section_label, *group_out and *group_label
 * (NULL for no group); any out pointer may be NULL. For a figure decoded
 * from hearthd's Committee answer (common/committee.h). Returns 0, or
 * HEARTH_ENOTFOUND when this build knows no such section or group (a newer
 * server's). */
int yearly_intern(const char *section, const char *group, const char **section_out,
                  const char **section_label, const char **group_out, const char **group_label);

/* A figure's value for people: a count, yuan with two decimals and 元
 * ("1200.00 元"), or a rate ("83.3%", "-" when nothing was due). */
#define YEARLY_TEXT_MAX 64
void yearly_value_text(const yearly_figure *f, char out[YEARLY_TEXT_MAX]);

#endif
