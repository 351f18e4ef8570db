/* attachments.h: the request handlers of attachment content (issue 18):
 * upload a chunk, ask what the server holds of a file, download a chunk.
 * Storage is server/db/chunks.c; who may see a file is authz.c's
 * authz_content_scope. Each is a dispatch_fn (server/loop/dispatch.h) and
 * answers exactly once. */
#ifndef HEARTHD_API_ATTACHMENTS_H
#define HEARTHD_API_ATTACHMENTS_H

#include "common/envelope.h"

struct conn;

/* ChunkPut: the chunk's hash is checked on the loop thread, then the
 * writer stores it; the ChunkState answer leaves after the commit. */
int attachments_handle_put(struct conn *c, Hearth__Envelope *env);

/* ChunkQuery: the file's ChunkState in the asker's scope, at once. */
int attachments_handle_query(struct conn *c, Hearth__Envelope *env);

/* ChunkGet: one chunk of a complete file as ChunkData, at once; the
 * first chunk's download is audited ("attachment.download"). */
int attachments_handle_get(struct conn *c, Hearth__Envelope *env);

#endif
