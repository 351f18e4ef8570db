/* sync.h: `hearth sync`, which moves a replica's changes to and from
 * hearthd (sync.c). */
#ifndef HEARTH_CMD_SYNC_H
#define HEARTH_CMD_SYNC_H

#include "client/cmd/cli.h"

/* hearth sync [--json] [--batch N] [--page N] [--branch ID]. A cli_fn: it
 * parses its own options (argv[0] is the command name), prints for people
 * on stdout (or JSON with --json), errors on stderr as "hearth: ...", and
 * returns an exit code from cli.h (EXIT_CONFLICTS when open conflicts
 * remain, EXIT_WITNESS when the witness refused the server). */
int cmd_sync(cli *c, int argc, char **argv);

#endif
