/* test_stats.c: the rows a general branch's (党总支's) figures have
 * (stats.c stats_add_subtree): its own branch and every branch below it,
 * transitively, and no other; its subtotal is their sum; a loop in the
 * tree it is given ends the walk instead of hanging it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/figure_rules.h"
#include "common/stats.h"
#include "common/hearth.h"

/* The tree: g00 > g01 > { b001, g02 > b003 }, g00 > b002, b004 on its
 * own, and c1 <-> c2 each the other's parent (a tree the server would
 * refuse; the client must still end). */
static Hearth__Branch br[9];
static Hearth__Branch *brp[9];
static Hearth__BranchList list = HEARTH__BRANCH_LIST__INIT;

static void branch(size_t i, const char *id, const char *name, const char *parent)
{
	hearth__branch__init(&br[i]);
	br[i].id = (char *)id;
	br[i].name = (char *)name;
	br[i].parent = (char *)parent;
	brp[i] = &br[i];
}

static int setup(void **state)
{
	(void)state;
	branch(0, "g00", "机关党委", "");
	branch(1, "g01", "第一党总支", "g00");
	branch(2, "b001", "第一党支部", "g01");
	branch(3, "g02", "第二党总支", "g01");
	branch(4, "b003", "第三党支部", "g02");
	branch(5, "b002", "第二党支部", "g00");
	branch(6, "b004", "第四党支部", "");
	branch(7, "c1", "甲", "c2");
	branch(8, "c2", "乙", "c1");
	list.branches = brp;
	list.n_branches = 9;
	return 0;
}

static const stats_row *row_of(const stats *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->rows[i].branch, id))
			return &s->rows[i];
	return NULL;
}

static void test_subtree_rows(void **state)
{
	stats st;

	(void)state;
	stats_init(&st, 2026, 0, NULL);
	assert_int_equal(stats_add_subtree(&st, &list, "g01"), 0);
	stats_finish(&st);
	assert_int_equal(st.n, 4);
	assert_string_equal(st.rows[0].branch, "b001");
	assert_string_equal(st.rows[1].branch, "b003");
	assert_string_equal(st.rows[2].branch, "g01");
	assert_string_equal(st.rows[3].branch, "g02");
	assert_string_equal(row_of(&st, "g01")->name, "第一党总支");
	/* The root's parent (g00) is outside: not recorded. */
	assert_string_equal(row_of(&st, "g01")->parent, "");
	assert_string_equal(row_of(&st, "b003")->parent, "g02");
	assert_string_equal(row_of(&st, "g02")->parent, "g01");
	assert_null(row_of(&st, "b002"));
	assert_null(row_of(&st, "g00"));
	assert_null(row_of(&st, "b004"));
	/* A subtotal for g01 (the top) and for g02 below it. */
	assert_int_equal(st.n_sub, 2);
	assert_string_equal(st.subtotals[0].branch, "g01");
	assert_string_equal(st.subtotals[1].branch, "g02");
	stats_free(&st);
}

static void test_subtree_sums(void **state)
{
	stats st;
	int64_t one[FC_COUNT];

	(void)state;
	memset(one, 0, sizeof(one));
	stats_init(&st, 2026, 0, NULL);
	assert_int_equal(stats_add_subtree(&st, &list, "g01"), 0);
	one[FC_MEMBERS_FULL] = 2;
	assert_int_equal(stats_add_counters(&st, "b001", one, FC_COUNT), 0);
	one[FC_MEMBERS_FULL] = 3;
	assert_int_equal(stats_add_counters(&st, "b003", one, FC_COUNT), 0);
	stats_finish(&st);
	/* The top's subtotal is the total: every row is below it. */
	assert_int_equal(st.subtotals[0].v[ST_MEMBERS_FULL], 5);
	assert_int_equal(st.total.v[ST_MEMBERS_FULL], 5);
	assert_int_equal(st.subtotals[1].v[ST_MEMBERS_FULL], 3);
	stats_free(&st);
}

static void test_subtree_leaf_and_unknown_root(void **state)
{
	stats st;

	(void)state;
	stats_init(&st, 2026, 0, NULL);
	assert_int_equal(stats_add_subtree(&st, &list, "b003"), 0);
	stats_finish(&st);
	assert_int_equal(st.n, 1);
	assert_string_equal(st.rows[0].branch, "b003");
	assert_string_equal(st.rows[0].parent, "");
	assert_int_equal(st.n_sub, 0);
	stats_free(&st);

	/* A root the list does not hold (none kept yet): its own row only. */
	stats_init(&st, 2026, 0, NULL);
	assert_int_equal(stats_add_subtree(&st, NULL, "g09"), 0);
	assert_int_equal(stats_add_subtree(&st, &list, "g09"), 0);
	stats_finish(&st);
	assert_int_equal(st.n, 1);
	assert_string_equal(st.rows[0].branch, "g09");
	assert_string_equal(st.rows[0].name, "");
	stats_free(&st);
}

static void test_subtree_loop_ends(void **state)
{
	stats st;

	(void)state;
	stats_init(&st, 2026, 0, NULL);
	assert_int_equal(stats_add_subtree(&st, &list, "b004"), 0);
	stats_finish(&st);
	/* c1 and c2 walk up into each other and never reach b004. */
	assert_int_equal(st.n, 1);
	assert_string_equal(st.rows[0].branch, "b004");
	stats_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_subtree_rows, setup),
		cmocka_unit_test_setup(test_subtree_sums, setup),
		cmocka_unit_test_setup(test_subtree_leaf_and_unknown_root, setup),
		cmocka_unit_test_setup(test_subtree_loop_ends, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
