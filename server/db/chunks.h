/* chunks.h: the server's store of attachment content (issue 18): chunks of
 * 256 KiB named by their SHA-256, the per-branch copy of each file (which
 * chunks, in order, and whether the whole file's hash was checked), the
 * index of the records that name a file, and each branch's quota use.
 *
 * The content lives in LMDB, in the store's own environment, so a chunk is
 * written in the same transaction as the file's state, its quota and the
 * audit entry of a finished upload, acknowledged only after that commit's
 * fsync, and never half-written: a crash leaves the last committed state.
 * Backup and check read the environment whole, chunks included.
 *
 * Named databases (keys are big-endian):
 *   chunks   chunk sha256(32)           -> the chunk's bytes (shared by all)
 *   afiles   file sha256(32) branch     -> size(8) chunks(4) have(4) complete(1)
 *                                          then the hash of each chunk held (32 each)
 *   arefs    file sha256(32) record(16) -> empty while the record names the file,
 *                                          else when it stopped (ms, 8)
 *   aquota   branch                     -> bytes of content the branch holds (8)
 *   crefs    chunk sha256(32)           -> how many copies list the chunk (4); the
 *                                          chunk goes with its last one
 * A file's copy belongs to a branch: a branch's principal sees only the
 * copies of its scope, so it never learns that another branch holds the
 * same bytes (the chunks themselves are stored once). arefs only grows;
 * chunks_locate checks each record it names against the record as it is.
 *
 * Threads: chunks_after_write and chunks_put run in the writer's
 * transaction; chunks_locate and chunks_read in any transaction. */
#ifndef HEARTHD_CHUNKS_H
#define HEARTHD_CHUNKS_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attachment.h"
#include "common/kinds.h"
#include "server/db/store.h"

/* The size of every chunk of a file but its last. */
#define CHUNK_SIZE (256u * 1024u)

/* The named databases of this file, created by store_open. */
#define CHUNKS_DB "chunks"
#define CHUNKS_FILES_DB "afiles"
#define CHUNKS_REFS_DB "arefs"
#define CHUNKS_QUOTA_DB "aquota"
#define CHUNKS_COUNT_DB "crefs"

/* How many chunks a file of size bytes has. */
uint32_t chunks_count(uint64_t size);

/* What a scope holds of one file, found by chunks_locate. Plain data. */
typedef struct chunks_file {
	uint8_t sha256[32];
	char branch[STORE_BRANCH_MAX + 1];  /* the branch whose copy this is */
	uint8_t record_id[16];              /* a record of that branch naming the file */
	Hearth__Kind kind;
	char name[4 * ATTACHMENT_NAME_MAX + 1];
	char type[128];
	uint64_t size;
	uint32_t chunks;                    /* chunks_count(size) */
	uint32_t have;                      /* chunks held, from the first */
	int complete;                       /* all held and the file's hash checked */
} chunks_file;

/* Finds file in scope sc: a record of a branch in sc whose attachments
 * name file (deleted records count: they can be restored). Of the
 * branches with such a record it takes one holding the whole file, else
 * own (the asker's branch, may be NULL or ""), else the one holding the
 * most. Returns 0 with out filled, HEARTH_ENOTFOUND when no record in sc
 * names file (whatever other branches hold), or another negative code. */
int chunks_locate(store *s, MDB_txn *txn, const store_scope *sc, const char *own, const uint8_t file[32],
                  chunks_file *out);

/* Why chunks_put took nothing. */
enum chunks_refusal {
	CHUNKS_TAKEN = 0,       /* stored (or held already: a retry) */
	CHUNKS_UNKNOWN,         /* no record of the scope names the file */
	CHUNKS_AHEAD,           /* index is past the next chunk expected (f->have) */
	CHUNKS_PAST_END,        /* index is not a chunk of the file (f->chunks) */
	CHUNKS_BAD_LENGTH,      /* data is not as long as that chunk must be (*expect) */
	CHUNKS_BAD_TYPE,        /* the first chunk's bytes are not of the metadata's type (*sniffed) */
	CHUNKS_QUOTA,           /* the branch's quota cannot take the file (*used, quota) */
	CHUNKS_FILE_MISMATCH,   /* the whole file's SHA-256 is not its name: the copy was dropped */
};

/* One chunk upload. Borrowed for the call. */
typedef struct chunks_put_args {
	const actor *who;
	const store_scope *scope;   /* where the file may be found */
	const uint8_t *file;        /* 32 bytes */
	uint32_t index;
	const uint8_t *chunk_sha256;  /* 32 bytes, already checked against data by the caller */
	const uint8_t *data;
	size_t len;
	uint64_t quota;             /* bytes a branch may hold; 0: no limit */
	const char *peer;
	int64_t now;
} chunks_put_args;

/* What chunks_put says besides the file's state. */
typedef struct chunks_put_result {
	enum chunks_refusal refused;
	chunks_file file;           /* the state after the call (as far as found) */
	uint64_t expect;            /* CHUNKS_BAD_LENGTH: the length wanted */
	uint64_t used;              /* CHUNKS_QUOTA: what the branch holds already */
	const char *sniffed;        /* CHUNKS_BAD_TYPE: the type the bytes are (static, may be NULL) */
	int finished;               /* this chunk completed the file */
} chunks_put_result;

/* Stores chunk a->index of a->file in the writer's txn, for the branch
 * chunks_locate picks in a->scope (a->who->branch preferred). Chunks are
 * taken in order: an index below the copy's have is a retry and changes
 * nothing; one above is refused. The first chunk of a file counts its
 * size against the branch's quota and must sniff (common/attachment.c) as
 * the metadata's type. The last one makes the copy complete once the
 * whole file's SHA-256 matches its name (the audit entry
 * "attachment.upload" is written then); on a mismatch the copy is dropped
 * and its quota given back. Returns 0 (r->refused says what happened), or
 * a negative HEARTH_E* code (the caller aborts the transaction). */
int chunks_put(store *s, MDB_txn *txn, const chunks_put_args *a, chunks_put_result *r);

/* Chunk index of f (complete, from chunks_locate in the same txn) into
 * *data (valid until txn ends) and its SHA-256 into hash. Returns 0,
 * HEARTH_ENOTFOUND (index past what is held) or HEARTH_ECORRUPT (the chunk is
 * missing or does not match its hash). */
int chunks_read(store *s, MDB_txn *txn, const chunks_file *f, uint32_t index, MDB_val *data,
                uint8_t hash[32]);

/* A record's new revision, as chunks_after_write sees it (borrowed). */
typedef struct chunks_write {
	const kind_info *kind;
	const uint8_t *id;          /* 16 bytes */
	const uint8_t *old_body;    /* NULL for a create */
	size_t old_len;
	const uint8_t *body;
	size_t body_len;
	int64_t now;
} chunks_write;

/* Records, in the writer's txn, which files the record's new body names
 * and since when the ones its old body named are detached: called with
 * every revision written. Returns 0 or a negative HEARTH_E* code. */
int chunks_after_write(store *s, MDB_txn *txn, const chunks_write *w);

typedef struct chunks_purge_stats {
	uint64_t files;             /* copies looked at */
	uint64_t purged;            /* copies removed */
	uint64_t bytes;             /* their size, given back to the quotas */
} chunks_purge_stats;

/* Retention of detached content, in the writer's txn: removes (at most 64
 * a call) each branch's copy of a file that no record of the branch names
 * any more and whose every known detach is older than cutoff (ms), gives
 * its size back to the branch's quota and removes the chunks no other copy
 * lists. Revision history keeps the metadata. Returns 0 or a negative
 * HEARTH_E* code. */
int chunks_purge_detached(store *s, MDB_txn *txn, int64_t cutoff, chunks_purge_stats *st);

/* At start-up, in its own write transaction (before the writer runs):
 * indexes the files every stored record names, once, so the records of a
 * store written before arefs existed make their content reachable; a meta
 * key remembers it is done. *records gets how many were read. Returns 0
 * or a negative HEARTH_E* code with err saying why. */
int chunks_index_existing(store *s, uint64_t *records, char *err, size_t errlen);

/* What the chunk store holds, for `hearthd check`. */
typedef struct chunks_check_result {
	uint64_t chunks;            /* chunks read back */
	uint64_t files;             /* copies of files */
	uint64_t bad;               /* damaged chunks or copies (named by say) */
} chunks_check_result;

/* Reads every chunk back against its hash and every copy against its
 * chunks, telling each damage to say (a line, borrowed). Returns 0 or a
 * negative HEARTH_E* code. */
int chunks_check(MDB_txn *txn, chunks_check_result *out, void (*say)(void *arg, const char *line), void *arg);

#endif
