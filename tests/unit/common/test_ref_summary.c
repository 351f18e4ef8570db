/* test_ref_summary.c: the sentence naming what refers to a member: kinds in first-seen order, counts, at most three dates and "..." for more, cut cleanly at the buffer's end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "common/ref_summary.h"

static void add_visit(ref_summary *s, const char *date)
{
	Hearth__Visit v = HEARTH__VISIT__INIT;

	v.date = (char *)date;
	ref_summary_add(s, kind_find(HEARTH__KIND__KIND_VISIT), &v.base);
}

static void test_format(void **state)
{
	Hearth__Dues d = HEARTH__DUES__INIT;
	ref_summary s;
	char out[300];

	(void)state;
	ref_summary_init(&s);
	add_visit(&s, "2026-02-10");
	d.month = (char *)"2026-09";
	ref_summary_add(&s, kind_find(HEARTH__KIND__KIND_DUES), &d.base);
	add_visit(&s, "2026-07-01");
	add_visit(&s, "");          /* no date: counted, not named */
	add_visit(&s, "2026-10-29");
	add_visit(&s, "2026-11-01");
	assert_int_equal(s.total, 6);
	ref_summary_format(&s, out, sizeof(out));
	assert_string_equal(out, "visit 走访慰问 ×5: 2026-02-10, 2026-07-01, 2026-10-29, ...; dues 党费 ×1: 2026-09");
}

static void test_cut(void **state)
{
	ref_summary s;
	char out[12];

	(void)state;
	ref_summary_init(&s);
	add_visit(&s, "2026-02-10");
	memset(out, 'x', sizeof(out));
	ref_summary_format(&s, out, sizeof(out));
	assert_string_equal(out, "visit 走");   /* 访 would not fit whole */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
