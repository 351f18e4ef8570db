/* cmd_record.h: the generic record commands (`hearth KIND add|edit|delete|
 * show|list`), driven by the kind table in common/record.h. */
#ifndef HEARTH_CMD_RECORD_H
#define HEARTH_CMD_RECORD_H

#include "client/cmd/cli.h"

/* One entry for every kind: argv[0] is the kind's CLI word ("member"),
 * argv[1] the subcommand. Register it once per kind in main.c's command
 * table. Works on the local replica only (offline). Prints results on
 * stdout and errors as "hearth: KIND SUB: ..." on stderr; returns an exit
 * code from cli.h (EXIT_USAGE for bad flags, bad values, records that fail
 * validation and ids that match nothing). */
int cmd_record(cli *c, int argc, char **argv);

#endif
