/* admin_figures.h: `hearth admin stats` and `hearth admin report` (admin_figures.c). Each is a cli_fn: argv[0] is the
 * subcommand's name; it prints on stdout, errors on stderr, and returns an
 * exit code from cli.h. */
#ifndef HEARTH_CMD_ADMIN_FIGURES_H
#define HEARTH_CMD_ADMIN_FIGURES_H

#include "client/cmd/cli.h"

/* hearth admin stats (options: see its --help) */
int admin_stats(cli *c, int argc, char **argv);

/* hearth admin report (options: see its --help) */
int admin_report(cli *c, int argc, char **argv);

#endif
