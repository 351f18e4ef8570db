/* sync.h: the commands that move a replica's changes to and from hearthd
 * and show what it holds: sync, status, conflicts, resolve (sync.c).
 *
 * Each is a cli_fn: it parses its own options (argv[0] is the command
 * name), prints for people on stdout (or JSON with --json), errors on
 * stderr as "hearth: ...", and returns an exit code from cli.h. */
#ifndef HEARTH_SYNC_H
#define HEARTH_SYNC_H

#include "cli.h"

/* hearth sync [--json] [--batch N] [--page N] [--branch ID] */
int cmd_sync(cli *c, int argc, char **argv);

/* hearth status [--json] (offline) */
int cmd_status(cli *c, int argc, char **argv);

/* hearth conflicts [--json] (offline) */
int cmd_conflicts(cli *c, int argc, char **argv);

/* hearth resolve CONFLICT (--keep mine|theirs | --set FIELD=VALUE ...) (offline) */
int cmd_resolve(cli *c, int argc, char **argv);

#endif
