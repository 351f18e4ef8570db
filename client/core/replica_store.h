/* replica_store.h: the LMDB layer the replica modules share
 * (replica_store.c): transaction and table steps, the outbox and its
 * per-record index, and rebuilding a record's local copy from its server
 * copy and pending ops. Private to client/core/replica*.c.
 *
 * Conventions: functions return 0 or a negative HEARTH_E* (LMDB codes go
 * through common/lmdb_err.c); a *out record, op or blob list belongs to the
 * caller (rstore_record_free, rstore_op_free, rstore_blobs_free); MDB_val
 * contents are valid only inside the transaction that read them. */
#ifndef HEARTH_CORE_REPLICA_STORE_H
#define HEARTH_CORE_REPLICA_STORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "client/core/replica_handle.h"
#include "common/record.h"
#include "proto/hearth.pb-c.h"
#include "common/uuid.h"

#define RSTORE_BYREC_KEY_LEN (UUID_LEN + 8)

/* Walks the local view (local copy over server copy) in id order by
 * merging the two databases' cursors, so a listing never unpacks a record
 * twice. fn gets the id and the bytes of the view, valid during the call. */
typedef int (*rstore_view_fn)(void *ctx, const uint8_t *id, const MDB_val *v);

typedef struct rstore_blob {
	uint8_t *data;
	size_t len;
} rstore_blob;

typedef struct rstore_blobs {
	struct rstore_blob *v;
	size_t n, cap;
} rstore_blobs;

/* Fills err (when the caller gave one) and passes rc through, so error
 * paths read "return rstore_say(...)" / "rc = rstore_say(...); goto fail". */
int rstore_say(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A failed transaction step becomes one sentence; a full map gets the
 * remedy, since that is the one store failure a user can fix. */
int rstore_say_store(char *err, size_t errlen, int rc, const char *what);

void rstore_be64_put(uint8_t *p, uint64_t v);

uint64_t rstore_be64_get(const uint8_t *p);

int rstore_txn_begin(replica *r, int write, MDB_txn **t);

int rstore_db_get(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, MDB_val *v);

int rstore_db_put(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen);

/* Deleting what is not there is not an error for any caller here. */
int rstore_db_del(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen);

/* Packs a protobuf message straight into LMDB's page (MDB_RESERVE): no
 * intermediate buffer, and the bytes are exactly protobuf-c's packing. */
int rstore_db_put_msg(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, const ProtobufCMessage *m);

int rstore_meta_get_u64(MDB_txn *t, replica *r, const char *key, uint64_t *out);

int rstore_meta_put_u64(MDB_txn *t, replica *r, const char *key, uint64_t val);

/* meta key: 1 while no server or local copy has ever held an attachment.
 * A new replica starts with it; the first copy stored with an attachment
 * turns it to 0 for good; a replica made before it has none (unknown).
 * While it is 1 a sync need not read every record to find no content to
 * move (attachment_transfer.c). */
#define RSTORE_NO_ATTACHMENTS "no_attachments"

/* To be called in t with every server or local copy rec stored (rec is
 * only read): turns RSTORE_NO_ATTACHMENTS to 0 when rec's body holds an
 * attachment. Costs nothing more for a record without. */
int rstore_copy_stored(replica *r, MDB_txn *t, const Hearth__Record *rec);

/* Unpacks a stored record into a heap copy (the MDB_val dies with its txn). */
int rstore_unpack_record(const MDB_val *v, Hearth__Record **out);

int rstore_load_record(MDB_txn *t, MDB_dbi dbi, const uint8_t id[16], Hearth__Record **out);

void rstore_record_free(Hearth__Record *rec);

void rstore_op_free(Hearth__Op *op);

int rstore_scan_view(replica *r, MDB_txn *t, rstore_view_fn fn, void *ctx);

/* Case-insensitive prefix test against the canonical text form; dashes
 * must sit where the canonical form has them. */
int rstore_id_has_prefix(const uint8_t *id, const char *prefix);

int rstore_prefix_ok(const char *text);

int rstore_blobs_add(rstore_blobs *b, const void *data, size_t len);

void rstore_blobs_free(rstore_blobs *b);

void rstore_byrec_key(uint8_t key[RSTORE_BYREC_KEY_LEN], const uint8_t id[16], uint64_t seq);

/* Appends op to the outbox and its (record, seq) index entry; returns the
 * outbox sequence it got in *seq_out. */
int rstore_outbox_append(replica *r, MDB_txn *t, const Hearth__Op *op, uint64_t *seq_out);

int rstore_outbox_remove(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t seq);

int rstore_load_op(MDB_txn *t, replica *r, uint64_t seq, Hearth__Op **out);

/* The outbox sequences of the pending ops of one record, in order (the
 * byrec index makes this O(ops of that record), not O(outbox)). *seqs is
 * malloc'd (NULL when none). */
int rstore_pending_of(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t **seqs, size_t *n);

/* Removes every pending op of a record (outbox and index). */
int rstore_drop_pending(replica *r, MDB_txn *t, const uint8_t id[16]);

/* The rejected mark of a record (replica.h, "rejected"). get: *e (may be
 * NULL when only presence matters) is the server's Error, the caller's to
 * free with hearth__error__free_unpacked; *at_ms (may be NULL) when it was
 * rejected. Returns 0 or HEARTH_ENOTFOUND. put: e NULL stores an Error with
 * no message. */
int rstore_rejected_get(replica *r, MDB_txn *t, const uint8_t id[16], Hearth__Error **e,
                        int64_t *at_ms);
int rstore_rejected_put(replica *r, MDB_txn *t, const uint8_t id[16], const Hearth__Error *e,
                        int64_t at_ms);
int rstore_rejected_del(replica *r, MDB_txn *t, const uint8_t id[16]);

/* The body bytes of a record (NULL/0 when it has none). */
int rstore_body_bytes(const Hearth__Record *rec, uint8_t **out, size_t *len);

int rstore_add_field(uint32_t **set, size_t *n, size_t *cap, uint32_t f);

/* Stores shape with its body replaced by body[0..len) (kind k) and the
 * given flags, as the local copy of its id. shape is only read: the body
 * goes through a shallow stack copy so shape's own body is never freed. */
int rstore_put_local(replica *r, MDB_txn *t, const Hearth__Record *shape, const kind_info *k,
                     const uint8_t *body, size_t len, int deleted);

/* Rebuilds the local copy of a record after its server copy or its pending
 * ops changed: the server copy, with every field some remaining pending op
 * changed taken from the old local view; its delete flag is the last
 * pending op's. No pending ops left: the local copy goes (the view is the
 * server copy). This is what keeps a pulled change to another field from
 * being hidden by a stale local copy, and a rejected change from lingering. */
int rstore_rebuild_local(replica *r, MDB_txn *t, const uint8_t id[16]);

#endif
