/* due.h: `hearth due` (due.c). */
#ifndef HEARTH_CMD_DUE_H
#define HEARTH_CMD_DUE_H

#include "client/cmd/cli.h"

/* hearth due [--days N] [--branch ID] [--json]. A cli_fn: parses its own
 * options, prints on stdout, errors on stderr; returns an exit code from
 * cli.h. */
int cmd_due(cli *c, int argc, char **argv);

#endif
