/* pull.c: answers a Pull: the records and conflicts of a scope's feed
 * after a cursor, oldest first, at their latest revision. */
#include "server/db/pull.h"

#include <errno.h>
#include <string.h>

#include "common/be.h"
#include "common/hearth.h"
#include "server/db/retention.h"


int pull_page(store *s, const char *branch, uint64_t cursor, uint32_t limit, size_t max_bytes,
              wirebuf *out, uint32_t *n_out, uint64_t *fresh)
{
	uint64_t floor = 0;
	int reset = 0;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint8_t key[80];
	size_t prefix = 0;
	uint64_t last = cursor;
	uint32_t n = 0;
	int more = 0, rc;
	wirebuf conflicts = WIREBUF_INIT;

	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_err(rc);
	/* A replica whose cursor is below the purge horizon may have missed a
	 * delete: tell it to start again from zero. */
	if ((rc = retention_pull_check(s, txn, branch, cursor, fresh ? *fresh : 0, &reset, &floor)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	if (reset) {
		rc = retention_reset_body(s, txn, out);
		mdb_txn_abort(txn);
		*n_out = 0;
		return rc;
	}
	if (fresh && cursor == 0 && *fresh < floor)
		*fresh = floor;
	rc = mdb_cursor_open(txn, branch ? s->bchanges : s->changes, &cur);
	if (rc)
		goto fail;
	if (branch) {
		prefix = strlen(branch) + 1;
		k.mv_size = store_branch_key(key, sizeof(key), branch, cursor + 1);
		if (!k.mv_size) {
			rc = EINVAL;
			goto fail;
		}
	} else {
		be64_put(key, cursor + 1);
		k.mv_size = 8;
	}
	k.mv_data = key;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0) {
		const uint8_t *ref;
		MDB_val rk, rv;
		uint64_t seq;

		if (branch && (k.mv_size != prefix + 8 || memcmp(k.mv_data, key, prefix) != 0))
			break;
		seq = be64_get((const uint8_t *)k.mv_data + prefix);
		if (n >= limit || out->len + conflicts.len >= max_bytes) {
			more = 1;
			break;
		}
		if (v.mv_size != 17) {
			rc = MDB_CORRUPTED;
			goto fail;
		}
		ref = v.mv_data;
		rk.mv_size = 16;
		rk.mv_data = (void *)(ref + 1);
		rc = mdb_get(txn, ref[0] == REF_CONFLICT ? s->conflicts : s->records, &rk, &rv);
		if (rc)
			goto fail;
		/* Stored bytes go out as they are: no unpack, no repack. Only a
		 * moved-out marker needs a look at where the record is now. */
		Hearth__Record *full = NULL;
		if (ref[0] == REF_MOVED) {
			full = hearth__record__unpack(NULL, rv.mv_size, rv.mv_data);
			if (!full) {
				rc = MDB_CORRUPTED;
				goto fail;
			}
		}
		if (full && branch && strcmp(full->branch_id, branch) != 0) {
			/* Moved to another branch: only enough for the replica to drop it. */
			wirebuf stub = WIREBUF_INIT;
			wire_bytes_field(&stub, 1, full->id.data, full->id.len, 0);
			wire_uint_field(&stub, 2, (uint64_t)full->kind);
			wire_bytes_field(&stub, 3, full->branch_id, strlen(full->branch_id), 0);
			wire_uint_field(&stub, 4, full->rev);
			wire_uint_field(&stub, 5, seq);
			wire_bytes_field(out, 1, stub.data, stub.len, 1);
			if (stub.failed)
				out->failed = 1;
			wire_free(&stub);
		} else if (ref[0] == REF_CONFLICT) {
			wire_bytes_field(&conflicts, 2, rv.mv_data, rv.mv_size, 1);
		} else {
			/* A live entry, or a marker whose record has come back. */
			wire_bytes_field(out, 1, rv.mv_data, rv.mv_size, 1);
		}
		if (full)
			hearth__record__free_unpacked(full, NULL);
		last = seq;
		n++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto fail;
	rc = 0;
	wire_bytes(out, conflicts.data, conflicts.len);
	if (!more && last < floor)
		last = floor;
	wire_uint_field(out, 3, last);
	wire_uint_field(out, 4, (uint64_t)more);
	if (out->failed || conflicts.failed)
		rc = ENOMEM;
	*n_out = n;
fail:
	wire_free(&conflicts);
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return store_err(rc);
}

