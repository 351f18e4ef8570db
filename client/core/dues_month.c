/* dues_month.c: a month's dues for every active member in one transaction
 * (dues_month.h); moved out of `hearth dues month` so the web app's 党费
 * page runs the same rule. */
#include "client/core/dues_month.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/dues_rate.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/kinds.h"
#include "common/record.h"
#include "common/record_defaults.h"
#include "client/core/due_load.h"

int dues_month_parse(const char *text, int32_t *mi)
{
	char canon[16];

	if (!text || date_parse_month(text, mi) != 0)
		return HEARTH_EINVAL;
	dues_month_text(*mi, canon);
	return strcmp(canon, text) ? HEARTH_EINVAL : 0;
}

void dues_month_text(int32_t mi, char out[16])
{
	snprintf(out, 16, "%04d-%02d", (int)(mi / 12) % 10000, (int)(mi % 12 + 1));
}

int dues_month_has(const due_snapshot *s, const uint8_t member[UUID_LEN], int32_t mi)
{
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DUES]; i++) {
		const Hearth__Dues *d = s->recs[HEARTH__KIND__KIND_DUES][i]->dues;
		int32_t m;

		if (d->member.len == UUID_LEN && !memcmp(d->member.data, member, UUID_LEN) &&
		    date_parse_month(d->month, &m) == 0 && m == mi)
			return 1;
	}
	return 0;
}

int dues_month_records(const due_snapshot *s, int32_t mi, dues_month_entry **out, size_t *n)
{
	size_t all = s->n[HEARTH__KIND__KIND_DUES], k = 0;
	dues_month_entry *e;

	*out = NULL;
	*n = 0;
	/* Sized for every dues record at once: one allocation, no growth. */
	if (!(e = malloc((all ? all : 1) * sizeof(*e))))
		return HEARTH_ENOMEM;
	for (size_t i = 0; i < all; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_DUES][i];
		const Hearth__Dues *d = rec->dues;
		int32_t dm;

		if (date_parse_month(d->month, &dm) != 0 || dm != mi)
			continue;
		e[k].rec = rec;
		e[k++].member = due_member(s, d->member.data, d->member.len);
	}
	*out = e;
	*n = k;
	return 0;
}

/* The month's record of one member, by the rule (common/dues_rate.h), or
 * NULL with why filled when the rule's record is refused (or no memory). */
static Hearth__Record *month_record(const kind_info *k, const Hearth__Record *mrec, const char *month,
                                    const char *branch, char *why, size_t cap)
{
	const Hearth__Member *m = mrec->member;
	Hearth__Record *rec = malloc(sizeof(*rec));
	Hearth__Dues *d = (Hearth__Dues *)kind_new_body(k);
	record_error err;

	if (!rec || !d) {
		free(rec);
		free(d);
		snprintf(why, cap, "%s", _("out of memory"));
		return NULL;
	}
	hearth__record__init(rec);
	if (kind_set_body(rec, k, (ProtobufCMessage *)d) != 0) {
		free(rec);
		free(d);
		snprintf(why, cap, "%s", _("out of memory"));
		return NULL;
	}
	rec->id.data = malloc(UUID_LEN);
	rec->branch_id = strdup(branch);
	d->member.data = malloc(UUID_LEN);
	d->month = strdup(month);
	if (!rec->id.data || !rec->branch_id || !d->member.data || !d->month || uuid_v7(rec->id.data) != 0) {
		snprintf(why, cap, "%s", _("out of memory"));
		goto fail;
	}
	rec->id.len = UUID_LEN;
	memcpy(d->member.data, mrec->id.data, UUID_LEN);
	d->member.len = UUID_LEN;
	d->dues_group = m->dues_group;
	d->status = HEARTH__DUES_STATUS__DUES_STATUS_UNPAID;
	if (dues_rate_basis(m->dues_group) == DUES_BASIS_INCOME)
		d->base_income = m->dues_income;
	record_defaults_apply(k, (ProtobufCMessage *)d,
	                      &(record_defaults_opts){ .mode = RECORD_DEFAULTS_DERIVED });
	memset(&err, 0, sizeof(err));
	if (record_validate_message(k, (ProtobufCMessage *)d, &err) != 0) {
		snprintf(why, cap, "%s", err.message);
		goto fail;
	}
	return rec;
fail:
	hearth__record__free_unpacked(rec, NULL);
	return NULL;
}

/* What the table lacks for a member, or 0 when it has all it needs. */
static dues_missing missing_of(const Hearth__Member *m)
{
	if (m->dues_group == HEARTH__DUES_GROUP__DUES_GROUP_UNSPECIFIED)
		return DUES_MISSING_GROUP;
	if (dues_rate_basis(m->dues_group) == DUES_BASIS_INCOME && m->dues_income == 0)
		return DUES_MISSING_INCOME;
	return 0;
}

static int add_need(dues_month_result *res, const Hearth__Record *mrec, dues_missing what, const char *why)
{
	dues_month_need *n = &res->needs[res->n_needs];

	memcpy(n->member, mrec->id.data, UUID_LEN);
	n->what = what;
	n->dues_group = mrec->member->dues_group;
	n->name = strdup(mrec->member->name ? mrec->member->name : "");
	n->why = strdup(why ? why : "");
	if (!n->name || !n->why) {
		free(n->name);
		free(n->why);
		return HEARTH_ENOMEM;
	}
	res->n_needs++;
	return 0;
}

static int by_member(const void *a, const void *b)
{
	return memcmp(a, b, UUID_LEN);
}

/* The members of s who have a live dues record for month index mi, as a
 * sorted array of ids (the caller frees), so each member's question is a
 * binary search and not a walk of every dues record (10,000 members and
 * their 10,000 records of the month: 10^8 comparisons otherwise). */
static int month_payers(const due_snapshot *s, int32_t mi, uint8_t (**out)[UUID_LEN], size_t *n)
{
	size_t all = s->n[HEARTH__KIND__KIND_DUES], k = 0;
	uint8_t (*ids)[UUID_LEN];

	*out = NULL;
	*n = 0;
	if (!(ids = malloc((all ? all : 1) * sizeof(*ids))))
		return HEARTH_ENOMEM;
	for (size_t i = 0; i < all; i++) {
		const Hearth__Dues *d = s->recs[HEARTH__KIND__KIND_DUES][i]->dues;
		int32_t m;

		if (d->member.len == UUID_LEN && date_parse_month(d->month, &m) == 0 && m == mi)
			memcpy(ids[k++], d->member.data, UUID_LEN);
	}
	if (k > 1)
		qsort(ids, k, sizeof(*ids), by_member);
	*out = ids;
	*n = k;
	return 0;
}

int dues_month_run(replica *r, const char *branch, const char *month, dues_month_result *out, char *err,
                   size_t cap)
{
	due_snapshot snap;
	int32_t mi;
	int rc;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	/* The month is checked before the replica is read. */
	if (dues_month_parse(month, &mi) != 0) {
		snprintf(err, cap, _("give the month as YYYY-MM (got \"%s\")"), month ? month : "");
		return HEARTH_EINVAL;
	}
	dues_month_text(mi, out->month);
	snprintf(out->branch, sizeof(out->branch), "%s", branch);
	if ((rc = due_snapshot_load(r, branch, &snap)) != 0) {
		snprintf(err, cap, "%s", _("cannot read the local replica"));
		return rc < 0 ? rc : HEARTH_EIO;
	}
	rc = dues_month_run_over(r, &snap, branch, month, out, err, cap);
	due_snapshot_free(&snap);
	return rc;
}

int dues_month_run_over(replica *r, const due_snapshot *snap, const char *branch, const char *month,
                        dues_month_result *out, char *err, size_t cap)
{
	const kind_info *k = kind_find(HEARTH__KIND__KIND_DUES);
	Hearth__Record **recs = NULL;
	uint8_t (*payers)[UUID_LEN] = NULL;
	int *create = NULL;
	size_t n_members, n_payers = 0, n_new = 0;
	int32_t mi;
	int rc;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	if (dues_month_parse(month, &mi) != 0) {
		snprintf(err, cap, _("give the month as YYYY-MM (got \"%s\")"), month ? month : "");
		return HEARTH_EINVAL;
	}
	dues_month_text(mi, out->month);
	snprintf(out->branch, sizeof(out->branch), "%s", branch);
	n_members = snap->n[HEARTH__KIND__KIND_MEMBER];
	recs = calloc(n_members + 1, sizeof(*recs));
	create = calloc(n_members + 1, sizeof(*create));
	out->needs = calloc(n_members + 1, sizeof(*out->needs));
	if (!recs || !create || !out->needs || month_payers(snap, mi, &payers, &n_payers) != 0) {
		rc = HEARTH_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n_members; i++) {
		const Hearth__Record *mrec = snap->recs[HEARTH__KIND__KIND_MEMBER][i];
		const Hearth__Member *mem = mrec->member;
		dues_missing what;
		char why[600];
		int32_t join;

		if (mem->standing != HEARTH__STANDING__STANDING_UNSPECIFIED &&
		    mem->standing != HEARTH__STANDING__STANDING_NORMAL)
			continue;
		/* A member who joined after the month owed nothing for it. */
		if (mem->join_date && date_parse(mem->join_date, &join) == 0 &&
		    strncmp(mem->join_date, out->month, 7) > 0)
			continue;
		out->active++;
		if (mrec->id.len == UUID_LEN && n_payers &&
		    bsearch(mrec->id.data, payers, n_payers, sizeof(*payers), by_member)) {
			out->had++;
			continue;
		}
		if ((what = missing_of(mem)) != 0) {
			if ((rc = add_need(out, mrec, what, NULL)) != 0)
				goto fail;
			continue;
		}
		if (!(recs[n_new] = month_record(k, mrec, out->month, branch, why, sizeof(why)))) {
			if ((rc = add_need(out, mrec, DUES_MISSING_RULE, why)) != 0)
				goto fail;
			continue;
		}
		create[n_new++] = 1;
	}
	if (n_new && (rc = replica_edit_batch(r, recs, create, n_new, err, cap)) != 0) {
		if (!err[0])
			snprintf(err, cap, "%s", _("the local replica refused the records"));
		goto fail;
	}
	out->created = n_new;
	rc = 0;
fail:
	if (rc == HEARTH_ENOMEM)
		snprintf(err, cap, "%s", _("out of memory"));
	for (size_t i = 0; i < n_new; i++)
		hearth__record__free_unpacked(recs[i], NULL);
	free(payers);
	free(recs);
	free(create);
	return rc;
}

void dues_month_result_free(dues_month_result *res)
{
	for (size_t i = 0; res && i < res->n_needs; i++) {
		free(res->needs[i].name);
		free(res->needs[i].why);
	}
	if (res) {
		free(res->needs);
		res->needs = NULL;
		res->n_needs = 0;
	}
}
