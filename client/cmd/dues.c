/* dues.c: `hearth dues month` and the prepayment `dues add --months`: many dues records in one idempotent step. */
#include "client/cmd/dues.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd/record_args.h"
#include "client/cmd/record_replica.h"
#include "client/cmd/records.h"
#include "client/core/member_lookup.h"
#include "client/core/due_load.h"
#include "client/core/dues_month.h"
#include "client/core/replica.h"
#include "common/date.h"
#include "common/dues_rate.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/record_defaults.h"
#include "common/uuid.h"

/* A prepayment covers at most three years: a longer range is a typo. */
#define DUES_PREPAY_MAX_MONTHS 36

static void say(const char *sub, const char *msg)
{
	fprintf(stderr, "hearth: dues %s: %s\n", sub, msg);
}

/* ------------------------------------------------------------ dues month */

/* What the CLI says a member lacks, with the command that sets it. */
static void need_text(const dues_month_need *n, char *why, size_t cap)
{
	char id[UUID_TEXT_LEN + 1];

	uuid_format(n->member, id);
	if (n->what == DUES_MISSING_GROUP)
		snprintf(why, cap, _("no dues group (党费类别); set it: hearth member edit %s --dues-group "
		                     "在职|离退休|学生|失业|低保|农民"),
		         id);
	else if (n->what == DUES_MISSING_INCOME)
		snprintf(why, cap, _("no income (党费基数) for dues group %s; set it: hearth member edit %s "
		                     "--dues-income YUAN"),
		         enum_label(&hearth__dues_group__descriptor, n->dues_group), id);
	else
		snprintf(why, cap, "%s", n->why);
}

static void month_usage(FILE *f)
{
	fputs(_("usage: hearth dues month YYYY-MM [--branch ID]\n\n"
	        "Creates the month's dues record (status 未缴) for every active member of the\n"
	        "branch (党籍 正常), the amount computed from the member's dues group and income\n"
	        "by the official table. A member who already has a record for the month keeps\n"
	        "it: running it again creates nothing and says so. Members whose dues group or\n"
	        "income is missing are listed with the command that sets it, and get no record.\n"
	        "Works offline; the next sync sends the records.\n"
	        "  --branch ID  the branch (required with an admin certificate)\n"
	        "exit status: 0 ok, 1 failed, 2 bad usage.\n"),
	      f);
}

static int dues_month(cli *c, int argc, char **argv)
{
	record_cmd m;
	dues_month_result res;
	const char *month = NULL;
	char branch[128], err[1200] = "", msg[1400];
	int32_t mi;
	int rc = EXIT_USAGE;

	memset(&m, 0, sizeof(m));
	memset(&res, 0, sizeof(res));
	m.c = c;
	m.k = kind_find(HEARTH__KIND__KIND_DUES);
	m.sub = SUB_ADD;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			month_usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--branch") && i + 1 < argc) {
			m.branch = argv[++i];
		} else if (!strncmp(argv[i], "--branch=", 9)) {
			m.branch = argv[i] + 9;
		} else if (argv[i][0] != '-' && !month) {
			month = argv[i];
		} else {
			snprintf(msg, sizeof(msg), _("unexpected argument \"%s\"; see 'hearth dues month --help'"),
			         argv[i]);
			say("month", msg);
			return EXIT_USAGE;
		}
	}
	if (dues_month_parse(month, &mi) != 0) {   /* canonical form: 2026-9 is not a month */
		snprintf(msg, sizeof(msg), _("give the month as YYYY-MM (got \"%s\")"), month ? month : "");
		say("month", msg);
		return EXIT_USAGE;
	}
	if ((rc = rrep_open_replica(&m)) != EXIT_OK)
		goto fail;
	if ((rc = rrep_pick_branch(&m, branch, sizeof(branch))) != EXIT_OK)
		goto fail;
	if (dues_month_run(&m.rep, branch, month, &res, err, sizeof(err)) != 0) {
		/* Members missing data were found before the batch was refused. */
		say("month", err);
		rc = EXIT_FAIL;
		goto fail;
	}
	for (size_t i = 0; i < res.n_needs; i++) {
		char why[600];
		need_text(&res.needs[i], why, sizeof(why));
		printf(_("needs data: %s: %s\n"), res.needs[i].name, why);
	}
	if (res.created)
		printf(P_("created %zu dues record for %s (未缴)\n", "created %zu dues records for %s (未缴)\n",
		          res.created),
		       res.created, month);
	else
		printf(_("nothing to create for %s\n"), month);
	if (res.had)
		printf(P_("%zu member already had a record for %s (left as it is)\n",
		          "%zu members already had a record for %s (left as they are)\n", res.had),
		       res.had, month);
	if (res.n_needs)
		printf(P_("%zu member needs data before their dues can be computed (listed above)\n",
		          "%zu members need data before their dues can be computed (listed above)\n", res.n_needs),
		       res.n_needs);
	if (res.active == 0)
		printf(_("no active member in branch %s\n"), branch);
	rc = EXIT_OK;
fail:
	dues_month_result_free(&res);
	if (m.rep_open)
		replica_close(&m.rep);
	return rc;
}

/* ------------------------------------------------------------ prepayment */

/* "2026-09..2026-12" into two month indexes. */
static int parse_range(const char *s, int32_t *from, int32_t *to)
{
	const char *dots = strstr(s, "..");
	char a[16], b[16], ca[16], cb[16];

	if (!dots || dots - s >= (long)sizeof(a) || strlen(dots + 2) >= sizeof(b))
		return HEARTH_EINVAL;
	memcpy(a, s, (size_t)(dots - s));
	a[dots - s] = '\0';
	snprintf(b, sizeof(b), "%s", dots + 2);
	if (date_parse_month(a, from) != 0 || date_parse_month(b, to) != 0)
		return HEARTH_EINVAL;
	dues_month_text(*from, ca);
	dues_month_text(*to, cb);
	return strcmp(ca, a) || strcmp(cb, b) ? HEARTH_EINVAL : 0;
}

/* The value of --NAME VALUE or --NAME=VALUE in argv, and its index. */
static const char *flag_value(int argc, char **argv, const char *name, int *at, int *words)
{
	size_t len = strlen(name);

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], name) && i + 1 < argc) {
			*at = i;
			*words = 2;
			return argv[i + 1];
		}
		if (!strncmp(argv[i], name, len) && argv[i][len] == '=') {
			*at = i;
			*words = 1;
			return argv[i] + len + 1;
		}
	}
	return NULL;
}

/* `dues add --months FROM..TO ...`: the same add for each month, skipping
 * the months the member already has, so a repeated prepayment adds
 * nothing. Each month goes through the ordinary `dues add` (its rules,
 * defaults and output: the new id). */
static int dues_prepay(cli *c, int argc, char **argv)
{
	record_cmd m;
	due_snapshot snap;
	const char *range, *member;
	int at = 0, words = 0, mat, mwords, rc = EXIT_USAGE;
	int32_t from, to;
	unsigned char todo[DUES_PREPAY_MAX_MONTHS];
	size_t added = 0, had = 0;
	uint8_t mid[UUID_LEN];
	char **av = NULL, msg[600], err[256] = "";
	int know_member = 0;

	range = flag_value(argc, argv, "--months", &at, &words);
	if (flag_value(argc, argv, "--month", &mat, &mwords)) {
		say("add", _("--month and --months exclude each other; give one month or a range"));
		return EXIT_USAGE;
	}
	if (parse_range(range, &from, &to) != 0 || from > to) {
		snprintf(msg, sizeof(msg), _("--months \"%s\": give a range of months as YYYY-MM..YYYY-MM, the "
		                             "first not after the last (e.g. 2026-09..2026-12)"),
		         range);
		say("add", msg);
		return EXIT_USAGE;
	}
	if (to - from + 1 > DUES_PREPAY_MAX_MONTHS) {
		snprintf(msg, sizeof(msg), _("--months \"%s\" covers %d months; at most %d at once"), range,
		         (int)(to - from + 1), DUES_PREPAY_MAX_MONTHS);
		say("add", msg);
		return EXIT_USAGE;
	}
	memset(todo, 1, sizeof(todo));
	/* Which months the member has already: the replica is closed again
	 * before each month's add opens it. */
	memset(&m, 0, sizeof(m));
	m.c = c;
	m.k = kind_find(HEARTH__KIND__KIND_DUES);
	m.sub = SUB_ADD;
	member = flag_value(argc, argv, "--member", &mat, &mwords);
	if ((rc = rrep_open_replica(&m)) != EXIT_OK)
		return rc;
	if (member && member_lookup_record(&m.rep, member, mid, err, sizeof(err)) == 0)
		know_member = 1;
	if (know_member && due_snapshot_load(&m.rep, NULL, &snap) == 0) {
		for (int32_t k = from; k <= to; k++)
			todo[k - from] = !dues_month_has(&snap, mid, k);
		due_snapshot_free(&snap);
	}
	replica_close(&m.rep);
	m.rep_open = 0;

	av = calloc((size_t)argc + 2, sizeof(*av));
	if (!av) {
		say("add", _("out of memory"));
		return EXIT_FAIL;
	}
	rc = EXIT_OK;
	for (int32_t k = from; k <= to && rc == EXIT_OK; k++) {
		char mt[16];
		int n = 0;

		dues_month_text(k, mt);
		if (!todo[k - from]) {
			snprintf(msg, sizeof(msg), _("%s: the member already has a dues record for the month; left as it is"), mt);
			say("add", msg);
			had++;
			continue;
		}
		for (int i = 0; i < argc; i++) {
			if (i == at) {
				av[n++] = "--month";
				av[n++] = mt;
				i += words - 1;
				continue;
			}
			av[n++] = argv[i];
		}
		av[n] = NULL;
		rc = cmd_record(c, n, av);
		if (rc == EXIT_OK) {
			added++;
		} else {
			snprintf(msg, sizeof(msg), _("stopped at %s; the months before it were added"), mt);
			say("add", msg);
		}
	}
	free(av);
	if (rc == EXIT_OK && added == 0) {
		snprintf(msg, sizeof(msg), _("nothing to add: every month of %s already has a dues record"), range);
		say("add", msg);
	}
	return rc;
}

int cmd_dues(cli *c, int argc, char **argv)
{
	int at, words;

	if (argc >= 2 && !strcmp(argv[1], "month"))
		return dues_month(c, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "add") && flag_value(argc, argv, "--months", &at, &words))
		return dues_prepay(c, argc, argv);
	return cmd_record(c, argc, argv);
}
