/* stats.h: the committee's cross-branch figures (members, the hardship
 * ledger, care work, dues, overdue items), computed from a snapshot of
 * records (stats_scan_snapshot: over an admin's or auditor's local replica,
 * client/core/stats_load.h, or by hearthd branch by branch for a
 * CommitteeRequest, server/api/committee.c) or taken from the counters
 * hearthd keeps by the same rules (stats_add_counters;
 * server/db/figures.h), and printed as tables, JSON or CSV.
 *
 * What each figure counts (the same words are in `hearth admin stats
 * --help`; t_admin.sh recomputes every one of them independently):
 *   - members, hardship entries and active pairings as they stand now;
 *     members and their categories are the live ones (not 去世/出党, as in
 *     `report year`), the standings count every member record;
 *   - visits, talks, honors and dues for the chosen year, by the rules of
 *     common/figure_rules.h that `hearth report year` applies too: a
 *     visit counts unless its status is 计划 (planned) or 已取消, an honor
 *     only when 已批准 or 已颁发 (a nominated one counts nowhere);
 *   - hardship types and the care coverage look at open ledger entries
 *     (在册, 帮扶中); coverage = share of the distinct members with an open
 *     entry who were visited on that occasion (春节, 七一) in the year;
 *   - transfers out and in for the chosen year, as `hearth report year`
 *     counts them for the branch (yearly.h: an accepted transfer counts
 *     out by the summary the sending branch keeps, in by the transfer);
 *   - overdue items, as of today, are `hearth due`'s (due.h computes them
 *     per branch, with its thresholds from profile.ini [due]): ledger
 *     members not visited in 90 days, talks past their deadline, active
 *     pairings without a progress note in 60 days, members with dues
 *     unpaid for more than 3 months (one item per member).
 * Each row also carries its branch's whole year (yearly.h: by fund source,
 * type, title, category; transfers; dues) for the committee report.
 * Deleted records are never counted. */
#ifndef HEARTH_STATS_H
#define HEARTH_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/due.h"
#include "common/yearly.h"

/* Raw figures, one slot each per branch. Percentages are derived at output
 * time from two of these (see stats_column). */
enum stats_fig {
	ST_MEMBERS,
	ST_MEMBERS_FULL,
	ST_MEMBERS_PROBATIONARY,
	ST_MEMBERS_NORMAL,
	ST_MEMBERS_SUSPENDED,
	ST_MEMBERS_DECEASED,
	ST_MEMBERS_LEFT,
	ST_HARDSHIP,
	ST_HARDSHIP_REGISTERED,
	ST_HARDSHIP_ASSISTING,
	ST_HARDSHIP_RESOLVED,
	ST_HARDSHIP_REMOVED,
	ST_HARDSHIP_OPEN,
	ST_HARDSHIP_TYPE_LIVING,
	ST_HARDSHIP_TYPE_ALONE,
	ST_HARDSHIP_TYPE_ELDERLY,
	ST_HARDSHIP_TYPE_FRAIL,
	ST_HARDSHIP_TYPE_ILL,
	ST_HARDSHIP_TYPE_DISABLED,
	ST_HARDSHIP_MEMBERS,
	ST_VISITS,
	ST_VISITS_SPRING,
	ST_VISITS_JULY,
	ST_SPRING_VISITED,
	ST_JULY_VISITED,
	ST_TALKS,
	ST_PAIRINGS_ACTIVE,
	ST_HONORS,
	ST_DUES_DUE,
	ST_DUES_PAID,
	ST_TRANSFERS_OUT,
	ST_TRANSFERS_IN,
	ST_OVERDUE_VISITS,
	ST_OVERDUE_TALKS,
	ST_OVERDUE_DUES,
	ST_OVERDUE_PAIRINGS,
	ST_OVERDUE,
	ST_COUNT
};

/* How a column is printed. */
enum stats_type {
	STATS_COUNT,     /* an integer */
	STATS_FEN,       /* money: fen in JSON (key ends in _fen), yuan for people and CSV */
	STATS_PERCENT,   /* num/den x 100, one decimal; null / "-" when den is 0 */
};

typedef struct stats_column {
	const char *key;       /* JSON key, e.g. "spring_festival_coverage" */
	const char *label;     /* 中文 column header */
	enum stats_type type;
	int fig;               /* the figure (COUNT, FEN) or numerator (PERCENT) */
	int den;               /* PERCENT: the denominator figure */
	int group;             /* which human table it belongs to (0..3) */
} stats_column;

/* The columns in output order; *n gets their number. Static table. */
const stats_column *stats_columns(size_t *n);

#define STATS_BRANCH_CAP 64     /* a branch id (at most 63 bytes) and its NUL */

typedef struct stats_row {
	char branch[STATS_BRANCH_CAP]; /* branch id */
	char name[256];          /* branch name when known, else "" */
	char parent[64];         /* its 党总支's branch id when known, else "" */
	int64_t v[ST_COUNT];
	int64_t visits_month[12]; /* counted visits of the year by month */
	yearly_report year;      /* the branch's year as `hearth report year` computes it
	                          * (the total row: the sums); owned, freed by stats_free */
	int no_overdue;          /* the overdue figures are unknown (the server's counters) */
} stats_row;

typedef struct stats {
	int year;
	int32_t today;           /* day number (date.h) the overdue figures use */
	due_config due;          /* thresholds of the overdue rules */
	stats_row *rows;         /* sorted by branch id after stats_finish */
	size_t n, cap;
	stats_row total;         /* branch "" : sums of every row */
	/* One per general branch (a branch that is some row's parent), after
	 * stats_finish, sorted by id: its own row plus every branch below it,
	 * transitively. Owned; stats_free frees it. */
	stats_row *subtotals;
	size_t n_sub;
	uint64_t records;        /* records looked at */
	/* The figures are the server's, not this replica's: its counters
	 * (stats_add_counters: no overdue items, which depend on today and of
	 * which it keeps no counter, and no year detail, row.year) unless
	 * from_committee says it computed them all. */
	int from_server;
	/* The figures were computed by the server over its records
	 * (CommitteeRequest; stats_put_row), every one of them: overdue items
	 * and the year detail included. */
	int from_committee;
} stats;

/* Starts an empty set for year, overdue as of day number today with the
 * thresholds in cfg (copied; NULL: due_config_defaults). */
void stats_init(stats *s, int year, int32_t today, const due_config *cfg);

/* Makes sure a row for branch id exists (so branches without records still
 * show) and gives it a name when name is non-empty. Returns 0 or
 * HEARTH_ENOMEM. */
int stats_add_branch(stats *s, const char *id, const char *name);

/* Records that branch id sits below parent (its 党总支) in the tree, for
 * the subtotals of stats_finish. Returns 0 or HEARTH_ENOMEM. */
int stats_set_parent(stats *s, const char *id, const char *parent);

/* stats_add_branch and stats_set_parent for every branch of l (the
 * server's BranchList, borrowed). Returns 0 or HEARTH_ENOMEM. */
int stats_add_branches(stats *s, const Hearth__BranchList *l);

/* stats_add_branches for the branches of l in the subtree of root (a
 * general branch, 党总支): root itself and every branch below it,
 * transitively, and no other; root's own parent is left out, so root is
 * the top of the figures (its subtotal sums them all). The walk up from a
 * branch is bounded by l's size, so a loop in l cannot hang it. A root l
 * does not list still gets its row. Returns 0 or HEARTH_ENOMEM. */
int stats_add_subtree(stats *s, const Hearth__BranchList *l, const char *root);

/* Counts the records of a snapshot in memory (every branch of it;
 * borrowed for the call). May be called once per stats. Returns 0 or a
 * negative HEARTH_E* code. client/core/stats_load.h's stats_scan loads a
 * replica's snapshot and calls this; hearthd calls it once per branch. */
int stats_scan_snapshot(stats *s, const due_snapshot *all);

/* Adds the server's counters of branch (values indexed by enum
 * figure_counter of common/figure_rules.h, n of them: a newer server's
 * extra ones are ignored, an older one's missing ones are 0) and marks s
 * as from_server. Returns 0 or HEARTH_ENOMEM. */
int stats_add_counters(stats *s, const char *branch, const int64_t *v, size_t n);

/* Puts a row computed elsewhere (hearthd's Committee answer, decoded by
 * common/committee.h) in place of the figures of its branch (added when
 * missing; its name and parent stay): its values and visits by month are
 * copied, its year report is moved into s (row->year is empty after).
 * Marks s as from_server and from_committee. Returns 0 or HEARTH_ENOMEM (row keeps its
 * year report then). */
int stats_put_row(stats *s, stats_row *row);

/* 1 when c is one of the overdue figures (as of today), else 0. */
int stats_column_is_overdue(const stats_column *c);

/* Sorts the rows and computes the totals row and the subtotals per
 * general branch (none when out of memory: the rows stay right). */
void stats_finish(stats *s);

/* Frees the rows; s may be reused after stats_init. */
void stats_free(stats *s);

/* num/den x 100, or -1 when den is 0. */
double stats_percent(int64_t num, int64_t den);

/* A column's value of one row as text for people ("12", "3.50", "66.7%",
 * "-"), into out. */
void stats_cell(const stats_column *c, const stats_row *row, char *out, size_t cap);


#endif
