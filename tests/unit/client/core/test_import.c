/* test_import.c: the importer's contract (client/core/import.c) as both
 * `KIND import` and the web app's 导入 use it: every bad cell reaches the
 * callback with its line, column and sentence, and then nothing is stored;
 * a dry run of a good file stores nothing; a real run stores every row;
 * an empty or unreadable file says so. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "client/core/import.h"
#include "client/core/replica.h"
#include "client/core/replica_meta.h"
#include "common/hearth.h"
#include "common/record.h"

typedef struct fixture {
	char dir[512];
	replica r;
} fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	const char *base = getenv("HEARTH_TEST_TMP");
	char err[512];

	assert_non_null(f);
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(f->dir, sizeof(f->dir), "%s/core-import-XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(replica_open(&f->r, f->dir, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	replica_close(&f->r);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* What the callback was told, one "LINE|CELL|COLUMN|MESSAGE" line each. */
typedef struct told {
	char text[4096];
	size_t n;
} told;

static void tell(void *ctx, const import_problem *p)
{
	told *t = ctx;
	size_t used = strlen(t->text);

	snprintf(t->text + used, sizeof(t->text) - used, "%u|%s|%s|%s\n", p->line, p->cell, p->column,
	         p->message);
	t->n++;
}

static size_t members(fixture *f)
{
	replica_status st;
	assert_int_equal(replica_status_get(&f->r, &st), 0);
	return (size_t)st.records;
}

static int run(fixture *f, const char *csv, int dry, told *t, import_result *res)
{
	return import_data(&(import_options){ .k = kind_by_name("member"), .rep = &f->r, .branch = "b001",
	                                      .name = "m.csv", .encoding = TEXT_ENC_AUTO, .dry_run = dry,
	                                      .problem = tell, .problem_ctx = t },
	                   csv, strlen(csv), res);
}

static void test_import_bad_cells_store_nothing(void **state)
{
	fixture *f = *state;
	told t = { "", 0 };
	import_result res;
	const char *csv = "姓名,性别,入党日期,类别,微信号\n"
	                  "王秀英,女,1998-07-01,正式,wx\n"
	                  "李建国,机器人,2003-07-01,正式,\n"
	                  "张桂兰,女,2026-02-30,正式,\n";

	assert_int_equal(run(f, csv, 0, &t, &res), 0);
	assert_int_equal(res.outcome, IMPORT_BAD_ROWS);
	assert_int_equal(res.rows, 3);
	assert_int_equal(res.bad_rows, 2);
	assert_int_equal(t.n, 2);
	assert_non_null(strstr(t.text, "3||性别|\"机器人\" is not a value of gender"));
	assert_non_null(strstr(t.text, "4||入党日期|join_date 2026-02-30 is not a date that exists (YYYY-MM-DD)\n"));
	assert_int_equal(res.n_unknown, 1);
	assert_string_equal(res.unknown[0], "微信号");
	assert_int_equal(members(f), 0);
	import_result_free(&res);
}

static void test_import_dry_run_then_store(void **state)
{
	fixture *f = *state;
	told t = { "", 0 };
	import_result res;
	const char *csv = "姓名,性别,入党日期,类别\n王秀英,女,1998-07-01,正式\n李建国,男,2003-07-01,预备\n";

	assert_int_equal(run(f, csv, 1, &t, &res), 0);
	assert_int_equal(res.outcome, IMPORT_CHECKED);
	assert_int_equal(res.added, 2);
	assert_int_equal(t.n, 0);
	assert_int_equal(members(f), 0);
	import_result_free(&res);

	assert_int_equal(run(f, csv, 0, &t, &res), 0);
	assert_int_equal(res.outcome, IMPORT_STORED);
	assert_int_equal(res.added, 2);
	assert_int_equal(members(f), 2);
	import_result_free(&res);
}

static void test_import_empty_and_unreadable(void **state)
{
	fixture *f = *state;
	told t = { "", 0 };
	import_result res;

	assert_int_equal(run(f, "姓名,性别\n", 0, &t, &res), 0);
	assert_int_equal(res.outcome, IMPORT_EMPTY);
	assert_int_equal(res.rows, 1);
	import_result_free(&res);

	assert_int_equal(run(f, "姓名\n\"unclosed\n", 0, &t, &res), 0);
	assert_int_equal(res.outcome, IMPORT_UNREADABLE);
	assert_false(res.is_xlsx);
	assert_true(res.err[0] != '\0');
	import_result_free(&res);
	assert_int_equal(t.n, 0);
	assert_int_equal(members(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_bad_cells_store_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_dry_run_then_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_empty_and_unreadable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
