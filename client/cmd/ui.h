/* ui.h: `hearth ui` (ui.c), the branch office's web app on 127.0.0.1. */
#ifndef HEARTH_CMD_UI_H
#define HEARTH_CMD_UI_H

#include "client/cmd/cli.h"

/* hearth ui [--port N] [--no-open]: serves the web app over the replica
 * until SIGINT or SIGTERM. A cli_fn; returns an exit code from cli.h. */
int cmd_ui(cli *c, int argc, char **argv);

#endif
