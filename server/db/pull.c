/* pull.c: answers a Pull: the records and conflicts of a scope's feed
 * after a cursor, oldest first, at their latest revision. */
#include "server/db/pull.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/hearth.h"
#include "server/db/retention.h"


/* One feed a page reads: the global one, or one branch's, positioned at
 * its next entry. */
typedef struct feed {
	MDB_cursor *cur;
	uint8_t key[80];
	size_t prefix;          /* 0: the global feed; else branch bytes + NUL */
	MDB_val k, v;
	int live;               /* k, v hold an entry of this feed */
	uint64_t seq;
} feed;

static int feed_step(feed *f, MDB_cursor_op op)
{
	int rc = mdb_cursor_get(f->cur, &f->k, &f->v, op);

	f->live = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (f->prefix && (f->k.mv_size != f->prefix + 8 || memcmp(f->k.mv_data, f->key, f->prefix) != 0))
		return 0;
	if (!f->prefix && f->k.mv_size != 8)
		return MDB_CORRUPTED;
	f->seq = be64_get((const uint8_t *)f->k.mv_data + f->prefix);
	f->live = 1;
	return 0;
}

static int feed_open(store *s, MDB_txn *txn, feed *f, const char *branch, uint64_t after)
{
	int rc = mdb_cursor_open(txn, branch ? s->bchanges : s->changes, &f->cur);

	if (rc)
		return rc;
	if (branch) {
		f->prefix = strlen(branch) + 1;
		f->k.mv_size = store_branch_key(f->key, sizeof(f->key), branch, after + 1);
		if (!f->k.mv_size)
			return EINVAL;
	} else {
		be64_put(f->key, after + 1);
		f->k.mv_size = 8;
	}
	f->k.mv_data = f->key;
	return feed_step(f, MDB_SET_RANGE);
}

/* The feed holding the lowest next sequence, or NULL when all are done:
 * a merge of the scope's branch feeds by seq, which is the order one
 * global feed would give, so one cursor (a sequence) serves them all. */
static feed *feed_next(feed *fs, uint32_t n)
{
	feed *best = NULL;

	for (uint32_t i = 0; i < n; i++)
		if (fs[i].live && (!best || fs[i].seq < best->seq))
			best = &fs[i];
	return best;
}

int pull_page(store *s, const store_scope *sc, uint64_t cursor, uint32_t limit, size_t max_bytes,
              wirebuf *out, uint32_t *n_out, uint64_t *fresh)
{
	uint64_t floor = 0;
	int reset = 0;
	MDB_txn *txn = NULL;
	feed *fs = NULL;
	uint32_t nf = sc->all ? 1 : sc->n;
	uint64_t last = cursor;
	uint32_t n = 0;
	int more = 0, rc;
	wirebuf conflicts = WIREBUF_INIT;
	feed *f;

	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_err(rc);
	/* A replica whose cursor is below the purge horizon of any branch of
	 * its scope may have missed a delete: tell it to start again from
	 * zero. */
	for (uint32_t i = 0; i < nf; i++) {
		uint64_t fl = 0;
		int rs = 0;
		if ((rc = retention_pull_check(s, txn, sc->all ? NULL : sc->ids[i], cursor, fresh ? *fresh : 0, &rs,
		                               &fl)) != 0) {
			mdb_txn_abort(txn);
			return rc;
		}
		reset |= rs;
		if (fl > floor)
			floor = fl;
	}
	if (reset) {
		rc = retention_reset_body(s, txn, out);
		mdb_txn_abort(txn);
		*n_out = 0;
		return rc;
	}
	if (fresh && cursor == 0 && *fresh < floor)
		*fresh = floor;
	if ((fs = calloc(nf ? nf : 1, sizeof(*fs))) == NULL) {
		rc = ENOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < nf; i++)
		if ((rc = feed_open(s, txn, &fs[i], sc->all ? NULL : sc->ids[i], cursor)) != 0)
			goto fail;
	while ((f = feed_next(fs, nf)) != NULL) {
		const uint8_t *ref;
		MDB_val rk, rv;
		uint64_t seq = f->seq;

		if (n >= limit || out->len + conflicts.len >= max_bytes) {
			more = 1;
			break;
		}
		if (f->v.mv_size != 17) {
			rc = MDB_CORRUPTED;
			goto fail;
		}
		ref = f->v.mv_data;
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
		if (full && !store_scope_has(sc, full->branch_id)) {
			/* Moved out of the scope: only enough for the replica to drop it. */
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
		if ((rc = feed_step(f, MDB_NEXT)) != 0)
			goto fail;
	}
	rc = 0;
	wire_bytes(out, conflicts.data, conflicts.len);
	if (!more && last < floor)
		last = floor;
	wire_uint_field(out, 3, last);
	wire_uint_field(out, 4, (uint64_t)more);
	if (sc->tag[0]) {
		wire_bytes_field(out, 6, sc->tag, strlen(sc->tag), 0);
		for (uint32_t i = 0; i < sc->n; i++)
			wire_bytes_field(out, 7, sc->ids[i], strlen(sc->ids[i]), 1);
	}
	if (out->failed || conflicts.failed)
		rc = ENOMEM;
	*n_out = n;
fail:
	wire_free(&conflicts);
	for (uint32_t i = 0; fs && i < nf; i++)
		if (fs[i].cur)
			mdb_cursor_close(fs[i].cur);
	free(fs);
	mdb_txn_abort(txn);
	return store_err(rc);
}
