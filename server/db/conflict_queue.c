/* conflict_queue.c: keeps the index of open conflicts in the transaction
 * that opens or closes one, and reads the conflict queue's pages from it,
 * merging the branches of a scope in queue order. */
#include "server/db/conflict_queue.h"

#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/hearth.h"
#include "common/kinds.h"
#include "common/record.h"

#define BUILT_KEY "#built"
#define KEY_MAX (1 + STORE_BRANCH_MAX + 1 + CONFLICT_QUEUE_CURSOR)

/* The 32-byte queue position of c, its sequence taken as seq. */
static int position(const Hearth__Conflict *c, uint64_t seq, uint8_t pos[CONFLICT_QUEUE_CURSOR])
{
	if (c->id.len != 16)
		return HEARTH_ECORRUPT;
	be64_put(pos, (uint64_t)c->created_at ^ (UINT64_C(1) << 63));
	be64_put(pos + 8, seq);
	memcpy(pos + 16, c->id.data, 16);
	return 0;
}

/* 'b' branch NUL: the prefix of a branch's entries. Returns its length,
 * or 0 for a branch id longer than STORE_BRANCH_MAX. */
static size_t branch_prefix(uint8_t *k, const char *branch)
{
	size_t bl = strlen(branch ? branch : "");

	if (bl > STORE_BRANCH_MAX)
		return 0;
	k[0] = 'b';
	memcpy(k + 1, branch, bl);
	k[1 + bl] = '\0';
	return 2 + bl;
}

/* Adds delta to the be64 count under key (a count that would go below
 * zero stays at zero: conflict_queue_ensure makes it again). */
static int count_add(store *s, MDB_txn *txn, const uint8_t *key, size_t klen, int delta)
{
	MDB_val k = { klen, (void *)key }, v;
	uint8_t buf[8];
	uint64_t n = 0;
	int rc = mdb_get(txn, s->open_conflicts, &k, &v);

	if (rc == 0 && v.mv_size == 8)
		n = be64_get(v.mv_data);
	else if (rc != 0 && rc != MDB_NOTFOUND)
		return store_err(rc);
	n = delta < 0 ? (n ? n - 1 : 0) : n + 1;
	if (n == 0)
		return rc == MDB_NOTFOUND ? 0 : store_err(mdb_del(txn, s->open_conflicts, &k, NULL));
	be64_put(buf, n);
	v.mv_size = 8;
	v.mv_data = buf;
	return store_err(mdb_put(txn, s->open_conflicts, &k, &v, 0));
}

/* Both counts of branch, moved by delta. */
static int counts_add(store *s, MDB_txn *txn, const char *branch, int delta)
{
	uint8_t k[1 + STORE_BRANCH_MAX];
	size_t bl = strlen(branch);
	int rc;

	k[0] = 'n';
	memcpy(k + 1, branch, bl);
	if ((rc = count_add(s, txn, k, 1 + bl, delta)) != 0)
		return rc;
	return count_add(s, txn, (const uint8_t *)"N", 1, delta);
}

int conflict_queue_track(store *s, MDB_txn *txn, const Hearth__Conflict *c, uint64_t old_seq)
{
	uint8_t ak[1 + CONFLICT_QUEUE_CURSOR], bk[KEY_MAX];
	size_t bp = branch_prefix(bk, c->branch_id);
	MDB_val k, v = { 0, "" };
	int rc;

	if (bp == 0)
		return HEARTH_EINVAL;
	ak[0] = 'a';
	if (old_seq) {
		if ((rc = position(c, old_seq, ak + 1)) != 0)
			return rc;
		k.mv_size = sizeof(ak);
		k.mv_data = ak;
		rc = mdb_del(txn, s->open_conflicts, &k, NULL);
		if (rc == 0) {
			memcpy(bk + bp, ak + 1, CONFLICT_QUEUE_CURSOR);
			k.mv_size = bp + CONFLICT_QUEUE_CURSOR;
			k.mv_data = bk;
			if ((rc = mdb_del(txn, s->open_conflicts, &k, NULL)) != 0 && rc != MDB_NOTFOUND)
				return store_err(rc);
			if ((rc = counts_add(s, txn, c->branch_id, -1)) != 0)
				return rc;
		} else if (rc != MDB_NOTFOUND) {
			return store_err(rc);
		}
	}
	if (c->state != HEARTH__CONFLICT_STATE__CONFLICT_OPEN)
		return 0;
	if ((rc = position(c, c->seq, ak + 1)) != 0)
		return rc;
	k.mv_size = sizeof(ak);
	k.mv_data = ak;
	/* New conflicts come last in time: an append, as for the feeds. */
	rc = mdb_put(txn, s->open_conflicts, &k, &v, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST)
		return 0;
	if (rc != 0)
		return store_err(rc);
	memcpy(bk + bp, ak + 1, CONFLICT_QUEUE_CURSOR);
	k.mv_size = bp + CONFLICT_QUEUE_CURSOR;
	k.mv_data = bk;
	v.mv_size = 0;
	if ((rc = store_err(mdb_put(txn, s->open_conflicts, &k, &v, 0))) != 0)
		return rc;
	return counts_add(s, txn, c->branch_id, +1);
}

static int track_conflict(void *ctx, MDB_txn *txn, const MDB_val *key, const MDB_val *value)
{
	Hearth__Conflict *c = hearth__conflict__unpack(NULL, value->mv_size, value->mv_data);
	int rc = c ? conflict_queue_track(ctx, txn, c, 0) : HEARTH_ECORRUPT;

	(void)key;
	if (c)
		hearth__conflict__free_unpacked(c, NULL);
	return rc;
}

int conflict_queue_ensure(store *s, MDB_txn *txn, int *built)
{
	return store_derive_once(txn, s->open_conflicts, BUILT_KEY, s->conflicts, track_conflict, s, built);
}

/* ------------------------------------------------------------- masking */

/* The field encoding of a stand-in for a sensitive value of field fd
 * (bytes, len, tag included): text through record_mask_stand_in, each
 * element of a list alike; anything else one element of value zero
 * (masked as "***" whatever it was). Into *out (malloc'd) and *out_len.
 * Returns 0 or a negative HEARTH_E* code. */
static int stand_in(const kind_info *k, const ProtobufCFieldDescriptor *fd, const uint8_t *bytes, size_t len,
                    uint8_t **out, size_t *out_len)
{
	ProtobufCMessage *m;
	uint8_t *buf;
	size_t n = 0;

	*out = NULL;
	*out_len = 0;
	if (fd->type != PROTOBUF_C_TYPE_STRING) {
		uint64_t key = (uint64_t)fd->id << 3;
		size_t zeros = 1;

		switch (fd->type) {
		case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_DOUBLE:
			key |= 1; zeros = 8; break;
		case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_FLOAT:
			key |= 5; zeros = 4; break;
		case PROTOBUF_C_TYPE_BYTES: case PROTOBUF_C_TYPE_MESSAGE:
			key |= 2; zeros = 1; break;   /* length 0 */
		default: break;                   /* a varint 0 */
		}
		if (!(buf = calloc(1, 10 + zeros)))
			return HEARTH_ENOMEM;
		do {
			buf[n++] = (uint8_t)((key & 0x7f) | (key > 0x7f ? 0x80 : 0));
			key >>= 7;
		} while (key);
		*out = buf;
		*out_len = n + zeros;
		return 0;
	}
	if (!(m = protobuf_c_message_unpack(k->desc, NULL, len, bytes)))
		return HEARTH_ECORRUPT;
	{
		char **one = (char **)((char *)m + fd->offset);
		size_t count = fd->label == PROTOBUF_C_LABEL_REPEATED ? *(size_t *)((char *)m + fd->quantifier_offset) : 1;
		char **arr = fd->label == PROTOBUF_C_LABEL_REPEATED ? *(char ***)one : one;
		int rc = 0;

		for (size_t i = 0; i < count && rc == 0; i++) {
			size_t l = arr[i] ? strlen(arr[i]) : 0;
			char *si = malloc(l + 1);
			if (!si) {
				rc = HEARTH_ENOMEM;
				break;
			}
			record_mask_stand_in(arr[i] ? arr[i] : "", si, l + 1);
			if (arr[i] != fd->default_value)   /* protobuf-c's own default is not malloc'd */
				free(arr[i]);
			arr[i] = si;
		}
		if (rc == 0) {
			n = protobuf_c_message_get_packed_size(m);
			if (!(buf = malloc(n ? n : 1)))
				rc = HEARTH_ENOMEM;
			else {
				protobuf_c_message_pack(m, buf);
				*out = buf;
				*out_len = n;
			}
		}
		protobuf_c_message_free_unpacked(m, NULL);
		return rc;
	}
}

/* Replaces one side's sensitive value with its stand-in, in place (the
 * unpacked message's bytes are malloc'd by protobuf-c's default
 * allocator, so free() may take them). */
static int mask_side(const kind_info *k, const ProtobufCFieldDescriptor *fd, ProtobufCBinaryData *side)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (side->len == 0)
		return 0;
	if ((rc = stand_in(k, fd, side->data, side->len, &buf, &len)) != 0)
		return rc;
	free(side->data);
	side->data = buf;
	side->len = len;
	return 0;
}

static int is_sensitive(const kind_info *k, uint32_t field)
{
	const field_rule *r = k ? kind_rule(k, field) : NULL;
	return r && (r->flags & FIELD_SENSITIVE);
}

static int mask_conflict(Hearth__Conflict *c)
{
	const kind_info *k = kind_find(c->kind);
	int rc = 0;

	for (size_t i = 0; k && rc == 0 && i < c->n_fields; i++) {
		Hearth__ConflictField *f = c->fields[i];
		const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(k->desc, f->field);

		if (!fd || !is_sensitive(k, f->field))
			continue;
		if ((rc = mask_side(k, fd, &f->server_value)) == 0)
			rc = mask_side(k, fd, &f->op_value);
	}
	return rc;
}

size_t conflict_queue_revealed_fields(const Hearth__Conflict *c, const char **names, size_t cap)
{
	const kind_info *k = kind_find(c->kind);
	size_t n = 0;

	for (size_t i = 0; k && i < c->n_fields && n < cap; i++) {
		const Hearth__ConflictField *f = c->fields[i];
		const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(k->desc, f->field);

		if (fd && is_sensitive(k, f->field) && (f->server_value.len || f->op_value.len))
			names[n++] = fd->name;
	}
	return n;
}

/* -------------------------------------------------------------- reading */

/* One ordered run of index entries: every open conflict, or a branch's. */
typedef struct stream {
	MDB_cursor *cur;
	uint8_t prefix[1 + STORE_BRANCH_MAX + 1];
	size_t plen;
	const uint8_t *at;    /* the current entry's 32-byte position (txn memory), NULL at the end */
} stream;

/* Takes the entry the cursor stands on (rc from mdb_cursor_get) if it is
 * still of the stream's prefix. */
static int stream_take(stream *st, int rc, const MDB_val *k)
{
	st->at = NULL;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return store_err(rc);
	if (k->mv_size == st->plen + CONFLICT_QUEUE_CURSOR && !memcmp(k->mv_data, st->prefix, st->plen))
		st->at = (const uint8_t *)k->mv_data + st->plen;
	return 0;
}

/* Places st on its first entry after `after` (NULL: its first). */
static int stream_start(store *s, MDB_txn *txn, stream *st, const uint8_t *after)
{
	uint8_t key[KEY_MAX];
	MDB_val k;
	int rc;

	if ((rc = store_err(mdb_cursor_open(txn, s->open_conflicts, &st->cur))) != 0)
		return rc;
	memcpy(key, st->prefix, st->plen);
	k.mv_size = st->plen;
	if (after) {
		memcpy(key + st->plen, after, CONFLICT_QUEUE_CURSOR);
		k.mv_size += CONFLICT_QUEUE_CURSOR;
	}
	k.mv_data = key;
	rc = mdb_cursor_get(st->cur, &k, NULL, MDB_SET_RANGE);
	if ((rc = stream_take(st, rc, &k)) != 0)
		return rc;
	if (after && st->at && !memcmp(st->at, after, CONFLICT_QUEUE_CURSOR)) {
		rc = mdb_cursor_get(st->cur, &k, NULL, MDB_NEXT);
		return stream_take(st, rc, &k);
	}
	return 0;
}

static int stream_next(stream *st)
{
	MDB_val k;
	return stream_take(st, mdb_cursor_get(st->cur, &k, NULL, MDB_NEXT), &k);
}

/* The open conflicts of the scope, from the counts. */
static int scope_total(store *s, MDB_txn *txn, const store_scope *sc, uint64_t *total)
{
	uint8_t key[1 + STORE_BRANCH_MAX];
	MDB_val k, v;
	int rc;

	*total = 0;
	for (uint32_t i = 0; i < (sc->all ? 1 : sc->n); i++) {
		size_t bl = sc->all ? 0 : strlen(sc->ids[i]);
		key[0] = sc->all ? 'N' : 'n';
		memcpy(key + 1, sc->all ? "" : sc->ids[i], bl);
		k.mv_size = 1 + bl;
		k.mv_data = key;
		rc = mdb_get(txn, s->open_conflicts, &k, &v);
		if (rc == 0 && v.mv_size == 8)
			*total += be64_get(v.mv_data);
		else if (rc != 0 && rc != MDB_NOTFOUND)
			return store_err(rc);
	}
	return 0;
}

/* Adds the conflict at position pos to p, masked unless reveal; *full
 * gets 1 when it would take the page past CONFLICT_QUEUE_BYTES (then it
 * is not added, unless the page is empty). */
static int page_add(store *s, MDB_txn *txn, const uint8_t *pos, int reveal, conflict_queue_page *p,
                    size_t *bytes, int *full)
{
	MDB_val k = { 16, (void *)(pos + 16) }, v;
	Hearth__Conflict *c;
	size_t len;
	int rc = mdb_get(txn, s->conflicts, &k, &v);

	*full = 0;
	if (rc == MDB_NOTFOUND)
		return HEARTH_ECORRUPT;   /* an index entry names a conflict the store lacks */
	if (rc != 0)
		return store_err(rc);
	if (!(c = hearth__conflict__unpack(NULL, v.mv_size, v.mv_data)))
		return HEARTH_ECORRUPT;
	if (!reveal && (rc = mask_conflict(c)) != 0) {
		hearth__conflict__free_unpacked(c, NULL);
		return rc;
	}
	len = hearth__conflict__get_packed_size(c) + 8;   /* its tag and length in the answer */
	if (p->n && *bytes + len > CONFLICT_QUEUE_BYTES) {
		hearth__conflict__free_unpacked(c, NULL);
		*full = 1;
		return 0;
	}
	*bytes += len;
	p->conflicts[p->n++] = c;
	memcpy(p->next, pos, CONFLICT_QUEUE_CURSOR);
	return 0;
}

int conflict_queue_read(store *s, MDB_txn *txn, const conflict_queue_args *a, conflict_queue_page *p)
{
	const store_scope *sc = a->scope;
	size_t nst = sc->all ? 1 : sc->n, bytes = 0;
	stream *st;
	int rc = 0, full = 0;

	memset(p, 0, sizeof(*p));
	p->masked = !a->reveal;
	if (a->limit == 0 || a->limit > CONFLICT_QUEUE_LIMIT)
		return HEARTH_EINVAL;
	if ((rc = scope_total(s, txn, sc, &p->open_total)) != 0)
		return rc;
	if (nst == 0)
		return 0;
	if (!(st = calloc(nst, sizeof(*st))) || !(p->conflicts = calloc(a->limit, sizeof(*p->conflicts)))) {
		free(st);
		return HEARTH_ENOMEM;
	}
	for (size_t i = 0; i < nst && rc == 0; i++) {
		if (sc->all) {
			st[i].prefix[0] = 'a';
			st[i].plen = 1;
		} else if ((st[i].plen = branch_prefix(st[i].prefix, sc->ids[i])) == 0) {
			rc = HEARTH_EINVAL;
			break;
		}
		rc = stream_start(s, txn, &st[i], a->after);
	}
	/* A merge of the scope's branches: at most STORE_SCOPE_MAX runs, so
	 * picking the least of them each time is cheap. */
	while (rc == 0 && !full) {
		size_t best = nst;
		for (size_t i = 0; i < nst; i++)
			if (st[i].at && (best == nst || memcmp(st[i].at, st[best].at, CONFLICT_QUEUE_CURSOR) < 0))
				best = i;
		if (best == nst)
			break;
		if (p->n == a->limit) {
			p->has_next = 1;
			break;
		}
		if ((rc = page_add(s, txn, st[best].at, a->reveal, p, &bytes, &full)) == 0 && !full)
			rc = stream_next(&st[best]);
		if (full)
			p->has_next = 1;
	}
	for (size_t i = 0; i < nst; i++)
		if (st[i].cur)
			mdb_cursor_close(st[i].cur);
	free(st);
	if (rc != 0)
		conflict_queue_page_free(p);
	return rc;
}

void conflict_queue_page_free(conflict_queue_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		hearth__conflict__free_unpacked(p->conflicts[i], NULL);
	free(p->conflicts);
	p->conflicts = NULL;
	p->n = 0;
	p->has_next = 0;
}
