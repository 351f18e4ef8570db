/* due.c: computes what a branch owes its members (due.h) over a snapshot of
 * its records: the client's from its replica (client/core/due_load.c), the
 * server's from its store for the committee's figures; cmd/due.c prints it. */
#include "common/due.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/money.h"
#include "common/record.h"
#include "common/uuid.h"

#define NO_DAY DUE_NO_DAY

/* ------------------------------------------------------------ config */

void due_config_defaults(due_config *c)
{
	c->visit_gap_days = 90;
	c->talk_window_days = 30;
	c->talk_lookback_days = 365;
	c->note_gap_days = 60;
	c->dues_months = 3;
	c->contact_gap_days = 90;
}

static const due_config_key config_keys[] = {
	{ "visit_gap_days", offsetof(due_config, visit_gap_days), 3660 },
	{ "talk_window_days", offsetof(due_config, talk_window_days), 3660 },
	{ "talk_lookback_days", offsetof(due_config, talk_lookback_days), 3660 },
	{ "note_gap_days", offsetof(due_config, note_gap_days), 3660 },
	{ "dues_months", offsetof(due_config, dues_months), 120 },
	{ "contact_gap_days", offsetof(due_config, contact_gap_days), 3660 },
};

const due_config_key *due_config_keys(size_t *n)
{
	*n = HEARTH_ARRAY_LEN(config_keys);
	return config_keys;
}

/* ---------------------------------------------------------- snapshot */

void due_snapshot_init(due_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	arena_init(&s->arena);
}

/* Whether rec goes into a snapshot of branch (NULL: any): live, with a
 * body, of a known kind. The one judge for keep, put and view. */
static int belongs(const Hearth__Record *rec, const char *branch)
{
	size_t k = (size_t)rec->kind;

	return k != 0 && k <= HEARTH__KIND__KIND_TRANSFER && !rec->deleted && record_body(rec) &&
	       (!branch || strcmp(rec->branch_id ? rec->branch_id : "", branch) == 0);
}

/* Room for one more record of kind k. */
static int grow(due_snapshot *s, size_t k)
{
	if (s->n[k] == s->cap[k]) {
		size_t nc = s->cap[k] ? s->cap[k] * 2 : 32;
		Hearth__Record **grown = realloc(s->recs[k], nc * sizeof(*grown));
		if (!grown)
			return HEARTH_ENOMEM;
		s->recs[k] = grown;
		s->cap[k] = nc;
	}
	return 0;
}

int due_snapshot_keep(due_snapshot *s, Hearth__Record *rec, const char *branch)
{
	size_t k = (size_t)rec->kind;

	if (!belongs(rec, branch)) {
		hearth__record__free_unpacked(rec, arena_allocator(&s->arena));
		return 0;
	}
	if (grow(s, k) != 0) {
		hearth__record__free_unpacked(rec, arena_allocator(&s->arena));
		return HEARTH_ENOMEM;
	}
	s->recs[k][s->n[k]++] = rec;
	return 0;
}

/* The order of ids: bytes, then length (a shorter id first). */
static int id_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

static int by_id(const void *a, const void *b)
{
	const Hearth__Record *x = *(Hearth__Record *const *)a, *y = *(Hearth__Record *const *)b;
	return id_cmp(x->id.data, x->id.len, y->id.data, y->id.len);
}

/* Where id is in kind k's array (*found set) or would go to keep the
 * order. */
static size_t position(const due_snapshot *s, size_t k, const uint8_t *id, size_t len, int *found)
{
	size_t lo = 0, hi = s->n[k];

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const Hearth__Record *m = s->recs[k][mid];
		int c = id_cmp(m->id.data, m->id.len, id, len);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int due_snapshot_remove(due_snapshot *s, const uint8_t *id, size_t len)
{
	/* A record's kind never changes, but the caller may only know the
	 * id (a record gone from the replica): every kind is asked. */
	for (size_t k = 1; k < HEARTH_ARRAY_LEN(s->recs); k++) {
		int found;
		size_t i = position(s, k, id, len, &found);
		if (!found)
			continue;
		memmove(&s->recs[k][i], &s->recs[k][i + 1], (s->n[k] - i - 1) * sizeof(*s->recs[k]));
		s->n[k]--;
		return 1;
	}
	return 0;
}

int due_snapshot_put(due_snapshot *s, Hearth__Record *rec, const char *branch)
{
	size_t k = (size_t)rec->kind, i;
	int found;

	(void)due_snapshot_remove(s, rec->id.data, rec->id.len);
	if (!belongs(rec, branch)) {
		hearth__record__free_unpacked(rec, arena_allocator(&s->arena));
		return 0;
	}
	if (grow(s, k) != 0) {
		hearth__record__free_unpacked(rec, arena_allocator(&s->arena));
		return HEARTH_ENOMEM;
	}
	i = position(s, k, rec->id.data, rec->id.len, &found);
	memmove(&s->recs[k][i + 1], &s->recs[k][i], (s->n[k] - i) * sizeof(*s->recs[k]));
	s->recs[k][i] = rec;
	s->n[k]++;
	return 0;
}

int due_snapshot_view(const due_snapshot *all, const char *branch, due_snapshot *view)
{
	due_snapshot_init(view);
	for (size_t k = 1; k < HEARTH_ARRAY_LEN(all->recs); k++) {
		if (!all->n[k])
			continue;
		/* Sized for all of the kind at once: one allocation, no growth. */
		if (!(view->recs[k] = malloc(all->n[k] * sizeof(*view->recs[k])))) {
			due_snapshot_free(view);
			return HEARTH_ENOMEM;
		}
		view->cap[k] = all->n[k];
		for (size_t i = 0; i < all->n[k]; i++)
			if (belongs(all->recs[k][i], branch))
				view->recs[k][view->n[k]++] = all->recs[k][i];
	}
	return 0;
}

void due_snapshot_sort(due_snapshot *s)
{
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(s->recs); k++)
		if (s->n[k] > 1)
			qsort(s->recs[k], s->n[k], sizeof(*s->recs[k]), by_id);
}

void due_snapshot_free(due_snapshot *s)
{
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(s->recs); k++)
		free(s->recs[k]);
	arena_free(&s->arena);
	memset(s, 0, sizeof(*s));
}

/* Members are in id order (the replica walks ids; the server sorts), so a
 * lookup is a binary search. Returns the index or -1. */
static long member_index(const due_snapshot *s, const uint8_t *id, size_t len)
{
	size_t lo = 0, hi = s->n[HEARTH__KIND__KIND_MEMBER];
	Hearth__Record *const *m = s->recs[HEARTH__KIND__KIND_MEMBER];

	if (len != UUID_LEN)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(m[mid]->id.data, id, UUID_LEN);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const Hearth__Member *due_member(const due_snapshot *s, const uint8_t *id, size_t len)
{
	long i = member_index(s, id, len);
	return i < 0 ? NULL : s->recs[HEARTH__KIND__KIND_MEMBER][i]->member;
}

int32_t due_created_day(const Hearth__Record *rec)
{
	uint64_t ms = 0;

	if (rec->id.len != UUID_LEN)
		return NO_DAY;
	for (int i = 0; i < 6; i++)
		ms = ms << 8 | rec->id.data[i];
	return (int32_t)(ms / 86400000u);
}

/* ------------------------------------------------------- computation */

int32_t due_day_of(const char *s)
{
	int32_t d;
	return s && *s && date_parse(s, &d) == 0 ? d : NO_DAY;
}

int32_t due_day_or_created(const char *s, const Hearth__Record *rec)
{
	int32_t d = due_day_of(s);
	return d != NO_DAY ? d : due_created_day(rec);
}



static int year_of(int32_t day)
{
	char t[11];
	date_format(day, t);
	return atoi(t);
}

static int32_t jan1(int year)
{
	char t[32];
	int32_t d = 0;
	snprintf(t, sizeof(t), "%04d-01-01", year);
	date_parse(t, &d);
	return d;
}

/* A member the branch still cares for: known, not deceased, not out. */
static int alive(const Hearth__Member *m)
{
	return m && m->standing != HEARTH__STANDING__STANDING_DECEASED &&
	       m->standing != HEARTH__STANDING__STANDING_LEFT;
}

static int visit_happened(const Hearth__Visit *v)
{
	return v->status != HEARTH__VISIT_STATUS__VISIT_STATUS_PLANNED &&
	       v->status != HEARTH__VISIT_STATUS__VISIT_STATUS_CANCELLED;
}

static int hardship_open(const Hearth__Hardship *h)
{
	return h->status != HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED &&
	       h->status != HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REMOVED;
}

/* A slot of the member table: the id's bytes beside its index, so a
 * lookup reads one slot instead of following the record to its id. */
typedef struct member_slot {
	uint8_t id[UUID_LEN];
	uint32_t mi;                /* member index + 1 (0: empty) */
} member_slot;

typedef struct calc {
	const due_snapshot *s;
	const due_config *cfg;
	int32_t today;
	int32_t *last_visit, *last_talk;   /* per member index */
	due_report *out;
	size_t cap;
	member_slot *slot;          /* the members by id hash, mask + 1 slots */
	size_t mask;
	int32_t *visit_day;         /* per visit: due_day_of(date), read once for every rule */
	int32_t *visit_occ;         /* per visit: its occasion if it happened, -1 if planned or cancelled */
	int32_t *dues_month;        /* per dues record: its month index, or NO_DAY when unparsable */
	long *dues_mi;              /* per dues record: mi_of(member) */
} calc;

/* Where the probe for id starts: UUIDv7's last 8 bytes are random. */
static size_t slot_of(const calc *c, const uint8_t *id)
{
	uint64_t v;
	memcpy(&v, id + 8, sizeof(v));
	return (size_t)((v * 0x9e3779b97f4a7c15ull) >> 20) & c->mask;
}

/* The members by id in a table of at least twice their number: every rule
 * looks a member up for each record that names one (50,000 visits), and a
 * binary search of 10,000 ids for each was a third of the computation;
 * following each slot to its record's id was still a sixth (three cache
 * misses a lookup), hence the ids in the slots. The same index as
 * member_index gives (ids are unique in a snapshot). */
static int index_members(calc *c)
{
	const due_snapshot *s = c->s;
	size_t nm = s->n[HEARTH__KIND__KIND_MEMBER], cap = 16;

	while (cap < 2 * nm)
		cap *= 2;
	if (!(c->slot = calloc(cap, sizeof(*c->slot))))
		return HEARTH_ENOMEM;
	c->mask = cap - 1;
	for (size_t i = 0; i < nm; i++) {
		const Hearth__Record *m = s->recs[HEARTH__KIND__KIND_MEMBER][i];
		size_t at;
		if (m->id.len != UUID_LEN)
			continue;       /* member_index finds none either */
		for (at = slot_of(c, m->id.data); c->slot[at].mi; at = (at + 1) & c->mask)
			;
		memcpy(c->slot[at].id, m->id.data, UUID_LEN);
		c->slot[at].mi = (uint32_t)i + 1;
	}
	return 0;
}

/* member_index through the table. */
static long mi_of(const calc *c, const uint8_t *id, size_t len)
{
	if (len != UUID_LEN)
		return -1;
	for (size_t at = slot_of(c, id); c->slot[at].mi; at = (at + 1) & c->mask)
		if (!memcmp(c->slot[at].id, id, UUID_LEN))
			return (long)c->slot[at].mi - 1;
	return -1;
}

/* What snprintf(out, size, "%s", text) writes (text cut to size - 1
 * bytes), without its cost: 20,000 items each name a member. */
static void copy_text(char *out, size_t size, const char *text)
{
	size_t n = text ? strnlen(text, size - 1) : 0;

	if (n)
		memcpy(out, text, n);
	out[n] = '\0';
}

/* Appends "、" (after the first) and the month's YYYY-MM to list, as the
 * snprintf of "%s%s" did: only while used + 12 < size, and cut to the
 * room left. Returns the new used (the length the snprintf returned added,
 * as the callers counted). */
static size_t add_month(char *list, size_t size, size_t used, const char *month)
{
	static const char sep[] = "、";
	char piece[sizeof(sep) + 16];
	size_t n = 0, m = strlen(month), room;

	if (used) {
		memcpy(piece, sep, sizeof(sep) - 1);
		n = sizeof(sep) - 1;
	}
	if (m > sizeof(piece) - n - 1)
		return used + (size_t)snprintf(list + used, size - used, "%s%s", used ? sep : "", month);
	memcpy(piece + n, month, m);
	n += m;
	room = size - used - 1;
	memcpy(list + used, piece, n < room ? n : room);
	list[used + (n < room ? n : room)] = '\0';
	return used + n;
}

static due_item *add_item(calc *c, enum due_what what, long mi, const Hearth__Record *rec)
{
	due_item *it;
	const Hearth__Record *m = c->s->recs[HEARTH__KIND__KIND_MEMBER][mi];

	if (array_grow(&c->out->items, &c->cap, c->out->n_items, sizeof(*c->out->items), 16) != 0)
		return NULL;
	it = &c->out->items[c->out->n_items++];
	memset(it, 0, sizeof(*it));
	it->what = what;
	it->overdue = 1;
	memcpy(it->member, m->id.data, UUID_LEN);
	copy_text(it->member_name, sizeof(it->member_name), m->member->name);
	if (rec->id.len == UUID_LEN)
		memcpy(it->record, rec->id.data, UUID_LEN);
	c->out->counts[what]++;
	return it;
}

/* A talk owed from day: due within talk_window_days, overdue after. */
static void talk_window(calc *c, due_item *it, int32_t day)
{
	char d[11];

	it->since = day;
	it->days = c->today - day;
	it->deadline = day + c->cfg->talk_window_days;
	it->overdue = c->today > it->deadline;
	date_format(it->deadline, d);
	if (it->overdue) {
		snprintf(it->detail, sizeof(it->detail), "期限 %s，已逾期 %d 天", d,
		         (int)(c->today - it->deadline));
		c->out->talks_overdue++;
	} else {
		snprintf(it->detail, sizeof(it->detail), "期限 %s，还剩 %d 天", d,
		         (int)(it->deadline - c->today));
	}
}

static int talk_trigger(calc *c, long mi, const Hearth__Record *rec, int32_t day,
                        const char *reason)
{
	due_item *it;

	if (mi < 0 || day == NO_DAY || day > c->today || c->today - day >= c->cfg->talk_lookback_days)
		return 0;
	if (!alive(c->s->recs[HEARTH__KIND__KIND_MEMBER][mi]->member))
		return 0;
	if (c->last_talk[mi] != NO_DAY && c->last_talk[mi] >= day)
		return 0;
	if (!(it = add_item(c, DUE_TALK, mi, rec)))
		return HEARTH_ENOMEM;
	snprintf(it->reason, sizeof(it->reason), "%s", reason);
	talk_window(c, it, day);
	return 0;
}

/* Per member: the last visit and the last talk on or before today. */
static void scan_contacts(calc *c)
{
	const due_snapshot *s = c->s;

	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_VISIT]; i++) {
		const Hearth__Visit *v;
		int32_t d = c->visit_day[i];
		if (c->visit_occ[i] < 0 || d == NO_DAY || d > c->today)
			continue;
		v = s->recs[HEARTH__KIND__KIND_VISIT][i]->visit;
		for (size_t k = 0; k < v->n_members; k++) {
			long mi = mi_of(c, v->members[k].data, v->members[k].len);
			if (mi >= 0 && (c->last_visit[mi] == NO_DAY || d > c->last_visit[mi]))
				c->last_visit[mi] = d;
		}
	}
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_TALK]; i++) {
		const Hearth__Talk *t = s->recs[HEARTH__KIND__KIND_TALK][i]->talk;
		int32_t d = due_day_of(t->date);
		if (d == NO_DAY || d > c->today)
			continue;
		for (size_t k = 0; k < t->n_members; k++) {
			long mi = mi_of(c, t->members[k].data, t->members[k].len);
			if (mi >= 0 && (c->last_talk[mi] == NO_DAY || d > c->last_talk[mi]))
				c->last_talk[mi] = d;
		}
	}
}

static int owed_visits(calc *c)
{
	const due_snapshot *s = c->s;

	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_HARDSHIP]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_HARDSHIP][i];
		const Hearth__Hardship *h = rec->hardship;
		long mi = mi_of(c, h->member.data, h->member.len);
		int32_t start = due_day_or_created(h->certified_at, rec), ref = start;
		due_item *it;
		char d[11];

		if (!hardship_open(h) || mi < 0 || !alive(s->recs[HEARTH__KIND__KIND_MEMBER][mi]->member))
			continue;
		if (c->last_visit[mi] != NO_DAY && c->last_visit[mi] > ref)
			ref = c->last_visit[mi];
		if (ref == NO_DAY || c->today - ref <= c->cfg->visit_gap_days)
			continue;
		if (!(it = add_item(c, DUE_VISIT, mi, rec)))
			return HEARTH_ENOMEM;
		snprintf(it->reason, sizeof(it->reason), "困难党员台账：%s",
		         enum_label(&hearth__hardship_status__descriptor, h->status));
		it->since = ref;
		it->days = c->today - ref;
		date_format(ref, d);
		if (c->last_visit[mi] != NO_DAY && c->last_visit[mi] >= start)
			snprintf(it->detail, sizeof(it->detail), "上次走访 %s", d);
		else
			snprintf(it->detail, sizeof(it->detail), "登记（%s）后未走访", d);
	}
	return 0;
}

static int owed_talks(calc *c)
{
	const due_snapshot *s = c->s;
	char reason[160];
	int rc;

	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_HARDSHIP]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_HARDSHIP][i];
		const Hearth__Hardship *h = rec->hardship;
		if (!hardship_open(h))
			continue;
		rc = talk_trigger(c, mi_of(c, h->member.data, h->member.len), rec,
		                  due_day_or_created(h->certified_at, rec), "登记困难党员");
		if (rc != 0)
			return rc;
	}
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_VISIT]; i++) {
		const Hearth__Record *rec;
		const Hearth__Visit *v;
		if (c->visit_occ[i] != HEARTH__VISIT_OCCASION__VISIT_OCCASION_THOUGHT)
			continue;
		rec = s->recs[HEARTH__KIND__KIND_VISIT][i];
		v = rec->visit;
		for (size_t k = 0; k < v->n_members; k++) {
			rc = talk_trigger(c, mi_of(c, v->members[k].data, v->members[k].len), rec,
			                  c->visit_day[i], "走访慰问：思想波动");
			if (rc != 0)
				return rc;
		}
	}
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_TRANSFER]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_TRANSFER][i];
		const Hearth__Transfer *t = rec->transfer;
		int accepted = t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED;
		/* A summary's member has left: the talk is the receiving branch's. */
		if (t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_RETURNED || t->summary)
			continue;
		snprintf(reason, sizeof(reason), "组织关系转接：%s → %s", t->from_branch, t->to_branch);
		rc = talk_trigger(c, mi_of(c, t->member.data, t->member.len), rec,
		                  due_day_or_created(accepted ? t->accepted_date : t->issued_date, rec), reason);
		if (rc != 0)
			return rc;
	}
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_HONOR]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_HONOR][i];
		const Hearth__Honor *h = rec->honor;
		if (h->status != HEARTH__HONOR_STATUS__HONOR_STATUS_APPROVED &&
		    h->status != HEARTH__HONOR_STATUS__HONOR_STATUS_AWARDED)
			continue;
		snprintf(reason, sizeof(reason), "表彰：%s",
		         h->title == HEARTH__HONOR_TITLE__HONOR_TITLE_OTHER && h->title_other[0]
		                 ? h->title_other
		                 : enum_label(&hearth__honor_title__descriptor, h->title));
		rc = talk_trigger(c, mi_of(c, h->member.data, h->member.len), rec,
		                  due_day_or_created(h->date, rec), reason);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Whether a talk with that trigger and that member was held on a day from
 * `from` to today. */
static int talk_held(const calc *c, const uint8_t *member, Hearth__TalkTrigger trigger, int32_t from)
{
	const due_snapshot *s = c->s;

	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_TALK]; i++) {
		const Hearth__Talk *t = s->recs[HEARTH__KIND__KIND_TALK][i]->talk;
		int32_t d = due_day_of(t->date);

		if (t->trigger != trigger || d == NO_DAY || d < from || d > c->today)
			continue;
		for (size_t k = 0; k < t->n_members; k++)
			if (t->members[k].len == UUID_LEN && !memcmp(t->members[k].data, member, UUID_LEN))
				return 1;
	}
	return 0;
}

/* The talks a secretary recorded as owed (需谈话事项): owed from their date,
 * however long ago (a person wrote it down), until a talk with that
 * trigger and that member is held on or after it; overdue after
 * talk_window_days, as the other talks. */
static int owed_talk_needs(calc *c)
{
	const due_snapshot *s = c->s;

	for (size_t mi = 0; mi < s->n[HEARTH__KIND__KIND_MEMBER]; mi++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_MEMBER][mi];
		const Hearth__Member *m = rec->member;

		if (!alive(m))
			continue;
		for (size_t k = 0; k < m->n_talk_needs; k++) {
			const Hearth__TalkNeed *tn = m->talk_needs[k];
			int32_t day = due_day_of(tn->date);
			due_item *it;

			if (day == NO_DAY || day > c->today || talk_held(c, rec->id.data, tn->reason, day))
				continue;
			if (!(it = add_item(c, DUE_TALK, (long)mi, rec)))
				return HEARTH_ENOMEM;
			snprintf(it->reason, sizeof(it->reason), "需谈话事项：%s%s%s",
			         enum_label(&hearth__talk_trigger__descriptor, tn->reason), tn->note[0] ? "，" : "",
			         tn->note);
			talk_window(c, it, day);
		}
	}
	return 0;
}

/* A mobile member (流动党员) with no contact recorded in contact_gap_days:
 * counted from the last contact on or before today, else from the day the
 * member's record was made. */
static int owed_contacts(calc *c)
{
	const due_snapshot *s = c->s;

	for (size_t mi = 0; mi < s->n[HEARTH__KIND__KIND_MEMBER]; mi++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_MEMBER][mi];
		const Hearth__Member *m = rec->member;
		int32_t last = NO_DAY, ref;
		const char *how = "";
		due_item *it;
		char d[11];

		if (!alive(m) || !m->mobile)
			continue;
		for (size_t k = 0; k < m->n_contacts; k++) {
			int32_t cd = due_day_of(m->contacts[k]->date);
			if (cd != NO_DAY && cd <= c->today && (last == NO_DAY || cd > last)) {
				last = cd;
				how = m->contacts[k]->channel ? m->contacts[k]->channel : "";
			}
		}
		ref = last != NO_DAY ? last : due_created_day(rec);
		if (ref == NO_DAY || ref == 0 || ref > c->today || c->today - ref <= c->cfg->contact_gap_days)
			continue;
		if (!(it = add_item(c, DUE_CONTACT, (long)mi, rec)))
			return HEARTH_ENOMEM;
		snprintf(it->reason, sizeof(it->reason), "流动党员%s%s", m->destination[0] ? "：" : "",
		         m->destination);
		it->since = ref;
		it->days = c->today - ref;
		date_format(ref, d);
		if (last != NO_DAY)
			snprintf(it->detail, sizeof(it->detail), "上次联系 %s%s%s%s", d, how[0] ? "（" : "", how,
			         how[0] ? "）" : "");
		else
			snprintf(it->detail, sizeof(it->detail), "无联系记录（建档 %s）", d);
	}
	return 0;
}

static int owed_notes(calc *c)
{
	const due_snapshot *s = c->s;

	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_PAIRING]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_PAIRING][i];
		const Hearth__Pairing *p = rec->pairing;
		long mi = mi_of(c, p->member.data, p->member.len);
		int32_t ref = due_day_or_created(p->start_date, rec), last = NO_DAY;
		due_item *it;
		char d[11];

		if (p->status != HEARTH__PAIRING_STATUS__PAIRING_STATUS_ACTIVE || mi < 0 ||
		    !alive(s->recs[HEARTH__KIND__KIND_MEMBER][mi]->member))
			continue;
		for (size_t k = 0; k < p->n_notes; k++) {
			int32_t nd = due_day_of(p->notes[k]->date);
			if (nd != NO_DAY && nd <= c->today && (last == NO_DAY || nd > last))
				last = nd;
		}
		if (last != NO_DAY && last > ref)
			ref = last;
		if (ref == NO_DAY || ref > c->today || c->today - ref <= c->cfg->note_gap_days)
			continue;
		if (!(it = add_item(c, DUE_NOTE, mi, rec)))
			return HEARTH_ENOMEM;
		snprintf(it->reason, sizeof(it->reason), "结对帮扶：%s", p->helper);
		it->since = ref;
		it->days = c->today - ref;
		date_format(ref, d);
		if (last != NO_DAY)
			snprintf(it->detail, sizeof(it->detail), "上次进展 %s", d);
		else
			snprintf(it->detail, sizeof(it->detail), "开始（%s）后无进展记录", d);
	}
	return 0;
}

static int month_of(int32_t day)
{
	char t[11];
	int32_t mi = 0;
	date_format(day, t);
	t[7] = '\0';
	date_parse_month(t, &mi);
	return mi;
}

struct dues_ref {
	long mi;
	int32_t month;
	const Hearth__Record *rec;
};

static int dues_order(const void *a, const void *b)
{
	const struct dues_ref *x = a, *y = b;

	if (x->mi != y->mi)
		return x->mi < y->mi ? -1 : 1;
	return x->month < y->month ? -1 : x->month > y->month;
}

/* One item per member: the old unpaid months of theirs, oldest first.
 * Sorting the refs by member keeps this O(n log n) on an admin replica. */
static int owed_dues(calc *c)
{
	const due_snapshot *s = c->s;
	int32_t now = month_of(c->today);
	struct dues_ref *refs = calloc(s->n[HEARTH__KIND__KIND_DUES] + 1, sizeof(*refs));
	size_t n = 0;

	if (!refs)
		return HEARTH_ENOMEM;
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DUES]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_DUES][i];
		const Hearth__Dues *d = rec->dues;
		long mi = c->dues_mi[i];
		int32_t m = c->dues_month[i];

		if ((d->status != HEARTH__DUES_STATUS__DUES_STATUS_UNPAID &&
		     d->status != HEARTH__DUES_STATUS__DUES_STATUS_PARTIAL) ||
		    mi < 0 || !alive(s->recs[HEARTH__KIND__KIND_MEMBER][mi]->member) ||
		    m == NO_DAY || now - m <= c->cfg->dues_months)
			continue;
		refs[n++] = (struct dues_ref){ mi, m, rec };
	}
	if (n)
		qsort(refs, n, sizeof(*refs), dues_order);
	for (size_t i = 0; i < n;) {
		due_item *it = add_item(c, DUE_DUES, refs[i].mi, refs[i].rec);
		char months[200] = "", amt[MONEY_YUAN_TEXT_MAX];
		size_t used = 0, j;

		if (!it) {
			free(refs);
			return HEARTH_ENOMEM;
		}
		for (j = i; j < n && refs[j].mi == refs[i].mi; j++) {
			const Hearth__Dues *d = refs[j].rec->dues;
			it->months++;
			if (d->due > d->paid)
				it->amount += d->due - d->paid;
			if (used + 12 < sizeof(months))
				used = add_month(months, sizeof(months), used, d->month);
		}
		date_month_start(refs[i].month, &it->since);
		it->days = c->today - it->since;
		snprintf(it->reason, sizeof(it->reason), "欠缴党费 %u 个月", it->months);
		money_yuan_format(it->amount, amt);
		snprintf(it->detail, sizeof(it->detail), "%.150s，欠缴 %s 元", months, amt);
		i = j;
	}
	free(refs);
	return 0;
}

/* The months before today's in which a member has no dues record at all,
 * from the later of their join month and the branch's first dues month.
 * A bitmap per member over that span keeps it O(members x months). */
static int missing_dues(calc *c)
{
	const due_snapshot *s = c->s;
	size_t nm = s->n[HEARTH__KIND__KIND_MEMBER];
	int32_t now = month_of(c->today), first = INT32_MAX, span;
	unsigned char *have = NULL;
	char (*text)[8] = NULL;
	/* The catalog is asked once, not for each of 10,000 members. */
	const char *from_join_fmt = _("%s; counted from the join month %s"),
	           *from_first_fmt = _("%s; counted from the branch's first dues record %s"),
	           *reason_fmt = NULL;
	uint32_t reason_n = 0;

	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DUES]; i++)
		if (c->dues_month[i] != NO_DAY && c->dues_month[i] < first)
			first = c->dues_month[i];
	if (first == INT32_MAX || first >= now || nm == 0)
		return 0;
	span = now - first;
	have = calloc(nm * (size_t)span, 1);
	/* Each month's YYYY-MM once, not once per member missing it. */
	text = malloc((size_t)span * sizeof(*text));
	if (!have || !text) {
		free(have);
		free(text);
		return HEARTH_ENOMEM;
	}
	for (int32_t k = 0; k < span; k++)
		date_month_format(first + k, text[k]);
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DUES]; i++) {
		long mi = c->dues_mi[i];
		int32_t m = c->dues_month[i];
		if (mi >= 0 && m != NO_DAY && m >= first && m < now)
			have[(size_t)mi * (size_t)span + (size_t)(m - first)] = 1;
	}
	for (size_t mi = 0; mi < nm; mi++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_MEMBER][mi];
		const Hearth__Member *m = rec->member;
		int32_t join = first, start, gap_first = -1, join_day;
		int from_join = 0;
		char months[160] = "";
		size_t used = 0, n = 0;
		due_item *it;

		if (!alive(m) || m->standing == HEARTH__STANDING__STANDING_SUSPENDED)
			continue;
		if (m->join_date && date_parse(m->join_date, &join_day) == 0) {
			/* month_of(join_day), read off the text date_parse took (a
			 * valid date has one spelling): no format and parse again
			 * for each of 10,000 members. */
			const char *j = m->join_date;
			join = ((j[0] - '0') * 1000 + (j[1] - '0') * 100 + (j[2] - '0') * 10 + (j[3] - '0')) * 12 +
			       (j[5] - '0') * 10 + (j[6] - '0') - 1;
		}
		from_join = join > first;
		start = from_join ? join : first;
		for (int32_t k = start; k < now; k++) {
			if (have[mi * (size_t)span + (size_t)(k - first)])
				continue;
			if (gap_first < 0)
				gap_first = k;
			n++;
			if (used + 12 < sizeof(months))
				used = add_month(months, sizeof(months), used, text[k - first]);
		}
		if (n == 0)
			continue;
		if (!(it = add_item(c, DUE_DUES_MISSING, (long)mi, rec))) {
			free(have);
			free(text);
			return HEARTH_ENOMEM;
		}
		it->months = (uint32_t)n;
		date_month_start(gap_first, &it->since);
		it->days = c->today - it->since;
		if (!reason_fmt || reason_n != it->months) {
			reason_fmt = P_("no dues record for %u month", "no dues record for %u months", it->months);
			reason_n = it->months;
		}
		snprintf(it->reason, sizeof(it->reason), reason_fmt, it->months);
		snprintf(it->detail, sizeof(it->detail), from_join ? from_join_fmt : from_first_fmt, months,
		         text[start - first]);
	}
	free(have);
	free(text);
	return 0;
}

/* Coverage of a visiting campaign in today's year: the members in the
 * hardship ledger at some time that year, and which of them a visit of that
 * occasion reached. */
static int campaign(calc *c, due_campaign *cp, Hearth__VisitOccasion occ)
{
	const due_snapshot *s = c->s;
	size_t nm = s->n[HEARTH__KIND__KIND_MEMBER];
	int32_t lo = jan1(c->out->year), hi = jan1(c->out->year + 1) - 1;
	unsigned char *in = calloc(nm ? nm : 1, 1);   /* 1 in ledger, 2 visited too */
	size_t n_in = 0;

	cp->occasion = occ;
	if (!in)
		return HEARTH_ENOMEM;
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_HARDSHIP]; i++) {
		const Hearth__Record *rec = s->recs[HEARTH__KIND__KIND_HARDSHIP][i];
		const Hearth__Hardship *h = rec->hardship;
		long mi = mi_of(c, h->member.data, h->member.len);
		int32_t start = due_day_or_created(h->certified_at, rec), end = due_day_of(h->closed_date);

		if (mi < 0 || !alive(s->recs[HEARTH__KIND__KIND_MEMBER][mi]->member) || start > hi)
			continue;
		if (!hardship_open(h) && (end == NO_DAY || end < lo))
			continue;
		in[mi] = 1;
		n_in++;
	}
	/* No one in the ledger (most branches' replicas): no visit can count. */
	for (size_t i = 0; n_in && i < s->n[HEARTH__KIND__KIND_VISIT]; i++) {
		const Hearth__Visit *v;
		int32_t d = c->visit_day[i];
		if (c->visit_occ[i] != (int32_t)occ || d == NO_DAY || d < lo || d > hi)
			continue;
		v = s->recs[HEARTH__KIND__KIND_VISIT][i]->visit;
		for (size_t k = 0; k < v->n_members; k++) {
			long mi = mi_of(c, v->members[k].data, v->members[k].len);
			if (mi >= 0 && in[mi])
				in[mi] = 2;
		}
	}
	for (size_t i = 0; i < nm; i++) {
		if (!in[i])
			continue;
		cp->total++;
		if (in[i] == 2) {
			cp->visited++;
			continue;
		}
		if (!cp->missing) {
			cp->missing = calloc(nm, sizeof(*cp->missing));
			if (!cp->missing) {
				free(in);
				return HEARTH_ENOMEM;
			}
		}
		snprintf(cp->missing[cp->n_missing++], sizeof(cp->missing[0]), "%s",
		         s->recs[HEARTH__KIND__KIND_MEMBER][i]->member->name);
	}
	free(in);
	return 0;
}

static int item_order(const void *a, const void *b)
{
	const due_item *x = a, *y = b;
	int c;

	if (x->what != y->what)
		return x->what < y->what ? -1 : 1;
	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	if ((c = strcmp(x->member_name, y->member_name)) != 0)
		return c;
	return memcmp(x->record, y->record, UUID_LEN);
}

/* An item's sort key beside the item's place: item_order on contiguous
 * keys instead of on items 500 bytes apart, with the name's first bytes
 * as a number so most ties of what and since need no strcmp. */
typedef struct item_key {
	uint64_t what_since;        /* what, then since (its sign bit flipped): one comparison */
	uint64_t name8;             /* the name's first 8 bytes, big-endian, zero after its end */
	const due_item *it;         /* in the unsorted array: its place there breaks ties */
} item_key;

static uint64_t name_prefix(const char *name)
{
	uint64_t v = 0;
	size_t i = 0;

	for (; i < 8 && name[i]; i++)
		v = v << 8 | (unsigned char)name[i];
	return i ? v << (8 * (8 - i)) : 0;     /* a shift by 64 is undefined */
}

/* item_order, then the place before the sort: the order a stable sort by
 * item_order gives, whatever qsort's algorithm. */
static int key_order(const void *a, const void *b)
{
	const item_key *x = a, *y = b;
	int c;

	if (x->what_since != y->what_since)
		return x->what_since < y->what_since ? -1 : 1;
	if (x->name8 != y->name8)
		return x->name8 < y->name8 ? -1 : 1;
	if ((c = item_order(x->it, y->it)) != 0)
		return c;
	return (x->it > y->it) - (x->it < y->it);
}

/* Sorts the report's items by item_order, stably: by keys, then moving
 * each item once along the permutation's cycles. */
static int sort_items(due_report *out)
{
	size_t n = out->n_items;
	item_key *k = malloc(n * sizeof(*k));
	size_t *at = malloc(n * sizeof(*at));   /* the item that goes to place i */
	due_item tmp;

	if (!k || !at) {
		free(k);
		free(at);
		return HEARTH_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const due_item *it = &out->items[i];
		k[i] = (item_key){ (uint64_t)it->what << 32 | ((uint32_t)it->since ^ 0x80000000u),
			           name_prefix(it->member_name), it };
	}
	qsort(k, n, sizeof(*k), key_order);
	/* A place done is marked by at[i] == i. */
	for (size_t i = 0; i < n; i++)
		at[i] = (size_t)(k[i].it - out->items);
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		if (at[i] == i)
			continue;
		tmp = out->items[i];
		while (at[j] != i) {
			size_t from = at[j];
			out->items[j] = out->items[from];
			at[j] = j;
			j = from;
		}
		out->items[j] = tmp;
		at[j] = j;
	}
	free(at);
	free(k);
	return 0;
}

int due_compute(const due_snapshot *s, int32_t today, const due_config *cfg, due_report *out)
{
	size_t nm = s->n[HEARTH__KIND__KIND_MEMBER];
	calc c = { .s = s, .cfg = cfg, .today = today, .out = out };
	int rc = HEARTH_ENOMEM;

	memset(out, 0, sizeof(*out));
	out->today = today;
	out->year = year_of(today);
	out->cfg = *cfg;
	c.last_visit = malloc((nm ? nm : 1) * sizeof(int32_t));
	c.last_talk = malloc((nm ? nm : 1) * sizeof(int32_t));
	if (!c.last_visit || !c.last_talk)
		goto fail;
	for (size_t i = 0; i < nm; i++)
		c.last_visit[i] = c.last_talk[i] = NO_DAY;
	c.visit_day = malloc((s->n[HEARTH__KIND__KIND_VISIT] + 1) * sizeof(int32_t));
	c.visit_occ = malloc((s->n[HEARTH__KIND__KIND_VISIT] + 1) * sizeof(int32_t));
	if (!c.visit_day || !c.visit_occ)
		goto fail;
	/* Each visit record read once here; the rules' passes over 50,000
	 * visits then read these arrays and a visit only when it counts. */
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_VISIT]; i++) {
		const Hearth__Visit *v = s->recs[HEARTH__KIND__KIND_VISIT][i]->visit;
		c.visit_day[i] = due_day_of(v->date);
		c.visit_occ[i] = visit_happened(v) ? (int32_t)v->occasion : -1;
	}
	if ((rc = index_members(&c)) != 0)
		goto fail;
	/* Each dues record's month and member, read once for both dues rules. */
	c.dues_month = malloc((s->n[HEARTH__KIND__KIND_DUES] + 1) * sizeof(*c.dues_month));
	c.dues_mi = malloc((s->n[HEARTH__KIND__KIND_DUES] + 1) * sizeof(*c.dues_mi));
	if (!c.dues_month || !c.dues_mi) {
		rc = HEARTH_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DUES]; i++) {
		const Hearth__Dues *d = s->recs[HEARTH__KIND__KIND_DUES][i]->dues;
		if (date_parse_month(d->month, &c.dues_month[i]) != 0)
			c.dues_month[i] = NO_DAY;
		c.dues_mi[i] = mi_of(&c, d->member.data, d->member.len);
	}
	scan_contacts(&c);
	if ((rc = owed_visits(&c)) != 0 || (rc = owed_talks(&c)) != 0 || (rc = owed_talk_needs(&c)) != 0 ||
	    (rc = owed_notes(&c)) != 0 || (rc = owed_contacts(&c)) != 0 ||
	    (rc = owed_dues(&c)) != 0 || (rc = missing_dues(&c)) != 0 ||
	    (rc = campaign(&c, &out->campaigns[0],
	                   HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL)) != 0 ||
	    (rc = campaign(&c, &out->campaigns[1], HEARTH__VISIT_OCCASION__VISIT_OCCASION_JULY_FIRST)) != 0)
		goto fail;
	if (out->n_items && (rc = sort_items(out)) != 0)
		goto fail;
	rc = 0;
fail:
	free(c.dues_mi);
	free(c.dues_month);
	free(c.slot);
	free(c.visit_occ);
	free(c.visit_day);
	free(c.last_talk);
	free(c.last_visit);
	if (rc != 0)
		due_report_free(out);
	return rc;
}

void due_report_free(due_report *r)
{
	free(r->items);
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(r->campaigns); i++)
		free(r->campaigns[i].missing);
	memset(r, 0, sizeof(*r));
}

const char *due_what_label(enum due_what w)
{
	static const char *const l[] = { "走访", "谈心谈话", "帮扶进展", "党费", "党费记录", "流动党员联系" };
	return (unsigned)w < HEARTH_ARRAY_LEN(l) ? l[w] : "?";
}

const char *due_what_name(enum due_what w)
{
	static const char *const n[] = { "visit", "talk", "pairing_note", "dues", "dues_missing",
		                         "mobile_contact" };
	return (unsigned)w < HEARTH_ARRAY_LEN(n) ? n[w] : "?";
}
