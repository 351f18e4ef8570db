/* recovery.h: the request handler of recovery: a replica's re-pushed
 * records (RecoverRequest) go to the writer and are answered after the
 * commit with a RecoverResponse and the commit's signed checkpoint. */
#ifndef HEARTHD_API_RECOVERY_H
#define HEARTHD_API_RECOVERY_H

#include "common/envelope.h"

struct conn;

/* A dispatch_fn (server/loop/dispatch.h): the role (authz_push) and the
 * record count (max_ops_per_push) on the loop, the records in the writer's
 * next group commit (server/db/recovery.h). Returns DISPATCH_KEPT when the
 * job took env, else DISPATCH_DONE or 0 after answering an Error. */
int recovery_handle_recover(struct conn *c, Hearth__Envelope *env);

#endif
