/* status.h: `hearth status` (status.c). */
#ifndef HEARTH_CMD_STATUS_H
#define HEARTH_CMD_STATUS_H

#include "client/cmd/cli.h"

/* hearth status [--json] (offline). A cli_fn: parses its own options,
 * prints on stdout, errors on stderr; returns an exit code from cli.h. */
int cmd_status(cli *c, int argc, char **argv);

#endif
