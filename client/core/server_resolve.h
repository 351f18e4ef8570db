/* server_resolve.h: `admin resolve CONFLICT --keep ...` without the
 * conflict or its record in the replica (server_resolve.c): the conflict
 * from the server's queue, the record's current server copy from a pull
 * of its branch, and the resolving op pushed at once (issue 16 item 4).
 * Nothing here prints. */
#ifndef HEARTH_CORE_SERVER_RESOLVE_H
#define HEARTH_CORE_SERVER_RESOLVE_H

#include <stddef.h>

#include "client/core/replica.h"
#include "client/core/resolve.h"
#include "client/core/session.h"
#include "common/uuid.h"

/* Pull pages read at most while looking for the record (1,000 records
 * each): a branch is far smaller. */
#define SERVER_RESOLVE_PULL_PAGES 10000

/* What server_resolve_keep needs. Pointers are borrowed for the call. */
typedef struct server_resolve_args {
	session *s;                 /* open */
	const replica *r;           /* tells which side was "mine" (resolve_mine_is_op) */
	const char *conflict;       /* a full id, a unique prefix of at least 4 hex digits, or the last 12 */
	resolve_side side;
} server_resolve_args;

/* Finds the conflict among the server's open ones, builds the resolution
 * (resolve_keep_build) over the record's server copy and pushes it as one
 * op that closes the conflict. cid gets the conflict's id. Returns 0 when
 * the server applied or merged it; HEARTH_ENOTFOUND (no such open
 * conflict, or the record is not in its branch's feed), HEARTH_EINVAL
 * (ambiguous, an invalid result, refused by the server), HEARTH_EPROTO
 * (the session failed: s->error) or another negative code, with err one
 * sentence. */
int server_resolve_keep(const server_resolve_args *a, char cid[UUID_TEXT_LEN + 1], char *err, size_t cap);

#endif
