/* retention.c: purges tombstones older than the retention, in bounded
 * batches inside a write transaction, and keeps the purge horizon that
 * pulls are checked against. */
#include "server/db/retention.h"

#include <errno.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "common/be.h"
#include "common/hearth.h"
#include "common/log.h"
#include "common/wire.h"
#include "server/db/audit_log.h"
#include "server/db/feeds.h"

/* Change-index entry types, as store.c writes them. */

#define META_PURGED "purged_seq"
#define META_SCAN "purge_scan_seq"
#define MAX_BRANCH 256


int retention_test_offset_days(void)
{
	const char *e = getenv("HEARTHD_TEST_NOW_OFFSET_DAYS");
	char *end;
	long v;

	if (!e || !*e)
		return 0;
	errno = 0;
	v = strtol(e, &end, 10);
	if (errno || *end || v < -100000 || v > 100000)
		return 0;
	return (int)v;
}

int64_t retention_now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000 +
	       (int64_t)retention_test_offset_days() * 86400000;
}

/* Meta key for a scope's horizon: feeds.c owns it, the digest reads it. */
static size_t horizon_key(char *buf, size_t cap, const char *branch)
{
	return feeds_horizon_key(buf, cap, branch);
}

static int meta_get_u64(store *s, MDB_txn *txn, const char *key, size_t klen, uint64_t *out)
{
	MDB_val k = { klen, (void *)key }, v;
	int rc = mdb_get(txn, s->meta, &k, &v);

	*out = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_err(rc);
	if (v.mv_size != 8)
		return HEARTH_ECORRUPT;
	*out = be64_get(v.mv_data);
	return 0;
}

static int meta_put_u64(store *s, MDB_txn *txn, const char *key, size_t klen, uint64_t val)
{
	uint8_t b[8];
	MDB_val k = { klen, (void *)key }, v = { 8, b };
	be64_put(b, val);
	return store_err(mdb_put(txn, s->meta, &k, &v, 0));
}

/* Raises a scope's horizon to at least seq. */
static int raise_horizon(store *s, MDB_txn *txn, const char *branch, uint64_t seq)
{
	char key[MAX_BRANCH + 16];
	size_t kl = horizon_key(key, sizeof(key), branch);
	uint64_t cur;
	int rc;

	if (!kl)
		return HEARTH_EINVAL;
	if ((rc = meta_get_u64(s, txn, key, kl, &cur)) != 0)
		return rc;
	return seq > cur ? meta_put_u64(s, txn, key, kl, seq) : 0;
}

/* updated_at of the newest record change among the last
 * RETENTION_NEWEST_SCAN feed entries; 0 when there is none. */
static int newest_change_ms(store *s, MDB_txn *txn, int64_t *out)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc, n = 0;

	*out = 0;
	if ((rc = mdb_cursor_open(txn, s->changes, &cur)) != 0)
		return store_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	while (rc == 0 && n++ < RETENTION_NEWEST_SCAN) {
		const uint8_t *ref = v.mv_data;
		MDB_val rk, rv;

		if (v.mv_size != 17) {
			mdb_cursor_close(cur);
			return HEARTH_ECORRUPT;
		}
		rk.mv_size = 16;
		rk.mv_data = (void *)(ref + 1);
		if (ref[0] != REF_CONFLICT && mdb_get(txn, s->records, &rk, &rv) == 0) {
			Hearth__Record *rec = hearth__record__unpack(NULL, rv.mv_size, rv.mv_data);
			if (!rec) {
				mdb_cursor_close(cur);
				return HEARTH_ECORRUPT;
			}
			if (rec->updated_at > *out)
				*out = rec->updated_at;
			hearth__record__free_unpacked(rec, NULL);
			break;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_err(rc);
}

int retention_cutoff(store *s, MDB_txn *txn, const retention_cutoff_opts *o,
                     retention_cutoff_plan *out)
{
	int64_t span = (int64_t)o->days * 86400000;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = newest_change_ms(s, txn, &out->newest_ms)) != 0)
		return rc;
	if (o->clock_confirmed) {
		out->cutoff_ms = o->now_ms - span;
		return 0;
	}
	if (!out->newest_ms) {
		out->cutoff_ms = INT64_MIN;
		return 0;
	}
	if (o->now_ms > out->newest_ms + span + RETENTION_CLOCK_MARGIN_MS) {
		out->clock = RETENTION_CLOCK_AHEAD;
		out->cutoff_ms = INT64_MIN;
		return 0;
	}
	out->cutoff_ms = (o->now_ms < out->newest_ms ? o->now_ms : out->newest_ms) - span;
	return 0;
}

int retention_pull_check(store *s, MDB_txn *txn, const char *branch, uint64_t cursor,
                         uint64_t fresh_since, int *reset, uint64_t *floor)
{
	char key[MAX_BRANCH + 16];
	size_t kl = horizon_key(key, sizeof(key), branch);
	int rc;

	*reset = 0;
	*floor = 0;
	if (!kl)
		return HEARTH_EINVAL;
	if ((rc = meta_get_u64(s, txn, key, kl, floor)) != 0)
		return rc;
	*reset = cursor != 0 && cursor < *floor && fresh_since < *floor;
	return 0;
}

int retention_reset_body(store *s, MDB_txn *txn, wirebuf *out)
{
	uint64_t last;
	int rc = meta_get_u64(s, txn, "seq", 3, &last);

	if (rc)
		return rc;
	wire_uint_field(out, 3, last);
	wire_uint_field(out, 5, 1);
	return out->failed ? HEARTH_ENOMEM : 0;
}

/* Deletes a branch-index entry if it refers to id (a stale or foreign
 * entry at that key is left alone). Returns 1 when one was deleted. */
static int del_bchange(store *s, MDB_txn *txn, const char *branch, uint64_t seq, const uint8_t id[16])
{
	uint8_t bk[MAX_BRANCH + 9];
	MDB_val k, v;
	int rc;

	k.mv_size = store_branch_key(bk, sizeof(bk), branch, seq);
	k.mv_data = bk;
	if (!k.mv_size)
		return HEARTH_EINVAL;
	rc = mdb_get(txn, s->bchanges, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_err(rc);
	if (v.mv_size != 17 || memcmp((const uint8_t *)v.mv_data + 1, id, 16) != 0)
		return 0;
	rc = mdb_del(txn, s->bchanges, &k, NULL);
	return rc ? store_err(rc) : 1;
}

/* A record that moved from branch A to B left a marker in A's feed at the
 * move's sequence, so A's replicas drop it. The history says where it has
 * been: each revision whose branch differs from the one before is a move.
 * The markers go with the tombstone, and A's horizon rises so A's
 * replicas that never saw the marker re-pull. */
static int purge_markers(store *s, MDB_txn *txn, const uint8_t id[16], retention_stats *st)
{
	MDB_cursor *cur = NULL;
	uint8_t kb[24];
	MDB_val k = { 24, kb }, v;
	char prev[MAX_BRANCH] = "";
	int have_prev = 0, rc;

	memcpy(kb, id, 16);
	memset(kb + 16, 0, 8);
	if ((rc = mdb_cursor_open(txn, s->revs, &cur)) != 0)
		return store_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && k.mv_size == 24 && memcmp(k.mv_data, id, 16) == 0) {
		Hearth__Record *r = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
		if (!r) {
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		if (have_prev && strcmp(prev, r->branch_id) != 0) {
			int d = del_bchange(s, txn, prev, r->seq, id);
			if (d == 1) {
				st->markers++;
				d = raise_horizon(s, txn, prev, r->seq);
			}
			if (d < 0) {
				hearth__record__free_unpacked(r, NULL);
				rc = d;
				goto out;
			}
		}
		snprintf(prev, sizeof(prev), "%s", r->branch_id);
		have_prev = 1;
		hearth__record__free_unpacked(r, NULL);
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	rc = (rc == 0 || rc == MDB_NOTFOUND) ? 0 : store_err(rc);
out:
	mdb_cursor_close(cur);
	return rc;
}

/* Removes one tombstone: latest copy, both index entries, markers, digest
 * share; raises the horizons. Revisions stay. */
static int purge_one(store *s, MDB_txn *txn, const Hearth__Record *rec, const MDB_val *bytes,
                     uint64_t seq, retention_stats *st)
{
	uint8_t kb[8];
	MDB_val k;
	int rc;

	if (rec->id.len != 16)
		return HEARTH_ECORRUPT;
	/* The digest needs the stored bytes, which the deletes below free. */
	if ((rc = feeds_digest_apply(s, txn, rec->branch_id, rec->kind, bytes->mv_data, bytes->mv_size, -1)) != 0)
		return rc;
	k.mv_size = 16;
	k.mv_data = rec->id.data;
	if ((rc = mdb_del(txn, s->records, &k, NULL)) != 0)
		return store_err(rc);
	be64_put(kb, seq);
	k.mv_size = 8;
	k.mv_data = kb;
	if ((rc = mdb_del(txn, s->changes, &k, NULL)) != 0 && rc != MDB_NOTFOUND)
		return store_err(rc);
	if ((rc = del_bchange(s, txn, rec->branch_id, seq, rec->id.data)) < 0)
		return rc;
	if ((rc = purge_markers(s, txn, rec->id.data, st)) != 0)
		return rc;
	if ((rc = raise_horizon(s, txn, rec->branch_id, seq)) != 0 || (rc = raise_horizon(s, txn, NULL, seq)) != 0)
		return rc;
	st->purged++;
	return 0;
}

/* One write transaction: walks the global change index upward from the
 * scan mark. The index holds one entry per record at its latest sequence,
 * so entries come roughly in time order; the walk stops at the first
 * record changed inside the retention (everything after is newer, give or
 * take clock steps, which only delay a purge). Live records and conflicts
 * below that point are decided: a later delete gives a record a new, higher
 * sequence, so the mark never has to move back. */
int retention_purge_batch(store *s, MDB_txn *txn, int64_t cutoff_ms, retention_stats *st, int *done)
{
	MDB_cursor *cur = NULL;
	uint64_t mark, purged_before = st->purged;
	int rc, n = 0;

	*done = 0;
	if ((rc = meta_get_u64(s, txn, META_SCAN, strlen(META_SCAN), &mark)) != 0)
		goto fail;
	if ((rc = mdb_cursor_open(txn, s->changes, &cur)) != 0) {
		rc = store_err(rc);
		goto fail;
	}
	while (n < RETENTION_BATCH) {
		uint8_t kb[8];
		MDB_val k = { 8, kb }, v, rk, rv;
		Hearth__Record *rec;
		uint64_t seq;
		const uint8_t *ref;

		/* Re-seek each time: the purge deletes from this very index. */
		be64_put(kb, mark + 1);
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc == MDB_NOTFOUND) {
			*done = 1;
			break;
		}
		if (rc) {
			rc = store_err(rc);
			goto fail;
		}
		if (k.mv_size != 8 || v.mv_size != 17) {
			rc = HEARTH_ECORRUPT;
			goto fail;
		}
		seq = be64_get(k.mv_data);
		ref = v.mv_data;
		n++;
		st->scanned++;
		if (ref[0] != REF_RECORD) {
			mark = seq;   /* conflicts are kept */
			continue;
		}
		rk.mv_size = 16;
		rk.mv_data = (void *)(ref + 1);
		rc = mdb_get(txn, s->records, &rk, &rv);
		if (rc == MDB_NOTFOUND) {
			mark = seq;
			continue;
		}
		if (rc) {
			rc = store_err(rc);
			goto fail;
		}
		rec = hearth__record__unpack(NULL, rv.mv_size, rv.mv_data);
		if (!rec) {
			rc = HEARTH_ECORRUPT;
			goto fail;
		}
		if (rec->updated_at >= cutoff_ms) {
			hearth__record__free_unpacked(rec, NULL);
			*done = 1;
			break;
		}
		rc = rec->deleted ? purge_one(s, txn, rec, &rv, seq, st) : 0;
		hearth__record__free_unpacked(rec, NULL);
		if (rc)
			goto fail;
		mark = seq;
	}
	mdb_cursor_close(cur);
	cur = NULL;
	/* A purge changes the store, so it is audited like any change (one
	 * entry per batch that removed something). */
	if (st->purged > purged_before) {
		actor sys;
		char detail[160];
		memset(&sys, 0, sizeof(sys));
		snprintf(sys.name, sizeof(sys.name), "hearthd");
		snprintf(detail, sizeof(detail), "removed %llu tombstones older than the retention, up to change %llu",
		         (unsigned long long)(st->purged - purged_before), (unsigned long long)mark);
		if ((rc = audit_event(s, txn, &(audit_event_args){
			.who = &sys, .action = "retention.purge", .branch = "", .detail = detail, .peer = "" })) != 0)
			goto fail;
	}
	if ((rc = meta_put_u64(s, txn, META_SCAN, strlen(META_SCAN), mark)) != 0)
		goto fail;
	if ((rc = meta_get_u64(s, txn, META_PURGED, strlen(META_PURGED), &st->horizon)) != 0)
		goto fail;
	st->scan_seq = mark;
	return 0;
fail:
	if (cur)
		mdb_cursor_close(cur);
	return rc;
}

int retention_purge(store *s, uint32_t days, int64_t now_ms, const atomic_int *stop,
                    retention_stats *st)
{
	int64_t cutoff = now_ms - (int64_t)days * 86400000;
	int done = 0, rc = 0;

	memset(st, 0, sizeof(*st));
	while (!done && !(stop && atomic_load(stop))) {
		MDB_txn *txn = NULL;

		if ((rc = store_err(mdb_txn_begin(s->env, NULL, 0, &txn))) != 0)
			break;
		if ((rc = retention_purge_batch(s, txn, cutoff, st, &done)) != 0) {
			mdb_txn_abort(txn);
			break;
		}
		if ((rc = store_err(mdb_txn_commit(txn))) != 0)
			break;
	}
	return rc;
}
