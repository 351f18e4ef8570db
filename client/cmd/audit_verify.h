/* audit_verify.h: `hearth audit verify` (audit_verify.c). */
#ifndef HEARTH_CMD_AUDIT_VERIFY_H
#define HEARTH_CMD_AUDIT_VERIFY_H

#include "client/cmd/cli.h"

/* hearth audit verify (options: see its --help); argv[0] is "verify". A
 * cli_fn: prints on stdout, errors on stderr, returns an exit code from
 * cli.h (EXIT_FAIL when the chain or a checkpoint does not verify). */
int audit_verify(cli *c, int argc, char **argv);

#endif
