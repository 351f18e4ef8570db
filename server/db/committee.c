/* committee.c: reads the branches, a branch's feed head and its live
 * records for hearthd's committee answer (committee.h). */
#include "server/db/committee.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/be.h"
#include "common/hearth.h"

/* The branch id of a bchanges key (branch NUL seq(8)) into out; 0 when
 * the key is malformed. */
static int feed_branch(const MDB_val *k, committee_branch_id out)
{
	const uint8_t *p = k->mv_data;
	size_t bl;

	if (k->mv_size < 10 || k->mv_size - 9 > STORE_BRANCH_MAX || p[k->mv_size - 9] != 0)
		return 0;
	bl = k->mv_size - 9;
	memcpy(out, p, bl);
	out[bl] = '\0';
	return 1;
}

/* Positions cur at the first key of dbi whose branch sorts after `after`:
 * `after` followed by 0x01 is above every key of that branch (branch NUL
 * seq, or the bare id) and below every longer id. */
static int seek_after(MDB_cursor *cur, const char *after, MDB_val *k, MDB_val *v)
{
	uint8_t kb[STORE_BRANCH_MAX + 2];
	size_t al = strlen(after);

	if (!al)
		return mdb_cursor_get(cur, k, v, MDB_FIRST);
	memcpy(kb, after, al);
	kb[al] = 0x01;
	k->mv_size = al + 1;
	k->mv_data = kb;
	return mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
}

/* The next branch of the feed after `after` into out: 1 found, 0 none,
 * or a negative HEARTH_E* code. */
static int next_feed_branch(MDB_cursor *cur, const char *after, committee_branch_id out)
{
	MDB_val k, v;
	int rc;

	for (rc = seek_after(cur, after, &k, &v); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		if (feed_branch(&k, out))
			return 1;
	return rc == MDB_NOTFOUND ? 0 : store_err(rc);
}

static int next_named_branch(MDB_cursor *cur, const char *after, committee_branch_id out)
{
	MDB_val k, v;
	int rc;

	for (rc = seek_after(cur, after, &k, &v); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size == 0 || k.mv_size > STORE_BRANCH_MAX ||
		    memchr(k.mv_data, 0, k.mv_size) != NULL)
			continue;
		memcpy(out, k.mv_data, k.mv_size);
		out[k.mv_size] = '\0';
		return 1;
	}
	return rc == MDB_NOTFOUND ? 0 : store_err(rc);
}

int committee_branches(store *s, MDB_txn *txn, const char *after, committee_branch_id *ids, size_t max,
                       size_t *n, int *more)
{
	MDB_cursor *feed = NULL, *named = NULL;
	committee_branch_id last, a, b;
	int ha, hb, rc;

	*n = 0;
	*more = 0;
	snprintf(last, sizeof(last), "%s", after ? after : "");
	if ((rc = store_err(mdb_cursor_open(txn, s->bchanges, &feed))) != 0)
		return rc;
	if ((rc = store_err(mdb_cursor_open(txn, s->branches, &named))) != 0)
		goto done;
	/* A merge of the two sorted lists; each step seeks past the last id
	 * taken, so a branch with a million feed entries costs one seek. */
	for (;;) {
		if ((ha = next_feed_branch(feed, last, a)) < 0 || (hb = next_named_branch(named, last, b)) < 0) {
			rc = ha < 0 ? ha : hb;
			goto done;
		}
		if (!ha && !hb)
			break;
		if (*n == max) {
			*more = 1;
			break;
		}
		if (ha && (!hb || strcmp(a, b) <= 0))
			memcpy(ids[*n], a, sizeof(a));
		else
			memcpy(ids[*n], b, sizeof(b));
		memcpy(last, ids[*n], sizeof(last));
		(*n)++;
	}
	rc = 0;
done:
	if (named)
		mdb_cursor_close(named);
	mdb_cursor_close(feed);
	return rc;
}

int committee_branch_known(store *s, MDB_txn *txn, const char *branch)
{
	MDB_val k = { strlen(branch), (void *)branch }, v;
	return k.mv_size > 0 && mdb_get(txn, s->branches, &k, &v) == 0;
}

int committee_feed_head(store *s, MDB_txn *txn, const char *branch, uint64_t *seq)
{
	committee_branch_id got;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	*seq = 0;
	if ((rc = store_err(mdb_cursor_open(txn, s->bchanges, &cur))) != 0)
		return rc;
	/* The key after the branch's last one, then one step back. */
	rc = seek_after(cur, branch, &k, &v);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && feed_branch(&k, got) && !strcmp(got, branch))
		*seq = be64_get((const uint8_t *)k.mv_data + k.mv_size - 8);
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_err(rc);
}

int committee_branch_snapshot(store *s, MDB_txn *txn, const char *branch, due_snapshot *out)
{
	uint8_t kb[STORE_BRANCH_MAX + 16];
	size_t prefix = strlen(branch) + 1;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	due_snapshot_init(out);
	if (!(k.mv_size = store_branch_key(kb, sizeof(kb), branch, 0)))
		return HEARTH_EINVAL;
	k.mv_data = kb;
	if ((rc = store_err(mdb_cursor_open(txn, s->bchanges, &cur))) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *ref = v.mv_data;
		Hearth__Record *rec;
		MDB_val rk, rv;

		if (k.mv_size != prefix + 8 || memcmp(k.mv_data, kb, prefix) != 0)
			break;
		if (v.mv_size != 17) {
			rc = MDB_CORRUPTED;
			break;
		}
		if (ref[0] != REF_RECORD)
			continue;
		rk.mv_size = 16;
		rk.mv_data = (void *)(ref + 1);
		if ((rc = mdb_get(txn, s->records, &rk, &rv)) != 0)
			break;
		rec = hearth__record__unpack(arena_allocator(&out->arena), rv.mv_size, rv.mv_data);
		if (!rec) {
			rc = out->arena.failed ? ENOMEM : MDB_CORRUPTED;
			break;
		}
		if (due_snapshot_keep(out, rec, branch) != 0) {
			rc = ENOMEM;
			break;
		}
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_err(rc);
	due_snapshot_sort(out);
	return 0;
}
