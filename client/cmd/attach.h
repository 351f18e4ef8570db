/* attach.h: attachments on the command line (issue 18): `hearth KIND
 * attach|attachments|detach` (called by records.c with the parsed record
 * command) and `hearth attachment get` (attach.c). */
#ifndef HEARTH_CMD_ATTACH_H
#define HEARTH_CMD_ATTACH_H

#include "client/cmd/cli.h"
#include "client/cmd/record_args.h"

/* `KIND attach ID FILE [--note TEXT]`: keeps a copy of FILE in the
 * replica and adds its metadata to the record as one local edit. */
int attach_record(record_cmd *m);

/* `KIND attachments ID [--json]`: the record's attachments. */
int attach_list(record_cmd *m);

/* `KIND detach ID NAME`: removes one attachment as one local edit. */
int attach_detach(record_cmd *m);

/* `hearth attachment get HASH|NAME --to FILE`. Returns an exit code. */
int cmd_attachment(cli *c, int argc, char **argv);

#endif
