/* session.h: the session commands (session.c): init, whoami, ping. */
#ifndef HEARTH_CMD_SESSION_H
#define HEARTH_CMD_SESSION_H

#include "client/cmd/cli.h"

/* Each is a cli_fn: parses its own options (argv[0] is the command name),
 * prints on stdout, errors on stderr; returns an exit code from cli.h. */
int cmd_init(cli *c, int argc, char **argv);
int cmd_whoami(cli *c, int argc, char **argv);
int cmd_ping(cli *c, int argc, char **argv);

#endif
