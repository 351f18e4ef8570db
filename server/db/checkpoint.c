/* checkpoint.c: signs audit checkpoints and keeps the latest one cached. */
#include "server/db/checkpoint.h"

#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "server/db/audit_log.h"

int checkpoint_sign(EVP_PKEY *key, uint64_t size, uint8_t head[AUDIT_HASH_LEN], int64_t time_ms,
                    Hearth__Checkpoint *cp)
{
	cp->size = size;
	cp->head_hash.data = head;
	cp->head_hash.len = AUDIT_HASH_LEN;
	cp->time = time_ms;
	return audit_sign_checkpoint(key, cp);
}

int checkpoint_current(checkpoint_cache *cc, store *s, EVP_PKEY *key, int64_t now_ms, Hearth__Checkpoint *cp)
{
	MDB_txn *txn;
	uint64_t size;
	uint8_t head[AUDIT_HASH_LEN];
	int outcome = CHECKPOINT_CACHED;
	int rc;

	rc = store_err(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn));
	if (rc)
		return rc;
	rc = audit_head(s, txn, &size, head);
	mdb_txn_abort(txn);
	if (rc)
		return rc;
	if (!cc->valid || cc->size != size || memcmp(cc->head, head, AUDIT_HASH_LEN) != 0) {
		Hearth__Checkpoint fresh = HEARTH__CHECKPOINT__INIT;

		if ((rc = checkpoint_sign(key, size, head, now_ms, &fresh)) != 0)
			return rc;
		cc->size = size;
		memcpy(cc->head, head, AUDIT_HASH_LEN);
		cc->time = fresh.time;
		memcpy(cc->sig, fresh.signature.data, AUDIT_SIG_LEN);
		free(fresh.signature.data);
		cc->valid = 1;
		outcome = CHECKPOINT_SIGNED;
	}
	cp->size = cc->size;
	cp->head_hash.data = cc->head;
	/* An empty log's head is all zeros; it is sent explicitly anyway. */
	cp->head_hash.len = AUDIT_HASH_LEN;
	cp->time = cc->time;
	cp->signature.data = cc->sig;
	cp->signature.len = AUDIT_SIG_LEN;
	return outcome;
}

int checkpoint_read_head(store *s, MDB_txn *txn, checkpoint_cache *cc)
{
	cc->valid = 0;
	return audit_head(s, txn, &cc->size, cc->head);
}

int checkpoint_seal(checkpoint_cache *cc, EVP_PKEY *key, int64_t now_ms)
{
	Hearth__Checkpoint fresh = HEARTH__CHECKPOINT__INIT;
	int rc;

	cc->valid = 0;
	if ((rc = checkpoint_sign(key, cc->size, cc->head, now_ms, &fresh)) != 0)
		return rc;
	cc->time = fresh.time;
	memcpy(cc->sig, fresh.signature.data, AUDIT_SIG_LEN);
	free(fresh.signature.data);
	cc->valid = 1;
	return 0;
}

int checkpoint_pack(const checkpoint_cache *cc, uint8_t **out, size_t *len)
{
	Hearth__Checkpoint keep = HEARTH__CHECKPOINT__INIT;

	keep.size = cc->size;
	keep.head_hash.data = (uint8_t *)cc->head;
	keep.head_hash.len = AUDIT_HASH_LEN;
	keep.time = cc->time;
	keep.signature.data = (uint8_t *)cc->sig;
	keep.signature.len = AUDIT_SIG_LEN;
	*len = hearth__checkpoint__get_packed_size(&keep);
	*out = malloc(*len ? *len : 1);
	if (!*out)
		return HEARTH_ENOMEM;
	hearth__checkpoint__pack(&keep, *out);
	return 0;
}
