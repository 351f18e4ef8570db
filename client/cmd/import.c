/* import.c: `hearth KIND import FILE`: the options, the file, the branch
 * the records go to, and each problem the importer (client/core/import.c)
 * finds, printed as FILE:LINE: column: message. */
#include "client/cmd/import.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client/core/csv.h"
#include "client/core/identity.h"
#include "client/core/import.h"
#include "client/core/replica.h"
#include "client/core/replica_meta.h"
#include "client/core/text_encoding.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/tls.h"

typedef struct cli_import {
	const kind_info *k;
	replica rep;
	char branch[128];
	const char *file;
} cli_import;

/* Every problem is one line, "FILE:LINE: column: message" (an xlsx cell:
 * "FILE:SHEET!C5: column: message"), so an editor or a person can jump to
 * it. */
static void print_problem(void *ctx, const import_problem *p)
{
	const cli_import *im = ctx;

	if (p->sheet && p->cell[0])
		fprintf(stderr, "%s:%s!%s: %s: ", im->file, p->sheet, p->cell, p->column);
	else if (p->sheet)
		fprintf(stderr, _("%s:%s!row %u: %s: "), im->file, p->sheet, p->line, p->column);
	else
		fprintf(stderr, "%s:%u: %s: ", im->file, p->line, p->column);
	fprintf(stderr, "%s\n", p->message);
}

/* The branch new records go to: a branch replica's own (as the sync stored
 * it, or from the certificate before the first sync); an admin must say. */
static int pick_branch(cli_import *im, cli *c, const char *want)
{
	char own[128] = "", err[512] = "";
	tls_identity id;
	identity_result ir = IDENTITY_UNREADABLE;

	replica_meta_get_str(&im->rep, "branch", own, sizeof(own));
	memset(&id, 0, sizeof(id));
	if (!own[0])
		ir = identity_read(c->prof.cert, &id, err, sizeof(err));
	/* A certificate that cannot be read leaves the choice to --branch. */
	if (ir == IDENTITY_OK && id.role == HEARTH__ROLE__ROLE_BRANCH)
		snprintf(own, sizeof(own), "%s", id.branch_id);
	if (own[0] && want && strcmp(want, own) != 0) {
		cli_error(_("%s import: --branch \"%s\": this replica belongs to branch %s"), im->k->name,
		          want, own);
		return EXIT_USAGE;
	}
	if (!own[0] && !want) {
		if (ir == IDENTITY_OK && id.role == HEARTH__ROLE__ROLE_AUDITOR)
			cli_error(_("%s import: an auditor certificate cannot change records"), im->k->name);
		else
			cli_error(_("%s import: --branch ID is required with an admin certificate: which "
			          "branch the records belong to"), im->k->name);
		return EXIT_USAGE;
	}
	snprintf(im->branch, sizeof(im->branch), "%s", own[0] ? own : want);
	return EXIT_OK;
}

/* One warning for every column that names no field: they are left out. */
static void warn_unknown(const kind_info *k, const import_result *res, const char *path)
{
	fprintf(stderr, P_("hearth: %s import: %s: warning: ignoring %zu column that is not a field "
	                   "of %s records: ",
	                   "hearth: %s import: %s: warning: ignoring %zu columns that are not fields "
	                   "of %s records: ",
	                   res->n_unknown),
	        k->name, path, res->n_unknown, k->name);
	for (size_t i = 0; i < res->n_unknown; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", res->unknown[i]);
	fprintf(stderr, _(" (the headers 'hearth %s list --csv' writes are the fields)\n"), k->name);
}

static int read_file(const char *path, char **out, size_t *len, char *err, size_t cap)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	*out = NULL;
	if (!f) {
		snprintf(err, cap, _("cannot open %s: %s"), path, strerror(errno));
		return HEARTH_EIO;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, cap, _("%s is not a regular file"), path);
		fclose(f);
		return HEARTH_EIO;
	}
	if ((uint64_t)st.st_size > CSV_MAX_BYTES) {
		snprintf(err, cap, _("%s is larger than %u MiB; split it"), path, CSV_MAX_BYTES >> 20);
		fclose(f);
		return HEARTH_ETOOBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, cap, _("out of memory"));
		return HEARTH_ENOMEM;
	}
	*len = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		snprintf(err, cap, _("cannot read %s: %s"), path, strerror(errno));
		free(buf);
		fclose(f);
		return HEARTH_EIO;
	}
	fclose(f);
	buf[*len] = '\0';
	*out = buf;
	return 0;
}

static void usage(const kind_info *k, FILE *f)
{
	fprintf(f,
	        _("usage: hearth %s import FILE.csv|FILE.xlsx [--encoding utf-8|gb18030] [--branch ID]\n"
	          "                          [--dry-run]\n\n"
	          "Adds (or updates) %s (%s) records from a CSV file or an Excel workbook (the\n"
	          "first sheet), all or nothing: every cell of every row is checked first and\n"
	          "each problem is reported as FILE:LINE: column: message (an xlsx cell as\n"
	          "FILE:SHEET!C5: column: message); if any row is bad nothing is imported\n"
	          "(exit 2). Otherwise all rows are stored in one local transaction and sent\n"
	          "by the next sync.\n\n"
	          "The first row names the columns: field names (join_date), flag names\n"
	          "(join-date) or the Chinese labels 'hearth %s list --csv' writes; other\n"
	          "columns (序号, 微信号) are ignored with a warning that names them. A CSV\n"
	          "file is UTF-8 with or without a BOM, or GB18030/GBK as Excel on Chinese\n"
	          "Windows saves it (detected; --encoding says which), RFC 4180 quoting,\n"
	          "CRLF or LF line ends. Values as on the command line: enums by Chinese label\n"
	          "or short name (正式党员, 预备党员), 是/否, dates 1946-03-15, 1946-3-15,\n"
	          "1946/3/15 or 1946年3月15日 (in an xlsx also real date cells), money in yuan\n"
	          "with up to two decimals (or whole fen in a column named FIELD_fen), lists\n"
	          "separated by , ， or 、 inside one cell, members by id, unique id prefix or\n"
	          "exact name. An id card that Excel turned into a number (4.40304E+17) is\n"
	          "refused: format the column as Text.\n"
	          "An id column: a row with an id updates that record (the columns given\n"
	          "replace its values; a masked sensitive value leaves it unchanged); a row\n"
	          "without one adds a new record. So 'list --csv' or 'list --xlsx' -> edit ->\n"
	          "'import' works.\n\n"
	          "  --encoding E  utf-8 or gb18030 (also gbk): how a CSV file is to be read\n"
	          "  --branch ID   the branch new records belong to (admin certificates only)\n"
	          "  --dry-run     check every row, report, and import nothing\n"
	          "exit status: 0 imported, 1 the replica failed, 2 bad usage or a bad row.\n"),
	        k->name, k->label, k->name, k->name);
}

int import_run(cli *c, const kind_info *k, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "branch", required_argument, NULL, 'b' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cli_import im;
	import_result res;
	text_encoding enc = TEXT_ENC_AUTO;
	const char *want = NULL, *path = NULL;
	char *data = NULL, err[1200] = "";
	size_t len = 0;
	int o, dry = 0, rc = EXIT_USAGE;

	memset(&im, 0, sizeof(im));
	memset(&res, 0, sizeof(res));
	im.k = k;
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 'b': want = optarg; break;
		case 'n': dry = 1; break;
		case 'e':
			if (text_encoding_parse(optarg, &enc) != 0) {
				cli_error(_("%s import: --encoding \"%s\" is not one hearth reads; use utf-8 "
				            "or gb18030"), k->name, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(k, stdout); return EXIT_OK;
		case ':':
			cli_error(_("%s import: %s needs a value"), k->name, argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error(_("%s import: unknown option \"%s\"; see 'hearth %s import --help'"), k->name,
			          argv[optind - 1], k->name);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_error(_("%s import: give one CSV or .xlsx file; see 'hearth %s import --help'"), k->name,
		          k->name);
		return EXIT_USAGE;
	}
	path = argv[optind];
	im.file = path;
	if ((rc = cli_load_profile(c)) != EXIT_OK)
		return rc;
	if (read_file(path, &data, &len, err, sizeof(err)) != 0) {
		cli_error(_("%s import: %s"), k->name, err);
		return EXIT_USAGE;
	}
	if (import_is_xlsx(data, len, path) && enc != TEXT_ENC_AUTO) {
		cli_error(_("%s import: --encoding applies to CSV files; an .xlsx workbook is always "
		            "UTF-8"), k->name);
		rc = EXIT_USAGE;
		goto fail;
	}
	if (replica_open(&im.rep, c->prof.home, err, sizeof(err)) != 0) {
		cli_error(_("%s import: %s"), k->name, err[0] ? err : "cannot open the local replica");
		rc = EXIT_FAIL;
		goto fail;
	}
	if ((rc = pick_branch(&im, c, want)) != EXIT_OK)
		goto fail_rep;
	import_data(&(import_options){ .k = k, .rep = &im.rep, .branch = im.branch, .name = path,
	                               .encoding = enc, .dry_run = dry, .problem = print_problem,
	                               .problem_ctx = &im },
	            data, len, &res);
	if (res.n_unknown)
		warn_unknown(k, &res, path);
	rc = EXIT_USAGE;
	switch (res.outcome) {
	case IMPORT_UNREADABLE:
		if (res.err_line)
			fprintf(stderr, "%s:%u: %s\n", path, res.err_line, res.err);
		else
			fprintf(stderr, "%s: %s\n", path, res.err);
		if (res.is_xlsx)
			cli_error(_("%s import: %s is not an .xlsx workbook hearth can read; nothing was "
			            "imported"), k->name, path);
		else
			cli_error(_("%s import: %s is not a CSV file hearth can read; nothing was imported"),
			          k->name, path);
		break;
	case IMPORT_EMPTY:
		cli_error(_("%s import: %s has %s; nothing to import"), k->name, path,
		          res.rows ? _("a header row and no data rows") : _("no rows"));
		break;
	case IMPORT_BAD_HEADER:
		cli_error(_("%s import: %s: the header row is bad; nothing was imported"), k->name, path);
		break;
	case IMPORT_BAD_ROWS:
		cli_error(_("%s import: %s: %zu of %zu rows are bad; nothing was imported"), k->name, path,
		          res.bad_rows, res.rows);
		break;
	case IMPORT_CHECKED:
		printf(_("%s: %zu rows are good: %zu to add, %zu to update, %zu unchanged; nothing "
		       "imported (--dry-run)\n"), path, res.rows, res.added, res.updated, res.unchanged);
		rc = EXIT_OK;
		break;
	case IMPORT_FAILED:
		cli_error(_("%s import: %s; nothing was imported"), k->name, res.err);
		rc = EXIT_FAIL;
		break;
	case IMPORT_STORED:
		printf(_("imported %s: %zu added, %zu updated, %zu unchanged\n"), path, res.added,
		       res.updated, res.unchanged);
		rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
		break;
	}
	import_result_free(&res);
fail_rep:
	replica_close(&im.rep);
fail:
	free(data);
	return rc;
}
