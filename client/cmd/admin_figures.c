/* admin_figures.c: `hearth admin stats` and `hearth admin report`, the
 * committee's figures per branch from the local replica, as tables, JSON,
 * CSV or one HTML file. */
#include "client/cmd/admin_figures.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/cmd/admin.h"
#include "client/core/admin_requests.h"
#include "client/core/branch_lookup.h"
#include "client/core/committee_fetch.h"
#include "common/hearth.h"
#include "client/ui/output.h"
#include "client/core/due_load.h"
#include "client/core/replica.h"
#include "client/core/replica_meta.h"
#include "client/core/stats_load.h"
#include "common/stats.h"
#include "client/ui/print_html.h"
#include "client/ui/report.h"
#include "client/ui/stats_print.h"
#include "common/date.h"
#include "common/i18n.h"

/* A replica older than this gets a "sync first" note from stats/report. */
#define STALE_MS (24LL * 3600 * 1000)

/* ------------------------------------------------ stats and report */

/* What stats and report share: options, the replica, branch names. */
typedef struct figures_opts {
	const char *cmd;
	int year;
	int offline;
	int server_first;   /* ask the server before counting the replica */
	int counters_ok;    /* an older server's counters will do (stats; a report needs the year detail) */
} figures_opts;

/* A general branch's (党总支's) figures: rows for root and every branch
 * below it (stats_add_subtree), named from the branch directory the
 * server gives any principal, else the one the last sync kept in the
 * replica r (when there is one). open as for name_branches. */
static void name_subtree(cli *c, replica *r, stats *st, const figures_opts *fo, session *open, const char *root)
{
	Hearth__BranchList *kept = NULL;
	const Hearth__BranchList *l = NULL;
	Hearth__Envelope *resp = NULL;
	session own, *s = open;
	char why[600];
	int rc = 0;

	if (!fo->offline) {
		if (!s && session_open(&own, &c->prof) == 0)
			s = &own;
		else if (!s)
			fprintf(stderr, _("hearth: admin %s: note: cannot reach the server for branch names (%s)\n"),
			        fo->cmd, own.error);
		if (s && admin_request_directory(s, &resp, why, sizeof(why)) == ADMIN_ANSWERED)
			l = resp->branch_list;
		else if (s)
			fprintf(stderr, _("hearth: admin %s: note: the server gave no branch names (%s)\n"), fo->cmd, why);
		if (!open)
			session_close(&own);
	}
	if (!l && r && (kept = branch_directory(r, &rc)) != NULL) {
		l = kept;
		fprintf(stderr, _("hearth: admin %s: note: branch names from the directory of the last sync\n"),
		        fo->cmd);
	} else if (!l) {
		fprintf(stderr, _("hearth: admin %s: note: no branch names cached; branches show by id\n"), fo->cmd);
	}
	(void)stats_add_subtree(st, l, root);
	if (resp)
		envelope_free(resp, NULL);
	if (kept)
		hearth__branch_list__free_unpacked(kept, NULL);
}

/* Branch names: from the server when it answers (and then cached in the
 * replica, r, when there is one), else from the cache. Adds a row for
 * every known branch; a general branch's certificate (id) gets the rows
 * of its subtree only (name_subtree). open,
 * when not NULL, is a session already open to the server (borrowed: the
 * one that fetched the figures, so the names cost no second handshake). */
static void name_branches(cli *c, replica *r, stats *st, const figures_opts *fo, session *open,
                          const tls_identity *id)
{
	Hearth__BranchList *l = NULL;
	Hearth__Envelope *resp = NULL;
	session own, *s = open;

	if (id->role == HEARTH__ROLE__ROLE_GENERAL) {
		name_subtree(c, r, st, fo, open, id->branch_id);
		return;
	}
	if (!fo->offline) {
		if (!s && session_open(&own, &c->prof) == 0)
			s = &own;
		else if (!s)
			fprintf(stderr, _("hearth: admin %s: note: cannot reach the server for branch names (%s)\n"),
			        fo->cmd, own.error);
		if (s && admin_branch_list(s, fo->cmd, &resp) == EXIT_OK) {
			if (r)
				(void)admin_branches_remember(r, resp->branch_list);
			l = resp->branch_list;
		}
		if (!open)
			session_close(&own);
	}
	if (!l && r && (l = admin_branches_recall(r)) != NULL)
		fprintf(stderr, _("hearth: admin %s: note: branch names from the last list fetched\n"), fo->cmd);
	else if (!l && fo->offline)
		fprintf(stderr, _("hearth: admin %s: note: no branch names cached; branches show by id\n"), fo->cmd);
	(void)stats_add_branches(st, l);
	if (resp)
		envelope_free(resp, NULL);
	else if (l)
		hearth__branch_list__free_unpacked(l, NULL);
}

/* How asking the server for its figures ended. */
enum server_figures {
	SERVER_FIGURES_DONE,      /* st holds the server's figures */
	SERVER_FIGURES_NONE,      /* unreachable, or an older server: count the replica */
	SERVER_FIGURES_OLD,       /* the server does not compute the committee's figures (before 90/91) */
	SERVER_FIGURES_REFUSED,   /* the server said no (printed); *rc is the exit code */
};

/* Asks the server to compute the year's figures (CommitteeRequest) into
 * st (after stats_init): every figure, the overdue items and the year
 * detail included. s is opened here; the caller closes it in every case
 * (on DONE it still serves for the branch names, on OLD for the
 * counters, reopened: the older server closes the connection its protocol
 * error was on). */
static enum server_figures server_committee(cli *c, const figures_opts *fo, stats *st, session *s, int *rc)
{
	Hearth__Envelope *refusal = NULL;
	char why[600], who[64];

	if (session_open(s, &c->prof) != 0) {
		fprintf(stderr, _("hearth: admin %s: note: cannot reach the server (%s); counting this replica\n"),
		        fo->cmd, s->error);
		return SERVER_FIGURES_NONE;
	}
	switch (committee_fetch(s, st, &refusal, why, sizeof(why))) {
	case COMMITTEE_DONE: return SERVER_FIGURES_DONE;
	case COMMITTEE_OLD: return SERVER_FIGURES_OLD;
	case COMMITTEE_REFUSED:
		snprintf(who, sizeof(who), "admin %s", fo->cmd);
		*rc = cli_refused(who, NULL, refusal);
		envelope_free(refusal, NULL);
		return SERVER_FIGURES_REFUSED;
	case COMMITTEE_LOST:
		fprintf(stderr, _("hearth: admin %s: note: lost the server (%s); counting this replica\n"), fo->cmd, why);
		return SERVER_FIGURES_NONE;
	case COMMITTEE_BAD:
		fprintf(stderr, _("hearth: admin %s: note: %s; counting this replica\n"), fo->cmd, why);
		return SERVER_FIGURES_NONE;
	case COMMITTEE_NOMEM: break;
	}
	admin_error(fo->cmd, "%s", _(hearth_strerror(HEARTH_ENOMEM)));
	*rc = EXIT_FAIL;
	return SERVER_FIGURES_REFUSED;
}

/* Asks an older server (one without CommitteeRequest) for the year's
 * counters into st (after stats_init), on the open session s. A server
 * older still does not know FiguresRequest and answers with a protocol
 * error: the caller then counts the replica, saying so. */
static enum server_figures server_counters(const figures_opts *fo, stats *st, session *s, int *rc)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
	Hearth__FiguresRequest fr = HEARTH__FIGURES_REQUEST__INIT;
	enum server_figures how = SERVER_FIGURES_DONE;

	fr.year = fo->year;
	req.body_case = HEARTH__ENVELOPE__BODY_FIGURES_REQUEST;
	req.figures_request = &fr;
	if (session_call(s, &req, &resp) != 0) {
		fprintf(stderr, _("hearth: admin %s: note: lost the server (%s); counting this replica\n"), fo->cmd,
		        s->error);
		how = SERVER_FIGURES_NONE;
	} else if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR && resp->error &&
	           resp->error->code == HEARTH__ERROR_CODE__ERR_PROTOCOL) {
		fprintf(stderr, _("hearth: admin %s: note: the server keeps no figures (an older hearthd); "
		                "counting this replica\n"), fo->cmd);
		how = SERVER_FIGURES_NONE;
	} else if (resp->body_case != HEARTH__ENVELOPE__BODY_FIGURES) {
		char who[64];
		snprintf(who, sizeof(who), "admin %s", fo->cmd);
		*rc = cli_refused(who, NULL, resp);
		how = SERVER_FIGURES_REFUSED;
	} else {
		const Hearth__Figures *f = resp->figures;
		for (size_t i = 0; i < f->n_branches && how == SERVER_FIGURES_DONE; i++)
			if (stats_add_counters(st, f->branches[i]->branch_id, f->branches[i]->values,
			                       f->branches[i]->n_values) != 0) {
				admin_error(fo->cmd, "%s", _(hearth_strerror(HEARTH_ENOMEM)));
				*rc = EXIT_FAIL;
				how = SERVER_FIGURES_REFUSED;
			}
		/* No branch has a record yet: still the server's (zero) figures. */
		st->from_server = how == SERVER_FIGURES_DONE;
	}
	if (resp)
		envelope_free(resp, NULL);
	return how;
}

/* The server's figures into st: computed by it, else (stats, from an
 * older server) its counters. */
static enum server_figures server_figures(cli *c, const figures_opts *fo, stats *st, session *s, int *rc)
{
	enum server_figures how = server_committee(c, fo, st, s, rc);

	if (how != SERVER_FIGURES_OLD)
		return how;
	if (!fo->counters_ok) {
		fprintf(stderr, _("hearth: admin %s: note: the server cannot compute the committee's figures (an "
		                "older hearthd); made from this replica\n"), fo->cmd);
		return SERVER_FIGURES_NONE;
	}
	fprintf(stderr, _("hearth: admin %s: note: the server cannot compute the overdue items (an older "
	                "hearthd); showing its counters\n"), fo->cmd);
	/* A protocol error closed that connection: the counters need another. */
	session_close(s);
	if (session_open(s, &c->prof) != 0) {
		fprintf(stderr, _("hearth: admin %s: note: cannot reach the server (%s); counting this replica\n"),
		        fo->cmd, s->error);
		return SERVER_FIGURES_NONE;
	}
	return server_counters(fo, st, s, rc);
}

/* Loads the profile (role checked: admin, auditor, or a general branch
 * for its subtree), asks the server when fo->server_first (and not
 * offline): its computation, else (an older server, stats only, not for a
 * general branch: the counters are the console's) its counters; else, or
 * when it cannot answer, opens the replica and counts it; names branches.
 * The server path needs no replica (a missing one only loses the cached
 * branch names). On EXIT_OK st is finished and *last_sync set (0 from the
 * server). */
static int compute_figures(cli *c, const figures_opts *asked, stats *st, tls_identity *id,
                           int64_t *last_sync)
{
	figures_opts mine = *asked;
	const figures_opts *fo = &mine;
	replica r;
	replica_status rs;
	char err[1400], rerr[1400];
	due_config cfg;
	int32_t today;
	int rc, have_replica;

	if ((rc = admin_require(c, fo->cmd, ADMIN_WHO_FIGURES, id)) != EXIT_OK)
		return rc;
	/* The server answers FiguresRequest to the console's roles only. */
	if (id->role == HEARTH__ROLE__ROLE_GENERAL)
		mine.counters_ok = 0;
	if (due_config_load(&cfg, c->prof.home, err, sizeof(err)) != 0 ||
	    due_today(&today, err, sizeof(err)) != 0) {
		admin_error(fo->cmd, "%s", err);
		return EXIT_USAGE;
	}
	rc = replica_open(&r, c->prof.home, rerr, sizeof(rerr));
	have_replica = rc == 0;
	if (!have_replica && (fo->offline || !fo->server_first)) {
		admin_error(fo->cmd, "%s", rerr);
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	stats_init(st, fo->year, today, &cfg);
	*last_sync = 0;
	if (fo->server_first && !fo->offline) {
		session s;

		switch (server_figures(c, fo, st, &s, &rc)) {
		case SERVER_FIGURES_DONE:
			name_branches(c, have_replica ? &r : NULL, st, fo, &s, id);
			session_close(&s);
			if (have_replica)
				replica_close(&r);
			stats_finish(st);
			return EXIT_OK;
		case SERVER_FIGURES_REFUSED:
			session_close(&s);
			if (have_replica)
				replica_close(&r);
			stats_free(st);
			return rc;
		case SERVER_FIGURES_NONE:
		case SERVER_FIGURES_OLD:
			session_close(&s);
			stats_free(st);
			stats_init(st, fo->year, today, &cfg);
			break;
		}
	}
	if (!have_replica) {
		admin_error(fo->cmd, "%s", rerr);
		stats_free(st);
		return EXIT_FAIL;
	}
	/* Only the replica's own figures need its status: it counts the live
	 * records, a scan of the whole replica. */
	if (replica_status_get(&r, &rs) != 0)
		memset(&rs, 0, sizeof(rs));
	*last_sync = rs.last_sync_ms;
	if (rs.records == 0 && rs.cursor == 0)
		fprintf(stderr, _("hearth: admin %s: note: the local replica is empty; run 'hearth sync' first "
		                "to fetch every branch's records\n"), fo->cmd);
	else if (rs.last_sync_ms == 0 || session_now_ms() - rs.last_sync_ms > STALE_MS) {
		char when[64];
		out_local_time(rs.last_sync_ms, "-", when, sizeof(when));
		fprintf(stderr, _("hearth: admin %s: note: the replica was last synced %s; run 'hearth sync' "
		                "for current figures\n"), fo->cmd, rs.last_sync_ms ? when : "never");
	}
	name_branches(c, &r, st, fo, NULL, id);
	rc = stats_scan(st, &r);
	replica_close(&r);
	if (rc != 0) {
		admin_error(fo->cmd, _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
		stats_free(st);
		return EXIT_FAIL;
	}
	stats_finish(st);
	return EXIT_OK;
}

static int parse_year(const char *cmd, const char *text, int *year)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (*text == '\0' || *end || v < 1921 || v > 2199) {
		admin_error(cmd, _("--year \"%s\" is not a year from 1921 to 2199"), text);
		return -1;
	}
	*year = (int)v;
	return 0;
}

static int this_year(void)
{
	char d[11];
	date_format(date_today(), d);
	return atoi(d);
}

int admin_stats(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "bom", no_argument, NULL, 'B' },
		{ "offline", no_argument, NULL, 'o' },
		{ "replica", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	figures_opts fo = { "stats", this_year(), 0, 1, 1 };
	stats st;
	tls_identity id;
	int64_t last_sync;
	int json = 0, csv = 0, bom = 0, o, rc;

	admin_reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'y':
			if (parse_year("stats", optarg, &fo.year))
				return EXIT_USAGE;
			break;
		case 'j': json = 1; break;
		case 'c': csv = 1; break;
		case 'B': bom = 1; break;
		case 'o': fo.offline = 1; break;
		case 'r': fo.server_first = 0; break;
		case 'h':
			printf(_("usage: hearth admin stats [--year YYYY] [--json | --csv [--bom]] [--offline | --replica]\n\n"
			       "Figures per branch, and totals, computed by the server over its records\n"
			       "(no replica needed), overdue items as of today included; from this\n"
			       "replica with --replica or --offline, or when the server cannot be\n"
			       "reached (a note on stderr says so, and when the replica is empty or more\n"
			       "than a day old; run 'hearth sync' first). An older server that keeps\n"
			       "only counters gives those (a note says so): its overdue items show as -\n"
			       "(JSON null). The last line, and \"source\" in JSON (\"server\" or\n"
			       "\"replica\"), say which. The figures:\n"
			       "  members (live: not 去世 or 出党, as in 'report year') by category\n"
			       "    (正式/预备), and every member record by standing (正常/停止党籍/去世/出党);\n"
			       "  the hardship ledger by status, and its open entries (在册, 帮扶中) by\n"
			       "    type; 困难党员 = distinct members with an open entry;\n"
			       "  for the year (default this year): visits (not counting 计划 and 已取消),\n"
			       "    those at Spring Festival and 七一, and coverage: the share of\n"
			       "    困难党员 visited on that occasion; talks; honors (已批准 and 已颁发:\n"
			       "    a nominated or revoked honor counts nowhere, as in 'report year');\n"
			       "  active pairings (帮扶中), as they stand now;\n"
			       "  dues of the year: due and paid (yuan; JSON in fen, exempt months not\n"
			       "    due) and the collection rate paid/due;\n"
			       "  transfers of the year, as in 'report year': 转出 (an accepted one by\n"
			       "    the summary the sending branch keeps) and 转入;\n"
			       "  overdue items, as 'hearth due' counts them (its thresholds, profile.ini\n"
			       "    [due], HEARTH_TODAY): 困难党员 not visited in 90 days, talks past\n"
			       "    their deadline, active pairings without a progress note in 60 days,\n"
			       "    members with dues unpaid for more than 3 months.\n"
			       "Branch names come from the server when it answers (else from the last\n"
			       "list fetched; --offline does not try). --json prints one object per\n"
			       "branch (\"branch\", \"name\", each figure by name; percentages with one\n"
			       "decimal, null when there is nothing to divide by); --csv a sheet with a\n"
			       "totals row, --bom for Excel. Admin and auditor certificates: every\n"
			       "branch. A general-branch (党总支) certificate: its own branch and every\n"
			       "branch below it, with their subtotal (the server limits its answer to\n"
			       "them; --offline and --replica count its replica, which holds them).\n"));
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		admin_error("stats", _("unexpected argument \"%s\""), argv[optind]);
		return EXIT_USAGE;
	}
	if (json && csv) {
		admin_error("stats", _("--json and --csv: choose one"));
		return EXIT_USAGE;
	}
	if (bom && !csv) {
		admin_error("stats", _("--bom goes with --csv"));
		return EXIT_USAGE;
	}
	if ((rc = compute_figures(c, &fo, &st, &id, &last_sync)) != EXIT_OK)
		return rc;
	if (json)
		rc = stats_print_json(&st, stdout);
	else if (csv)
		rc = stats_print_csv(&st, stdout, bom);
	else
		rc = stats_print_table(&st, stdout);
	stats_free(&st);
	if (rc != 0 || fflush(stdout) != 0) {
		admin_error("stats", _("cannot write the output: %s"), strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int write_report(FILE *f, void *ctx)
{
	const void *const *a = ctx;
	return report_write_html(f, a[0], a[1]);
}

int admin_report(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "html", required_argument, NULL, 'H' },
		{ "offline", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	figures_opts fo = { "report", this_year(), 0, 1, 0 };
	const char *out = NULL;
	char tmp[4200];
	stats st;
	tls_identity id;
	report_info info;
	int64_t last_sync;
	int o, rc;

	admin_reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'y':
			if (parse_year("report", optarg, &fo.year))
				return EXIT_USAGE;
			break;
		case 'H': out = optarg; break;
		case 'o': fo.offline = 1; break;
		case 'h':
			printf(_("usage: hearth admin report [--year YYYY] --html FILE [--offline]\n\n"
			       "Writes the committee's report for the year (default this year) as ONE\n"
			       "HTML file that needs nothing else to show or print: care coverage per\n"
			       "branch (Spring Festival and 七一), the hardship ledger by type, visits by\n"
			       "month, dues collection per branch, and every figure of 'hearth admin\n"
			       "stats' in a table. Charts are inline SVG; there are no scripts, web\n"
			       "fonts or images. Open it in a browser; print it from there (A4).\n"
			       "Computed by the server over its records (no replica needed); made from\n"
			       "this replica with --offline, or when the server cannot be reached or is\n"
			       "an older one (a note on stderr says so; run 'hearth sync' first). Admin\n"
			       "and auditor certificates: the committee's report. A general-branch\n"
			       "(党总支) certificate: the report of its own branch and every branch below\n"
			       "it, titled with its name.\n"));
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		admin_error("report", _("unexpected argument \"%s\""), argv[optind]);
		return EXIT_USAGE;
	}
	if (!out || !out[0]) {
		admin_error("report", _("--html FILE is required (e.g. --html report-%d.html)"), fo.year);
		return EXIT_USAGE;
	}
	if (strlen(out) > sizeof(tmp) - 16) {
		admin_error("report", _("--html: path too long"));
		return EXIT_USAGE;
	}
	if ((rc = compute_figures(c, &fo, &st, &id, &last_sync)) != EXIT_OK)
		return rc;
	info.org = id.org;
	info.author = id.name;
	info.generated_ms = session_now_ms();
	info.last_sync_ms = last_sync;
	info.general = id.role == HEARTH__ROLE__ROLE_GENERAL ? id.branch_id : NULL;
	/* Written beside the target and renamed (print_html_file), so a reader
	 * never sees half a report and a failed run leaves the old one in
	 * place. A report holds figures and the 光荣在党50年 names, no sensitive
	 * field, and is meant to be passed on: readable by others. */
	{
		const void *ctx[2] = { &st, &info };
		rc = print_html_file(out, write_report, ctx, tmp, sizeof(tmp));
	}
	if (rc == 0) {
		printf(_("wrote %s: %zu branches, year %d\n"), out, st.n, fo.year);
		stats_free(&st);
		return EXIT_OK;
	}
	admin_error("report", "%s", tmp);
	stats_free(&st);
	return EXIT_FAIL;
}

