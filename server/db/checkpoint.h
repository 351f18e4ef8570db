/* checkpoint.h: signing audit checkpoints (Ed25519 over the chain's size
 * and head, common/audit.h) and the cached latest one, signed again only
 * when the head moved. The one place hearthd signs. */
#ifndef HEARTHD_CHECKPOINT_H
#define HEARTHD_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "common/audit.h"
#include "server/db/store.h"

/* The latest signed checkpoint (loop thread only). */
typedef struct checkpoint_cache {
	int valid;
	uint64_t size;
	uint8_t head[AUDIT_HASH_LEN];
	int64_t time;
	uint8_t sig[AUDIT_SIG_LEN];
} checkpoint_cache;

/* Signs the checkpoint (size, head, time_ms) with key into cp, whose
 * head_hash points at head (borrowed) and whose signature is malloc'd: the
 * caller frees cp->signature.data. Returns 0 or HEARTH_ETLS/HEARTH_ENOMEM. */
int checkpoint_sign(EVP_PKEY *key, uint64_t size, uint8_t head[AUDIT_HASH_LEN], int64_t time_ms,
                    Hearth__Checkpoint *cp);

/* How checkpoint_current ended when it did not fail. */
enum checkpoint_outcome {
	CHECKPOINT_CACHED = 0,          /* the head had not moved: the cached one */
	CHECKPOINT_SIGNED = 1,          /* newly signed: the caller should keep it in the store */
};

/* Fills cp with the latest checkpoint of s (reading the head in a short
 * read transaction), signing a new one with key at now_ms when the head
 * moved. cp's pointers point into cc: valid until the next call. Returns a
 * checkpoint_outcome or a negative HEARTH_E* code. */
int checkpoint_current(checkpoint_cache *cc, store *s, EVP_PKEY *key, int64_t now_ms, Hearth__Checkpoint *cp);

/* Reads the audit chain's size and head inside txn (the writer's, before
 * it commits) into cc, unsigned (cc->valid stays 0). Returns 0 or a
 * negative HEARTH_E* code. */
int checkpoint_read_head(store *s, MDB_txn *txn, checkpoint_cache *cc);

/* Signs cc's size and head at now_ms with key into cc (time, signature,
 * valid = 1): the writer's one signature per commit. Returns 0 or
 * HEARTH_ETLS/HEARTH_ENOMEM (cc->valid then 0). */
int checkpoint_seal(checkpoint_cache *cc, EVP_PKEY *key, int64_t now_ms);

/* The cached checkpoint packed as a Checkpoint message into *out (the
 * caller frees it). Returns 0 or HEARTH_ENOMEM. */
int checkpoint_pack(const checkpoint_cache *cc, uint8_t **out, size_t *len);

#endif
