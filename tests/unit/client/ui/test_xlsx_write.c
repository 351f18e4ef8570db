/* test_xlsx_write.c: a workbook written by xlsx_write reads back (xlsx_read) with dates as date cells, money and whole numbers as numbers, and id cards, phones and masks as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client/core/xlsx_read.h"
#include "client/ui/xlsx_write.h"
#include "common/hearth.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_round_trip(void **state)
{
	char path[512], err[512] = "";
	const char *tmp = getenv("HEARTH_TEST_TMP");
	xlsx_writer *w;
	xlsx_sheet s;
	size_t len;
	char *data;
	const csv_row *r;

	(void)state;
	if (tmp) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", tmp);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(path, sizeof(path), "%s/xlsx_write_%d.xlsx", tmp ? tmp : "/tmp", (int)getpid());
	/* A sheet name over Excel's 31 characters is cut, not refused. */
	assert_int_equal(xlsx_writer_open(path, "\xe5\x85\x9a\xe5\x91\x98 0123456789012345678901234567890123",
	                                  &w, err, sizeof(err)), 0);
	assert_int_equal(xlsx_writer_column(w, "\xe5\xa7\x93\xe5\x90\x8d", XLSX_COL_TEXT), 0);   /* 姓名 */
	assert_int_equal(xlsx_writer_column(w, "id_card", XLSX_COL_TEXT), 0);
	assert_int_equal(xlsx_writer_column(w, "birth", XLSX_COL_DATE), 0);
	assert_int_equal(xlsx_writer_column(w, "cash", XLSX_COL_MONEY), 0);
	assert_int_equal(xlsx_writer_column(w, "year", XLSX_COL_INT), 0);
	assert_int_equal(xlsx_writer_column(w, "phone", XLSX_COL_TEXT), 0);
	assert_int_equal(xlsx_writer_row(w), 0);
	assert_int_equal(xlsx_writer_column(w, "late", XLSX_COL_TEXT), HEARTH_EINVAL);
	assert_int_equal(xlsx_writer_cell(w, "\xe7\x8e\x8b\xe7\xa7\x80\xe8\x8b\xb1"), 0);   /* 王秀英 */
	assert_int_equal(xlsx_writer_cell(w, "371302194603150027"), 0);
	assert_int_equal(xlsx_writer_cell(w, "1946-03-15"), 0);
	assert_int_equal(xlsx_writer_cell(w, "500.30"), 0);
	assert_int_equal(xlsx_writer_cell(w, "2026"), 0);
	assert_int_equal(xlsx_writer_cell(w, "05398120003"), 0);
	assert_int_equal(xlsx_writer_cell(w, "one too many"), HEARTH_EINVAL);
	assert_int_equal(xlsx_writer_row(w), 0);
	assert_int_equal(xlsx_writer_cell(w, "x"), 0);
	assert_int_equal(xlsx_writer_cell(w, "1****************7"), 0);
	assert_int_equal(xlsx_writer_cell(w, ""), 0);
	assert_int_equal(xlsx_writer_cell(w, "***"), 0);   /* a masked amount stays text */
	assert_int_equal(xlsx_writer_close(w, err, sizeof(err)), 0);

	data = slurp(path, &len);
	unlink(path);
	assert_int_equal(xlsx_read(data, len, NULL, &s, err, sizeof(err)), 0);
	free(data);
	assert_int_equal(strlen(s.name), strlen("\xe5\x85\x9a\xe5\x91\x98 ") + 28);   /* 31 characters */
	assert_int_equal(s.doc.n, 3);
	r = &s.doc.rows[0];
	assert_string_equal(r->cells[0], "\xe5\xa7\x93\xe5\x90\x8d");
	r = &s.doc.rows[1];
	assert_int_equal(r->line, 2);
	assert_string_equal(r->cells[1], "371302194603150027");
	assert_int_equal(r->types[1], CSV_CELL_TEXT);
	assert_string_equal(r->cells[2], "1946-03-15");
	assert_int_equal(r->types[2], CSV_CELL_DATE);
	assert_string_equal(r->cells[3], "500.3");
	assert_int_equal(r->types[3], CSV_CELL_NUMBER);
	assert_string_equal(r->cells[4], "2026");
	assert_int_equal(r->types[4], CSV_CELL_NUMBER);
	assert_string_equal(r->cells[5], "05398120003");
	assert_int_equal(r->types[5], CSV_CELL_TEXT);
	r = &s.doc.rows[2];
	assert_int_equal(r->n, 4);
	assert_string_equal(r->cells[1], "1****************7");
	assert_string_equal(r->cells[2], "");
	assert_string_equal(r->cells[3], "***");
	assert_int_equal(r->types[3], CSV_CELL_TEXT);
	xlsx_sheet_free(&s);
}

static void test_unwritable(void **state)
{
	char err[512] = "";
	xlsx_writer *w = NULL;

	(void)state;
	/* Found out before any record is read, with the system's reason. */
	assert_int_equal(xlsx_writer_open("/nonexistent-dir/x.xlsx", "s", &w, err, sizeof(err)),
	                 HEARTH_EIO);
	assert_null(w);
	assert_string_equal(err, "cannot write /nonexistent-dir/x.xlsx: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_unwritable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
