/* admin_backup.h: `hearth admin backup` (admin_backup.c). Each is a cli_fn: argv[0] is the
 * subcommand's name; it prints on stdout, errors on stderr, and returns an
 * exit code from cli.h. */
#ifndef HEARTH_CMD_ADMIN_BACKUP_H
#define HEARTH_CMD_ADMIN_BACKUP_H

#include "client/cmd/cli.h"

/* hearth admin backup --to FILE */
int admin_backup(cli *c, int argc, char **argv);

#endif
