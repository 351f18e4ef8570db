/* stats.c: counts a snapshot of records into per-branch figures for the
 * committee (see stats.h for what each figure means), on an admin's
 * replica (client/core/stats_load.c) or in hearthd (server/api/committee.c);
 * ui/stats_print.c prints them. */
#include "common/stats.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/figure_rules.h"
#include "common/money.h"

static const stats_column columns[] = {
	{ "members", "党员", STATS_COUNT, ST_MEMBERS, 0, 0 },
	{ "members_full", "正式党员", STATS_COUNT, ST_MEMBERS_FULL, 0, 0 },
	{ "members_probationary", "预备党员", STATS_COUNT, ST_MEMBERS_PROBATIONARY, 0, 0 },
	{ "members_normal", "正常", STATS_COUNT, ST_MEMBERS_NORMAL, 0, 0 },
	{ "members_suspended", "停止党籍", STATS_COUNT, ST_MEMBERS_SUSPENDED, 0, 0 },
	{ "members_deceased", "去世", STATS_COUNT, ST_MEMBERS_DECEASED, 0, 0 },
	{ "members_left", "出党", STATS_COUNT, ST_MEMBERS_LEFT, 0, 0 },
	{ "hardship", "台账条目", STATS_COUNT, ST_HARDSHIP, 0, 1 },
	{ "hardship_registered", "在册", STATS_COUNT, ST_HARDSHIP_REGISTERED, 0, 1 },
	{ "hardship_assisting", "帮扶中", STATS_COUNT, ST_HARDSHIP_ASSISTING, 0, 1 },
	{ "hardship_resolved", "脱困", STATS_COUNT, ST_HARDSHIP_RESOLVED, 0, 1 },
	{ "hardship_removed", "移出", STATS_COUNT, ST_HARDSHIP_REMOVED, 0, 1 },
	{ "hardship_open", "未结条目", STATS_COUNT, ST_HARDSHIP_OPEN, 0, 1 },
	{ "hardship_members", "困难党员", STATS_COUNT, ST_HARDSHIP_MEMBERS, 0, 1 },
	{ "hardship_type_living", "生活困难", STATS_COUNT, ST_HARDSHIP_TYPE_LIVING, 0, 2 },
	{ "hardship_type_alone", "独居", STATS_COUNT, ST_HARDSHIP_TYPE_ALONE, 0, 2 },
	{ "hardship_type_elderly", "高龄", STATS_COUNT, ST_HARDSHIP_TYPE_ELDERLY, 0, 2 },
	{ "hardship_type_frail", "体弱", STATS_COUNT, ST_HARDSHIP_TYPE_FRAIL, 0, 2 },
	{ "hardship_type_ill", "患病", STATS_COUNT, ST_HARDSHIP_TYPE_ILL, 0, 2 },
	{ "hardship_type_disabled", "残疾", STATS_COUNT, ST_HARDSHIP_TYPE_DISABLED, 0, 2 },
	{ "visits", "走访", STATS_COUNT, ST_VISITS, 0, 3 },
	{ "visits_spring_festival", "春节走访", STATS_COUNT, ST_VISITS_SPRING, 0, 3 },
	{ "visits_july_first", "七一走访", STATS_COUNT, ST_VISITS_JULY, 0, 3 },
	{ "spring_festival_visited", "春节覆盖人数", STATS_COUNT, ST_SPRING_VISITED, 0, 3 },
	{ "spring_festival_coverage", "春节覆盖率", STATS_PERCENT, ST_SPRING_VISITED, ST_HARDSHIP_MEMBERS, 3 },
	{ "july_first_visited", "七一覆盖人数", STATS_COUNT, ST_JULY_VISITED, 0, 3 },
	{ "july_first_coverage", "七一覆盖率", STATS_PERCENT, ST_JULY_VISITED, ST_HARDSHIP_MEMBERS, 3 },
	{ "talks", "谈心谈话", STATS_COUNT, ST_TALKS, 0, 3 },
	{ "pairings_active", "结对帮扶中", STATS_COUNT, ST_PAIRINGS_ACTIVE, 0, 3 },
	{ "honors", "表彰", STATS_COUNT, ST_HONORS, 0, 3 },
	{ "dues_due_fen", "应缴(元)", STATS_FEN, ST_DUES_DUE, 0, 4 },
	{ "dues_paid_fen", "实缴(元)", STATS_FEN, ST_DUES_PAID, 0, 4 },
	{ "dues_rate", "收缴率", STATS_PERCENT, ST_DUES_PAID, ST_DUES_DUE, 4 },
	{ "transfers_out", "转出", STATS_COUNT, ST_TRANSFERS_OUT, 0, 4 },
	{ "transfers_in", "转入", STATS_COUNT, ST_TRANSFERS_IN, 0, 4 },
	{ "overdue_visits", "超90天未走访", STATS_COUNT, ST_OVERDUE_VISITS, 0, 4 },
	{ "overdue_talks", "谈话逾期", STATS_COUNT, ST_OVERDUE_TALKS, 0, 4 },
	{ "overdue_dues", "欠缴超3个月", STATS_COUNT, ST_OVERDUE_DUES, 0, 4 },
	{ "overdue_pairings", "超60天无进展", STATS_COUNT, ST_OVERDUE_PAIRINGS, 0, 4 },
	{ "overdue", "逾期合计", STATS_COUNT, ST_OVERDUE, 0, 4 },
};

const stats_column *stats_columns(size_t *n)
{
	*n = HEARTH_ARRAY_LEN(columns);
	return columns;
}

void stats_init(stats *s, int year, int32_t today, const due_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->year = year;
	s->today = today;
	if (cfg)
		s->due = *cfg;
	else
		due_config_defaults(&s->due);
}

void stats_free(stats *s)
{
	for (size_t i = 0; i < s->n; i++)
		yearly_free(&s->rows[i].year);
	yearly_free(&s->total.year);
	free(s->rows);
	s->rows = NULL;
	s->n = s->cap = 0;
	free(s->subtotals);
	s->subtotals = NULL;
	s->n_sub = 0;
}

/* Index of the row for branch id, adding it when missing; -1 when out of
 * memory. Linear: a committee has about a hundred branches. */
static long row_index(stats *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->rows[i].branch, id))
			return (long)i;
	if (array_grow(&s->rows, &s->cap, s->n, sizeof(*s->rows), 16) != 0)
		return -1;
	memset(&s->rows[s->n], 0, sizeof(s->rows[s->n]));
	snprintf(s->rows[s->n].branch, sizeof(s->rows[s->n].branch), "%s", id);
	return (long)s->n++;
}

int stats_add_branch(stats *s, const char *id, const char *name)
{
	long i = row_index(s, id);
	if (i < 0)
		return HEARTH_ENOMEM;
	if (name && name[0])
		snprintf(s->rows[i].name, sizeof(s->rows[i].name), "%s", name);
	return 0;
}

int stats_set_parent(stats *s, const char *id, const char *parent)
{
	long i = row_index(s, id);
	if (i < 0)
		return HEARTH_ENOMEM;
	snprintf(s->rows[i].parent, sizeof(s->rows[i].parent), "%s", parent ? parent : "");
	return 0;
}

/* ------------------------------------------------ the server's counters */

/* Each stats figure by the server's counter of the same name. */
static const int from_counter[FC_COUNT] = {
	[FC_MEMBERS] = ST_MEMBERS + 1, [FC_MEMBERS_FULL] = ST_MEMBERS_FULL + 1,
	[FC_MEMBERS_PROBATIONARY] = ST_MEMBERS_PROBATIONARY + 1, [FC_MEMBERS_NORMAL] = ST_MEMBERS_NORMAL + 1,
	[FC_MEMBERS_SUSPENDED] = ST_MEMBERS_SUSPENDED + 1, [FC_MEMBERS_DECEASED] = ST_MEMBERS_DECEASED + 1,
	[FC_MEMBERS_LEFT] = ST_MEMBERS_LEFT + 1, [FC_HARDSHIP] = ST_HARDSHIP + 1,
	[FC_HARDSHIP_REGISTERED] = ST_HARDSHIP_REGISTERED + 1, [FC_HARDSHIP_ASSISTING] = ST_HARDSHIP_ASSISTING + 1,
	[FC_HARDSHIP_RESOLVED] = ST_HARDSHIP_RESOLVED + 1, [FC_HARDSHIP_REMOVED] = ST_HARDSHIP_REMOVED + 1,
	[FC_HARDSHIP_OPEN] = ST_HARDSHIP_OPEN + 1, [FC_HARDSHIP_TYPE_LIVING] = ST_HARDSHIP_TYPE_LIVING + 1,
	[FC_HARDSHIP_TYPE_ALONE] = ST_HARDSHIP_TYPE_ALONE + 1, [FC_HARDSHIP_TYPE_ELDERLY] = ST_HARDSHIP_TYPE_ELDERLY + 1,
	[FC_HARDSHIP_TYPE_FRAIL] = ST_HARDSHIP_TYPE_FRAIL + 1, [FC_HARDSHIP_TYPE_ILL] = ST_HARDSHIP_TYPE_ILL + 1,
	[FC_HARDSHIP_TYPE_DISABLED] = ST_HARDSHIP_TYPE_DISABLED + 1, [FC_HARDSHIP_MEMBERS] = ST_HARDSHIP_MEMBERS + 1,
	[FC_PAIRINGS_ACTIVE] = ST_PAIRINGS_ACTIVE + 1, [FC_VISITS] = ST_VISITS + 1,
	[FC_VISITS_SPRING] = ST_VISITS_SPRING + 1, [FC_VISITS_JULY] = ST_VISITS_JULY + 1,
	[FC_SPRING_VISITED] = ST_SPRING_VISITED + 1, [FC_JULY_VISITED] = ST_JULY_VISITED + 1,
	[FC_TALKS] = ST_TALKS + 1, [FC_HONORS] = ST_HONORS + 1, [FC_DUES_DUE] = ST_DUES_DUE + 1,
	[FC_DUES_PAID] = ST_DUES_PAID + 1, [FC_TRANSFERS_OUT] = ST_TRANSFERS_OUT + 1,
	[FC_TRANSFERS_IN] = ST_TRANSFERS_IN + 1,
};

int stats_add_counters(stats *s, const char *branch, const int64_t *v, size_t n)
{
	long i = row_index(s, branch ? branch : "");

	if (i < 0)
		return HEARTH_ENOMEM;
	s->from_server = 1;
	for (size_t c = 0; c < n && c < FC_COUNT; c++) {
		if (c >= FC_VISITS_MONTH)
			s->rows[i].visits_month[c - FC_VISITS_MONTH] += v[c];
		else if (from_counter[c])
			s->rows[i].v[from_counter[c] - 1] += v[c];
	}
	return 0;
}

int stats_put_row(stats *s, stats_row *row)
{
	long i = row_index(s, row->branch);
	stats_row *to;

	if (i < 0)
		return HEARTH_ENOMEM;
	to = &s->rows[i];
	memcpy(to->v, row->v, sizeof(to->v));
	memcpy(to->visits_month, row->visits_month, sizeof(to->visits_month));
	yearly_free(&to->year);
	to->year = row->year;
	memset(&row->year, 0, sizeof(row->year));
	s->from_server = s->from_committee = 1;
	return 0;
}

int stats_column_is_overdue(const stats_column *c)
{
	return c->fig >= ST_OVERDUE_VISITS && c->fig <= ST_OVERDUE;
}

/* ------------------------------------------------ members seen in visits */

/* What the visits say about one member: whether they were visited at
 * Spring Festival / 七一 in the year. Open addressing, keyed by the 16-byte
 * member id. */
typedef struct mslot {
	uint8_t id[16];
	uint8_t used, spring, july;
} mslot;

typedef struct mmap {
	mslot *slots;
	size_t cap, n;
} mmap;

static size_t id_hash(const uint8_t id[16])
{
	/* UUIDv7: the last 8 bytes are random. */
	uint64_t h;
	memcpy(&h, id + 8, sizeof(h));
	return (size_t)(h ^ (h >> 29));
}

static mslot *mmap_find(const mmap *m, const uint8_t id[16])
{
	if (!m->cap)
		return NULL;
	for (size_t i = id_hash(id) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slots[i].used)
			return NULL;
		if (!memcmp(m->slots[i].id, id, 16))
			return &m->slots[i];
	}
}

static mslot *mmap_get(mmap *m, const uint8_t id[16])
{
	mslot *e = mmap_find(m, id);
	size_t i;

	if (e)
		return e;
	if ((m->n + 1) * 2 > m->cap) {
		mmap bigger = { NULL, m->cap ? m->cap * 2 : 256, 0 };
		bigger.slots = calloc(bigger.cap, sizeof(mslot));
		if (!bigger.slots)
			return NULL;
		for (size_t k = 0; k < m->cap; k++) {
			if (!m->slots[k].used)
				continue;
			for (i = id_hash(m->slots[k].id) & (bigger.cap - 1); bigger.slots[i].used;
			     i = (i + 1) & (bigger.cap - 1))
				;
			bigger.slots[i] = m->slots[k];
			bigger.n++;
		}
		free(m->slots);
		*m = bigger;
	}
	for (i = id_hash(id) & (m->cap - 1); m->slots[i].used; i = (i + 1) & (m->cap - 1))
		;
	e = &m->slots[i];
	memcpy(e->id, id, 16);
	e->used = 1;
	m->n++;
	return e;
}

/* ------------------------------------------------ scanning */

/* An open ledger entry: its member and the row of its branch. */
typedef struct ledger_entry {
	uint8_t member[16];
	long row;
} ledger_entry;

typedef struct scan {
	stats *s;
	mmap members;
	ledger_entry *ledger;
	size_t n_ledger, cap_ledger;
	int failed;
} scan;

static int64_t *fig(scan *x, long row, int f)
{
	return &x->s->rows[row].v[f];
}

static void count_member(scan *x, long row, const Hearth__Member *m)
{
	/* 党员 and its categories are the live members, as in `report year`;
	 * the standings show every member record, the departed too. */
	if (figure_member_live(m)) {
		(*fig(x, row, ST_MEMBERS))++;
		if (m->category == HEARTH__MEMBER_CATEGORY__CATEGORY_FULL)
			(*fig(x, row, ST_MEMBERS_FULL))++;
		else if (m->category == HEARTH__MEMBER_CATEGORY__CATEGORY_PROBATIONARY)
			(*fig(x, row, ST_MEMBERS_PROBATIONARY))++;
	}
	switch (m->standing) {
	case HEARTH__STANDING__STANDING_NORMAL: (*fig(x, row, ST_MEMBERS_NORMAL))++; break;
	case HEARTH__STANDING__STANDING_SUSPENDED: (*fig(x, row, ST_MEMBERS_SUSPENDED))++; break;
	case HEARTH__STANDING__STANDING_DECEASED: (*fig(x, row, ST_MEMBERS_DECEASED))++; break;
	case HEARTH__STANDING__STANDING_LEFT: (*fig(x, row, ST_MEMBERS_LEFT))++; break;
	default: break;
	}
}

static int count_hardship(scan *x, long row, const Hearth__Hardship *h)
{
	static const int type_fig[] = {
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_LIVING] = ST_HARDSHIP_TYPE_LIVING,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ALONE] = ST_HARDSHIP_TYPE_ALONE,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ELDERLY] = ST_HARDSHIP_TYPE_ELDERLY,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_FRAIL] = ST_HARDSHIP_TYPE_FRAIL,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ILL] = ST_HARDSHIP_TYPE_ILL,
		[HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_DISABLED] = ST_HARDSHIP_TYPE_DISABLED,
	};
	int open = 0;

	(*fig(x, row, ST_HARDSHIP))++;
	switch (h->status) {
	case HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED:
		(*fig(x, row, ST_HARDSHIP_REGISTERED))++;
		open = 1;
		break;
	case HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_ASSISTING:
		(*fig(x, row, ST_HARDSHIP_ASSISTING))++;
		open = 1;
		break;
	case HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED: (*fig(x, row, ST_HARDSHIP_RESOLVED))++; break;
	case HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REMOVED: (*fig(x, row, ST_HARDSHIP_REMOVED))++; break;
	default: break;
	}
	if (!open)
		return 0;
	(*fig(x, row, ST_HARDSHIP_OPEN))++;
	for (size_t i = 0; i < h->n_types; i++) {
		int t = (int)h->types[i];
		if (t > 0 && (size_t)t < HEARTH_ARRAY_LEN(type_fig) && type_fig[t])
			(*fig(x, row, type_fig[t]))++;
	}
	if (h->member.len != 16)
		return 0;
	if (array_grow(&x->ledger, &x->cap_ledger, x->n_ledger, sizeof(*x->ledger), 64) != 0)
		return HEARTH_ENOMEM;
	memcpy(x->ledger[x->n_ledger].member, h->member.data, 16);
	x->ledger[x->n_ledger].row = row;
	x->n_ledger++;
	return 0;
}

static int count_visit(scan *x, long row, const Hearth__Visit *v)
{
	int month;

	if (!figure_visit_counts(v, x->s->year))
		return 0;
	{
		(*fig(x, row, ST_VISITS))++;
		month = atoi(v->date + 5);
		if (month >= 1 && month <= 12)
			x->s->rows[row].visits_month[month - 1]++;
		if (v->occasion == HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL)
			(*fig(x, row, ST_VISITS_SPRING))++;
		else if (v->occasion == HEARTH__VISIT_OCCASION__VISIT_OCCASION_JULY_FIRST)
			(*fig(x, row, ST_VISITS_JULY))++;
	}
	if (v->occasion != HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL &&
	    v->occasion != HEARTH__VISIT_OCCASION__VISIT_OCCASION_JULY_FIRST)
		return 0;
	for (size_t i = 0; i < v->n_members; i++) {
		mslot *e;
		if (v->members[i].len != 16)
			continue;
		if (!(e = mmap_get(&x->members, v->members[i].data)))
			return HEARTH_ENOMEM;
		if (v->occasion == HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL)
			e->spring = 1;
		else
			e->july = 1;
	}
	return 0;
}

static void count_pairing(scan *x, long row, const Hearth__Pairing *p)
{
	if (p->status == HEARTH__PAIRING_STATUS__PAIRING_STATUS_ACTIVE)
		(*fig(x, row, ST_PAIRINGS_ACTIVE))++;
}

static void count_honor(scan *x, long row, const Hearth__Honor *h)
{
	if (figure_honor_counts(h, x->s->year))
		(*fig(x, row, ST_HONORS))++;
}

static void count_dues(scan *x, long row, const Hearth__Dues *d)
{
	if (figure_dues_in_year(d, x->s->year)) {
		*fig(x, row, ST_DUES_DUE) += figure_dues_owed(d);
		*fig(x, row, ST_DUES_PAID) += d->paid;
	}
}

static int each_record(void *ctx, const Hearth__Record *rec)
{
	scan *x = ctx;
	long row;
	int rc = 0;

	x->s->records++;
	if (rec->deleted || rec->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return 0;
	if ((row = row_index(x->s, rec->branch_id ? rec->branch_id : "")) < 0) {
		x->failed = HEARTH_ENOMEM;
		return 1;
	}
	switch (rec->body_case) {
	case HEARTH__RECORD__BODY_MEMBER: count_member(x, row, rec->member); break;
	case HEARTH__RECORD__BODY_HARDSHIP: rc = count_hardship(x, row, rec->hardship); break;
	case HEARTH__RECORD__BODY_VISIT: rc = count_visit(x, row, rec->visit); break;
	case HEARTH__RECORD__BODY_TALK:
		if (figure_talk_counts(rec->talk, x->s->year))
			(*fig(x, row, ST_TALKS))++;
		break;
	case HEARTH__RECORD__BODY_PAIRING: count_pairing(x, row, rec->pairing); break;
	case HEARTH__RECORD__BODY_HONOR: count_honor(x, row, rec->honor); break;
	case HEARTH__RECORD__BODY_DUES: count_dues(x, row, rec->dues); break;
	default: break;
	}
	if (rc != 0) {
		x->failed = rc;
		return 1;
	}
	return 0;
}

static int ledger_cmp(const void *a, const void *b)
{
	const ledger_entry *x = a, *y = b;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return memcmp(x->member, y->member, 16);
}

/* Overdue items per branch, by `hearth due`'s own computation, and each
 * branch's year as `hearth report year` computes it: the snapshot lent
 * branch by branch (the records stay owned by it). */
static int count_per_branch(stats *s, const due_snapshot *all_in)
{
	const due_snapshot *all = all_in;
	due_snapshot part;
	due_report rep;
	int rc = 0;

	memset(&part, 0, sizeof(part));
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(all->recs); k++) {
		if (!all->n[k])
			continue;
		if (!(part.recs[k] = malloc(all->n[k] * sizeof(*part.recs[k])))) {
			rc = HEARTH_ENOMEM;
			goto done;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		stats_row *row = &s->rows[i];
		for (size_t k = 0; k < HEARTH_ARRAY_LEN(all->recs); k++) {
			part.n[k] = 0;
			for (size_t j = 0; j < all->n[k]; j++)
				if (!strcmp(all->recs[k][j]->branch_id ? all->recs[k][j]->branch_id : "", row->branch))
					part.recs[k][part.n[k]++] = all->recs[k][j];
			part.cap[k] = part.n[k];
		}
		yearly_free(&row->year);
		if ((rc = yearly_compute(&part, row->branch, s->year, &row->year)) != 0)
			goto done;
		row->v[ST_TRANSFERS_OUT] = yearly_value(&row->year, "transfers", NULL, "out");
		row->v[ST_TRANSFERS_IN] = yearly_value(&row->year, "transfers", NULL, "in");
		if ((rc = due_compute(&part, s->today, &s->due, &rep)) != 0)
			goto done;
		row->v[ST_OVERDUE_VISITS] = (int64_t)rep.counts[DUE_VISIT];
		row->v[ST_OVERDUE_TALKS] = (int64_t)rep.talks_overdue;
		row->v[ST_OVERDUE_PAIRINGS] = (int64_t)rep.counts[DUE_NOTE];
		row->v[ST_OVERDUE_DUES] = (int64_t)rep.counts[DUE_DUES];
		due_report_free(&rep);
	}
done:
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(part.recs); k++)
		free(part.recs[k]);
	return rc;
}

int stats_add_branches(stats *s, const Hearth__BranchList *l)
{
	for (size_t i = 0; l && i < l->n_branches; i++) {
		const Hearth__Branch *b = l->branches[i];
		int rc = stats_add_branch(s, b->id, b->name);
		if (rc == 0 && b->parent && b->parent[0])
			rc = stats_set_parent(s, b->id, b->parent);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Whether branch b of l is root or below it (walking up at most l's size
 * steps). */
static int in_subtree(const Hearth__BranchList *l, const Hearth__Branch *b, const char *root)
{
	for (size_t steps = 0; b && steps <= l->n_branches; steps++) {
		const Hearth__Branch *up = NULL;

		if (!strcmp(b->id, root))
			return 1;
		for (size_t i = 0; b->parent && b->parent[0] && i < l->n_branches && !up; i++)
			if (!strcmp(l->branches[i]->id, b->parent))
				up = l->branches[i];
		b = up;
	}
	return 0;
}

int stats_add_subtree(stats *s, const Hearth__BranchList *l, const char *root)
{
	int rc = stats_add_branch(s, root, NULL);

	for (size_t i = 0; rc == 0 && l && i < l->n_branches; i++) {
		const Hearth__Branch *b = l->branches[i];
		if (!in_subtree(l, b, root))
			continue;
		rc = stats_add_branch(s, b->id, b->name);
		if (rc == 0 && strcmp(b->id, root) != 0 && b->parent && b->parent[0])
			rc = stats_set_parent(s, b->id, b->parent);
	}
	return rc;
}

int stats_scan_snapshot(stats *s, const due_snapshot *all)
{
	scan x;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	x.s = s;
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(all->recs) && !x.failed; k++)
		for (size_t j = 0; j < all->n[k] && !x.failed; j++)
			each_record(&x, all->recs[k][j]);
	if (x.failed) {
		rc = x.failed;
		goto done;
	}
	/* The ledger's members, each once per branch, against the visits. */
	if (x.n_ledger > 1)
		qsort(x.ledger, x.n_ledger, sizeof(*x.ledger), ledger_cmp);
	for (size_t i = 0; i < x.n_ledger; i++) {
		const ledger_entry *e = &x.ledger[i];
		const mslot *m;
		stats_row *row = &s->rows[e->row];

		if (i > 0 && !ledger_cmp(e, &x.ledger[i - 1]))
			continue;
		m = mmap_find(&x.members, e->member);
		row->v[ST_HARDSHIP_MEMBERS]++;
		if (m && m->spring)
			row->v[ST_SPRING_VISITED]++;
		if (m && m->july)
			row->v[ST_JULY_VISITED]++;
	}
	rc = count_per_branch(s, all);
done:
	free(x.ledger);
	free(x.members.slots);
	return rc;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const stats_row *)a)->branch, ((const stats_row *)b)->branch);
}

static const stats_row *row_of(const stats *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->rows[i].branch, id))
			return &s->rows[i];
	return NULL;
}

static void add_row(stats_row *to, const stats_row *r)
{
	for (int f = 0; f < ST_COUNT; f++)
		to->v[f] += r->v[f];
	for (int m = 0; m < 12; m++)
		to->visits_month[m] += r->visits_month[m];
}

/* The subtotal of every general branch: each row adds to itself-as-parent
 * (when it is one) and to every branch above it. The walk up is bounded by
 * the row count, so a (server-refused) loop cannot hang it. */
static void roll_up(stats *s)
{
	size_t n_gen = 0;

	free(s->subtotals);
	s->subtotals = NULL;
	s->n_sub = 0;
	for (size_t i = 0; i < s->n; i++) {
		int is_parent = 0;
		for (size_t j = 0; j < s->n && !is_parent; j++)
			is_parent = !strcmp(s->rows[j].parent, s->rows[i].branch);
		n_gen += (size_t)is_parent;
	}
	if (!n_gen || (s->subtotals = calloc(n_gen, sizeof(*s->subtotals))) == NULL)
		return;
	/* Rows are sorted by id, so the subtotals are too. */
	for (size_t i = 0; i < s->n; i++) {
		int is_parent = 0;
		for (size_t j = 0; j < s->n && !is_parent; j++)
			is_parent = !strcmp(s->rows[j].parent, s->rows[i].branch);
		if (!is_parent)
			continue;
		stats_row *sub = &s->subtotals[s->n_sub++];
		snprintf(sub->branch, sizeof(sub->branch), "%s", s->rows[i].branch);
		snprintf(sub->name, sizeof(sub->name), "%s", s->rows[i].name);
		snprintf(sub->parent, sizeof(sub->parent), "%s", s->rows[i].parent);
	}
	for (size_t i = 0; i < s->n; i++) {
		const stats_row *up = &s->rows[i];
		for (size_t steps = 0; up && steps <= s->n; steps++) {
			for (size_t k = 0; k < s->n_sub; k++)
				if (!strcmp(s->subtotals[k].branch, up->branch))
					add_row(&s->subtotals[k], &s->rows[i]);
			up = up->parent[0] ? row_of(s, up->parent) : NULL;
		}
	}
}

void stats_finish(stats *s)
{
	if (s->n > 1)
		qsort(s->rows, s->n, sizeof(*s->rows), row_cmp);
	yearly_free(&s->total.year);
	memset(&s->total, 0, sizeof(s->total));
	for (size_t i = 0; i < s->n; i++) {
		stats_row *r = &s->rows[i];
		r->v[ST_OVERDUE] = r->v[ST_OVERDUE_VISITS] + r->v[ST_OVERDUE_TALKS] + r->v[ST_OVERDUE_DUES] +
		                   r->v[ST_OVERDUE_PAIRINGS];
		for (int f = 0; f < ST_COUNT; f++)
			s->total.v[f] += r->v[f];
		for (int m = 0; m < 12; m++)
			s->total.visits_month[m] += r->visits_month[m];
		/* Out of memory leaves the totals' year short; the rows keep theirs. */
		yearly_add(&s->total.year, &r->year);
		r->no_overdue = s->from_server && !s->from_committee;
	}
	s->total.no_overdue = s->from_server && !s->from_committee;
	roll_up(s);
	for (size_t i = 0; i < s->n_sub; i++)
		s->subtotals[i].no_overdue = s->from_server && !s->from_committee;
}

/* ------------------------------------------------ output */

double stats_percent(int64_t num, int64_t den)
{
	return den > 0 ? (double)num * 100.0 / (double)den : -1.0;
}

void stats_cell(const stats_column *c, const stats_row *row, char *out, size_t cap)
{
	char yuan[MONEY_YUAN_TEXT_MAX];
	double p;

	if (row->no_overdue && stats_column_is_overdue(c)) {
		snprintf(out, cap, "-");
		return;
	}
	switch (c->type) {
	case STATS_FEN:
		money_yuan_format(row->v[c->fig], yuan);
		snprintf(out, cap, "%s", yuan);
		break;
	case STATS_PERCENT:
		p = stats_percent(row->v[c->fig], row->v[c->den]);
		if (p < 0)
			snprintf(out, cap, "-");
		else
			snprintf(out, cap, "%.1f%%", p);
		break;
	default: snprintf(out, cap, "%lld", (long long)row->v[c->fig]); break;
	}
}
