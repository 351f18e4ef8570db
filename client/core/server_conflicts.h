/* server_conflicts.h: the open conflicts as the server answers them
 * (ConflictQueueRequest, server_conflicts.c), every page of them, so the
 * admin's conflict queue needs no replica (issue 16 item 4). Nothing here
 * prints. */
#ifndef HEARTH_CORE_SERVER_CONFLICTS_H
#define HEARTH_CORE_SERVER_CONFLICTS_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/session.h"

/* How a fetch ended when it did not fail. */
enum server_conflicts_outcome {
	SERVER_CONFLICTS_DONE = 0,      /* every page was read */
	SERVER_CONFLICTS_OLD_SERVER,    /* ERR_PROTOCOL: a hearthd from before the queue */
	SERVER_CONFLICTS_LOST,          /* the session failed or the answers made no sense: s->error */
	SERVER_CONFLICTS_REFUSED,       /* an Error or another body: out->refusal */
};

/* What to ask. Strings are borrowed for the call. */
typedef struct server_conflicts_opts {
	const char *branch;             /* NULL or "": the whole scope of the certificate */
	int reveal;                     /* sensitive values in clear (the server audits it) */
	uint32_t limit;                 /* per page; 0: the server's default (500) */
} server_conflicts_opts;

/* Every open conflict the server answered, oldest first. conflicts point
 * into pages (owned); refusal (owned) is the answer that refused. Free it
 * with server_conflicts_free. */
typedef struct server_conflicts {
	Hearth__Conflict **conflicts;
	size_t n;
	Hearth__Envelope **pages;
	size_t n_pages;
	uint64_t open_total;            /* as the last page counted them */
	int masked;                     /* sensitive values are stand-ins (proto ConflictQueue) */
	Hearth__Envelope *refusal;
	char error[160];                /* LOST because of the answers: what was wrong */
} server_conflicts;

/* Reads page after page over the open session s until the server says
 * the end (at most SERVER_CONFLICTS_PAGES_MAX pages; a `next` that does
 * not move on is LOST) into the caller's *out (zeroed first). Returns a
 * server_conflicts_outcome, or HEARTH_ENOMEM; out is to be freed in
 * every case. */
#define SERVER_CONFLICTS_PAGES_MAX 100000
int server_conflicts_fetch(session *s, const server_conflicts_opts *o, server_conflicts *out);

/* The queue position of c, as ConflictQueue.next is laid out
 * (proto/hearth.proto): created_at with its sign bit flipped, seq, id. A
 * conflict keeps it while open, in a replica as on the server. */
#define SERVER_CONFLICTS_POS 32
void server_conflicts_position(const Hearth__Conflict *c, uint8_t pos[SERVER_CONFLICTS_POS]);

/* The one open conflict whose id is id (16 bytes), revealed: asks for it
 * alone with reveal (a cursor just before pos, limit 1), so the server
 * audits the reveal of that conflict only; pos NULL finds it in the masked
 * queue first (every page). On SERVER_CONFLICTS_DONE out->n is 1, or 0
 * when the server holds no such open conflict. Same returns and ownership
 * as server_conflicts_fetch. */
int server_conflicts_reveal_one(session *s, const uint8_t id[16], const uint8_t *pos, server_conflicts *out);

/* Frees what server_conflicts_fetch put in out. Idempotent. */
void server_conflicts_free(server_conflicts *out);

#endif
