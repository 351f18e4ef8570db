/* report.h: `hearth report` (report.c). */
#ifndef HEARTH_CMD_REPORT_H
#define HEARTH_CMD_REPORT_H

#include "client/cmd/cli.h"

/* hearth report year [YYYY] [--year YYYY] [--branch ID] [--json]. A cli_fn:
 * parses its own options, prints on stdout, errors on stderr; returns an
 * exit code from cli.h. */
int cmd_report(cli *c, int argc, char **argv);

#endif
