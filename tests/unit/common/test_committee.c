/* test_committee.c: a committee row survives the wire exactly (every
 * figure, the year report with its static section and group strings, the
 * veterans), every section and group yearly_compute makes can be interned
 * back, a newer server's unknown section is dropped, and a hostile answer
 * or request is refused by field before anything is allocated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/committee.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/yearly.h"

/* A row with every figure set and the year an empty snapshot gives (all
 * sections, zeros), one figure made non-zero, and two veterans. */
static void make_row(stats_row *row)
{
	due_snapshot empty;

	memset(row, 0, sizeof(*row));
	snprintf(row->branch, sizeof(row->branch), "b001");
	for (int i = 0; i < ST_COUNT; i++)
		row->v[i] = 1000 + i;
	for (int m = 0; m < 12; m++)
		row->visits_month[m] = m * 3;
	due_snapshot_init(&empty);
	assert_int_equal(yearly_compute(&empty, "b001", 2026, &row->year), 0);
	due_snapshot_free(&empty);
	assert_true(row->year.n > 20);
	row->year.f[3].value = 12345;
	row->year.veterans = calloc(2, sizeof(*row->year.veterans));
	assert_non_null(row->year.veterans);
	row->year.n_veterans = row->year.cap_veterans = 2;
	memset(row->year.veterans[0].member, 0xab, 16);
	snprintf(row->year.veterans[0].name, sizeof(row->year.veterans[0].name), "王秀英");
	snprintf(row->year.veterans[0].join_date, sizeof(row->year.veterans[0].join_date), "1960-07-01");
	row->year.veterans[0].years = 66;
	snprintf(row->year.veterans[1].name, sizeof(row->year.veterans[1].name), "李建国");
	snprintf(row->year.veterans[1].join_date, sizeof(row->year.veterans[1].join_date), "1975-01-02");
	row->year.veterans[1].years = 51;
}

/* Packs w's message and unpacks it again, as the peer sees it. */
static Hearth__CommitteeBranch *over_the_wire(const Hearth__CommitteeBranch *msg)
{
	size_t len = hearth__committee_branch__get_packed_size(msg);
	uint8_t *buf = malloc(len ? len : 1);
	Hearth__CommitteeBranch *back;

	assert_non_null(buf);
	hearth__committee_branch__pack(msg, buf);
	back = hearth__committee_branch__unpack(NULL, len, buf);
	free(buf);
	assert_non_null(back);
	return back;
}

static void test_round_trip(void **state)
{
	stats_row row, got;
	committee_wire w;
	Hearth__CommitteeBranch *back;
	const char *field = NULL;

	(void)state;
	make_row(&row);
	assert_int_equal(committee_row_to_wire(&row, &w), 0);
	back = over_the_wire(&w.msg);
	committee_wire_free(&w);
	assert_int_equal(back->figure_count, ST_COUNT);
	assert_int_equal(committee_row_from_wire(back, 2026, &got, &field), 0);
	hearth__committee_branch__free_unpacked(back, NULL);

	assert_string_equal(got.branch, "b001");
	assert_memory_equal(got.v, row.v, sizeof(row.v));
	assert_memory_equal(got.visits_month, row.visits_month, sizeof(row.visits_month));
	assert_int_equal(got.year.year, 2026);
	assert_int_equal(got.year.n, row.year.n);
	for (size_t i = 0; i < row.year.n; i++) {
		const yearly_figure *a = &row.year.f[i], *b = &got.year.f[i];
		/* Interned back to the very strings yearly.c points at. */
		assert_ptr_equal(a->section, b->section);
		assert_ptr_equal(a->section_label, b->section_label);
		assert_ptr_equal(a->group, b->group);
		assert_ptr_equal(a->group_label, b->group_label);
		assert_string_equal(a->key, b->key);
		assert_string_equal(a->label, b->label);
		assert_int_equal(a->unit, b->unit);
		assert_int_equal(a->value, b->value);
	}
	assert_int_equal(got.year.n_veterans, 2);
	assert_memory_equal(got.year.veterans, row.year.veterans, 2 * sizeof(*row.year.veterans));
	yearly_free(&row.year);
	yearly_free(&got.year);
}

/* A newer server's section is dropped; its known figures stay; extra
 * stats figures are ignored, a shorter list leaves the rest 0. */
static void test_newer_and_older_peers(void **state)
{
	int64_t values[ST_COUNT + 5];
	Hearth__CommitteeBranch in = HEARTH__COMMITTEE_BRANCH__INIT;
	Hearth__YearFigure f1 = HEARTH__YEAR_FIGURE__INIT, f2 = HEARTH__YEAR_FIGURE__INIT;
	Hearth__YearFigure *fp[2] = { &f1, &f2 };
	stats_row got;
	const char *field = NULL;

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(values); i++)
		values[i] = (int64_t)i + 1;
	in.branch_id = "b002";
	in.values = values;
	in.n_values = in.figure_count = ST_COUNT + 5;
	f1.section = "visits"; f1.group = "by_occasion"; f1.key = "spring_festival"; f1.label = "春节"; f1.value = 7;
	f2.section = "rockets"; f2.group = ""; f2.key = "count"; f2.label = "次数"; f2.value = 9;
	in.figures = fp;
	in.n_figures = 2;
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), 0);
	assert_int_equal(got.v[ST_COUNT - 1], ST_COUNT);
	assert_int_equal(got.year.n, 1);
	assert_string_equal(got.year.f[0].section_label, "走访慰问");
	assert_string_equal(got.year.f[0].group_label, "事由");
	assert_int_equal(yearly_value(&got.year, "visits", "by_occasion", "spring_festival"), 7);
	yearly_free(&got.year);

	in.n_values = in.figure_count = 3;
	in.n_figures = 0;
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), 0);
	assert_int_equal(got.v[2], 3);
	assert_int_equal(got.v[3], 0);
	assert_int_equal(got.v[ST_OVERDUE_DUES], 0);
	yearly_free(&got.year);
}

/* Every bound, refused by the field it names. */
static void test_hostile_answer(void **state)
{
	int64_t values[COMMITTEE_VALUES_MAX + 1] = { 0 };
	Hearth__CommitteeBranch in = HEARTH__COMMITTEE_BRANCH__INIT;
	Hearth__YearFigure f = HEARTH__YEAR_FIGURE__INIT, *fp[1] = { &f };
	Hearth__Veteran v = HEARTH__VETERAN__INIT, *vp[1] = { &v };
	char long_key[80];
	stats_row got;
	const char *field = NULL;

	(void)state;
	in.branch_id = "";
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "branch_id");
	in.branch_id = "b001";
	in.values = values;
	in.n_values = in.figure_count = COMMITTEE_VALUES_MAX + 1;
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "values");
	in.n_values = 4;   /* a count that does not say how many came */
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "values");
	in.n_values = in.figure_count = 0;
	in.n_visits_month = 13;
	in.visits_month = values;
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "visits_month");
	in.n_visits_month = 0;
	in.n_figures = COMMITTEE_FIGURES_MAX + 1;
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "figures");
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	f.section = "visits"; f.group = ""; f.key = long_key; f.label = "x";
	in.figures = fp;
	in.n_figures = 1;
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "figures");
	f.key = "count";
	f.unit = 7;
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "figures");
	f.unit = 0;
	in.n_veterans = COMMITTEE_VETERANS_MAX + 1;
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "veterans");
	v.member.len = 3;
	v.name = "x"; v.join_date = "1960-01-01";
	in.veterans = vp;
	in.n_veterans = 1;
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "veterans");
	v.member.len = 0;
	v.join_date = "1960-01-01T00";
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), HEARTH_EINVAL);
	assert_string_equal(field, "veterans");
	v.join_date = "1960-01-01";
	assert_int_equal(committee_row_from_wire(&in, 2026, &got, &field), 0);
	assert_int_equal(got.year.n, 1);
	assert_int_equal(got.year.n_veterans, 1);
	yearly_free(&got.year);
}

static void test_request_checks(void **state)
{
	Hearth__CommitteeRequest rq;
	committee_ask ask, back;
	char msg[200];
	const char *field = NULL;
	char *branches[COMMITTEE_ASK_MAX + 1];

	(void)state;
	memset(&ask, 0, sizeof(ask));
	ask.year = 2026;
	date_parse("2026-11-27", &ask.today);
	due_config_defaults(&ask.due);
	committee_ask_to_request(&ask, &rq);
	assert_int_equal(committee_ask_check(&rq, &back, &field, msg, sizeof(msg)), 0);
	assert_memory_equal(&back, &ask, sizeof(ask));

	rq.year = 1900;
	assert_int_equal(committee_ask_check(&rq, &back, &field, msg, sizeof(msg)), HEARTH_EINVAL);
	assert_string_equal(field, "year");
	assert_string_equal(msg, "year 1900 is not a year from 1921 to 2199");
	rq.year = 2026;
	rq.today = 200000;
	assert_int_equal(committee_ask_check(&rq, &back, &field, msg, sizeof(msg)), HEARTH_EINVAL);
	assert_string_equal(field, "today");
	assert_string_equal(msg, "today 200000 is not a day number from -17897 (1921-01-01) to 84005 (2199-12-31)");
	rq.today = ask.today;
	rq.visit_gap_days = 0;
	assert_int_equal(committee_ask_check(&rq, &back, &field, msg, sizeof(msg)), HEARTH_EINVAL);
	assert_string_equal(field, "visit_gap_days");
	assert_string_equal(msg, "visit_gap_days 0 is outside 1..3660");
	rq.visit_gap_days = 90;
	rq.dues_months = 1000000;
	assert_int_equal(committee_ask_check(&rq, &back, &field, msg, sizeof(msg)), HEARTH_EINVAL);
	assert_string_equal(msg, "dues_months 1000000 is outside 1..120");
	rq.dues_months = 3;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(branches); i++)
		branches[i] = "b001";
	rq.branches = branches;
	rq.n_branches = COMMITTEE_ASK_MAX + 1;
	assert_int_equal(committee_ask_check(&rq, &back, &field, msg, sizeof(msg)), HEARTH_EINVAL);
	assert_string_equal(field, "branches");
	assert_string_equal(msg, "65 branches asked; at most 64 in one request");
	branches[0] = "";
	rq.n_branches = 1;
	assert_int_equal(committee_ask_check(&rq, &back, &field, msg, sizeof(msg)), HEARTH_EINVAL);
	assert_string_equal(msg, "branch 1 of the request is 0 bytes long; a branch id has 1 to 63");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_newer_and_older_peers),
		cmocka_unit_test(test_hostile_answer),
		cmocka_unit_test(test_request_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
