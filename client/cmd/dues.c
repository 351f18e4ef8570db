/* dues.c: `hearth dues month` and the prepayment `dues add --months`: many dues records in one idempotent step. */
#include "client/cmd/dues.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd/record_args.h"
#include "client/cmd/record_replica.h"
#include "client/cmd/records.h"
#include "client/core/member_lookup.h"
#include "client/core/due.h"
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

static void month_text(int32_t mi, char out[16])
{
	snprintf(out, 16, "%04d-%02d", (int)(mi / 12) % 10000, (int)(mi % 12 + 1));
}

/* Whether s holds a live dues record of member for month mi. */
static int has_dues(const due_snapshot *s, const uint8_t member[UUID_LEN], int32_t mi)
{
	for (size_t i = 0; i < s->n[HEARTH__KIND__KIND_DUES]; i++) {
		const Hearth__Dues *d = s->recs[HEARTH__KIND__KIND_DUES][i]->dues;
		int32_t m;

		if (d->member.len == UUID_LEN && !memcmp(d->member.data, member, UUID_LEN) &&
		    date_parse_month(d->month, &m) == 0 && m == mi)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ dues month */

/* The month's record of one member, by the rule (common/dues_rate.h), or
 * NULL with why filled when the member lacks what the rule needs. */
static Hearth__Record *month_record(const kind_info *k, const Hearth__Record *mrec, const char *month,
                                    const char *branch, char *why, size_t cap)
{
	const Hearth__Member *m = mrec->member;
	Hearth__Record *rec = malloc(sizeof(*rec));
	Hearth__Dues *d = (Hearth__Dues *)kind_new_body(k);
	record_error err;

	if (!rec || !d) {
		free(rec);
		free(d);
		snprintf(why, cap, "%s", _("out of memory"));
		return NULL;
	}
	hearth__record__init(rec);
	if (kind_set_body(rec, k, (ProtobufCMessage *)d) != 0) {
		free(rec);
		free(d);
		snprintf(why, cap, "%s", _("out of memory"));
		return NULL;
	}
	rec->id.data = malloc(UUID_LEN);
	rec->branch_id = strdup(branch);
	d->member.data = malloc(UUID_LEN);
	d->month = strdup(month);
	if (!rec->id.data || !rec->branch_id || !d->member.data || !d->month || uuid_v7(rec->id.data) != 0) {
		snprintf(why, cap, "%s", _("out of memory"));
		goto fail;
	}
	rec->id.len = UUID_LEN;
	memcpy(d->member.data, mrec->id.data, UUID_LEN);
	d->member.len = UUID_LEN;
	d->dues_group = m->dues_group;
	d->status = HEARTH__DUES_STATUS__DUES_STATUS_UNPAID;
	if (dues_rate_basis(m->dues_group) == DUES_BASIS_INCOME)
		d->base_income = m->dues_income;
	record_defaults_apply(k, (ProtobufCMessage *)d,
	                      &(record_defaults_opts){ .mode = RECORD_DEFAULTS_DERIVED });
	memset(&err, 0, sizeof(err));
	if (record_validate_message(k, (ProtobufCMessage *)d, &err) != 0) {
		snprintf(why, cap, "%s", err.message);
		goto fail;
	}
	return rec;
fail:
	hearth__record__free_unpacked(rec, NULL);
	return NULL;
}

/* Why a member cannot have the month's dues computed, with what to type. */
static int needs_data(const Hearth__Record *mrec, char *why, size_t cap)
{
	const Hearth__Member *m = mrec->member;
	char id[UUID_TEXT_LEN + 1];

	uuid_format(mrec->id.data, id);
	if (m->dues_group == HEARTH__DUES_GROUP__DUES_GROUP_UNSPECIFIED) {
		snprintf(why, cap, _("no dues group (党费类别); set it: hearth member edit %s --dues-group "
		                     "在职|离退休|学生|失业|低保|农民"),
		         id);
		return 1;
	}
	if (dues_rate_basis(m->dues_group) == DUES_BASIS_INCOME && m->dues_income == 0) {
		snprintf(why, cap, _("no income (党费基数) for dues group %s; set it: hearth member edit %s "
		                     "--dues-income YUAN"),
		         enum_label(&hearth__dues_group__descriptor, m->dues_group), id);
		return 1;
	}
	return 0;
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
	due_snapshot snap;
	Hearth__Record **recs = NULL;
	int *create = NULL;
	size_t n_new = 0, n_have = 0, n_need = 0, n_active = 0;
	const char *month = NULL;
	char branch[128], err[1200] = "", msg[1400];
	int32_t mi;
	int rc = EXIT_USAGE, have_snap = 0;

	memset(&m, 0, sizeof(m));
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
	if (!month || date_parse_month(month, &mi) != 0) {
		snprintf(msg, sizeof(msg), _("give the month as YYYY-MM (got \"%s\")"), month ? month : "");
		say("month", msg);
		return EXIT_USAGE;
	}
	month_text(mi, branch);   /* canonical form: 2026-9 is not a month */
	if (strcmp(branch, month) != 0) {
		snprintf(msg, sizeof(msg), _("give the month as YYYY-MM (got \"%s\")"), month);
		say("month", msg);
		return EXIT_USAGE;
	}
	if ((rc = rrep_open_replica(&m)) != EXIT_OK)
		goto fail;
	if ((rc = rrep_pick_branch(&m, branch, sizeof(branch))) != EXIT_OK)
		goto fail;
	if (due_snapshot_load(&m.rep, branch, &snap) != 0) {
		say("month", _("cannot read the local replica"));
		rc = EXIT_FAIL;
		goto fail;
	}
	have_snap = 1;
	recs = calloc(snap.n[HEARTH__KIND__KIND_MEMBER] + 1, sizeof(*recs));
	create = calloc(snap.n[HEARTH__KIND__KIND_MEMBER] + 1, sizeof(*create));
	if (!recs || !create) {
		say("month", _("out of memory"));
		rc = EXIT_FAIL;
		goto fail;
	}
	for (size_t i = 0; i < snap.n[HEARTH__KIND__KIND_MEMBER]; i++) {
		const Hearth__Record *mrec = snap.recs[HEARTH__KIND__KIND_MEMBER][i];
		const Hearth__Member *mem = mrec->member;
		char why[600];
		int32_t join;

		if (mem->standing != HEARTH__STANDING__STANDING_UNSPECIFIED &&
		    mem->standing != HEARTH__STANDING__STANDING_NORMAL)
			continue;
		/* A member who joined after the month owed nothing for it. */
		if (mem->join_date && date_parse(mem->join_date, &join) == 0 &&
		    strncmp(mem->join_date, month, 7) > 0)
			continue;
		n_active++;
		if (has_dues(&snap, mrec->id.data, mi)) {
			n_have++;
			continue;
		}
		if (needs_data(mrec, why, sizeof(why)) ||
		    !(recs[n_new] = month_record(m.k, mrec, month, branch, why, sizeof(why)))) {
			printf(_("needs data: %s: %s\n"), mem->name, why);
			n_need++;
			continue;
		}
		create[n_new++] = 1;
	}
	if (n_new && replica_edit_batch(&m.rep, recs, create, n_new, err, sizeof(err)) != 0) {
		say("month", err[0] ? err : _("the local replica refused the records"));
		rc = EXIT_FAIL;
		goto fail;
	}
	if (n_new)
		printf(P_("created %zu dues record for %s (未缴)\n", "created %zu dues records for %s (未缴)\n",
		          n_new),
		       n_new, month);
	else
		printf(_("nothing to create for %s\n"), month);
	if (n_have)
		printf(P_("%zu member already had a record for %s (left as it is)\n",
		          "%zu members already had a record for %s (left as they are)\n", n_have),
		       n_have, month);
	if (n_need)
		printf(P_("%zu member needs data before their dues can be computed (listed above)\n",
		          "%zu members need data before their dues can be computed (listed above)\n", n_need),
		       n_need);
	if (n_active == 0)
		printf(_("no active member in branch %s\n"), branch);
	rc = EXIT_OK;
fail:
	for (size_t i = 0; recs && i < n_new; i++)
		hearth__record__free_unpacked(recs[i], NULL);
	free(recs);
	free(create);
	if (have_snap)
		due_snapshot_free(&snap);
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
	month_text(*from, ca);
	month_text(*to, cb);
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
			todo[k - from] = !has_dues(&snap, mid, k);
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

		month_text(k, mt);
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
