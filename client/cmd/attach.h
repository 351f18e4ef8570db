/* attach.h: attachments on the command line (issue 18): `hearth KIND
 * attach|attachments|detach` (called by records.c with the parsed record
 * command) and `hearth attachment get` (attach.c). */
#ifndef HEARTH_CMD_ATTACH_H
#define HEARTH_CMD_ATTACH_H

#include "client/cmd/cli.h"
#include "client/cmd/record_args.h"
#include "client/core/attachment_transfer.h"

/* `KIND attach ID FILE [--note TEXT]`: keeps a copy of FILE in the
 * replica and adds its metadata to the record as one local edit. */
int attach_record(record_cmd *m);

/* `KIND attachments ID [--json]`: the record's attachments. */
int attach_list(record_cmd *m);

/* `KIND detach ID NAME`: removes one attachment as one local edit. */
int attach_detach(record_cmd *m);

/* Downloads hit's content into r's content store from the server, as
 * `hearth attachment get` does (witness first): for `hearth ui`'s 下载.
 * Returns transfer_fetch's codes (HEARTH_EAGAIN: not yet uploaded, st
 * says how far; HEARTH_ENOTFOUND), or HEARTH_ECLOSED when the server
 * cannot be reached or its witness failed; err says why. */
int attach_fetch(cli *c, replica *r, const attachment_hit *hit, const transfer_hooks *h, transfer_state *st,
                 char *err, size_t errlen);

/* `hearth attachment get HASH|NAME --to FILE`. Returns an exit code. */
int cmd_attachment(cli *c, int argc, char **argv);

#endif
