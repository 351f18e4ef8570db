/* rejected.h: `hearth rejected`, the local changes the server rejected
 * (rejected.c). A cli_fn as in cli.h. */
#ifndef HEARTH_CMD_REJECTED_H
#define HEARTH_CMD_REJECTED_H

#include "client/cmd/cli.h"

/* hearth rejected [--json] | hearth rejected discard ID (offline) */
int cmd_rejected(cli *c, int argc, char **argv);

#endif
