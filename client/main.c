/* main.c: hearth's entry point: global options and the command table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sync.h"
#include "cmd_record.h"
#include "hearth.h"

static const cli_command commands[] = {
	{ "init", cmd_init, "store a profile: server address, certificate, key, CA" },
	{ "whoami", cmd_whoami, "connect and show the principal the server sees" },
	{ "ping", cmd_ping, "measure the round-trip time to the server" },
	{ "sync", cmd_sync, "push local edits, pull the server's changes, check the replica" },
	{ "status", cmd_status, "pending edits, cursor, last sync, open conflicts" },
	{ "conflicts", cmd_conflicts, "list open conflicts with both values of each field" },
	{ "resolve", cmd_resolve, "resolve a conflict: --keep mine|theirs or --set FIELD=VALUE" },
	{ "member", cmd_record, "党员: add, edit, delete, show, list members" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hearth [--home DIR] COMMAND [options]\n\n"
	           "hearth keeps a Party branch's care and assistance records (党内激励、关怀、帮扶)\n"
	           "and syncs them with the committee's hearthd server.\n\ncommands:\n");
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'hearth COMMAND --help' explains one command.\n"
	           "\nglobal options:\n"
	           "  --home DIR   client directory (default $HEARTH_HOME, else ~/.hearth)\n"
	           "  --version    print the version\n"
	           "\nexit status: 0 ok, 1 the operation failed or was refused, 2 bad usage or\n"
	           "local configuration, 3 cannot connect or authenticate, 4 conflicts remain.\n");
}

int main(int argc, char **argv)
{
	cli c = { NULL, { { 0 } } };
	int i = 1;

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
			cli_error("unknown option \"%s\"; try 'hearth --help'", argv[i]);
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
	cli_error("unknown command \"%s\"; try 'hearth --help'", argv[i]);
	return EXIT_USAGE;
}
