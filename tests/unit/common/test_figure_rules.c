/* test_figure_rules.c: the committee's figures (stats.c, `hearth admin
 * stats`) and a branch's year (yearly.c, `hearth report year`) computed on
 * one data set of two branches agree on every count they share, because
 * both count by common/figure_rules.c: a nominated (推荐) or revoked
 * honor counts nowhere, planned and cancelled visits nowhere, departed
 * members are not 党员. Records are built in memory; no replica. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/figure_rules.h"
#include "common/stats.h"
#include "common/yearly.h"
#include "common/date.h"
#include "common/hearth.h"

#define MAX_RECS 64
#define YEAR 2026

/* The data set: records, their bodies and ids, all in static storage. */
static Hearth__Record recs[MAX_RECS];
static uint8_t ids[MAX_RECS][16];
static size_t n_recs;
static due_snapshot snap;

static Hearth__Record *new_rec(Hearth__Kind kind, const char *branch)
{
	Hearth__Record *r;

	assert_true(n_recs < MAX_RECS);
	r = &recs[n_recs];
	hearth__record__init(r);
	memset(ids[n_recs], 0, 16);
	ids[n_recs][0] = 0x01;                  /* a UUIDv7 time of 2021 or so */
	ids[n_recs][6] = 0x70;
	ids[n_recs][15] = (uint8_t)(n_recs + 1);
	r->id.data = ids[n_recs];
	r->id.len = 16;
	r->kind = kind;
	r->branch_id = (char *)branch;
	n_recs++;
	assert_true(snap.n[kind] < MAX_RECS);
	snap.recs[kind][snap.n[kind]++] = r;
	return r;
}

static Hearth__Member members_b[16];
static Hearth__Visit visits_b[16];
static Hearth__Talk talks_b[16];
static Hearth__Honor honors_b[16];
static Hearth__Dues dues_b[16];
static ProtobufCBinaryData refs[MAX_RECS];
static size_t n_m, n_v, n_t, n_h, n_d;

static ProtobufCBinaryData *ref_of(const Hearth__Record *r)
{
	ProtobufCBinaryData *b = &refs[r - recs];
	b->data = r->id.data;
	b->len = 16;
	return b;
}

static const Hearth__Record *member(const char *branch, const char *name, Hearth__MemberCategory cat,
                                    Hearth__Standing standing, const char *join)
{
	Hearth__Member *m = &members_b[n_m++ % 16];
	Hearth__Record *r;

	hearth__member__init(m);
	m->name = (char *)name;
	m->category = cat;
	m->standing = standing;
	m->join_date = (char *)join;
	r = new_rec(HEARTH__KIND__KIND_MEMBER, branch);
	r->body_case = HEARTH__RECORD__BODY_MEMBER;
	r->member = m;
	return r;
}

static void visit(const char *branch, const Hearth__Record *who, Hearth__VisitOccasion occ,
                  const char *date, Hearth__VisitStatus st)
{
	Hearth__Visit *v = &visits_b[n_v++ % 16];
	Hearth__Record *r;

	hearth__visit__init(v);
	v->n_members = 1;
	v->members = ref_of(who);
	v->occasion = occ;
	v->date = (char *)date;
	v->status = st;
	v->cash = 10000;
	v->fund_source = HEARTH__FUND_SOURCE__FUND_SOURCE_DUES;
	r = new_rec(HEARTH__KIND__KIND_VISIT, branch);
	r->body_case = HEARTH__RECORD__BODY_VISIT;
	r->visit = v;
}

static void talk(const char *branch, const Hearth__Record *who, const char *date)
{
	Hearth__Talk *t = &talks_b[n_t++ % 16];
	Hearth__Record *r;

	hearth__talk__init(t);
	t->n_members = 1;
	t->members = ref_of(who);
	t->date = (char *)date;
	t->trigger = HEARTH__TALK_TRIGGER__TALK_TRIGGER_ROUTINE;
	r = new_rec(HEARTH__KIND__KIND_TALK, branch);
	r->body_case = HEARTH__RECORD__BODY_TALK;
	r->talk = t;
}

static void honor(const char *branch, const Hearth__Record *who, int year, Hearth__HonorStatus st)
{
	Hearth__Honor *h = &honors_b[n_h++ % 16];
	Hearth__Record *r;

	hearth__honor__init(h);
	h->year = year;
	h->title = HEARTH__HONOR_TITLE__HONOR_TITLE_EXCELLENT_MEMBER;
	h->member = *ref_of(who);
	h->status = st;
	r = new_rec(HEARTH__KIND__KIND_HONOR, branch);
	r->body_case = HEARTH__RECORD__BODY_HONOR;
	r->honor = h;
}

static void dues(const char *branch, const Hearth__Record *who, const char *month, int64_t due,
                 int64_t paid, Hearth__DuesStatus st)
{
	Hearth__Dues *d = &dues_b[n_d++ % 16];
	Hearth__Record *r;

	hearth__dues__init(d);
	d->member = *ref_of(who);
	d->month = (char *)month;
	d->due = due;
	d->paid = paid;
	d->status = st;
	r = new_rec(HEARTH__KIND__KIND_DUES, branch);
	r->body_case = HEARTH__RECORD__BODY_DUES;
	r->dues = d;
}

/* One branch's share of the data set; each call adds distinct records. */
static void branch_data(const char *b, int variant)
{
	const Hearth__Record *a = member(b, "甲", HEARTH__MEMBER_CATEGORY__CATEGORY_FULL,
	                                 HEARTH__STANDING__STANDING_NORMAL, "1970-05-01");
	const Hearth__Record *p = member(b, "乙", HEARTH__MEMBER_CATEGORY__CATEGORY_PROBATIONARY,
	                                 HEARTH__STANDING__STANDING_NORMAL, "2026-03-01");

	member(b, "丙", HEARTH__MEMBER_CATEGORY__CATEGORY_FULL, HEARTH__STANDING__STANDING_DECEASED,
	       "1960-01-01");
	if (variant)
		member(b, "丁", HEARTH__MEMBER_CATEGORY__CATEGORY_FULL, HEARTH__STANDING__STANDING_LEFT,
		       "1999-01-01");
	visit(b, a, HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL, "2026-02-01",
	      HEARTH__VISIT_STATUS__VISIT_STATUS_DONE);
	visit(b, p, HEARTH__VISIT_OCCASION__VISIT_OCCASION_JULY_FIRST, "2026-06-30",
	      HEARTH__VISIT_STATUS__VISIT_STATUS_DONE);
	visit(b, p, HEARTH__VISIT_OCCASION__VISIT_OCCASION_JULY_FIRST, "2026-07-01",
	      HEARTH__VISIT_STATUS__VISIT_STATUS_PLANNED);
	visit(b, a, HEARTH__VISIT_OCCASION__VISIT_OCCASION_HOSPITAL, "2026-08-01",
	      HEARTH__VISIT_STATUS__VISIT_STATUS_CANCELLED);
	visit(b, a, HEARTH__VISIT_OCCASION__VISIT_OCCASION_SPRING_FESTIVAL, "2025-01-20",
	      HEARTH__VISIT_STATUS__VISIT_STATUS_DONE);
	talk(b, a, "2026-03-03");
	talk(b, p, variant ? "2026-12-31" : "2025-12-31");
	honor(b, a, YEAR, HEARTH__HONOR_STATUS__HONOR_STATUS_NOMINATED);
	honor(b, a, YEAR, HEARTH__HONOR_STATUS__HONOR_STATUS_APPROVED);
	honor(b, p, YEAR, HEARTH__HONOR_STATUS__HONOR_STATUS_REVOKED);
	if (variant)
		honor(b, p, YEAR, HEARTH__HONOR_STATUS__HONOR_STATUS_AWARDED);
	honor(b, p, YEAR - 1, HEARTH__HONOR_STATUS__HONOR_STATUS_AWARDED);
	dues(b, a, "2026-01", 1000, 1000, HEARTH__DUES_STATUS__DUES_STATUS_PAID);
	dues(b, p, "2026-02", 500, 0, HEARTH__DUES_STATUS__DUES_STATUS_UNPAID);
	dues(b, p, "2026-03", 0, 0, HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT);
	dues(b, a, "2025-12", 700, 700, HEARTH__DUES_STATUS__DUES_STATUS_PAID);
}

static int setup(void **state)
{
	(void)state;
	memset(&snap, 0, sizeof(snap));
	n_recs = n_m = n_v = n_t = n_h = n_d = 0;
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(snap.recs); k++) {
		snap.recs[k] = calloc(MAX_RECS, sizeof(*snap.recs[k]));
		assert_non_null(snap.recs[k]);
		snap.cap[k] = MAX_RECS;
	}
	branch_data("b001", 0);
	branch_data("b002", 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(snap.recs); k++)
		free(snap.recs[k]);
	return 0;
}

/* Every count `admin stats` and `report year` both show, for one row. */
static void expect_agree(const stats_row *row, const yearly_report *y)
{
	static const struct {
		int fig;
		const char *section, *group, *key;
	} same[] = {
		{ ST_MEMBERS, "members", NULL, "total" },
		{ ST_MEMBERS_FULL, "members", "by_category", "full" },
		{ ST_MEMBERS_PROBATIONARY, "members", "by_category", "probationary" },
		{ ST_VISITS, "visits", NULL, "count" },
		{ ST_VISITS_SPRING, "visits", "by_occasion", "spring_festival" },
		{ ST_VISITS_JULY, "visits", "by_occasion", "july_first" },
		{ ST_TALKS, "talks", NULL, "count" },
		{ ST_HONORS, "honors", NULL, "count" },
		{ ST_DUES_DUE, "dues", NULL, "due_fen" },
		{ ST_DUES_PAID, "dues", NULL, "paid_fen" },
	};

	for (size_t i = 0; i < HEARTH_ARRAY_LEN(same); i++) {
		int64_t yv = yearly_value(y, same[i].section, same[i].group, same[i].key);
		if (row->v[same[i].fig] != yv)
			fail_msg("branch %s: %s.%s%s%s: stats %lld, report year %lld", row->branch,
			         same[i].section, same[i].group ? same[i].group : "", same[i].group ? "." : "",
			         same[i].key, (long long)row->v[same[i].fig], (long long)yv);
	}
}

static void test_stats_and_year_agree(void **state)
{
	stats st;

	(void)state;
	stats_init(&st, YEAR, 0, NULL);
	date_parse("2026-12-01", &st.today);
	assert_int_equal(stats_scan_snapshot(&st, &snap), 0);
	stats_finish(&st);
	assert_int_equal(st.n, 2);
	for (size_t i = 0; i < st.n; i++) {
		due_snapshot part;
		yearly_report y;

		/* The branch's own report, computed as `hearth report year` does
		 * on that branch's replica. */
		memset(&part, 0, sizeof(part));
		for (size_t k = 0; k < HEARTH_ARRAY_LEN(snap.recs); k++) {
			part.recs[k] = calloc(MAX_RECS, sizeof(*part.recs[k]));
			assert_non_null(part.recs[k]);
			for (size_t j = 0; j < snap.n[k]; j++)
				if (!strcmp(snap.recs[k][j]->branch_id, st.rows[i].branch))
					part.recs[k][part.n[k]++] = snap.recs[k][j];
		}
		assert_int_equal(yearly_compute(&part, st.rows[i].branch, YEAR, &y), 0);
		expect_agree(&st.rows[i], &y);
		expect_agree(&st.rows[i], &st.rows[i].year);
		yearly_free(&y);
		for (size_t k = 0; k < HEARTH_ARRAY_LEN(part.recs); k++)
			free(part.recs[k]);
	}
	expect_agree(&st.total, &st.total.year);
	/* The rule itself: approved and awarded count, nominated and revoked
	 * never (b001: one approved; b002: approved and awarded). */
	assert_int_equal(st.rows[0].v[ST_HONORS], 1);
	assert_int_equal(st.rows[1].v[ST_HONORS], 2);
	assert_int_equal(st.total.v[ST_HONORS], 3);
	/* Departed members are not 党员, in either; standings still show them. */
	assert_int_equal(st.rows[1].v[ST_MEMBERS], 2);
	assert_int_equal(st.rows[1].v[ST_MEMBERS_DECEASED], 1);
	assert_int_equal(st.rows[1].v[ST_MEMBERS_LEFT], 1);
	/* Visits: the planned, the cancelled and last year's are not counted. */
	assert_int_equal(st.total.v[ST_VISITS], 4);
	assert_int_equal(st.total.v[ST_DUES_DUE], 3000);
	assert_int_equal(st.total.v[ST_DUES_PAID], 2000);
	/* The totals' rate is of the sums: 2000 / 3000. */
	assert_int_equal(yearly_value(&st.total.year, "dues", NULL, "collection_rate"), 667);
	/* 光荣在党50年: 甲 of each branch (joined 1970-05-01; 丙 is deceased). */
	assert_int_equal(yearly_value(&st.total.year, "members", NULL, "fifty_years"), 2);
	assert_int_equal(st.total.year.n_veterans, 2);
	assert_string_equal(st.total.year.veterans[0].name, "甲");
	assert_int_equal(st.total.year.veterans[0].years, 56);
	/* Cash by fund source: four counted visits of 100 yuan from 党费. */
	assert_int_equal(yearly_value(&st.total.year, "visits", "cash_by_fund_source_fen", "dues"), 40000);
	stats_free(&st);
}

static void test_honor_rule(void **state)
{
	Hearth__Honor h;

	(void)state;
	hearth__honor__init(&h);
	h.year = YEAR;
	h.status = HEARTH__HONOR_STATUS__HONOR_STATUS_NOMINATED;
	assert_false(figure_honor_counts(&h, YEAR));
	h.status = HEARTH__HONOR_STATUS__HONOR_STATUS_REVOKED;
	assert_false(figure_honor_counts(&h, YEAR));
	h.status = HEARTH__HONOR_STATUS__HONOR_STATUS_APPROVED;
	assert_true(figure_honor_counts(&h, YEAR));
	assert_false(figure_honor_counts(&h, YEAR + 1));
	h.status = HEARTH__HONOR_STATUS__HONOR_STATUS_AWARDED;
	h.year = 0;
	h.date = "2026-07-01";
	assert_true(figure_honor_counts(&h, YEAR));
}

static void test_full_years(void **state)
{
	int32_t a, b;

	(void)state;
	date_parse("2000-03-15", &a);
	date_parse("2026-03-14", &b);
	assert_int_equal(date_full_years(a, b), 25);
	date_parse("2026-03-15", &b);
	assert_int_equal(date_full_years(a, b), 26);
	date_parse("2000-02-29", &a);
	date_parse("2001-02-28", &b);
	assert_int_equal(date_full_years(a, b), 0);
	date_parse("2001-03-01", &b);
	assert_int_equal(date_full_years(a, b), 1);
	assert_int_equal(date_full_years(b, a), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_and_year_agree, setup, teardown),
		cmocka_unit_test(test_honor_rule),
		cmocka_unit_test(test_full_years),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
