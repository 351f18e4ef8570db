/* admin_server.h: `hearth admin server` (admin_server.c). Each is a cli_fn: argv[0] is the
 * subcommand's name; it prints on stdout, errors on stderr, and returns an
 * exit code from cli.h. */
#ifndef HEARTH_CMD_ADMIN_SERVER_H
#define HEARTH_CMD_ADMIN_SERVER_H

#include "client/cmd/cli.h"

/* hearth admin server (options: see its --help) */
int admin_server(cli *c, int argc, char **argv);

#endif
