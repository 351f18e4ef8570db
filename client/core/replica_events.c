/* replica_events.c: the event queue: reveal/export events recorded locally
 * until a sync reports them to the server's audit log. */
#include "client/core/replica_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/replica_store.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/lmdb_err.h"
#include "common/merge.h"
#include "common/uuid.h"

/* ---------------------------------------------------------- client events */

int replica_queue_events(replica *r, Hearth__ClientEvent *const *events, size_t n)
{
	MDB_txn *t;
	uint64_t seq;
	int rc = rstore_txn_begin(r, 1, &t);

	if (rc != 0)
		return rc;
	if ((rc = rstore_meta_get_u64(t, r, "event_seq", &seq)) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		uint8_t key[8];
		rstore_be64_put(key, ++seq);
		if ((rc = rstore_db_put_msg(t, r->events, key, 8, &events[i]->base)) != 0)
			goto fail;
	}
	if ((rc = rstore_meta_put_u64(t, r, "event_seq", seq)) != 0)
		goto fail;
	return lmdb_err(mdb_txn_commit(t));
fail:
	mdb_txn_abort(t);
	return rc;
}

void replica_events_free(Hearth__ClientEvent **events, uint64_t *keys, size_t n)
{
	for (size_t i = 0; events && i < n; i++)
		if (events[i])
			hearth__client_event__free_unpacked(events[i], NULL);
	free(events);
	free(keys);
}

int replica_next_events(replica *r, size_t max, Hearth__ClientEvent ***events, uint64_t **keys,
                        size_t *n)
{
	MDB_txn *t;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	*events = NULL;
	*keys = NULL;
	*n = 0;
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	*events = calloc(max ? max : 1, sizeof(**events));
	*keys = calloc(max ? max : 1, sizeof(**keys));
	if (!*events || !*keys) {
		rc = HEARTH_ENOMEM;
		goto fail;
	}
	if ((rc = lmdb_err(mdb_cursor_open(t, r->events, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && *n < max;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Hearth__ClientEvent *e;
		if (k.mv_size != 8)
			continue;
		e = hearth__client_event__unpack(NULL, v.mv_size, v.mv_data);
		if (!e) {
			rc = HEARTH_ECORRUPT;
			goto fail;
		}
		(*keys)[*n] = rstore_be64_get(k.mv_data);
		(*events)[(*n)++] = e;
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
fail:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	if (rc != 0) {
		replica_events_free(*events, *keys, *n);
		*events = NULL;
		*keys = NULL;
		*n = 0;
	}
	return rc;
}

int replica_drop_events(replica *r, const uint64_t *keys, size_t n)
{
	MDB_txn *t;
	int rc = rstore_txn_begin(r, 1, &t);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		uint8_t key[8];
		rstore_be64_put(key, keys[i]);
		if ((rc = rstore_db_del(t, r->events, key, 8)) != 0) {
			mdb_txn_abort(t);
			return rc;
		}
	}
	return lmdb_err(mdb_txn_commit(t));
}

