/* resolve.h: settling a conflict by keeping one side for every conflicting
 * field (resolve.c), the one copy behind `hearth resolve --keep` and the
 * web app's 保留我的 / 保留服务器的. */
#ifndef HEARTH_CORE_RESOLVE_H
#define HEARTH_CORE_RESOLVE_H

#include <stddef.h>

#include "client/core/replica.h"

/* Which side to keep. "Mine" is the side this replica made: the op when
 * this replica pushed it, else the server's value. */
typedef enum resolve_side {
	RESOLVE_KEEP_MINE,
	RESOLVE_KEEP_THEIRS,
} resolve_side;

/* Builds the server copy of cf's record with the kept side's value of each
 * conflicting field (a delete conflict deletes or keeps the record as the
 * kept side did), validates it and records the resolution as an op
 * (replica_resolve). Returns 0; HEARTH_ENOTFOUND when the record is not in
 * the replica (sync first); HEARTH_EINVAL when the result is not a valid
 * record or the kind is unknown; another negative code when the replica
 * failed. err gets one sentence on failure. */
int resolve_keep(replica *r, const Hearth__Conflict *cf, resolve_side side, char *err, size_t cap);

/* The step of resolve_keep that needs no replica: srv (the record's
 * current server copy, changed in place) gets the kept side's value of
 * each conflicting field (keep_op: the op's side, else the server's) and
 * *del whether the resolution deletes it; the result is validated unless
 * deleted. Returns 0, HEARTH_EINVAL (unknown kind, an invalid result)
 * or another negative code, with err set. */
int resolve_keep_build(const Hearth__Conflict *cf, Hearth__Record *srv, int keep_op, int *del, char *err,
                       size_t cap);

/* One value typed for a conflicting field (改为…, --set FIELD=VALUE). */
typedef struct resolve_value {
	const char *field;          /* proto name, one of cf's conflicting fields */
	const char *text;           /* as typed (field_input_apply) */
} resolve_value;

/* Settles cf with typed values: the server copy of the record, with each
 * value set through field_input_apply (so it reads as the forms read it),
 * the conflicting fields not named keeping the server's value; validated,
 * then recorded as replica_resolve does. Returns 0; HEARTH_EINVAL with err
 * set and *bad (when not NULL) naming the field at fault; HEARTH_ENOTFOUND
 * when the record is not in the replica; another negative code when the
 * replica failed. */
int resolve_set(replica *r, const Hearth__Conflict *cf, const resolve_value *vals, size_t n,
                const char **bad, char *err, size_t cap);

/* Whether this replica pushed the op of cf (its side is the op's). */
int resolve_mine_is_op(const replica *r, const Hearth__Conflict *cf);

#endif
