/* attachment_transfer.h: moving attachment content between a replica's
 * content store (attachments.h) and the server, in the chunks of the
 * protocol (proto/hearth.proto ChunkPut, ChunkQuery, ChunkGet): the upload
 * of what this replica holds and the server lacks, resumed at the server's
 * last durable chunk, and the download of one file on demand, resumed at
 * the last whole chunk kept here (attachment_transfer.c). */
#ifndef HEARTH_CORE_ATTACHMENT_TRANSFER_H
#define HEARTH_CORE_ATTACHMENT_TRANSFER_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/attachments.h"
#include "client/core/replica.h"
#include "client/core/session.h"

/* The chunk size of the protocol (server/db/chunks.h CHUNK_SIZE). */
#define TRANSFER_CHUNK (256u * 1024u)

/* How a transfer tells its caller what happens; members may be NULL.
 * Strings are borrowed for the call. */
typedef struct transfer_hooks {
	/* Bytes moved so far of total, over every file of the call. */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	/* The server refused file name's content: reason is its message,
	 * already in the reader's language. The transfer goes on with the
	 * next file. */
	void (*refused)(void *arg, const char *name, const char *reason);
	void *arg;
} transfer_hooks;

/* What transfer_sync did. */
typedef struct transfer_report {
	uint64_t files_sent;        /* files whose upload this call finished */
	uint64_t bytes_sent;
	uint64_t files_fetched;     /* fetch_all: files downloaded */
	uint64_t refused;           /* files the server refused (hooks.refused was told) */
	uint64_t waiting;           /* files of other replicas the server does not hold whole yet */
} transfer_report;

/* After the records of a sync: uploads every attachment of the local view
 * whose content is here and that the server does not hold whole (each
 * from the server's resume point), then asks the server about the
 * attachments whose content is not here and not known whole, at most 64 a
 * sync in turns (the rest count as waiting), marking those it holds whole
 * (attachments_mark_uploaded) so listings can tell them from those still
 * uploading and later syncs never ask again; with fetch_all it downloads those instead (transfer_fetch),
 * for a branch that wants every file at hand before it goes offline.
 * Returns 0, or HEARTH_ECLOSED / HEARTH_EPROTO when the session failed
 * (s->error says why; what was acknowledged stays, the next call resumes),
 * or HEARTH_EIO / HEARTH_ENOMEM / HEARTH_ECORRUPT with err filled. */
int transfer_sync(replica *r, session *s, const transfer_hooks *h, int fetch_all, transfer_report *rep,
                  char *err, size_t errlen);

/* What transfer_fetch found when it could not fetch. */
typedef struct transfer_state {
	uint32_t have, chunks;      /* what the server holds of the file */
} transfer_state;

/* Downloads the content of hit into the replica's content store,
 * chunk by chunk (each checked against its hash, kept as it arrives, so a
 * cut resumes at the last whole chunk), and checks the whole file against
 * its SHA-256 before keeping it. Returns 0; HEARTH_ENOTFOUND (no content
 * the server would give this certificate: err says so); HEARTH_EAGAIN (not
 * yet uploaded: st says how far); HEARTH_ECORRUPT (the bytes did not make
 * up the file: nothing kept); HEARTH_ECLOSED / HEARTH_EPROTO (the session
 * failed); HEARTH_EIO. err is in the reader's language. */
int transfer_fetch(replica *r, session *s, const attachment_hit *hit, const transfer_hooks *h,
                   transfer_state *st, char *err, size_t errlen);

#endif
