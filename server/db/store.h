/* store.h: the server's LMDB environment: its named databases, the change
 * sequence and the key layouts every other server/db module shares.
 *
 * Named databases (keys are big-endian so LMDB order is numeric order):
 *   records    id(16)                  -> Record bytes, latest revision
 *   revs       id(16) rev(8)           -> Record bytes, every revision
 *   changes    seq(8)                  -> type(1) id(16): one live entry per record/conflict
 *   bchanges   branch NUL seq(8)       -> type(1) id(16): the same, per branch
 *   ops        op_id(16)               -> OpResult bytes (without the record)
 *   conflicts  id(16)                  -> Conflict bytes
 *   open_conflicts                     the OPEN ones, in queue order (conflict_queue.h)
 *   digests    branch NUL kind(1)      -> count(8) xor-of-sha256(32)
 *   branches   branch id               -> Branch bytes (principals.h)
 *   principals fingerprint(64)         -> PrincipalInfo bytes (principals.h)
 *   meta       "seq"                   -> u64, the last change sequence
 * and the audit databases of audit_log.h.
 *
 * Threads: one writer thread writes, inside its write transaction; the loop
 * thread reads with short read transactions. Nothing here touches the
 * network. */
#ifndef HEARTHD_STORE_H
#define HEARTHD_STORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"

/* What a change-index entry refers to; the value is type(1) id(16).
 * REF_MOVED is the marker a record leaves in the feed of a branch it moved
 * out of (revision_rehome); pull checks where the record is now. */
enum { REF_RECORD = 1, REF_CONFLICT = 2, REF_MOVED = 3 };

/* Branch ids are at most this many bytes (as certificate URIs allow). */
#define STORE_BRANCH_MAX 63

/* The named database of refs.c (uniqueness and member indexes). */
#define STORE_REFS_DB "refs"

/* The per-branch index key: branch bytes, a NUL, the sequence (8 bytes,
 * big-endian), written into the caller's key. Returns its length, or 0
 * when it does not fit in cap or the branch id is longer than
 * STORE_BRANCH_MAX. */
size_t store_branch_key(uint8_t *key, size_t cap, const char *branch, uint64_t seq);

/* A read or write scope: every branch (all), or a list of branch ids (a
 * branch principal's one, a general branch's subtree). A general branch
 * with more than STORE_SCOPE_MAX branches below it is refused by
 * principals_subtree. Plain data; the caller owns it. */
#define STORE_SCOPE_MAX 64
typedef struct store_scope {
	int all;
	uint32_t n;
	char ids[STORE_SCOPE_MAX][STORE_BRANCH_MAX + 1];
	char tag[17];   /* general: 16 hex digits naming the set (principals_subtree) */
} store_scope;

/* Whether branch is in scope (all, or one of its ids). */
int store_scope_has(const store_scope *sc, const char *branch);

typedef struct store {
	MDB_env *env;
	MDB_dbi records, revs, changes, bchanges, ops, conflicts, digests, branches, meta;
	MDB_dbi audit, audit_links, audit_branch, audit_record, checkpoints;  /* audit_log.h */
	MDB_dbi principals;                                                  /* principals.h */
	MDB_dbi figures;                                                     /* figures.h */
	MDB_dbi open_conflicts;                                              /* conflict_queue.h */
	uint64_t map_size;
	char path[1024];
	/* Keys the digests of sensitive values in audit entries (audit_log.c);
	 * set by the top after store_open. Without it digests are plain
	 * SHA-256, as entries written before the secret existed. */
	uint8_t audit_secret[32];
	int has_audit_secret;
	/* The most one attachment may be, in bytes (issue 18): an op whose
	 * body names a larger one is refused. Set by the top after store_open
	 * from [limits] attachment_max_size; 0 means no limit. */
	uint64_t attachment_max_size;
	/* The bytes of attachment content one branch may hold on the server
	 * (chunks.h); from [limits] attachment_quota, 0 means no limit. */
	uint64_t attachment_quota;
	/* Reader slots of dead processes store_open cleared (a killed
	 * `hearthd backup` leaves one), for the caller to log. */
	int stale_readers_at_open;
} store;

/* Who is acting, copied out of the connection so the writer thread never
 * touches a conn. Plain data; the caller owns it. */
typedef struct actor {
	Hearth__Role role;
	char branch[64];
	char fingerprint[65];
	char name[256];
	uint8_t replica[16];
	int has_replica;
	/* A general principal (ROLE_GENERAL): its subtree (its own branch and
	 * every branch below it) and whether the admin allowed it to edit the
	 * branches below (Branch.general_edits), set by api/authz.c when the
	 * job is made. It always writes its own branch. */
	store_scope subtree;
	int subtree_edits;
} actor;

/* Checks data.mdb in dir against LMDB's two meta pages before anything
 * maps it (a mapped file shorter than its pages kills the process with
 * SIGBUS): magic, format version, and the file size against the last
 * page number the newest meta page records. A missing data.mdb is fine
 * (a new store); a zero-length one next to a lock.mdb is damage. Returns
 * 0, or HEARTH_ECORRUPT / HEARTH_EIO with err naming the file, what is
 * wrong and how to restore. */
int store_precheck(const char *dir, char *err, size_t errlen);

/* Opens (creating) the store in dir into the caller's s; close it with
 * store_close. Returns 0 or a negative HEARTH_E* code; err says what
 * failed (s holds nothing then). */
int store_open(store *s, const char *dir, uint64_t map_size, char *err, size_t errlen);

/* Closes the environment. Idempotent. */
void store_close(store *s);

/* Translates an LMDB return code into a HEARTH_E* code (common/lmdb_err.h
 * does the work; kept so server/db reads one name). */
int store_err(int mdb_rc);

/* mdb_put of a key that is usually above every key of dbi (time-ordered
 * ids, sequences): with MDB_APPEND, which skips the search and fills pages
 * instead of splitting them in half, and when the key is not the greatest
 * (LMDB then writes nothing and says MDB_KEYEXIST) an ordinary put with
 * flags. v->mv_data is set as mdb_put sets it (MDB_RESERVE). Returns 0 or
 * a negative HEARTH_E* code. */
int store_put_ordered(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags);

/* Derived databases (the figures' counters, the open-conflict index) made
 * once from a source database for a store from before them: when derived
 * has no key marker, empties it, calls each(ctx, txn, key, value) for every
 * entry of source in key order (its values valid for that call only), then
 * stores marker and sets *built to 1; with the marker present it does
 * nothing and sets *built to 0. txn is a write transaction. Returns 0, the
 * first non-zero return of each, or a negative HEARTH_E* code. */
typedef int (*store_derive_fn)(void *ctx, MDB_txn *txn, const MDB_val *key, const MDB_val *value);
int store_derive_once(MDB_txn *txn, MDB_dbi derived, const char *marker, MDB_dbi source, store_derive_fn each,
                      void *ctx, int *built);

/* Assigns the next change sequence in txn (the writer's). Returns 0 or a
 * negative HEARTH_E* code. */
int store_next_seq(store *s, MDB_txn *txn, uint64_t *seq);

/* The last assigned sequence number (0 for an empty store), in its own
 * read transaction. Returns 0 or a negative HEARTH_E* code. */
int store_last_seq(store *s, uint64_t *seq);

/* Below this many free bytes on the store's file system an I/O error at
 * commit is taken as a full disk: LMDB reports a short write as EIO, and
 * the last pages it tried may have left a little room. A constant, not a
 * setting: it only chooses the words of an error. */
#define STORE_DISK_MARGIN (4u * 1024 * 1024)

/* What an LMDB failure at commit means for the caller, given the free
 * bytes of the store's file system (free_ok is 0 when statvfs failed):
 * HEARTH_EDISKFULL for EIO or ENOSPC with less than STORE_DISK_MARGIN
 * free (ENOSPC always), otherwise store_err(mdb_rc). Pure, for tests. */
int store_classify_commit(int mdb_rc, int free_ok, uint64_t free_bytes);

/* Commits txn (which is gone afterwards, as with mdb_txn_commit) and
 * classifies a failure with store_classify_commit against the free space
 * of s->path. Returns 0 or a negative HEARTH_E* code. */
int store_commit(store *s, MDB_txn *txn);

/* Free bytes for an unprivileged writer on the file system of s->path.
 * Returns 0, or HEARTH_EIO when statvfs fails. */
int store_disk_free(const store *s, uint64_t *free_bytes);

/* Writes into buf the words a client and the log get for
 * HEARTH_EDISKFULL: the disk is full, where, how much is free, that
 * nothing of the push was stored and what the operator does. */
void store_full_disk_message(const store *s, char *buf, size_t cap);

/* Clears the reader slots of processes that died inside a read
 * transaction (mdb_reader_check): such a slot keeps LMDB from reusing
 * every page freed after it, so the file grows without bound. *cleared
 * gets how many. Returns 0 or a negative HEARTH_E* code. */
int store_clear_stale_readers(store *s, int *cleared);

/* Map usage for status and the STORE_FULL message. Returns 0. */
int store_usage(store *s, uint64_t *used_bytes, uint64_t *map_bytes);

#endif
