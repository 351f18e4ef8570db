/* ledger.c: builds a branch's printable ledgers as rows of text (ledger.h
 * says which records each holds); ui/print_html.c and cmd/report.c print
 * them. */
#include "client/core/ledger.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/figure_rules.h"
#include "common/date.h"
#include "common/enums.h"
#include "common/hearth.h"
#include "common/record.h"
#include "common/uuid.h"

#define NO_DAY INT32_MIN

static const char *const hardship_cols[] = { "序号", "姓名", "性别", "年龄", "党龄", "困难类型",
	                                     "困难程度", "困难情况", "家庭人均月收入（元）", "家庭状况",
	                                     "健康状况", "认定人", "认定日期", "状态", "备注" };
static const char *const visit_cols[] = { "序号", "走访日期", "走访对象", "慰问事由", "走访人",
	                                  "慰问金（元）", "慰问品", "慰问品折价（元）", "经费来源", "状态",
	                                  "备注" };
static const char *const talk_cols[] = { "序号", "谈话日期", "谈话形式", "谈话起因", "谈话人",
	                                 "谈话对象", "地点", "谈话主题", "谈话内容", "需跟进", "跟进事项" };
static const char *const pairing_cols[] = { "序号", "结对方式", "帮扶人", "帮扶对象", "责任人",
	                                    "帮扶目标", "帮扶措施", "开始日期", "结束日期", "状态",
	                                    "结对成效", "帮扶进展" };

static const struct {
	const char *word, *title;
	Hearth__Kind kind;
	const char *const *cols;
	size_t n_cols;
} ledgers[LEDGER_KIND_COUNT] = {
	[LEDGER_HARDSHIP] = { "hardship", "困难党员台账", HEARTH__KIND__KIND_HARDSHIP, hardship_cols,
	                      HEARTH_ARRAY_LEN(hardship_cols) },
	[LEDGER_VISITS] = { "visits", "走访慰问登记表", HEARTH__KIND__KIND_VISIT, visit_cols,
	                    HEARTH_ARRAY_LEN(visit_cols) },
	[LEDGER_TALKS] = { "talks", "谈心谈话记录", HEARTH__KIND__KIND_TALK, talk_cols,
	                   HEARTH_ARRAY_LEN(talk_cols) },
	[LEDGER_PAIRINGS] = { "pairings", "结对帮扶情况", HEARTH__KIND__KIND_PAIRING, pairing_cols,
	                      HEARTH_ARRAY_LEN(pairing_cols) },
};

int ledger_kind_parse(const char *word, enum ledger_kind *kind)
{
	for (int i = 0; i < LEDGER_KIND_COUNT; i++) {
		if (word && (!strcmp(word, ledgers[i].word) || !strcmp(word, ledgers[i].title))) {
			*kind = (enum ledger_kind)i;
			return 0;
		}
	}
	return HEARTH_EINVAL;
}

Hearth__Kind ledger_record_kind(enum ledger_kind kind)
{
	return ledgers[kind].kind;
}

void ledger_years(const char *date, int32_t today, char out[8])
{
	int32_t d;
	int y;

	out[0] = '\0';
	if (date && *date && date_parse(date, &d) == 0 && (y = date_full_years(d, today)) >= 0)
		snprintf(out, 8, "%d", y % 1000);   /* 0..299: the calendar stops at 2199 */
}

/* ------------------------------------------------------------ building */

typedef struct build {
	ledger *l;
	const due_snapshot *s;
	int32_t today, lo, hi;
	value_view view;
	char **row;       /* the row being filled */
	size_t col;
	int oom;
} build;

static int32_t day_of(const char *s)
{
	int32_t d;
	return s && *s && date_parse(s, &d) == 0 ? d : NO_DAY;
}

static void put(build *b, const char *text)
{
	if (b->oom || b->col >= b->l->n_cols)
		return;
	if (!(b->row[b->col] = strdup(text ? text : ""))) {
		b->oom = 1;
		return;
	}
	b->col++;
}

static void putf(build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(build *b, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(b, buf);
}

/* A sensitive text: masked as `show` masks it unless revealed. */
static void put_secret(build *b, const char *text)
{
	char *masked;
	size_t cap;

	if (b->view == VALUE_REVEALED || !text || !*text) {
		put(b, text);
		return;
	}
	cap = strlen(text) + 16;
	if (!(masked = malloc(cap))) {
		b->oom = 1;
		return;
	}
	record_mask(text, masked, cap);
	put(b, masked);
	free(masked);
}

static void put_yuan(build *b, int64_t fen, int secret)
{
	char y[MONEY_YUAN_TEXT_MAX];

	if (secret && b->view != VALUE_REVEALED && fen)
		put(b, "***");   /* an amount has no shape worth keeping */
	else if (!fen)
		put(b, "");
	else {
		money_yuan_format(fen, y);
		put(b, y);
	}
}

/* An enum's Chinese label, "" when unset. */
static void put_enum(build *b, const ProtobufCEnumDescriptor *d, int v)
{
	put(b, v ? enum_label(d, v) : "");
}

static const Hearth__Record *member_rec(const build *b, const ProtobufCBinaryData *id)
{
	const due_snapshot *s = b->s;

	for (size_t i = 0; id->len == UUID_LEN && i < s->n[HEARTH__KIND__KIND_MEMBER]; i++) {
		const Hearth__Record *r = s->recs[HEARTH__KIND__KIND_MEMBER][i];
		if (r->id.len == UUID_LEN && !memcmp(r->id.data, id->data, UUID_LEN))
			return r;
	}
	return NULL;
}

/* A member as people know them: the name, with the last 12 hex digits of
 * the id only when two members of the branch share it; "（不在本支部）"
 * for a reference the branch's records do not hold. */
static void name_of(const build *b, const ProtobufCBinaryData *id, char *out, size_t cap)
{
	const Hearth__Record *r = member_rec(b, id);
	const char *name;
	size_t same = 0;
	char text[UUID_TEXT_LEN + 1];

	if (!r) {
		snprintf(out, cap, "（不在本支部）");
		return;
	}
	name = r->member->name ? r->member->name : "";
	for (size_t i = 0; i < b->s->n[HEARTH__KIND__KIND_MEMBER]; i++) {
		const char *o = b->s->recs[HEARTH__KIND__KIND_MEMBER][i]->member->name;
		same += o && !strcmp(o, name);
	}
	if (same < 2) {
		snprintf(out, cap, "%s", name);
		return;
	}
	uuid_format(r->id.data, text);
	snprintf(out, cap, "%s（…%s）", name, text + UUID_TEXT_LEN - 12);
}

static void put_names(build *b, const ProtobufCBinaryData *ids, size_t n)
{
	char buf[2048] = "", one[160];
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		name_of(b, &ids[i], one, sizeof(one));
		used += (size_t)snprintf(buf + used, used < sizeof(buf) ? sizeof(buf) - used : 0, "%s%s",
		                         i ? "、" : "", one);
		if (used >= sizeof(buf))
			break;
	}
	put(b, buf);
}

static void put_strings(build *b, char *const *v, size_t n)
{
	char buf[1024] = "";
	size_t used = 0;

	for (size_t i = 0; i < n && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? "、" : "", v[i]);
	put(b, buf);
}

static int new_row(build *b, const Hearth__Record *rec)
{
	ledger *l = b->l;

	if (l->n_rows == l->cap_rows) {
		size_t nc = l->cap_rows ? l->cap_rows * 2 : 32;
		char **cells = realloc(l->cells, nc * l->n_cols * sizeof(*cells));
		const Hearth__Record **recs;
		if (!cells)
			return HEARTH_ENOMEM;
		l->cells = cells;
		if (!(recs = realloc(l->recs, nc * sizeof(*recs))))
			return HEARTH_ENOMEM;
		l->recs = recs;
		l->cap_rows = nc;
	}
	b->row = &l->cells[l->n_rows * l->n_cols];
	memset(b->row, 0, l->n_cols * sizeof(*b->row));
	l->recs[l->n_rows] = rec;
	l->n_rows++;
	b->col = 0;
	putf(b, "%zu", l->n_rows);
	return 0;
}

static void hardship_row(build *b, const Hearth__Record *rec)
{
	const Hearth__Hardship *h = rec->hardship;
	const Hearth__Record *m = member_rec(b, &h->member);
	char name[160], years[8], types[256] = "";
	size_t used = 0;

	name_of(b, &h->member, name, sizeof(name));
	put(b, name);
	put_enum(b, &hearth__gender__descriptor, m ? m->member->gender : 0);
	ledger_years(m ? m->member->birth_date : NULL, b->today, years);
	put(b, years);
	ledger_years(m ? m->member->join_date : NULL, b->today, years);
	put(b, years);
	for (size_t i = 0; i < h->n_types && used < sizeof(types); i++)
		used += (size_t)snprintf(types + used, sizeof(types) - used, "%s%s", i ? "、" : "",
		                         enum_label(&hearth__hardship_type__descriptor, h->types[i]));
	put(b, types);
	put_enum(b, &hearth__hardship_level__descriptor, h->level);
	put(b, h->description);
	put_yuan(b, h->income, 1);
	put_secret(b, h->household);
	put_secret(b, h->health);
	put(b, h->certified_by);
	put(b, h->certified_at);
	put_enum(b, &hearth__hardship_status__descriptor, h->status);
	put(b, h->notes);
}

static void visit_row(build *b, const Hearth__Record *rec)
{
	const Hearth__Visit *v = rec->visit;

	put(b, v->date);
	put_names(b, v->members, v->n_members);
	put_enum(b, &hearth__visit_occasion__descriptor, v->occasion);
	put_strings(b, v->visitors, v->n_visitors);
	put_yuan(b, v->cash, 0);
	put(b, v->goods);
	put_yuan(b, v->goods_value, 0);
	put_enum(b, &hearth__fund_source__descriptor, v->fund_source);
	put_enum(b, &hearth__visit_status__descriptor, v->status);
	put(b, v->notes);
}

static void talk_row(build *b, const Hearth__Record *rec)
{
	const Hearth__Talk *t = rec->talk;

	put(b, t->date);
	put_enum(b, &hearth__talk_form__descriptor, t->form);
	put_enum(b, &hearth__talk_trigger__descriptor, t->trigger);
	put(b, t->talker);
	put_names(b, t->members, t->n_members);
	put(b, t->place);
	put(b, t->topic);
	put_secret(b, t->content);
	put(b, t->follow_up ? "是" : "否");
	put(b, t->follow_up_note);
}

static void pairing_row(build *b, const Hearth__Record *rec)
{
	const Hearth__Pairing *p = rec->pairing;
	char notes[2048] = "";
	size_t used = 0;

	put_enum(b, &hearth__pairing_mode__descriptor, p->mode);
	put(b, p->helper);
	put_names(b, &p->member, 1);
	put(b, p->responsible);
	put(b, p->goal);
	put(b, p->measures);
	put(b, p->start_date);
	put(b, p->end_date);
	put_enum(b, &hearth__pairing_status__descriptor, p->status);
	put_enum(b, &hearth__pairing_outcome__descriptor, p->outcome);
	for (size_t i = 0; i < p->n_notes && used < sizeof(notes); i++)
		used += (size_t)snprintf(notes + used, sizeof(notes) - used, "%s%s %s", i ? "；" : "",
		                         p->notes[i]->date, p->notes[i]->note);
	put(b, notes);
}

/* Whether rec belongs in the ledger of the year, and its date for order. */
static int holds(const build *b, enum ledger_kind kind, const Hearth__Record *rec, int32_t *when)
{
	int32_t start, end;

	switch (kind) {
	case LEDGER_HARDSHIP: {
		const Hearth__Hardship *h = rec->hardship;
		int closed = h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_RESOLVED ||
		             h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REMOVED;
		start = day_of(h->certified_at);
		if (start == NO_DAY)
			start = due_created_day(rec);
		end = day_of(h->closed_date);
		*when = start;
		return start <= b->hi && !(closed && end != NO_DAY && end < b->lo);
	}
	case LEDGER_VISITS:
		*when = day_of(rec->visit->date);
		return *when != NO_DAY && *when >= b->lo && *when <= b->hi;
	case LEDGER_TALKS:
		*when = day_of(rec->talk->date);
		return *when != NO_DAY && *when >= b->lo && *when <= b->hi;
	default:
		start = day_of(rec->pairing->start_date);
		end = day_of(rec->pairing->end_date);
		*when = start;
		return start != NO_DAY && start <= b->hi && !(end != NO_DAY && end < b->lo);
	}
}

typedef struct ordered {
	int32_t when;
	size_t i;
	const Hearth__Record *rec;
} ordered;

static int by_when(const void *a, const void *b)
{
	const ordered *x = a, *y = b;
	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The visits' totals row: the visits that happened, as the year report. */
static int visit_totals(build *b)
{
	ledger *l = b->l;
	int64_t cash = 0, goods = 0;
	size_t n = 0;
	char **row = calloc(l->n_cols, sizeof(*row));

	if (!row)
		return HEARTH_ENOMEM;
	l->total = row;
	for (size_t r = 0; r < l->n_rows; r++) {
		if (!figure_visit_counts(l->recs[r]->visit, l->year))
			continue;
		n++;
		cash += l->recs[r]->visit->cash;
		goods += l->recs[r]->visit->goods_value;
	}
	b->row = row;
	b->col = 0;
	put(b, "合计");
	putf(b, "%zu 次", n);
	put(b, "（不含计划、已取消）");
	put(b, "");
	put(b, "");
	put_yuan(b, cash, 0);
	put(b, "");
	put_yuan(b, goods, 0);
	while (b->col < l->n_cols && !b->oom)
		put(b, "");
	return b->oom ? HEARTH_ENOMEM : 0;
}

int ledger_build(const due_snapshot *s, enum ledger_kind kind, int year, int32_t today,
                 value_view view, ledger *out)
{
	Hearth__Kind rk = ledgers[kind].kind;
	build b;
	ordered *ord = NULL;
	size_t n = 0;
	char t[16];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	out->kind = kind;
	out->year = year;
	out->title = ledgers[kind].title;
	out->cols = ledgers[kind].cols;
	out->n_cols = ledgers[kind].n_cols;
	b.l = out;
	b.s = s;
	b.today = today;
	b.view = view;
	snprintf(t, sizeof(t), "%04d-01-01", year);
	date_parse(t, &b.lo);
	snprintf(t, sizeof(t), "%04d-12-31", year);
	date_parse(t, &b.hi);
	if (s->n[rk] && !(ord = malloc(s->n[rk] * sizeof(*ord))))
		return HEARTH_ENOMEM;
	for (size_t i = 0; i < s->n[rk]; i++) {
		int32_t when;
		if (holds(&b, kind, s->recs[rk][i], &when))
			ord[n++] = (ordered){ when, i, s->recs[rk][i] };
	}
	if (n > 1)
		qsort(ord, n, sizeof(*ord), by_when);
	for (size_t i = 0; i < n && rc == 0 && !b.oom; i++) {
		if ((rc = new_row(&b, ord[i].rec)) != 0)
			break;
		switch (kind) {
		case LEDGER_HARDSHIP: hardship_row(&b, ord[i].rec); break;
		case LEDGER_VISITS: visit_row(&b, ord[i].rec); break;
		case LEDGER_TALKS: talk_row(&b, ord[i].rec); break;
		default: pairing_row(&b, ord[i].rec); break;
		}
	}
	free(ord);
	if (rc == 0 && !b.oom && kind == LEDGER_VISITS)
		rc = visit_totals(&b);
	if (rc != 0 || b.oom) {
		ledger_free(out);
		return HEARTH_ENOMEM;
	}
	return 0;
}

void ledger_free(ledger *l)
{
	for (size_t i = 0; l->cells && i < l->n_rows * l->n_cols; i++)
		free(l->cells[i]);
	for (size_t i = 0; l->total && i < l->n_cols; i++)
		free(l->total[i]);
	free(l->cells);
	free(l->total);
	free(l->recs);
	memset(l, 0, sizeof(*l));
}

const char *ledger_cell(const ledger *l, size_t r, size_t c)
{
	const char *s = r < l->n_rows && c < l->n_cols ? l->cells[r * l->n_cols + c] : NULL;
	return s ? s : "";
}
