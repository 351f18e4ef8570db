/* due_keep.c: the kept due snapshot of `hearth ui` (due_keep.h): a walk of
 * the view's packed bytes tells the records that changed from their hash,
 * and only those are unpacked and put in place. */
#include "client/core/due_keep.h"

#include <stdlib.h>
#include <string.h>

#include "client/core/due_load.h"
#include "client/core/replica_meta.h"
#include "common/array.h"
#include "common/hash64.h"
#include "common/hearth.h"
#include "common/uuid.h"

/* A walk's stop when the changes are more than it follows (not an error:
 * HEARTH_E* codes are negative). */
#define WALK_TOO_MANY 1

/* One record to put again (its bytes at buf + off, len) or to take out
 * (removed). */
typedef struct change {
	uint8_t id[UUID_LEN];
	int removed;
	size_t off, len;
} change;

typedef struct walk {
	int following;              /* 0: a full load (rows only, no changes kept) */
	const due_keep_row *old;    /* the last walk's rows */
	size_t n_old, at;           /* at: the next old row to meet */
	due_keep_row *rows;         /* this walk's */
	size_t n, cap;
	change *ch;
	size_t n_ch, cap_ch;
	uint8_t *buf;               /* the changed records' bytes, copied out of the read txn */
	size_t len, cap_buf;
} walk;

static void walk_free(walk *w)
{
	free(w->rows);
	free(w->ch);
	free(w->buf);
}

static int add_change(walk *w, const uint8_t *id, const uint8_t *bytes, size_t len)
{
	change *c;

	if (w->n_ch >= DUE_KEEP_MAX_CHANGES)
		return WALK_TOO_MANY;
	if (array_grow(&w->ch, &w->cap_ch, w->n_ch, sizeof(*w->ch), 16) != 0)
		return HEARTH_ENOMEM;
	c = &w->ch[w->n_ch++];
	memcpy(c->id, id, UUID_LEN);
	c->removed = bytes == NULL;
	c->off = w->len;
	c->len = len;
	if (bytes) {
		if (w->len + len > w->cap_buf) {
			size_t cap = w->cap_buf ? w->cap_buf : 4096;
			uint8_t *grown;
			while (cap < w->len + len)
				cap *= 2;
			if (!(grown = realloc(w->buf, cap)))
				return HEARTH_ENOMEM;
			w->buf = grown;
			w->cap_buf = cap;
		}
		memcpy(w->buf + w->len, bytes, len);
		w->len += len;
	}
	return 0;
}

/* Old rows before id are records gone from the view since. */
static int pass_removed(walk *w, const uint8_t *id)
{
	int rc;

	while (w->at < w->n_old && (!id || memcmp(w->old[w->at].id, id, UUID_LEN) < 0)) {
		if ((rc = add_change(w, w->old[w->at].id, NULL, 0)) != 0)
			return rc;
		w->at++;
	}
	return 0;
}

static int walk_one(void *ctx, const uint8_t id[16], const uint8_t *bytes, size_t len)
{
	walk *w = ctx;
	uint64_t h = hash64(bytes, len, HASH64_SEED);
	int rc;

	if (array_grow(&w->rows, &w->cap, w->n, sizeof(*w->rows), 1024) != 0)
		return HEARTH_ENOMEM;
	memcpy(w->rows[w->n].id, id, UUID_LEN);
	w->rows[w->n++].hash = h;
	if (!w->following)
		return 0;
	if ((rc = pass_removed(w, id)) != 0)
		return rc;
	if (w->at < w->n_old && !memcmp(w->old[w->at].id, id, UUID_LEN)) {
		if (w->old[w->at++].hash == h)
			return 0;           /* the same bytes: the kept record stands */
	}
	return add_change(w, id, bytes, len);
}

void due_keep_init(due_keep *k)
{
	memset(k, 0, sizeof(*k));
	due_snapshot_init(&k->snap);
}

void due_keep_free(due_keep *k)
{
	due_snapshot_free(&k->snap);
	free(k->rows);
	due_keep_init(k);
}

static size_t live(const due_snapshot *s)
{
	size_t n = 0;

	for (size_t i = 0; i < HEARTH_ARRAY_LEN(s->n); i++)
		n += s->n[i];
	return n;
}

/* The new versions put in place and the gone records taken out, in the
 * order of their ids. */
static int follow(due_keep *k, const walk *w)
{
	ProtobufCAllocator *alloc = arena_allocator(&k->snap.arena);
	int rc;

	for (size_t i = 0; i < w->n_ch; i++) {
		const change *c = &w->ch[i];
		Hearth__Record *rec;

		if (c->removed) {
			(void)due_snapshot_remove(&k->snap, c->id, UUID_LEN);
			continue;
		}
		if (!(rec = hearth__record__unpack(alloc, c->len, w->buf + c->off)))
			return k->snap.arena.failed ? HEARTH_ENOMEM : HEARTH_ECORRUPT;
		/* The view's bytes never name another id than their key; a
		 * record that did would be put under its own id, as a full load
		 * keeps it. */
		if ((rc = due_snapshot_put(&k->snap, rec, NULL)) != 0)
			return rc;
	}
	return 0;
}

/* Every record read again: the hashes first, then the records (a write
 * between the two leaves hashes older than the records, which only makes
 * the next walk read those again). */
static int load(due_keep *k, replica *r, walk *w)
{
	due_snapshot fresh;
	int rc;

	w->following = 0;
	if ((rc = replica_each_raw(r, 0, walk_one, w)) != 0)
		return rc;
	if ((rc = due_snapshot_load(r, NULL, &fresh)) != 0)
		return rc;
	due_snapshot_free(&k->snap);
	k->snap = fresh;
	k->stale = 0;
	return 0;
}

int due_keep_get(due_keep *k, replica *r, const due_snapshot **snap, due_keep_result *res)
{
	due_keep_result dummy;
	walk w;
	uint64_t gen = 0;
	int same = k->gen && !memcmp(k->replica_id, r->replica_id, sizeof(k->replica_id));
	int rc;

	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	*snap = NULL;
	/* 0 (unreadable) is kept as "unknown": the next call walks again. */
	if (replica_generation(r, &gen) != 0)
		gen = 0;
	if (same && gen && gen == k->gen) {
		res->how = DUE_KEEP_KEPT;
		res->live = k->n_rows;
		*snap = &k->snap;
		return 0;
	}
	memset(&w, 0, sizeof(w));
	rc = WALK_TOO_MANY;
	/* Old versions left in the arena past a quarter of the records: a
	 * full load gives their memory back. */
	if (same && k->stale <= live(&k->snap) / 4 + DUE_KEEP_MAX_CHANGES) {
		w.following = 1;
		w.old = k->rows;
		w.n_old = k->n_rows;
		rc = replica_each_raw(r, 0, walk_one, &w);
		if (rc == 0)
			rc = pass_removed(&w, NULL);
		if (rc == 0) {
			if ((rc = follow(k, &w)) != 0)
				goto fail;
			res->how = DUE_KEEP_FOLLOWED;
			res->changed = w.n_ch;
			k->stale += w.n_ch;
		}
	}
	if (rc == WALK_TOO_MANY) {
		walk_free(&w);
		memset(&w, 0, sizeof(w));
		if ((rc = load(k, r, &w)) != 0)
			goto fail;
		res->how = DUE_KEEP_LOADED;
	} else if (rc != 0) {
		goto fail;
	}
	free(k->rows);
	k->rows = w.rows;
	k->n_rows = w.n;
	k->cap_rows = w.cap;
	w.rows = NULL;
	walk_free(&w);
	k->gen = gen;
	memcpy(k->replica_id, r->replica_id, sizeof(k->replica_id));
	res->live = k->n_rows;
	*snap = &k->snap;
	return 0;
fail:
	walk_free(&w);
	due_keep_free(k);
	return rc;
}
