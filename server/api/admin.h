/* admin.h: the committee's console on the server: branches, principals and
 * revocation, server status. Writes run in the writer's transaction (and
 * are audited there); reads are short read transactions on the loop. */
#ifndef HEARTHD_ADMIN_H
#define HEARTHD_ADMIN_H

#include "common/envelope.h"

struct conn;

/* Request handlers (dispatch_fn, loop thread): each answers c. Reads
 * (branch list, principals, status) return DISPATCH_DONE; writes (branch
 * put, revoke) go to the writer and return DISPATCH_KEPT (env goes with the
 * job), except when refused at once. Roles: authz_console. */
int admin_handle_branch_put(struct conn *c, Hearth__Envelope *env);
int admin_handle_branch_list(struct conn *c, Hearth__Envelope *env);
int admin_handle_principals(struct conn *c, Hearth__Envelope *env);
int admin_handle_revoke(struct conn *c, Hearth__Envelope *env);
int admin_handle_status(struct conn *c, Hearth__Envelope *env);

#endif
