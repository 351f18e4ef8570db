/* replica_conflicts.c: the open conflicts the replica holds, oldest first, and
 * finding one by id or prefix. */
#include "client/core/replica_conflicts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/replica_store.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/lmdb_err.h"
#include "common/merge.h"
#include "common/uuid.h"

/* ---------------------------------------------------------- conflicts */

static int conflict_order(const void *a, const void *b)
{
	const Hearth__Conflict *x = *(Hearth__Conflict *const *)a, *y = *(Hearth__Conflict *const *)b;
	if (x->created_at != y->created_at)
		return x->created_at < y->created_at ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return memcmp(x->id.data, y->id.data, x->id.len < y->id.len ? x->id.len : y->id.len);
}

/* Loads every open conflict (copies), oldest first. */
static int load_conflicts(replica *r, Hearth__Conflict ***out, size_t *n)
{
	rstore_blobs b = { 0 };
	MDB_txn *t;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	*out = NULL;
	*n = 0;
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->conflicts, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		rc = rstore_blobs_add(&b, v.mv_data, v.mv_size);
	if (rc == 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
	mdb_cursor_close(c);
	c = NULL;
	mdb_txn_abort(t);
	t = NULL;
	if (rc != 0 || b.n == 0)
		goto fail;
	*out = calloc(b.n, sizeof(**out));
	if (!*out) {
		rc = HEARTH_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < b.n; i++) {
		(*out)[i] = hearth__conflict__unpack(NULL, b.v[i].len, b.v[i].data);
		if (!(*out)[i]) {
			rc = HEARTH_ECORRUPT;
			goto fail;
		}
		(*n)++;
	}
	qsort(*out, *n, sizeof(**out), conflict_order);
fail:
	if (c)
		mdb_cursor_close(c);
	if (t)
		mdb_txn_abort(t);
	rstore_blobs_free(&b);
	if (rc != 0 && *out) {
		for (size_t i = 0; i < *n; i++)
			hearth__conflict__free_unpacked((*out)[i], NULL);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int replica_each_conflict(replica *r, replica_conflict_fn fn, void *ctx)
{
	Hearth__Conflict **cs;
	size_t n;
	int rc = load_conflicts(r, &cs, &n);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (fn(ctx, cs[i]) != 0)
			break;
	for (size_t i = 0; i < n; i++)
		hearth__conflict__free_unpacked(cs[i], NULL);
	free(cs);
	return 0;
}

int replica_get_conflict(replica *r, const char *id_text, Hearth__Conflict **out, char *err,
                         size_t errlen)
{
	Hearth__Conflict **cs;
	size_t n, matches = 0, at = 0;
	int rc;

	*out = NULL;
	if (!rstore_prefix_ok(id_text))
		return rstore_say(err, errlen, HEARTH_EINVAL,
		           _("\"%s\" is not a conflict id or an id prefix of at least 4 hex digits"), id_text);
	if ((rc = load_conflicts(r, &cs, &n)) != 0)
		return rstore_say_store(err, errlen, rc, _("reading conflicts"));
	for (size_t i = 0; i < n; i++) {
		if (cs[i]->id.len == UUID_LEN && rstore_id_has_prefix(cs[i]->id.data, id_text)) {
			if (matches++ == 0)
				at = i;
		}
	}
	if (matches == 1) {
		*out = cs[at];
		cs[at] = NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (cs[i])
			hearth__conflict__free_unpacked(cs[i], NULL);
	free(cs);
	if (matches == 0)
		return rstore_say(err, errlen, HEARTH_ENOTFOUND,
		           _("no open conflict %s in the local replica; 'hearth conflicts' lists them "
		           "(run 'hearth sync' to fetch new ones)"),
		           id_text);
	if (matches > 1)
		return rstore_say(err, errlen, HEARTH_EINVAL,
		           _("conflict id prefix %s matches %zu conflicts; give more digits"), id_text, matches);
	return 0;
}


/* Whether a pending op of c's record resolves c. */
static int resolved_here(replica *r, MDB_txn *t, const Hearth__Conflict *c, int *yes)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	int rc;

	*yes = 0;
	if (c->record_id.len != 16 || c->id.len != 16)
		return 0;
	if ((rc = rstore_pending_of(r, t, c->record_id.data, &seqs, &n)) != 0)
		return rc;
	for (size_t i = 0; i < n && !*yes && rc == 0; i++) {
		Hearth__Op *op = NULL;
		if ((rc = rstore_load_op(t, r, seqs[i], &op)) == 0 && op) {
			*yes = op->resolves.len == 16 && !memcmp(op->resolves.data, c->id.data, 16);
			hearth__op__free_unpacked(op, NULL);
		}
	}
	free(seqs);
	return rc;
}

int replica_drop_resolved_here(replica *r, Hearth__Conflict **cs, size_t *n)
{
	MDB_txn *t;
	size_t kept = 0;
	int rc;

	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	for (size_t i = 0; i < *n && rc == 0; i++) {
		int yes;
		if ((rc = resolved_here(r, t, cs[i], &yes)) == 0 && !yes)
			cs[kept++] = cs[i];
	}
	mdb_txn_abort(t);
	if (rc == 0)
		*n = kept;
	return rc;
}
