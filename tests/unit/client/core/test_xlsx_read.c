/* test_xlsx_read.c: the xlsx reader gives the sample workbook's cells as text (shared, rich and inline strings, date serials by style), and refuses hostile files (zip bombs, too many entries, missing parts, DTDs) with a sentence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "client/core/xlsx_read.h"
#include "common/hearth.h"

/* ------------------------------------------------------------ helpers */

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

/* The sample is tests/data/samples/members.xlsx in the source tree, which
 * ctest names in HEARTH_SRC (__FILE__ is relative under the package build's
 * -ffile-prefix-map, and the tests run elsewhere). */
static char *sample(size_t *len)
{
	char path[1024];
	const char *src = getenv("HEARTH_SRC");

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/tests/data/samples/members.xlsx", src);
	return slurp(path, len);
}

typedef struct part {
	const char *name;
	const char *xml;      /* NULL: size bytes of 'a' (a bomb) */
	size_t size;
} part;

/* Writes parts into a zip (deflated) and returns its bytes. */
static char *make_zip(const part *parts, size_t n, size_t *len)
{
	char path[512];
	const char *tmp = getenv("HEARTH_TEST_TMP");
	zipFile z;
	char *out;

	snprintf(path, sizeof(path), "%s/xlsx_read_%d.zip", tmp ? tmp : "/tmp", (int)getpid());
	if (tmp) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", tmp);
		assert_int_equal(system(cmd), 0);
	}
	z = zipOpen64(path, APPEND_STATUS_CREATE);
	assert_non_null(z);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(zipOpenNewFileInZip64(z, parts[i].name, NULL, NULL, 0, NULL, 0, NULL,
		                                       Z_DEFLATED, 9, 1),
		                 ZIP_OK);
		if (parts[i].xml) {
			assert_int_equal(zipWriteInFileInZip(z, parts[i].xml, (unsigned)strlen(parts[i].xml)),
			                 ZIP_OK);
		} else {
			static char chunk[65536];
			memset(chunk, 'a', sizeof(chunk));
			for (size_t done = 0; done < parts[i].size; done += sizeof(chunk))
				assert_int_equal(zipWriteInFileInZip(z, chunk, sizeof(chunk)), ZIP_OK);
		}
		assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
	}
	assert_int_equal(zipClose(z, NULL), ZIP_OK);
	out = slurp(path, len);
	unlink(path);
	return out;
}

#define WB "<?xml version=\"1.0\"?><workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
#define RELS_PLAIN "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
#define RELS_ALL "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"x/styles\" Target=\"/xl/styles.xml\"/></Relationships>"

static int read_parts(const part *parts, size_t n, const xlsx_read_opts *o, xlsx_sheet *s,
                      char *err, size_t cap)
{
	size_t len;
	char *zip = make_zip(parts, n, &len);
	int rc = xlsx_read(zip, len, o, s, err, cap);

	free(zip);
	return rc;
}

/* -------------------------------------------------------------- tests */

static void test_sample(void **state)
{
	size_t len;
	char *data = sample(&len), err[512] = "";
	xlsx_sheet s;
	const csv_row *r;

	(void)state;
	assert_int_equal(xlsx_read(data, len, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.name, "members");
	assert_int_equal(s.doc.n, 5);
	r = &s.doc.rows[0];
	assert_int_equal(r->line, 1);
	assert_int_equal(r->n, 12);
	assert_string_equal(r->cells[1], "\xe5\xa7\x93\xe5\x90\x8d");   /* 姓名 */
	r = &s.doc.rows[1];
	assert_int_equal(r->line, 2);
	assert_string_equal(r->cells[4], "1946-03-15");   /* serial 16876, style mm/dd/yy */
	assert_int_equal(r->types[4], CSV_CELL_DATE);
	assert_string_equal(r->cells[5], "371302194603150027");
	assert_int_equal(r->types[5], CSV_CELL_TEXT);
	/* A rich-text shared string: its runs joined. */
	assert_string_equal(r->cells[9], "\xe4\xb8\xb4\xe6\xb2\x82\xe5\xb8\x82\xe5\x85\xb0\xe5\xb1\xb1"
	                                 "\xe5\x8c\xba\xe9\x87\x91\xe9\x9b\x80\xe5\xb1\xb1\xe8\xb7\xaf"
	                                 "12\xe5\x8f\xb7");
	xlsx_sheet_free(&s);
	free(data);
}

static void test_cell_kinds(void **state)
{
	static const char sst[] =
		"<sst>\n  <si><t>a</t></si>\n  <si>\n    <r><t>b</t></r>\n    <r><t xml:space=\"preserve\"> c</t></r>\n"
		"<rPh><t>PHONETIC</t></rPh></si></sst>";
	static const char styles[] =
		"<styleSheet><numFmts><numFmt numFmtId=\"170\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
		"<numFmt numFmtId=\"171\" formatCode=\"0.00\"/></numFmts>"
		"<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs>"
		"<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"170\"/><xf numFmtId=\"171\"/></cellXfs></styleSheet>";
	static const char sheet[] =
		"<worksheet><sheetData>"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c></row>"
		"<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>inline</t></is></c>"
		"<c r=\"B3\"><v>4.40304E+17</v></c><c r=\"C3\" s=\"1\"><v>16876</v></c>"
		"<c r=\"D3\" s=\"2\"><v>16876.75</v></c><c r=\"E3\" s=\"3\"><v>12.5</v></c>"
		"<c r=\"F3\" t=\"b\"><v>1</v></c><c r=\"G3\" t=\"str\"><f>A1</f><v>formula</v></c>"
		"<c r=\"H3\" s=\"1\"/><c r=\"I3\" t=\"d\"><v>1946-03-15T00:00:00</v></c>"
		"<c r=\"J3\" t=\"b\"><v></v></c></row>"
		"<row r=\"4\"><c r=\"J4\" s=\"1\"/></row>"
		"</sheetData></worksheet>";
	const part parts[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_ALL, 0 },
		{ "xl/sharedStrings.xml", sst, 0 },
		{ "xl/styles.xml", styles, 0 },
		{ "xl/worksheets/sheet1.xml", sheet, 0 },
	};
	xlsx_sheet s;
	char err[512] = "";
	const csv_row *r;

	(void)state;
	assert_int_equal(read_parts(parts, 5, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.name, "S");
	assert_int_equal(s.doc.n, 2);   /* row 4 holds no value */
	r = &s.doc.rows[0];
	assert_int_equal(r->n, 3);
	assert_string_equal(r->cells[0], "a");
	assert_string_equal(r->cells[1], "");   /* B1 is not there */
	assert_string_equal(r->cells[2], "b c");
	r = &s.doc.rows[1];
	assert_int_equal(r->line, 3);
	assert_int_equal(r->n, 10);
	assert_string_equal(r->cells[0], "inline");
	assert_string_equal(r->cells[1], "4.40304E+17");
	assert_int_equal(r->types[1], CSV_CELL_NUMBER);
	assert_string_equal(r->cells[2], "1946-03-15");
	assert_int_equal(r->types[2], CSV_CELL_DATE);
	assert_string_equal(r->cells[3], "1946-03-15");   /* custom 年月日 format; time dropped */
	assert_string_equal(r->cells[4], "12.5");
	assert_int_equal(r->types[4], CSV_CELL_NUMBER);
	assert_string_equal(r->cells[5], "1");
	assert_string_equal(r->cells[6], "formula");
	assert_string_equal(r->cells[7], "");            /* a styled cell without a value */
	assert_string_equal(r->cells[8], "1946-03-15");  /* an ISO date cell: its day */
	assert_string_equal(r->cells[9], "0");           /* an empty boolean */
	xlsx_sheet_free(&s);
}

static void test_1904(void **state)
{
	static const char wb[] =
		"<workbook><workbookPr date1904=\"1\"/><sheets><sheet name=\"S\" r:id=\"rId1\" xmlns:r=\"r\"/></sheets></workbook>";
	static const char styles[] = "<styleSheet><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>";
	static const char rels[] =
		"<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
		"<Relationship Id=\"rId3\" Type=\"x/styles\" Target=\"styles.xml\"/></Relationships>";
	/* 15414 in the 1904 system is 1946-03-15 (16876 - 1462). */
	static const char sheet[] = "<worksheet><sheetData><row><c s=\"1\"><v>15414</v></c></row></sheetData></worksheet>";
	const part parts[] = {
		{ "xl/workbook.xml", wb, 0 },
		{ "xl/_rels/workbook.xml.rels", rels, 0 },
		{ "xl/styles.xml", styles, 0 },
		{ "xl/worksheets/sheet1.xml", sheet, 0 },
	};
	xlsx_sheet s;
	char err[512] = "";

	(void)state;
	assert_int_equal(read_parts(parts, 4, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(s.doc.n, 1);
	assert_int_equal(s.doc.rows[0].line, 1);
	assert_string_equal(s.doc.rows[0].cells[0], "1946-03-15");
	xlsx_sheet_free(&s);
}

static void expect_refused(const part *parts, size_t n, const xlsx_read_opts *o, int want,
                           const char *says)
{
	xlsx_sheet s;
	char err[512] = "";

	assert_int_equal(read_parts(parts, n, o, &s, err, sizeof(err)), want);
	if (!strstr(err, says))
		fail_msg("error \"%s\" does not say \"%s\"", err, says);
	assert_int_equal(s.doc.n, 0);
	assert_null(s.doc.rows);
}

static void test_zip_bomb(void **state)
{
	/* 4 MiB of 'a' deflates to a few KiB; with a 1 MiB bound per part the
	 * read stops at the bound, whatever the header claims. */
	const part parts[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_PLAIN, 0 },
		{ "xl/worksheets/sheet1.xml", NULL, 4u << 20 },
	};
	xlsx_read_opts o = { 1u << 20 };

	(void)state;
	expect_refused(parts, 3, &o, HEARTH_ETOOBIG, "zip bomb");
}

static void test_too_many_entries(void **state)
{
	static part parts[XLSX_MAX_ENTRIES + 1];
	static char names[XLSX_MAX_ENTRIES + 1][32];

	(void)state;
	for (size_t i = 0; i <= XLSX_MAX_ENTRIES; i++) {
		snprintf(names[i], sizeof(names[i]), "x/%zu.xml", i);
		parts[i].name = names[i];
		parts[i].xml = "<a/>";
	}
	expect_refused(parts, XLSX_MAX_ENTRIES + 1, NULL, HEARTH_ETOOBIG, "entries");
}

static void test_missing_parts(void **state)
{
	const part no_wb[] = { { "xl/worksheets/sheet1.xml", "<worksheet/>", 0 } };
	const part no_rels[] = { { "xl/workbook.xml", WB, 0 } };
	const part no_sheet[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_PLAIN, 0 },
	};
	const part no_strings[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_ALL, 0 },
		{ "xl/worksheets/sheet1.xml", "<worksheet/>", 0 },
	};

	(void)state;
	expect_refused(no_wb, 1, NULL, HEARTH_EINVAL, "the workbook has no xl/workbook.xml");
	expect_refused(no_rels, 1, NULL, HEARTH_EINVAL, "no xl/_rels/workbook.xml.rels");
	expect_refused(no_sheet, 2, NULL, HEARTH_EINVAL, "no xl/worksheets/sheet1.xml");
	expect_refused(no_strings, 3, NULL, HEARTH_EINVAL, "no xl/sharedStrings.xml");
}

static void test_entities_refused(void **state)
{
	/* A billion-laughs sheet and an external entity: both need a DTD. */
	static const char laughs[] =
		"<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
		"<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>";
	static const char external[] =
		"<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&x;</t></is></c></row></sheetData></worksheet>";
	const part p1[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_PLAIN, 0 },
		{ "xl/worksheets/sheet1.xml", laughs, 0 },
	};
	const part p2[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_PLAIN, 0 },
		{ "xl/worksheets/sheet1.xml", external, 0 },
	};

	(void)state;
	expect_refused(p1, 3, NULL, HEARTH_EINVAL, "DTD");
	expect_refused(p2, 3, NULL, HEARTH_EINVAL, "DTD");
}

static void test_broken(void **state)
{
	const part bad_xml[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_PLAIN, 0 },
		{ "xl/worksheets/sheet1.xml", "<worksheet><sheetData><row>", 0 },
	};
	const part bad_index[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_ALL, 0 },
		{ "xl/sharedStrings.xml", "<sst><si><t>a</t></si></sst>", 0 },
		{ "xl/worksheets/sheet1.xml",
		  "<worksheet><sheetData><row r=\"2\"><c r=\"C2\" t=\"s\"><v>7</v></c></row></sheetData></worksheet>", 0 },
	};
	const part far_col[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_PLAIN, 0 },
		{ "xl/worksheets/sheet1.xml",
		  "<worksheet><sheetData><row r=\"1\"><c r=\"XFD1\"><v>1</v></c></row></sheetData></worksheet>", 0 },
	};
	const part bad_ref[] = {
		{ "xl/workbook.xml", WB, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_PLAIN, 0 },
		{ "xl/worksheets/sheet1.xml",
		  "<worksheet><sheetData><row r=\"1\"><c r=\"1A\"><v>1</v></c></row></sheetData></worksheet>", 0 },
	};
	xlsx_sheet s;
	char err[512] = "";

	(void)state;
	expect_refused(bad_xml, 3, NULL, HEARTH_EINVAL, "xl/worksheets/sheet1.xml is not well-formed XML");
	expect_refused(bad_index, 4, NULL, HEARTH_EINVAL, "cell C2 names shared string \"7\", but the workbook has 1");
	expect_refused(far_col, 3, NULL, HEARTH_ETOOBIG, "cell XFD1 is beyond column 256");
	expect_refused(bad_ref, 3, NULL, HEARTH_EINVAL, "the reference \"1A\"");
	assert_int_equal(xlsx_read("name,x\n", 7, NULL, &s, err, sizeof(err)), HEARTH_EINVAL);
	assert_non_null(strstr(err, "not a zip archive"));
	assert_int_equal(xlsx_read("PK\x03\x04garbage", 11, NULL, &s, err, sizeof(err)), HEARTH_EINVAL);
}

static void test_col_names(void **state)
{
	char b[8];

	(void)state;
	xlsx_col_name(0, b);
	assert_string_equal(b, "A");
	xlsx_col_name(25, b);
	assert_string_equal(b, "Z");
	xlsx_col_name(26, b);
	assert_string_equal(b, "AA");
	xlsx_col_name(16383, b);
	assert_string_equal(b, "XFD");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_cell_kinds),
		cmocka_unit_test(test_1904),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_missing_parts),
		cmocka_unit_test(test_entities_refused),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_col_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
