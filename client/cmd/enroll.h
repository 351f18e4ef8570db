/* enroll.h: `hearth admin enroll` (enroll.c). Each is a cli_fn: argv[0] is the
 * subcommand's name; it prints on stdout, errors on stderr, and returns an
 * exit code from cli.h. */
#ifndef HEARTH_CMD_ENROLL_H
#define HEARTH_CMD_ENROLL_H

#include "client/cmd/cli.h"

/* hearth admin enroll ...: a key and certificate for a new user, signed
 * by the committee CA. */
int admin_enroll(cli *c, int argc, char **argv);

#endif
