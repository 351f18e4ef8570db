/* main.c: hearth's entry point: global options and the command table. */
#include <stdio.h>
#include <string.h>

#include "client/cmd/admin_console.h"
#include "client/cmd/attach.h"
#include "client/cmd/audit.h"
#include "client/cmd/cli.h"
#include "client/cmd/conflicts.h"
#include "client/cmd/due.h"
#include "client/cmd/dues.h"
#include "client/cmd/records.h"
#include "client/cmd/rejected.h"
#include "client/cmd/report.h"
#include "client/cmd/session.h"
#include "client/cmd/status.h"
#include "client/cmd/sync.h"
#include "client/cmd/ui.h"
#include "common/hearth.h"
#include "common/i18n.h"

static const cli_command commands[] = {
	{ "init", cmd_init, N_("store a profile: server address, certificate, key, CA") },
	{ "whoami", cmd_whoami, N_("connect and show the principal the server sees") },
	{ "ping", cmd_ping, N_("measure the round-trip time to the server") },
	{ "sync", cmd_sync, N_("push local edits, pull the server's changes, check the replica") },
	{ "status", cmd_status, N_("pending and rejected edits, cursor, last sync, conflicts") },
	{ "rejected", cmd_rejected, N_("changes the server rejected: list, or discard ID on purpose") },
	{ "conflicts", cmd_conflicts, N_("list open conflicts with both values of each field") },
	{ "resolve", cmd_resolve, N_("resolve a conflict: --keep mine|theirs or --set FIELD=VALUE") },
	{ "member", cmd_record, N_("党员: add, edit, delete, show, list members") },
	{ "audit", cmd_audit, N_("review the audit log: log, show, verify, export") },
	{ "history", cmd_history, N_("every change of one record: who, when, old -> new") },
	{ "hardship", cmd_record, N_("困难党员台账: the hardship ledger, one open entry per member") },
	{ "visit", cmd_record, N_("走访慰问: visits, cash and goods in yuan") },
	{ "talk", cmd_record, N_("谈心谈话: talks with members (content is sensitive)") },
	{ "pairing", cmd_record, N_("结对帮扶: pairings; 'pairing note ID' adds progress") },
	{ "honor", cmd_record, N_("表彰激励: honors and awards") },
	{ "activity", cmd_record, N_("主题活动: themed activities") },
	{ "disclosure", cmd_record, N_("党务公开: public disclosures of Party affairs") },
	{ "dues", cmd_dues, N_("党费: dues, one record per member per month ('dues month YYYY-MM': all at once)") },
	{ "transfer", cmd_record, N_("组织关系转接: transfers between branches") },
	{ "attachment", cmd_attachment, N_("attachment get HASH|NAME --to FILE: an attachment's content") },
	{ "due", cmd_due, N_("what is owed: visits, talks, pairing notes, dues; campaign coverage") },
	{ "report", cmd_report, N_("report year [YYYY]: the branch's year in figures") },
	{ "ui", cmd_ui, N_("the web app on 127.0.0.1 over the replica, in the browser") },
	{ "admin", cmd_admin, N_("the committee's console: branches, certificates, conflicts, stats, report") },
};

static void usage(FILE *f)
{
	fprintf(f, _("usage: hearth [--home DIR] COMMAND [options]\n\n"
	           "hearth keeps a Party branch's care and assistance records (党内激励、关怀、帮扶)\n"
	           "and syncs them with the committee's hearthd server.\n\ncommands:\n"));
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fprintf(f, _("\n'hearth COMMAND --help' explains one command.\n"
	           "\nglobal options:\n"
	           "  --home DIR   client directory (default $HEARTH_HOME, else ~/.hearth)\n"
	           "  --version    print the version\n"
	           "\nexit status: 0 ok, 1 the operation failed or was refused (sync: or rejected\n"
	           "changes wait, see 'hearth rejected'), 2 bad usage or\n"
	           "local configuration, 3 cannot connect or authenticate, 4 conflicts remain,\n"
	           "5 the server's audit log shrank, was rewritten or is signed by another key,\n"
	           "6 the server broke the sync protocol (its answer was not stored).\n"));
}

int main(int argc, char **argv)
{
	cli c = { NULL, { { 0 } } };
	int i = 1;

	i18n_init();

	/* Global options come before the command. */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--home") && i + 1 < argc) {
			c.home_opt = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "--home=", 7)) {
			c.home_opt = argv[i] + 7;
			i++;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("hearth %s (protocol %d.%d)\n", HEARTH_VERSION, HEARTH_PROTOCOL_MAJOR,
			       HEARTH_PROTOCOL_MINOR);
			return EXIT_OK;
		} else {
			cli_error(_("unknown option \"%s\"; try 'hearth --help'"), argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t k = 0; k < HEARTH_ARRAY_LEN(commands); k++) {
		if (!strcmp(argv[i], commands[k].name))
			return commands[k].fn(&c, argc - i, argv + i);
	}
	cli_error(_("unknown command \"%s\"; try 'hearth --help'"), argv[i]);
	return EXIT_USAGE;
}
