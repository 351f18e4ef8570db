/* ledger.h: a branch's printable ledgers (台账) as rows of text: 困难党员台账,
 * 走访慰问登记表, 谈心谈话记录 and 结对帮扶情况, with Chinese headers, members
 * by name (never an id), money in 元, enum labels, 党龄 and age, and the
 * sensitive fields masked unless the caller has recorded a reveal.
 * `hearth report ledger` prints them as a table or as A4 HTML.
 *
 * Which records a ledger of year Y holds (Y-01-01..Y-12-31):
 *   hardship  entries in the ledger during Y: entered (certified_at, else
 *             created) by the end of Y and not closed before Y;
 *   visits    visits dated in Y, every status; the totals row sums the
 *             visits that happened (not 计划/已取消), as the year report;
 *   talks     talks dated in Y;
 *   pairings  pairings running during Y: started by the end of Y and not
 *             ended before Y.
 * Rows are in date order (then creation order). */
#ifndef HEARTH_LEDGER_H
#define HEARTH_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "common/due.h"
#include "client/core/values.h"

enum ledger_kind { LEDGER_HARDSHIP, LEDGER_VISITS, LEDGER_TALKS, LEDGER_PAIRINGS, LEDGER_KIND_COUNT };

typedef struct ledger {
	enum ledger_kind kind;
	int year;
	const char *title;              /* "困难党员台账" (static) */
	const char *const *cols;        /* headers (static), n_cols of them */
	size_t n_cols;
	char **cells;                   /* n_rows x n_cols strings, row-major, owned */
	size_t n_rows, cap_rows;
	char **total;                   /* a totals row (n_cols strings, owned), or NULL */
	const Hearth__Record **recs;    /* the record of each row, borrowed from the snapshot */
} ledger;

/* The ledger named by word: "hardship", "visits", "talks", "pairings" or
 * its Chinese title. Returns 0, or HEARTH_EINVAL. */
int ledger_kind_parse(const char *word, enum ledger_kind *kind);

/* The record kind a ledger lists. */
Hearth__Kind ledger_record_kind(enum ledger_kind kind);

/* Builds the ledger of year from s (one branch's records); ages and 党龄 as
 * of today. view VALUE_MASKED masks every sensitive field as `show` does;
 * VALUE_REVEALED puts them in clear. Building shows nothing: the caller
 * queues a reveal event for each of out->recs before it prints a revealed
 * ledger. Returns 0 or HEARTH_ENOMEM (out is then empty). Free with
 * ledger_free; out borrows records from s, so s must outlive it. */
int ledger_build(const due_snapshot *s, enum ledger_kind kind, int year, int32_t today,
                 value_view view, ledger *out);
void ledger_free(ledger *l);

/* The cell of row r, column c (never NULL). */
const char *ledger_cell(const ledger *l, size_t r, size_t c);

/* Whole years from the date text to today ("76"), or "" when the text is
 * not a date or later than today: 党龄 from the join date, age from the
 * birth date. Into out[8]. */
void ledger_years(const char *date, int32_t today, char out[8]);

#endif
