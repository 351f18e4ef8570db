/* dues_month.h: a month's dues (党费) for every active member in one
 * step, the one engine behind `hearth dues month YYYY-MM` and the web
 * app's 党费 page (issue 15 item 4): a 未缴 record for each active member
 * (党籍 正常, joined by the month) who has none for the month, the amount
 * by the official table (common/dues_rate.h) from the member's dues group
 * and income, all in one replica transaction. Idempotent: a member who has
 * a record for the month keeps it. A member without the data the table
 * needs gets no record and is listed with what is missing. */
#ifndef HEARTH_DUES_MONTH_H
#define HEARTH_DUES_MONTH_H

#include <stddef.h>
#include <stdint.h>

#include "common/due.h"
#include "client/core/replica.h"
#include "common/uuid.h"

/* What keeps a member from the month's record. */
typedef enum dues_missing {
	DUES_MISSING_GROUP = 1,     /* no dues group (党费类别) */
	DUES_MISSING_INCOME,        /* an income-based group without income (党费基数) */
	DUES_MISSING_RULE,          /* the record the rule gives is refused: why says so */
} dues_missing;

typedef struct dues_month_need {
	uint8_t member[UUID_LEN];
	char *name;                 /* the member's name */
	dues_missing what;
	int dues_group;             /* the member's Hearth__DuesGroup (for DUES_MISSING_INCOME) */
	char *why;                  /* DUES_MISSING_RULE: the validation's sentence; else "" */
} dues_month_need;

typedef struct dues_month_result {
	char month[16];             /* YYYY-MM */
	char branch[128];
	size_t created;             /* records made now (status 未缴) */
	size_t had;                 /* active members who had a record for the month */
	size_t active;              /* active members of the branch for the month */
	dues_month_need *needs;     /* in the replica's member order */
	size_t n_needs;
} dues_month_result;

/* Parses text as a month written YYYY-MM exactly (2026-9 is refused) into
 * a month index (year * 12 + month - 1). Returns 0 or HEARTH_EINVAL. */
int dues_month_parse(const char *text, int32_t *mi);

/* The month index mi as YYYY-MM. */
void dues_month_text(int32_t mi, char out[16]);

/* Whether s holds a live dues record of member for month index mi. */
int dues_month_has(const due_snapshot *s, const uint8_t member[UUID_LEN], int32_t mi);

/* One dues record of a month as the 党费 page lists it, borrowed from
 * the snapshot it was found in. */
typedef struct dues_month_entry {
	const Hearth__Record *rec;  /* a live dues record of the month */
	const Hearth__Member *member; /* its member in the snapshot, or NULL */
} dues_month_entry;

/* The live dues records of s for month index mi, in s's (id) order, with
 * their members looked up in s: the 党费 page's list, over a branch's
 * snapshot (a fresh due_snapshot_load or a view of the kept one gives the
 * same list). *out is the caller's to free (free()); its pointers are
 * borrowed from s and valid while s is unchanged. Returns 0, or
 * HEARTH_ENOMEM with *out NULL and *n 0. */
int dues_month_records(const due_snapshot *s, int32_t mi, dues_month_entry **out, size_t *n);

/* Creates month's records for branch in r, filling *out (the caller's,
 * freed with dues_month_result_free even on failure). Returns 0;
 * HEARTH_EINVAL when month is not YYYY-MM (err says so); another negative
 * code with err set (cap bytes) when the replica cannot be read or refuses
 * the batch, and then nothing was stored. */
int dues_month_run(replica *r, const char *branch, const char *month, dues_month_result *out, char *err,
                   size_t cap);

/* The same over snap, the branch's live records as due_snapshot_load(r,
 * branch) reads them or a due_snapshot_view of the kept snapshot of
 * `hearth ui` (client/core/due_keep.h) when that is as new as r (read
 * after r's last write), so a run need not read the replica again. snap is
 * only read; the records are written to r. Returns as dues_month_run. */
int dues_month_run_over(replica *r, const due_snapshot *snap, const char *branch, const char *month,
                        dues_month_result *out, char *err, size_t cap);

void dues_month_result_free(dues_month_result *res);

#endif
