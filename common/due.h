/* due.h: what a branch owes its members (`hearth due`): hardship-ledger
 * members not visited lately, talks a trigger requires, pairings without
 * progress notes, dues unpaid for months, and the coverage of the Spring
 * Festival and 七一 visiting campaigns. The computation runs over a
 * snapshot of records in memory, so the same rules serve `hearth due`, the
 * pages and the admin console over a replica (client/core/due_load.h) and
 * hearthd over its store for the committee's figures.
 *
 * The rules, with the thresholds of due_config:
 *   visit   an open hardship entry (在册/帮扶中) whose member's last visit
 *           (status not 计划/已取消, date <= today), or the entry's
 *           certified_at when never visited, is more than visit_gap_days ago.
 *   talk    a trigger in the last talk_lookback_days (an open hardship entry's
 *           certified_at; a visit for 思想波动; a transfer's issued/accepted
 *           date; an approved or awarded honor's date) with no talk with
 *           that member on or after the trigger date. Owed from the trigger;
 *           overdue after talk_window_days. Also each 需谈话事项 a secretary
 *           recorded on a member (Member.talk_needs: reason, date), from
 *           its date (no lookback), until a talk with that trigger and that
 *           member is held on or after the date.
 *   note    an active pairing whose last progress note (or start_date) is
 *           more than note_gap_days ago.
 *   dues    a member's dues records with status 未缴/部分缴纳 for a month
 *           more than dues_months months before today's month; one item per
 *           member, with the months and the amount outstanding.
 *   dues_missing  a member with no dues record at all for months before
 *           today's month, counted from the later of the member's join month
 *           and the month of the branch's first dues record (a branch that
 *           keeps no dues in hearth owes nothing here); one item per member,
 *           naming the months and which start applied.
 *   contact a mobile member (流动党员) whose last contact in the log
 *           (Member.contacts, dated on or before today), or the day the
 *           member was recorded when there is none, is more than
 *           contact_gap_days ago.
 * Records without a date the rule needs fall back to their creation day
 * (UUIDv7 ids carry it). Members deleted, deceased or out of the Party are
 * skipped. */
#ifndef HEARTH_DUE_H
#define HEARTH_DUE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"
#include "common/arena.h"

typedef struct due_config {
	int32_t visit_gap_days;      /* 90 */
	int32_t talk_window_days;    /* 30 */
	int32_t talk_lookback_days;  /* 365 */
	int32_t note_gap_days;       /* 60 */
	int32_t dues_months;         /* 3 */
	int32_t contact_gap_days;    /* 90 */
} due_config;

void due_config_defaults(due_config *c);

/* The thresholds by name (profile.ini [due] keys, CommitteeRequest fields),
 * each an int32_t at offset in due_config, valid from 1 to max: the one
 * table of their ranges. Static; *n gets its length. */
typedef struct due_config_key {
	const char *name;
	size_t offset;
	int32_t max;
} due_config_key;
const due_config_key *due_config_keys(size_t *n);

/* ---- a branch's records in memory ---------------------------------------
 * Live (not deleted) records of one branch (or of every branch the source
 * holds), per kind, in id (creation) order. Heap copies owned by the
 * snapshot until due_snapshot_free. */
typedef struct due_snapshot {
	/* The records live in arena (freed with the snapshot as a whole). */
	Hearth__Record **recs[HEARTH__KIND__KIND_TRANSFER + 1];
	size_t n[HEARTH__KIND__KIND_TRANSFER + 1];
	size_t cap[HEARTH__KIND__KIND_TRANSFER + 1];
	arena arena;
} due_snapshot;

/* Starts an empty snapshot. */
void due_snapshot_init(due_snapshot *s);

/* Takes rec, unpacked with arena_allocator(&s->arena), into its kind's
 * array, or frees it when it does not belong: deleted, without a body, of
 * an unknown kind, or (branch not NULL) of another branch. Returns 0, or
 * HEARTH_ENOMEM (rec is freed then too). */
int due_snapshot_keep(due_snapshot *s, Hearth__Record *rec, const char *branch);

/* Puts every kind's records in id order, which the computation expects;
 * for a snapshot filled out of that order. */
void due_snapshot_sort(due_snapshot *s);

void due_snapshot_free(due_snapshot *s);

/* ---- following a snapshot's records as they change ----------------------
 * For a reader that keeps a snapshot and learns which records changed
 * since it was filled (the kept snapshot of `hearth ui`,
 * client/core/due_keep.h), so a change costs the changed records, not a
 * reload. Both keep every kind's array in id order and expect it (after
 * due_snapshot_load, or keep then sort). A record replaced or removed
 * stays in the arena until due_snapshot_free: a keeper that follows many
 * changes reloads now and then to give that memory back. */

/* Puts rec, the new version of the record with its id, unpacked with
 * arena_allocator(&s->arena), in its place: the record with that id (in
 * any kind) goes, and rec takes its place in id order when it belongs as
 * due_snapshot_keep judges (branch NULL: any branch); when it does not (a
 * delete, another branch) the record is only gone. Costs a binary search
 * per kind and a move of the kind's later pointers. Returns 0, or
 * HEARTH_ENOMEM with s as before except that the old version is gone. */
int due_snapshot_put(due_snapshot *s, Hearth__Record *rec, const char *branch);

/* Takes the record with id (of any kind) out of s. Returns 1 when one
 * went, 0 when s held none. */
int due_snapshot_remove(due_snapshot *s, const uint8_t *id, size_t len);

/* Fills view with the records of all that belong to branch (NULL: all of
 * them), in the same order: what due_snapshot_load(r, branch) would give
 * from the replica all was loaded from (branch NULL), without reading it
 * again. view's arrays are its own but its records are borrowed from all:
 * valid until all changes or is freed. Free view with due_snapshot_free
 * (which then frees only its arrays). Returns 0, or HEARTH_ENOMEM with view
 * empty. */
int due_snapshot_view(const due_snapshot *all, const char *branch, due_snapshot *view);

/* The member record with that id in s, or NULL. Borrowed from s. */
const Hearth__Member *due_member(const due_snapshot *s, const uint8_t *id, size_t len);

/* A record's creation day (from its UUIDv7 id), or 0 when unknown. */
int32_t due_created_day(const Hearth__Record *rec);

/* What a date field says for the due rules and the year's figures: its
 * day number, or DUE_NO_DAY when empty or not a YYYY-MM-DD date. */
#define DUE_NO_DAY INT32_MIN
int32_t due_day_of(const char *date);

/* due_day_of(date), or the day rec was made (due_created_day) when the
 * field says no day. */
int32_t due_day_or_created(const char *date, const Hearth__Record *rec);

/* ---- the computation ---------------------------------------------------- */

enum due_what { DUE_VISIT, DUE_TALK, DUE_NOTE, DUE_DUES, DUE_DUES_MISSING, DUE_CONTACT, DUE_WHAT_COUNT };

typedef struct due_item {
	enum due_what what;
	uint8_t member[16];
	char member_name[80];
	uint8_t record[16];          /* the hardship entry, trigger, pairing or oldest dues */
	char reason[160];            /* 事由, e.g. "走访慰问：思想波动" */
	int32_t since;               /* the day the clock started */
	int32_t days;                /* today - since */
	int32_t deadline;            /* talks: since + window; 0 otherwise */
	int overdue;                 /* talks: past the deadline; others: always 1 */
	char detail[200];            /* 说明, e.g. "上次走访 2026-03-01" */
	int64_t amount;              /* dues: fen outstanding */
	uint32_t months;             /* dues: months unpaid; dues_missing: months without a record */
} due_item;

typedef struct due_campaign {
	Hearth__VisitOccasion occasion;
	uint32_t visited, total;     /* hardship-ledger members of the year */
	char (*missing)[80];         /* names of those not visited (heap) */
	size_t n_missing;
} due_campaign;

typedef struct due_report {
	int32_t today;
	int year;
	due_config cfg;
	due_item *items;             /* sorted: what, since, member name */
	size_t n_items;
	size_t counts[DUE_WHAT_COUNT];
	size_t talks_overdue;
	due_campaign campaigns[2];   /* 春节, 七一 */
} due_report;

/* Computes what is owed on day today in the records of s. Returns 0 or
 * HEARTH_ENOMEM (out is then empty). Free out with due_report_free. */
int due_compute(const due_snapshot *s, int32_t today, const due_config *cfg, due_report *out);
void due_report_free(due_report *r);

/* "走访" etc. and "visit" etc.: the label and the JSON name of a what. */
const char *due_what_label(enum due_what w);
const char *due_what_name(enum due_what w);

#endif
