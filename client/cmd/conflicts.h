/* conflicts.h: listing and settling the replica's open conflicts
 * (conflicts.c). The cmd_ functions are cli_fns: they parse their own
 * options (argv[0] is the command name), print on stdout (JSON with
 * --json), errors on stderr as "hearth: ...", and return an exit code from
 * cli.h. */
#ifndef HEARTH_CMD_CONFLICTS_H
#define HEARTH_CMD_CONFLICTS_H

#include "client/cmd/cli.h"

/* hearth conflicts [show CONFLICT] [--json] [--reveal] (offline) */
int cmd_conflicts(cli *c, int argc, char **argv);

/* The options of conflicts_print. */
typedef struct conflicts_print_opts {
	const char *cmd;      /* prefixes error messages ("conflicts", "admin conflicts") */
	const char *branch;   /* only this branch's conflicts; NULL: all */
	int json;             /* a JSON array instead of the human listing */
	int show_branch;      /* name each conflict's branch (the admin queue spans branches) */
	int reveal;           /* sensitive values in clear, after queuing a reveal event each */
	const char *conflict; /* only this one, as a person typed it (member_lookup_conflict); NULL: all */
	/* The server's conflict queue (server_conflicts.h) instead of the
	 * replica's conflicts, in its order; borrowed. The replica still tells
	 * which side was "mine" and names members it knows. A revealed queue
	 * was audited by the server; a masked one (given_masked) holds
	 * stand-ins and is always printed masked. */
	const Hearth__Conflict *const *given;
	size_t n_given;
	int given_masked;
} conflicts_print_opts;

/* Prints the open conflicts of the replica (or o->given), oldest first, as `hearth
 * conflicts` does. Opens and closes the profile's replica itself. Returns
 * EXIT_OK or an exit code after printing why. */
int conflicts_print(cli *c, const conflicts_print_opts *o);

/* hearth resolve CONFLICT (--keep mine|theirs | --set FIELD=VALUE ...) (offline) */
int cmd_resolve(cli *c, int argc, char **argv);

/* cmd_resolve; with ask_server (admin resolve), a --keep of a conflict
 * the replica does not hold (or whose record it lacks) is settled on the
 * server at once instead (server_resolve.h). */
int conflicts_resolve(cli *c, int argc, char **argv, int ask_server);

#endif
