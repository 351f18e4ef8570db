/* admin_console.c: `hearth admin SUBCOMMAND`: the committee console's
 * subcommand table and its help. */
#include "client/cmd/admin_console.h"

#include <stdio.h>
#include <string.h>

#include "client/cmd/admin.h"
#include "client/cmd/admin_backup.h"
#include "client/cmd/admin_figures.h"
#include "client/cmd/admin_server.h"
#include "client/cmd/enroll.h"
#include "common/hearth.h"
#include "common/i18n.h"

static const struct {
	const char *name;
	cli_fn fn;
	const char *summary;
} subs[] = {
	{ "branch", admin_branch, N_("add, rename and list branches (党支部/党总支)") },
	{ "enroll", admin_enroll, N_("make a key and certificate for a new user, signed by the committee CA") },
	{ "principals", admin_principals, N_("everyone who has connected: fingerprint, name, role, branch") },
	{ "revoke", admin_revoke, N_("revoke a certificate at once (live connections are closed)") },
	{ "conflicts", admin_conflicts, N_("the conflict queue across branches, oldest first") },
	{ "resolve", admin_resolve, N_("resolve a conflict (as 'hearth resolve')") },
	{ "stats", admin_stats, N_("figures per branch and totals (--json, --csv); a 党总支 its subtree's") },
	{ "report", admin_report, N_("the committee's (a 党总支's: its subtree's) report as one HTML file with charts") },
	{ "server", admin_server, N_("server version, uptime, connections, store and audit head") },
	{ "backup", admin_backup, N_("fetch a consistent snapshot of the whole store (--to FILE)") },
};

int cmd_admin(cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, _("usage: hearth admin SUBCOMMAND [options]\n\n"
		           "The committee's console. Needs an admin certificate (an auditor's may read:\n"
		           "branch list, principals, conflicts, stats, report, server; a general\n"
		           "branch's (党总支) runs stats and report over its subtree).\n\nsubcommands:\n"));
		for (size_t i = 0; i < HEARTH_ARRAY_LEN(subs); i++)
			fprintf(f, "  %-11s %s\n", subs[i].name, _(subs[i].summary));
		fprintf(f, _("\n'hearth admin SUBCOMMAND --help' explains one.\n"
		           "exit status: 0 ok, 1 failed or refused (a branch certificate is refused),\n"
		           "2 bad usage, 3 cannot connect, 4 conflicts remain.\n"));
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(subs); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(c, argc - 1, argv + 1);
	cli_error(_("admin: unknown subcommand \"%s\"; try 'hearth admin --help'"), argv[1]);
	return EXIT_USAGE;
}
