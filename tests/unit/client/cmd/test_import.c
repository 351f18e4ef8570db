/* test_client_import.c: the CSV reader follows RFC 4180 and counts lines
 * right, a batch of replica edits is stored whole or not at all, and the
 * list filters find each kind's main date and type field. */
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
#include <unistd.h>

#include <cmocka.h>

#include "client/core/csv.h"
#include "client/core/filters.h"
#include "common/hearth.h"
#include "client/cmd/import.h"
#include "common/record.h"
#include "client/core/replica.h"
#include "client/core/replica_meta.h"
#include "common/uuid.h"

static csv_doc parse_ok(const char *text)
{
	csv_doc d;
	char err[256] = "";
	unsigned line = 0;
	int rc = csv_parse(text, strlen(text), &d, &line, err, sizeof(err));

	if (rc != 0)
		fail_msg("csv_parse: line %u: %s", line, err);
	return d;
}

static void test_client_csv_quoting_and_lines(void **state)
{
	const char *text = "\xef\xbb\xbf" "a,b,c\r\n"
	                   "\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
	                   "\r\n"
	                   "\xe5\xbc\xa0\xe4\xb8\x89,,\n"
	                   "last,row,\"\"";
	csv_doc d = parse_ok(text);

	(void)state;
	assert_true(d.had_bom);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.rows[0].n, 3);
	assert_string_equal(d.rows[0].cells[0], "a");
	assert_int_equal(d.rows[1].line, 2);
	assert_string_equal(d.rows[1].cells[0], "x,1");
	assert_string_equal(d.rows[1].cells[1], "say \"hi\"");
	assert_string_equal(d.rows[1].cells[2], "two\nlines");
	/* The quoted line break moves the next row to line 4; the blank line 4
	 * is skipped, so the Chinese row starts on line 5. */
	assert_int_equal(d.rows[2].line, 5);
	assert_string_equal(d.rows[2].cells[0], "\xe5\xbc\xa0\xe4\xb8\x89");
	assert_int_equal(d.rows[2].n, 3);
	assert_string_equal(d.rows[2].cells[2], "");
	assert_int_equal(d.rows[3].line, 6);
	assert_string_equal(d.rows[3].cells[2], "");
	csv_free(&d);
}

static void expect_bad(const char *text, size_t len, unsigned want_line, const char *want)
{
	csv_doc d;
	char err[256] = "";
	unsigned line = 0;

	assert_int_equal(csv_parse(text, len, &d, &line, err, sizeof(err)), HEARTH_EINVAL);
	assert_int_equal(line, want_line);
	assert_non_null(strstr(err, want));
	assert_int_equal(d.n, 0);
	assert_null(d.rows);
}

/* Literals may hold a NUL, so their length comes from sizeof. */
#define BAD(lit, line, msg) expect_bad(lit, sizeof(lit) - 1, line, msg)

static void test_client_csv_errors(void **state)
{
	(void)state;
	BAD("a\n\"open\nnever closed", 2, "never closed");
	BAD("a,b\nx\"y,z\n", 2, "inside an unquoted field");
	BAD("a\n\"x\"y\n", 2, "after the closing quote");
	BAD("a\nb\n\xd5\xc5\n", 3, "not UTF-8");
	BAD("a\n\0b\n", 2, "not UTF-8");
}

static void test_client_csv_empty_and_bounds(void **state)
{
	csv_doc d;
	char err[256] = "", *wide;
	unsigned line = 0;

	(void)state;
	d = parse_ok("");
	assert_int_equal(d.n, 0);
	csv_free(&d);
	d = parse_ok("\xef\xbb\xbf");
	assert_int_equal(d.n, 0);
	csv_free(&d);
	/* One field more than a row may hold. */
	wide = calloc(CSV_MAX_FIELDS + 2, 2);
	assert_non_null(wide);
	for (unsigned i = 0; i <= CSV_MAX_FIELDS; i++)
		strcat(wide, i ? ",x" : "x");
	assert_int_equal(csv_parse(wide, strlen(wide), &d, &line, err, sizeof(err)), HEARTH_ETOOBIG);
	assert_int_equal(d.n, 0);
	free(wide);
}

/* ------------------------------------------------------- batch edits */

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
	snprintf(f->dir, sizeof(f->dir), "%s/import-XXXXXX", base);
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

static Hearth__Record *member(const uint8_t id[16], const char *name)
{
	Hearth__Member m = HEARTH__MEMBER__INIT;
	Hearth__Record rec = HEARTH__RECORD__INIT;
	uint8_t buf[1024];
	size_t n;

	m.name = (char *)name;
	rec.id.data = (uint8_t *)id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	rec.branch_id = (char *)"b001";
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &m;
	n = hearth__record__pack(&rec, buf);
	return hearth__record__unpack(NULL, n, buf);
}

static uint64_t pending(fixture *f)
{
	replica_status st;
	assert_int_equal(replica_status_get(&f->r, &st), 0);
	return st.pending_ops;
}

static void test_client_batch_all_or_nothing(void **state)
{
	fixture *f = *state;
	uint8_t a[16], b[16];
	Hearth__Record *recs[3], *got = NULL;
	int create[3] = { 1, 1, 1 };
	char err[512] = "";

	assert_int_equal(uuid_v7(a), 0);
	assert_int_equal(uuid_v7(b), 0);
	recs[0] = member(a, "甲");
	recs[1] = member(b, "乙");
	recs[2] = member(a, "丙");   /* creates a again: refused */
	assert_int_equal(replica_edit_batch(&f->r, recs, create, 3, err, sizeof(err)), HEARTH_EEXIST);
	assert_non_null(strstr(err, "already exists"));
	assert_int_equal(replica_get(&f->r, a, &got), HEARTH_ENOTFOUND);
	assert_int_equal(pending(f), 0);

	assert_int_equal(replica_edit_batch(&f->r, recs, create, 2, err, sizeof(err)), 0);
	assert_int_equal(pending(f), 2);
	assert_int_equal(replica_get(&f->r, b, &got), 0);
	assert_string_equal(got->member->name, "乙");
	hearth__record__free_unpacked(got, NULL);

	/* An update in a batch is an edit like any other. */
	create[2] = 0;
	assert_int_equal(replica_edit_batch(&f->r, &recs[2], &create[2], 1, err, sizeof(err)), 0);
	assert_int_equal(replica_get(&f->r, a, &got), 0);
	assert_string_equal(got->member->name, "丙");
	hearth__record__free_unpacked(got, NULL);
	assert_int_equal(pending(f), 3);
	for (int i = 0; i < 3; i++)
		hearth__record__free_unpacked(recs[i], NULL);
}

/* ------------------------------------------------------------ filters */

static void test_client_filter_fields(void **state)
{
	struct {
		const char *kind, *date, *type;
	} want[] = {
		{ "member", "birth_date", "category" },
		{ "hardship", "certified_at", "types" },
		{ "visit", "date", "occasion" },
		{ "talk", "date", "trigger" },
		{ "pairing", "start_date", "mode" },
		{ "honor", "date", "title" },
		{ "activity", "date", "type" },
		{ "disclosure", "from_date", "category" },
		{ "dues", "month", NULL },
		{ "transfer", "issued_date", NULL },
	};

	(void)state;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(want); i++) {
		const kind_info *k = kind_by_name(want[i].kind);
		const ProtobufCFieldDescriptor *d, *t;

		assert_non_null(k);
		d = filter_main_date(k);
		t = filter_type_field(k);
		assert_non_null(d);
		assert_string_equal(d->name, want[i].date);
		if (want[i].type)
			assert_string_equal(t ? t->name : "(none)", want[i].type);
		else
			assert_null(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_csv_quoting_and_lines),
		cmocka_unit_test(test_client_csv_errors),
		cmocka_unit_test(test_client_csv_empty_and_bounds),
		cmocka_unit_test_setup_teardown(test_client_batch_all_or_nothing, setup, teardown),
		cmocka_unit_test(test_client_filter_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
