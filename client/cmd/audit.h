/* audit.h: the audit review commands (`hearth audit log|show|verify|
 * export`, `hearth history RECORD`) and the reporting of client events
 * (reveals, exports) to the server's audit log (audit.c).
 *
 * (Not to be confused with common/audit.h, the chain arithmetic both sides
 * share; includes name the folder, so both can be called audit.h.) */
#ifndef HEARTH_CMD_AUDIT_H
#define HEARTH_CMD_AUDIT_H

#include <stddef.h>

#include "client/cmd/cli.h"
#include "client/core/replica.h"
#include "client/core/session.h"

/* hearth audit (log|show|verify|export) ...; argv[0] is "audit". */
int cmd_audit(cli *c, int argc, char **argv);

/* hearth history RECORD [--json] */
int cmd_history(cli *c, int argc, char **argv);

/* Reports every event queued in the replica to the server (events_report,
 * client/core/events.c) and drops each batch once the server
 * acknowledged it (the ack comes after its entries are committed). *sent
 * counts the events reported. Returns EXIT_OK or an exit code after
 * printing why as "hearth: CMD: ..."; unsent events stay queued. */
int audit_send_events(session *s, replica *r, const char *cmd, size_t *sent);

#endif
