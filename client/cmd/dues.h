/* dues.h: `hearth dues`, with the monthly work in one step (dues.c):
 * `dues month YYYY-MM` creates that month's dues records for every active
 * member, and `dues add --months FROM..TO` records a prepayment for several
 * months; both are idempotent (a month a member already has is left as it
 * is). Everything else goes to the generic record command (records.c). */
#ifndef HEARTH_CMD_DUES_H
#define HEARTH_CMD_DUES_H

#include "client/cmd/cli.h"

/* argv[0] is "dues". Returns an exit code (cli.h) after printing why. */
int cmd_dues(cli *c, int argc, char **argv);

#endif
