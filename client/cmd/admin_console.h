/* admin_console.h: `hearth admin` (admin_console.c). */
#ifndef HEARTH_CMD_ADMIN_CONSOLE_H
#define HEARTH_CMD_ADMIN_CONSOLE_H

#include "client/cmd/cli.h"

/* hearth admin SUBCOMMAND ...; argv[0] is "admin". A cli_fn: prints on
 * stdout, errors on stderr, returns an exit code from cli.h. */
int cmd_admin(cli *c, int argc, char **argv);

#endif
