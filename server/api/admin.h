/* admin.h: the committee's console on the server: branches, principals and
 * revocation, server status. Writes run in the writer's transaction (and
 * are audited there); reads are short read transactions on the loop. */
#ifndef HEARTHD_ADMIN_H
#define HEARTHD_ADMIN_H

#include <lmdb.h>
#include <stdint.h>

#include "common/envelope.h"
#include "server/db/store.h"

struct conn;
struct server;

/* ---- loop thread: request handlers (dispatch.c contract) ---- */
int admin_handle_branch_put(struct conn *c, Hearth__Envelope *env);
int admin_handle_branch_list(struct conn *c, Hearth__Envelope *env);
int admin_handle_principals(struct conn *c, Hearth__Envelope *env);
int admin_handle_revoke(struct conn *c, Hearth__Envelope *env);
int admin_handle_status(struct conn *c, Hearth__Envelope *env);

#endif
