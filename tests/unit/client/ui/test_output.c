/* test_client_output.c: tables line up CJK and Latin text, JSON and CSV escape exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "client/core/csv.h"
#include "client/ui/output.h"
#include "common/utf8.h"

/* Runs fn against an in-memory FILE and returns what it wrote (malloc'd). */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static const char *cap_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

static void test_client_table_cjk_alignment(void **state)
{
	struct capture c;
	out_table *t = out_table_new();
	(void)state;

	assert_non_null(t);
	assert_int_equal(out_table_column(t, "id", 0, 0), 0);
	assert_int_equal(out_table_column(t, "姓名", 0, 0), 0);
	assert_int_equal(out_table_column(t, "金额", 0, 1), 0);
	assert_int_equal(out_table_row(t), 0);
	assert_int_equal(out_table_cell(t, "01a2"), 0);
	assert_int_equal(out_table_cell(t, "张三"), 0);
	assert_int_equal(out_table_cell(t, "5.00"), 0);
	assert_int_equal(out_table_row(t), 0);
	assert_int_equal(out_table_cell(t, "01a3"), 0);
	assert_int_equal(out_table_cell(t, "Alice"), 0);
	assert_int_equal(out_table_cell(t, "1200.50"), 0);
	assert_int_equal(out_table_rows(t), 2);
	/* Columns may not be added once rows exist. */
	assert_int_equal(out_table_column(t, "late", 0, 0), HEARTH_EINVAL);
	cap_open(&c);
	assert_int_equal(out_table_write(t, c.f, "-"), 0);
	assert_string_equal(cap_close(&c),
	                    "id    姓名      金额\n"
	                    "----  -----  -------\n"
	                    "01a2  张三      5.00\n"
	                    "01a3  Alice  1200.50\n");
	free(c.buf);
	cap_open(&c);
	assert_int_equal(out_table_write(t, c.f, "─"), 0);
	assert_string_equal(cap_close(&c),
	                    "id    姓名      金额\n"
	                    "────  ─────  ───────\n"
	                    "01a2  张三      5.00\n"
	                    "01a3  Alice  1200.50\n");
	free(c.buf);
	out_table_free(t);
}

/* Cells wider than the column's limit are cut with an ellipsis that counts
 * one column; empty trailing cells leave no trailing spaces; newlines in a
 * cell become spaces. */
static void test_client_table_truncation(void **state)
{
	struct capture c;
	out_table *t = out_table_new();
	(void)state;

	out_table_column(t, "名", 5, 0);
	out_table_column(t, "备注", 0, 0);
	out_table_row(t);
	out_table_cell(t, "中华人民共和国");
	out_table_cell(t, "a\nb");
	out_table_row(t);
	out_table_cell(t, "abcdefgh");
	out_table_row(t);
	out_table_cell(t, "ab");
	out_table_cell(t, "");
	assert_int_equal(out_table_cell(t, "one too many"), HEARTH_EINVAL);
	cap_open(&c);
	out_table_write(t, c.f, "-");
	assert_string_equal(cap_close(&c),
	                    "名     备注\n"
	                    "-----  ----\n"
	                    "中华…  a b\n"
	                    "abcd…\n"
	                    "ab\n");
	free(c.buf);
	out_table_free(t);
}

static void test_client_table_empty_cell_before_last(void **state)
{
	struct capture c;
	out_table *t = out_table_new();
	(void)state;

	out_table_column(t, "a", 0, 0);
	out_table_column(t, "b", 0, 0);
	out_table_column(t, "c", 0, 0);
	out_table_row(t);
	out_table_cell(t, "x");
	out_table_cell(t, NULL);
	out_table_cell(t, "z");
	cap_open(&c);
	out_table_write(t, c.f, "-");
	assert_string_equal(cap_close(&c), "a  b  c\n-  -  -\nx     z\n");
	free(c.buf);
	out_table_free(t);
}

static void test_client_pad(void **state)
{
	struct capture c;
	(void)state;
	cap_open(&c);
	out_pad(c.f, "党员", 6);
	out_pad(c.f, "ab", 1);
	fputc('|', c.f);
	assert_string_equal(cap_close(&c), "党员  ab|");
	free(c.buf);
}

/* Issue 12 item 13: every text printed for a person goes through the one
 * sanitiser. A cell, a padded label and out_text show CSI (U+009B), OSC
 * (U+009D), ESC, a bidi override (U+202E) and a zero-width space (U+200B)
 * as visible escapes, and keep CJK text and alignment. */
#define HOSTILE "\xc2\x9b" "31m" "\x1b]0;x\x07" "\xe2\x80\xae" "abc" "\xe2\x80\x8b" "\xc2\x9d"
#define HOSTILE_SHOWN "\\u009B31m\\x1B]0;x\\x07\\u202Eabc\\u200B\\u009D"

static void test_client_table_cells_sanitised(void **state)
{
	struct capture c;
	out_table *t = out_table_new();
	(void)state;

	assert_non_null(t);
	assert_int_equal(out_table_column(t, "姓名", 0, 0), 0);
	assert_int_equal(out_table_column(t, "备注", 0, 0), 0);
	assert_int_equal(out_table_row(t), 0);
	assert_int_equal(out_table_cell(t, "张" HOSTILE), 0);
	assert_int_equal(out_table_cell(t, "a\r\nb"), 0);
	cap_open(&c);
	assert_int_equal(out_table_write(t, c.f, "-"), 0);
	assert_string_equal(cap_close(&c),
	                    "姓名" "                                          " "备注\n"
	                    "--------------------------------------------  -------\n"
	                    "张" HOSTILE_SHOWN "  a\\x0D b\n");
	free(c.buf);
	out_table_free(t);
}

static void test_client_text_sanitised(void **state)
{
	struct capture c;
	(void)state;

	cap_open(&c);
	out_pad(c.f, HOSTILE, 60);
	fputc('|', c.f);
	out_text(c.f, "第一行\n\t第二行" HOSTILE, UTF8_SANITIZE_KEEP_LINES);
	fputc('|', c.f);
	out_text(c.f, "one\nline", 0);
	fputc('|', c.f);
	out_text(c.f, NULL, 0);
	assert_string_equal(cap_close(&c), HOSTILE_SHOWN "                  |"
	                                   "第一行\n\t第二行" HOSTILE_SHOWN "|one\\x0Aline|");
	free(c.buf);
}

static void test_client_json_escaping(void **state)
{
	struct capture c;
	out_json j;
	(void)state;

	cap_open(&c);
	out_json_init(&j, c.f);
	out_json_begin_object(&j);
	out_json_key(&j, "q");
	out_json_string(&j, "say \"hi\" \\ now");
	out_json_key(&j, "nl");
	out_json_string(&j, "a\nb\tc\rd");
	out_json_key(&j, "ctl");
	out_json_string(&j, "\x01\x1f\x7f");
	out_json_key(&j, "zh");
	out_json_string(&j, "张三、高龄");
	out_json_key(&j, "bad");
	out_json_string(&j, "a\xff");
	out_json_key(&j, "n");
	out_json_null(&j);
	out_json_key(&j, "list");
	out_json_begin_array(&j);
	out_json_int(&j, -5);
	out_json_uint(&j, UINT64_MAX);
	out_json_bool(&j, 1);
	out_json_bool(&j, 0);
	out_json_begin_object(&j);
	out_json_end_object(&j);
	out_json_begin_array(&j);
	out_json_end_array(&j);
	out_json_string(&j, NULL);
	out_json_end_array(&j);
	out_json_end_object(&j);
	assert_string_equal(cap_close(&c),
	                    "{\"q\":\"say \\\"hi\\\" \\\\ now\",\"nl\":\"a\\nb\\tc\\rd\","
	                    "\"ctl\":\"\\u0001\\u001f\\u007f\",\"zh\":\"张三、高龄\","
	                    "\"bad\":\"a\xef\xbf\xbd\",\"n\":null,"
	                    "\"list\":[-5,18446744073709551615,true,false,{},[],null]}");
	free(c.buf);
}

static void test_client_json_array_of_objects(void **state)
{
	struct capture c;
	out_json j;
	(void)state;

	cap_open(&c);
	out_json_init(&j, c.f);
	out_json_begin_array(&j);
	for (int i = 0; i < 2; i++) {
		out_json_begin_object(&j);
		out_json_key(&j, "i");
		out_json_int(&j, i);
		out_json_key(&j, "tags");
		out_json_begin_array(&j);
		out_json_string(&j, "x");
		out_json_string(&j, "y");
		out_json_end_array(&j);
		out_json_end_object(&j);
	}
	out_json_end_array(&j);
	assert_string_equal(cap_close(&c), "[{\"i\":0,\"tags\":[\"x\",\"y\"]},{\"i\":1,\"tags\":[\"x\",\"y\"]}]");
	free(c.buf);
}

static void test_client_csv_quoting(void **state)
{
	struct capture c;
	out_csv v;
	(void)state;

	cap_open(&c);
	out_csv_init(&v, c.f, 0);
	out_csv_field(&v, "id");
	out_csv_field(&v, "姓名");
	out_csv_field(&v, "备注");
	out_csv_end_row(&v);
	out_csv_field(&v, "plain");
	out_csv_field(&v, "a,b");
	out_csv_field(&v, "say \"hi\"");
	out_csv_field(&v, "two\nlines");
	out_csv_field(&v, "cr\r");
	out_csv_field(&v, NULL);
	out_csv_field(&v, "张三");
	out_csv_end_row(&v);
	assert_string_equal(cap_close(&c), "id,姓名,备注\r\n"
	                                   "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",,张三\r\n");
	free(c.buf);
}

/* Issue 12 item 12: a cell a spreadsheet would run as a formula gets one
 * leading quote, and import's inverse gives back the value byte for byte. */
static void test_client_csv_formula_neutralised(void **state)
{
	static const struct {
		const char *value, *written;
	} cases[] = {
		{ "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0" },
		{ "+1+1", "'+1+1" },
		{ "@SUM(1)", "'@SUM(1)" },
		{ "-2+3", "'-2+3" },
		{ "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "\tTAB", "'\tTAB" },
		{ "\rCR", "\"'\rCR\"" },
		{ "+8613900001111", "'+8613900001111" },
		{ "-", "'-" },
		{ "-1e3", "'-1e3" },
		{ "-12", "-12" },
		{ "-3.50", "-3.50" },
		{ "'=already", "''=already" },
		{ "''x", "'''x" },
		{ "'plain", "'plain" },
		{ "'", "'" },
		{ "a=b", "a=b" },
		{ "张=三", "张=三" },
		{ "", "" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;
		out_csv v;
		const char *got;
		char *back;
		size_t n;

		cap_open(&c);
		out_csv_init(&v, c.f, 0);
		out_csv_field(&v, cases[i].value);
		got = cap_close(&c);
		assert_string_equal(got, cases[i].written);
		/* What the CSV reader hands import: the text without RFC 4180
		 * quoting, then csv_unneutral. */
		back = malloc(strlen(got) + 1);
		assert_non_null(back);
		n = 0;
		if (got[0] == '"') {
			for (const char *p = got + 1; p[1]; p++) {
				back[n++] = *p;
				if (*p == '"')
					p++;
			}
		} else {
			memcpy(back, got, strlen(got));
			n = strlen(got);
		}
		back[n] = '\0';
		assert_string_equal(csv_unneutral(back), cases[i].value);
		free(back);
		free(c.buf);
	}
	assert_string_equal(out_csv_neutral_prefix(NULL), "");
}

static void test_client_csv_bom(void **state)
{
	struct capture c;
	out_csv v;
	(void)state;

	cap_open(&c);
	out_csv_init(&v, c.f, 1);
	out_csv_field(&v, "党员");
	out_csv_end_row(&v);
	cap_close(&c);
	assert_int_equal(c.len, 3 + 6 + 2);
	assert_memory_equal(c.buf, "\xef\xbb\xbf\xe5\x85\x9a\xe5\x91\x98\r\n", c.len);
	free(c.buf);
}

/* stderr is not a terminal under ctest, so the bar must print nothing. */
static void test_client_progress_quiet_off_terminal(void **state)
{
	(void)state;
	out_progress("sync", 1, 10);
	out_progress("sync", 10, 10);
	out_progress_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_table_cjk_alignment),
		cmocka_unit_test(test_client_table_truncation),
		cmocka_unit_test(test_client_table_empty_cell_before_last),
		cmocka_unit_test(test_client_pad),
		cmocka_unit_test(test_client_table_cells_sanitised),
		cmocka_unit_test(test_client_text_sanitised),
		cmocka_unit_test(test_client_json_escaping),
		cmocka_unit_test(test_client_json_array_of_objects),
		cmocka_unit_test(test_client_csv_quoting),
		cmocka_unit_test(test_client_csv_formula_neutralised),
		cmocka_unit_test(test_client_csv_bom),
		cmocka_unit_test(test_client_progress_quiet_off_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
