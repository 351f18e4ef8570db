/* replica.c: the client's local LMDB replica: server copies, local copies,
 * the outbox of pending ops and open conflicts, each change in one write
 * transaction so a crash at any point leaves a consistent replica. */
#include "client/core/replica.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <openssl/sha.h>

#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/merge.h"
#include "common/lmdb_err.h"
#include "common/uuid.h"

#define MAP_SIZE_DEFAULT (1ull << 30)
#define BYREC_KEY_LEN (UUID_LEN + 8)

/* LMDB codes become HEARTH_E* in common/lmdb_err.c, the one translator. */

static int say(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fills err (when the caller gave one) and passes rc through, so error
 * paths read "return say(...)" / "rc = say(...); goto fail". */
static int say(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* A failed transaction step becomes one sentence; a full map gets the
 * remedy, since that is the one store failure a user can fix. */
static int say_store(char *err, size_t errlen, int rc, const char *what)
{
	if (rc == HEARTH_EFULL)
		return say(err, errlen, rc,
		           "the local replica is full while %s; set HEARTH_REPLICA_MAP to a larger size "
		           "(e.g. 4G) and try again",
		           what);
	return say(err, errlen, rc, "the local replica failed while %s: %s", what,
	           hearth_strerror(rc));
}

static int64_t now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t be64_get(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---------------------------------------------------------- LMDB steps */

static int txn_begin(replica *r, int write, MDB_txn **t)
{
	*t = NULL;
	return lmdb_err(mdb_txn_begin(r->env, NULL, write ? 0 : MDB_RDONLY, t));
}

static int db_get(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, MDB_val *v)
{
	MDB_val k = { klen, (void *)key };
	return lmdb_err(mdb_get(t, dbi, &k, v));
}

static int db_put(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	return lmdb_err(mdb_put(t, dbi, &k, &v, 0));
}

/* Deleting what is not there is not an error for any caller here. */
static int db_del(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key };
	int rc = lmdb_err(mdb_del(t, dbi, &k, NULL));
	return rc == HEARTH_ENOTFOUND ? 0 : rc;
}

/* Packs a protobuf message straight into LMDB's page (MDB_RESERVE): no
 * intermediate buffer, and the bytes are exactly protobuf-c's packing. */
static int db_put_msg(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen, const ProtobufCMessage *m)
{
	MDB_val k = { klen, (void *)key }, v;
	size_t n = protobuf_c_message_get_packed_size(m);
	int rc;

	v.mv_size = n;
	v.mv_data = NULL;
	rc = lmdb_err(mdb_put(t, dbi, &k, &v, MDB_RESERVE));
	if (rc != 0)
		return rc;
	if (n)
		protobuf_c_message_pack(m, v.mv_data);
	return 0;
}

static int meta_get_u64(MDB_txn *t, replica *r, const char *key, uint64_t *out)
{
	MDB_val v;
	int rc = db_get(t, r->meta, key, strlen(key), &v);
	*out = 0;
	if (rc == HEARTH_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return HEARTH_ECORRUPT;
	*out = be64_get(v.mv_data);
	return 0;
}

static int meta_put_u64(MDB_txn *t, replica *r, const char *key, uint64_t val)
{
	uint8_t b[8];
	be64_put(b, val);
	return db_put(t, r->meta, key, strlen(key), b, 8);
}

/* Unpacks a stored record into a heap copy (the MDB_val dies with its txn). */
static int unpack_record(const MDB_val *v, Hearth__Record **out)
{
	*out = hearth__record__unpack(NULL, v->mv_size, v->mv_data);
	return *out ? 0 : HEARTH_ECORRUPT;
}

static int load_record(MDB_txn *t, MDB_dbi dbi, const uint8_t id[16], Hearth__Record **out)
{
	MDB_val v;
	int rc = db_get(t, dbi, id, UUID_LEN, &v);
	*out = NULL;
	if (rc != 0)
		return rc;
	return unpack_record(&v, out);
}

static void record_free(Hearth__Record *rec)
{
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
}

static void op_free(Hearth__Op *op)
{
	if (op)
		hearth__op__free_unpacked(op, NULL);
}

/* ---------------------------------------------------------- open/close */

/* Accepts bytes, or a number with K, M or G, so an operator can write
 * HEARTH_REPLICA_MAP=4G. */
static int parse_map_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return HEARTH_EINVAL;
	switch (toupper((unsigned char)*end)) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	default: break;
	}
	/* "4G", "4GB" and "4GiB" all mean 4 GiB. */
	if (end[0] == 'i' && end[1] == 'B')
		end += 2;
	else if (end[0] == 'B')
		end++;
	if (*end || v < (1u << 20))
		return HEARTH_EINVAL;
	*out = v;
	return 0;
}

static int mkdir_0700(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return HEARTH_EIO;
}

int replica_open(replica *r, const char *home, char *err, size_t errlen)
{
	const char *ms = getenv("HEARTH_REPLICA_MAP");
	uint64_t map_size = MAP_SIZE_DEFAULT;
	MDB_txn *t = NULL;
	MDB_val v;
	int rc, mrc;

	memset(r, 0, sizeof(*r));
	if (ms && *ms && parse_map_size(ms, &map_size) != 0)
		return say(err, errlen, HEARTH_EINVAL,
		           "HEARTH_REPLICA_MAP=\"%s\" is not a size (bytes, or a number with K, M or G; "
		           "at least 1M)",
		           ms);
	if (snprintf(r->path, sizeof(r->path), "%s/replica", home) >= (int)sizeof(r->path))
		return say(err, errlen, HEARTH_EINVAL, "the home directory path %s is too long", home);
	if (mkdir_0700(home) != 0 || mkdir_0700(r->path) != 0)
		return say(err, errlen, HEARTH_EIO, "cannot create the replica directory %s: %s", r->path,
		           strerror(errno));

	mrc = mdb_env_create(&r->env);
	if (mrc != 0) {
		r->env = NULL;
		rc = say(err, errlen, lmdb_err(mrc), "cannot set up the local replica: %s",
		         mdb_strerror(mrc));
		goto fail;
	}
	if ((mrc = mdb_env_set_maxdbs(r->env, 8)) != 0 ||
	    (mrc = mdb_env_set_mapsize(r->env, (size_t)map_size)) != 0 ||
	    (mrc = mdb_env_open(r->env, r->path, MDB_NOTLS, 0600)) != 0) {
		rc = say(err, errlen, lmdb_err(mrc), "cannot open the local replica in %s: %s", r->path,
		         mdb_strerror(mrc));
		goto fail;
	}
	/* A client killed mid-read leaves a stale reader slot that would pin
	 * old pages forever; clear them before anything else. */
	(void)mdb_reader_check(r->env, NULL);

	if ((rc = txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	if ((rc = lmdb_err(mdb_dbi_open(t, "server", MDB_CREATE, &r->server))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "local", MDB_CREATE, &r->local))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "outbox", MDB_CREATE, &r->outbox))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "byrec", MDB_CREATE, &r->byrec))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "conflicts", MDB_CREATE, &r->conflicts))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "events", MDB_CREATE, &r->events))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "meta", MDB_CREATE, &r->meta))) != 0)
		goto fail_store;
	rc = db_get(t, r->meta, "replica_id", 10, &v);
	if (rc == 0 && v.mv_size == UUID_LEN) {
		memcpy(r->replica_id, v.mv_data, UUID_LEN);
	} else if (rc == HEARTH_ENOTFOUND) {
		if ((rc = uuid_v7(r->replica_id)) != 0) {
			rc = say(err, errlen, rc, "cannot make a replica id: no randomness available");
			goto fail;
		}
		if ((rc = db_put(t, r->meta, "replica_id", 10, r->replica_id, UUID_LEN)) != 0)
			goto fail_store;
	} else {
		rc = rc ? rc : HEARTH_ECORRUPT;
		goto fail_store;
	}
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	return 0;

fail_store:
	say_store(err, errlen, rc, "opening it");
fail:
	if (t)
		mdb_txn_abort(t);
	if (r->env)
		mdb_env_close(r->env);
	r->env = NULL;
	return rc;
}

void replica_close(replica *r)
{
	if (r->env)
		mdb_env_close(r->env);
	r->env = NULL;
}

/* ---------------------------------------------------------- reading */

int replica_get(replica *r, const uint8_t id[16], Hearth__Record **out)
{
	MDB_txn *t;
	int rc = txn_begin(r, 0, &t);
	*out = NULL;
	if (rc != 0)
		return rc;
	rc = load_record(t, r->local, id, out);
	if (rc == HEARTH_ENOTFOUND)
		rc = load_record(t, r->server, id, out);
	mdb_txn_abort(t);
	return rc;
}

int replica_get_server(replica *r, const uint8_t id[16], Hearth__Record **out)
{
	MDB_txn *t;
	int rc = txn_begin(r, 0, &t);
	*out = NULL;
	if (rc != 0)
		return rc;
	rc = load_record(t, r->server, id, out);
	mdb_txn_abort(t);
	return rc;
}

/* Walks the local view (local copy over server copy) in id order by
 * merging the two databases' cursors, so a listing never unpacks a record
 * twice. fn gets the id and the bytes of the view, valid during the call. */
typedef int (*view_fn)(void *ctx, const uint8_t *id, const MDB_val *v);

static int scan_view(replica *r, MDB_txn *t, view_fn fn, void *ctx)
{
	MDB_cursor *cs = NULL, *cl = NULL;
	MDB_val ks, vs, kl, vl;
	int rs, rl, rc;

	if ((rc = lmdb_err(mdb_cursor_open(t, r->server, &cs))) != 0)
		goto fail;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->local, &cl))) != 0)
		goto fail;
	rs = mdb_cursor_get(cs, &ks, &vs, MDB_FIRST);
	rl = mdb_cursor_get(cl, &kl, &vl, MDB_FIRST);
	rc = 0;
	while (rc == 0 && (rs == 0 || rl == 0)) {
		int c;
		if (rs == 0 && rl == 0)
			c = memcmp(ks.mv_data, kl.mv_data, ks.mv_size < kl.mv_size ? ks.mv_size : kl.mv_size);
		else
			c = rs == 0 ? -1 : 1;
		if (c < 0) {
			if (ks.mv_size == UUID_LEN)
				rc = fn(ctx, ks.mv_data, &vs);
			rs = mdb_cursor_get(cs, &ks, &vs, MDB_NEXT);
		} else {
			if (kl.mv_size == UUID_LEN)
				rc = fn(ctx, kl.mv_data, &vl);
			if (c == 0)
				rs = mdb_cursor_get(cs, &ks, &vs, MDB_NEXT);
			rl = mdb_cursor_get(cl, &kl, &vl, MDB_NEXT);
		}
	}
	if (rc == 0 && ((rs != 0 && rs != MDB_NOTFOUND) || (rl != 0 && rl != MDB_NOTFOUND)))
		rc = HEARTH_ESTORE;
fail:
	if (cl)
		mdb_cursor_close(cl);
	if (cs)
		mdb_cursor_close(cs);
	return rc;
}

/* Case-insensitive prefix test against the canonical text form; dashes
 * must sit where the canonical form has them. */
static int id_has_prefix(const uint8_t *id, const char *prefix)
{
	char text[UUID_TEXT_LEN + 1];
	uuid_format(id, text);
	for (size_t i = 0; prefix[i]; i++) {
		if (i >= UUID_TEXT_LEN || tolower((unsigned char)prefix[i]) != text[i])
			return 0;
	}
	return 1;
}

static int prefix_ok(const char *text)
{
	size_t hex = 0;
	for (const char *p = text; *p; p++) {
		if (isxdigit((unsigned char)*p))
			hex++;
		else if (*p != '-')
			return 0;
	}
	return hex >= 4 && strlen(text) <= UUID_TEXT_LEN;
}

struct prefix_ctx {
	const char *prefix;
	uint8_t id[16];
	size_t matches;
};

static int prefix_fn(void *ctx, const uint8_t *id, const MDB_val *v)
{
	struct prefix_ctx *p = ctx;
	(void)v;
	if (id_has_prefix(id, p->prefix)) {
		if (p->matches++ == 0)
			memcpy(p->id, id, UUID_LEN);
	}
	return 0;
}

int replica_resolve_id(replica *r, const char *text, uint8_t id[16], char *err, size_t errlen)
{
	struct prefix_ctx p = { text, { 0 }, 0 };
	MDB_txn *t;
	int rc;

	if (!prefix_ok(text))
		return say(err, errlen, HEARTH_EINVAL,
		           "\"%s\" is not a record id or an id prefix of at least 4 hex digits", text);
	if ((rc = txn_begin(r, 0, &t)) != 0)
		return say_store(err, errlen, rc, "looking up an id");
	rc = scan_view(r, t, prefix_fn, &p);
	mdb_txn_abort(t);
	if (rc != 0)
		return say_store(err, errlen, rc, "looking up an id");
	if (p.matches == 0)
		return say(err, errlen, HEARTH_ENOTFOUND, "no record with id %s in the local replica", text);
	if (p.matches > 1)
		return say(err, errlen, HEARTH_EINVAL,
		           "id prefix %s matches %zu records; give more digits", text, p.matches);
	memcpy(id, p.id, UUID_LEN);
	return 0;
}

/* Copies of view bytes, so callbacks run after the read transaction ends
 * and may call back into the replica (even write to it). */
struct blob {
	uint8_t *data;
	size_t len;
};

struct blobs {
	struct blob *v;
	size_t n, cap;
};

static int blobs_add(struct blobs *b, const void *data, size_t len)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct blob *nv = realloc(b->v, cap * sizeof(*nv));
		if (!nv)
			return HEARTH_ENOMEM;
		b->v = nv;
		b->cap = cap;
	}
	b->v[b->n].data = malloc(len ? len : 1);
	if (!b->v[b->n].data)
		return HEARTH_ENOMEM;
	memcpy(b->v[b->n].data, data, len);
	b->v[b->n].len = len;
	b->n++;
	return 0;
}

static void blobs_free(struct blobs *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].data);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static int collect_fn(void *ctx, const uint8_t *id, const MDB_val *v)
{
	(void)id;
	return blobs_add(ctx, v->mv_data, v->mv_size);
}

int replica_each(replica *r, Hearth__Kind kind, int with_deleted, replica_each_fn fn, void *ctx)
{
	struct blobs b = { 0 };
	MDB_txn *t;
	int rc;

	if ((rc = txn_begin(r, 0, &t)) != 0)
		return rc;
	rc = scan_view(r, t, collect_fn, &b);
	mdb_txn_abort(t);
	for (size_t i = 0; rc == 0 && i < b.n; i++) {
		Hearth__Record *rec = hearth__record__unpack(NULL, b.v[i].len, b.v[i].data);
		if (!rec) {
			rc = HEARTH_ECORRUPT;
			break;
		}
		if ((kind == 0 || rec->kind == kind) && (with_deleted || !rec->deleted)) {
			if (fn(ctx, rec) != 0) {
				record_free(rec);
				break;
			}
		}
		record_free(rec);
	}
	blobs_free(&b);
	return rc;
}

/* ---------------------------------------------------------- outbox */

static void byrec_key(uint8_t key[BYREC_KEY_LEN], const uint8_t id[16], uint64_t seq)
{
	memcpy(key, id, UUID_LEN);
	be64_put(key + UUID_LEN, seq);
}

/* Appends op to the outbox and its (record, seq) index entry; returns the
 * outbox sequence it got in *seq_out. */
static int outbox_append(replica *r, MDB_txn *t, const Hearth__Op *op, uint64_t *seq_out)
{
	uint8_t key[8], bk[BYREC_KEY_LEN];
	uint64_t seq;
	int rc;

	if ((rc = meta_get_u64(t, r, "outbox_seq", &seq)) != 0)
		return rc;
	seq++;
	be64_put(key, seq);
	if ((rc = db_put_msg(t, r->outbox, key, 8, &op->base)) != 0)
		return rc;
	byrec_key(bk, op->record->id.data, seq);
	if ((rc = db_put(t, r->byrec, bk, sizeof(bk), "", 0)) != 0)
		return rc;
	if ((rc = meta_put_u64(t, r, "outbox_seq", seq)) != 0)
		return rc;
	if (seq_out)
		*seq_out = seq;
	return 0;
}

static int outbox_remove(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t seq)
{
	uint8_t key[8], bk[BYREC_KEY_LEN];
	int rc;

	be64_put(key, seq);
	byrec_key(bk, id, seq);
	if ((rc = db_del(t, r->outbox, key, 8)) != 0)
		return rc;
	return db_del(t, r->byrec, bk, sizeof(bk));
}

static int load_op(MDB_txn *t, replica *r, uint64_t seq, Hearth__Op **out)
{
	uint8_t key[8];
	MDB_val v;
	int rc;

	*out = NULL;
	be64_put(key, seq);
	if ((rc = db_get(t, r->outbox, key, 8, &v)) != 0)
		return rc;
	*out = hearth__op__unpack(NULL, v.mv_size, v.mv_data);
	return *out ? 0 : HEARTH_ECORRUPT;
}

/* The outbox sequences of the pending ops of one record, in order (the
 * byrec index makes this O(ops of that record), not O(outbox)). *seqs is
 * malloc'd (NULL when none). */
static int pending_of(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t **seqs, size_t *n)
{
	MDB_cursor *c = NULL;
	uint8_t bk[BYREC_KEY_LEN];
	MDB_val k, v;
	size_t cap = 0;
	int rc, mrc;

	*seqs = NULL;
	*n = 0;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->byrec, &c))) != 0)
		return rc;
	byrec_key(bk, id, 0);
	k.mv_size = sizeof(bk);
	k.mv_data = bk;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != BYREC_KEY_LEN || memcmp(k.mv_data, id, UUID_LEN) != 0)
			break;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			uint64_t *ns = realloc(*seqs, nc * sizeof(*ns));
			if (!ns) {
				rc = HEARTH_ENOMEM;
				goto fail;
			}
			*seqs = ns;
			cap = nc;
		}
		(*seqs)[(*n)++] = be64_get((const uint8_t *)k.mv_data + UUID_LEN);
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
fail:
	mdb_cursor_close(c);
	if (rc != 0) {
		free(*seqs);
		*seqs = NULL;
		*n = 0;
	}
	return rc;
}

/* ---------------------------------------------------------- rebuilding */

/* The body bytes of a record (NULL/0 when it has none). */
static int body_bytes(const Hearth__Record *rec, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!rec || rec->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return 0;
	return record_pack_body(rec, out, len);
}

static int add_field(uint32_t **set, size_t *n, size_t *cap, uint32_t f)
{
	for (size_t i = 0; i < *n; i++)
		if ((*set)[i] == f)
			return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		uint32_t *ns = realloc(*set, nc * sizeof(*ns));
		if (!ns)
			return HEARTH_ENOMEM;
		*set = ns;
		*cap = nc;
	}
	(*set)[(*n)++] = f;
	return 0;
}

/* Stores shape with its body replaced by body[0..len) (kind k) and the
 * given flags, as the local copy of its id. shape is only read: the body
 * goes through a shallow stack copy so shape's own body is never freed. */
static int put_local(replica *r, MDB_txn *t, const Hearth__Record *shape, const kind_info *k,
                     const uint8_t *body, size_t len, int deleted)
{
	Hearth__Record nr = *shape;
	int rc;

	nr.body_case = HEARTH__RECORD__BODY__NOT_SET;
	nr.member = NULL;
	nr.deleted = deleted;
	if ((rc = record_set_body(&nr, k, body, len)) != 0)
		return rc;
	rc = db_put_msg(t, r->local, shape->id.data, UUID_LEN, &nr.base);
	record_clear_body(&nr);
	return rc;
}

/* Rebuilds the local copy of a record after its server copy or its pending
 * ops changed: the server copy, with every field some remaining pending op
 * changed taken from the old local view; its delete flag is the last
 * pending op's. No pending ops left: the local copy goes (the view is the
 * server copy). This is what keeps a pulled change to another field from
 * being hidden by a stale local copy, and a rejected change from lingering. */
static int rebuild_local(replica *r, MDB_txn *t, const uint8_t id[16])
{
	Hearth__Record *srv = NULL, *loc = NULL, *shape_rec = NULL;
	Hearth__Op *op = NULL, *last = NULL;
	uint64_t *seqs = NULL;
	uint32_t *fields = NULL;
	size_t nseq = 0, nf = 0, capf = 0, sb_len = 0, lb_len = 0, out_len = 0;
	uint8_t *sb = NULL, *lb = NULL, *out = NULL;
	fieldmap ms = FIELDMAP_INIT, ml = FIELDMAP_INIT;
	const kind_info *k;
	Hearth__Record shape;
	int rc;

	if ((rc = pending_of(r, t, id, &seqs, &nseq)) != 0)
		goto fail;
	if (nseq == 0) {
		rc = db_del(t, r->local, id, UUID_LEN);
		goto fail;
	}
	for (size_t i = 0; i < nseq; i++) {
		if ((rc = load_op(t, r, seqs[i], &op)) != 0)
			goto fail;
		for (size_t j = 0; j < op->n_changed_fields; j++)
			if ((rc = add_field(&fields, &nf, &capf, op->changed_fields[j])) != 0)
				goto fail;
		op_free(last);
		last = op;
		op = NULL;
	}
	rc = load_record(t, r->server, id, &srv);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail;
	rc = load_record(t, r->local, id, &loc);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail;
	/* Without a local copy (it should not happen while ops are pending)
	 * the last op's body is the best local value we have. */
	shape_rec = loc ? loc : last->record;
	if (!shape_rec) {
		rc = HEARTH_ECORRUPT;
		goto fail;
	}
	k = kind_find(shape_rec->kind);
	if (!k) {
		rc = HEARTH_ECORRUPT;
		goto fail;
	}
	if ((rc = body_bytes(srv, &sb, &sb_len)) != 0 || (rc = body_bytes(shape_rec, &lb, &lb_len)) != 0)
		goto fail;
	if ((rc = fieldmap_parse(sb, sb_len, &ms)) != 0 || (rc = fieldmap_parse(lb, lb_len, &ml)) != 0)
		goto fail;
	for (size_t i = 0; i < nf; i++) {
		const field_entry *e = fieldmap_get(&ml, fields[i]);
		if ((rc = fieldmap_set(&ms, fields[i], e ? e->bytes : NULL, e ? e->len : 0)) != 0)
			goto fail;
	}
	if ((rc = fieldmap_build(&ms, &out, &out_len)) != 0)
		goto fail;
	/* Identity and branch come from the local side (the edit's), revision
	 * metadata from the server copy the view is now based on. */
	shape = *shape_rec;
	shape.rev = srv ? srv->rev : 0;
	shape.seq = srv ? srv->seq : 0;
	if (srv) {
		shape.updated_at = srv->updated_at;
		shape.updated_by = srv->updated_by;
		shape.updated_by_name = srv->updated_by_name;
		shape.updated_replica = srv->updated_replica;
	}
	rc = put_local(r, t, &shape, k, out, out_len, last->delete_);
fail:
	free(out);
	fieldmap_free(&ml);
	fieldmap_free(&ms);
	free(lb);
	free(sb);
	record_free(loc);
	record_free(srv);
	op_free(last);
	op_free(op);
	free(fields);
	free(seqs);
	return rc;
}

/* ---------------------------------------------------------- local edits */

/* The op's copy of a record: id, kind, branch and body only; the server
 * assigns everything else and ignores what a client sends for it. */
static Hearth__Record op_record(const Hearth__Record *rec)
{
	Hearth__Record o = *rec;
	o.rev = 0;
	o.seq = 0;
	o.deleted = 0;
	o.updated_at = 0;
	o.updated_by = (char *)protobuf_c_empty_string;
	o.updated_by_name = (char *)protobuf_c_empty_string;
	o.updated_replica.len = 0;
	o.updated_replica.data = NULL;
	return o;
}

/* One local edit: an op with the changed fields and base_rev goes to the
 * outbox, then the record becomes the local copy. With outer set the edit is
 * one step of the caller's write transaction (replica_edit_batch), which the
 * caller commits or aborts; with outer NULL it opens its own, only after the
 * record has been checked and encoded, and commits it, so a bad record is
 * refused without touching the store. */
static int edit_record(replica *r, MDB_txn *outer, const Hearth__Record *rec, int create,
                       char *err, size_t errlen)
{
	Hearth__Record *srv = NULL, *loc_copy = NULL, orec, loc;
	const Hearth__Record *view;
	Hearth__Op op = HEARTH__OP__INIT;
	uint8_t *vb = NULL, *nb = NULL, op_id[16];
	uint32_t *changed = NULL;
	size_t vb_len = 0, nb_len = 0, n_changed = 0;
	char idt[UUID_TEXT_LEN + 1];
	MDB_txn *own = NULL, *t = outer;
	int rc;

	if (rec->id.len != UUID_LEN || !kind_find(rec->kind) ||
	    rec->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return say(err, errlen, HEARTH_EINVAL,
		           "a record to store needs a 16-byte id, a known kind and a body");
	uuid_format(rec->id.data, idt);
	if ((rc = body_bytes(rec, &nb, &nb_len)) != 0) {
		rc = say(err, errlen, rc, "record %s: its body does not match its kind", idt);
		goto fail;
	}
	if (outer == NULL) {
		if ((rc = txn_begin(r, 1, &own)) != 0)
			goto fail_store;
		t = own;
	}
	rc = load_record(t, r->server, rec->id.data, &srv);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	rc = load_record(t, r->local, rec->id.data, &loc_copy);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	view = loc_copy ? loc_copy : srv;
	if (create && view) {
		rc = say(err, errlen, HEARTH_EEXIST, "record %s already exists", idt);
		goto fail;
	}
	if (!create && (!view || view->deleted)) {
		rc = say(err, errlen, HEARTH_ENOTFOUND, "record %s %s", idt,
		         view ? "has been deleted" : "is not in the local replica");
		goto fail;
	}
	if (view && view->kind != rec->kind) {
		rc = say(err, errlen, HEARTH_EINVAL, "record %s is of another kind", idt);
		goto fail;
	}
	if ((rc = body_bytes(view, &vb, &vb_len)) != 0)
		goto fail_store;
	if ((rc = merge_diff(vb, vb_len, nb, nb_len, &changed, &n_changed)) != 0) {
		rc = say(err, errlen, rc, "record %s: cannot compare the bodies: %s", idt,
		         hearth_strerror(rc));
		goto fail;
	}
	if (n_changed == 0) {
		rc = say(err, errlen, HEARTH_EINVAL, "record %s: nothing to change", idt);
		goto fail;
	}
	if ((rc = uuid_v7(op_id)) != 0) {
		rc = say(err, errlen, rc, "cannot make an op id: no randomness available");
		goto fail;
	}
	orec = op_record(rec);
	op.op_id.len = UUID_LEN;
	op.op_id.data = op_id;
	op.record = &orec;
	op.base_rev = srv ? srv->rev : 0;
	op.n_changed_fields = n_changed;
	op.changed_fields = changed;
	op.made_at = now_ms();
	if ((rc = outbox_append(r, t, &op, NULL)) != 0)
		goto fail_store;
	loc = *rec;
	loc.rev = view ? view->rev : 0;
	loc.seq = view ? view->seq : 0;
	loc.deleted = 0;
	if ((rc = db_put_msg(t, r->local, rec->id.data, UUID_LEN, &loc.base)) != 0)
		goto fail_store;
	if (own != NULL) {
		rc = lmdb_err(mdb_txn_commit(own));
		own = NULL;
		if (rc != 0)
			goto fail_store;
	}
	goto fail;

fail_store:
	say_store(err, errlen, rc, "recording the edit");
fail:
	if (own)
		mdb_txn_abort(own);
	free(changed);
	free(vb);
	free(nb);
	record_free(loc_copy);
	record_free(srv);
	return rc;
}

int replica_edit(replica *r, const Hearth__Record *rec, int create, char *err, size_t errlen)
{
	return edit_record(r, NULL, rec, create, err, errlen);
}

/* Drops a record that only ever existed here: its pending ops and its local
 * copy go, and nothing is sent (the server never heard of it). */
static int forget_local_only(replica *r, MDB_txn *t, const uint8_t id[16])
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	int rc = pending_of(r, t, id, &seqs, &n);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = outbox_remove(r, t, id, seqs[i]);
	free(seqs);
	if (rc == 0)
		rc = db_del(t, r->local, id, UUID_LEN);
	return rc;
}

int replica_delete(replica *r, const uint8_t id[16], char *err, size_t errlen)
{
	Hearth__Record *srv = NULL, *view = NULL, orec, loc;
	Hearth__Op op = HEARTH__OP__INIT;
	char idt[UUID_TEXT_LEN + 1];
	uint8_t op_id[16];
	MDB_txn *t = NULL;
	int rc;

	uuid_format(id, idt);
	if ((rc = txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	rc = load_record(t, r->server, id, &srv);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	rc = load_record(t, r->local, id, &view);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	{
		const Hearth__Record *v = view ? view : srv;
		if (!v || v->deleted) {
			rc = say(err, errlen, HEARTH_ENOTFOUND, "record %s %s", idt,
			         v ? "is already deleted" : "is not in the local replica");
			goto fail;
		}
	}
	if (!srv) {
		if ((rc = forget_local_only(r, t, id)) != 0)
			goto fail_store;
	} else {
		const Hearth__Record *v = view ? view : srv;
		if ((rc = uuid_v7(op_id)) != 0) {
			rc = say(err, errlen, rc, "cannot make an op id: no randomness available");
			goto fail;
		}
		/* The op carries the body it deleted, so a delete-vs-edit conflict
		 * can show what this side last saw. */
		orec = op_record(v);
		op.op_id.len = UUID_LEN;
		op.op_id.data = op_id;
		op.record = &orec;
		op.base_rev = srv->rev;
		op.delete_ = 1;
		op.made_at = now_ms();
		if ((rc = outbox_append(r, t, &op, NULL)) != 0)
			goto fail_store;
		loc = *v;
		loc.deleted = 1;
		if ((rc = db_put_msg(t, r->local, id, UUID_LEN, &loc.base)) != 0)
			goto fail_store;
	}
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	goto fail;

fail_store:
	say_store(err, errlen, rc, "recording the delete");
fail:
	if (t)
		mdb_txn_abort(t);
	record_free(view);
	record_free(srv);
	return rc;
}

int replica_resolve(replica *r, const Hearth__Conflict *c, const Hearth__Record *rec, int del,
                    char *err, size_t errlen)
{
	Hearth__Record *srv = NULL, *view = NULL, orec;
	Hearth__Op op = HEARTH__OP__INIT;
	uint8_t *sb = NULL, *nb = NULL, *vb = NULL, *out = NULL, op_id[16];
	size_t sb_len = 0, nb_len = 0, vb_len = 0, out_len = 0, n_diff = 0, nf = 0, capf = 0;
	uint32_t *diff = NULL, *fields = NULL;
	fieldmap mv = FIELDMAP_INIT, mn = FIELDMAP_INIT;
	char idt[UUID_TEXT_LEN + 1];
	const kind_info *k = kind_find(rec->kind);
	MDB_txn *t = NULL;
	int rc;

	if (c->id.len != UUID_LEN || c->record_id.len != UUID_LEN || rec->id.len != UUID_LEN ||
	    memcmp(c->record_id.data, rec->id.data, UUID_LEN) != 0 || !k)
		return say(err, errlen, HEARTH_EINVAL, "the resolution does not match the conflict's record");
	uuid_format(rec->id.data, idt);
	if ((rc = body_bytes(rec, &nb, &nb_len)) != 0) {
		rc = say(err, errlen, rc, "record %s: its body does not match its kind", idt);
		goto fail;
	}
	if ((rc = txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	rc = load_record(t, r->server, rec->id.data, &srv);
	if (rc == HEARTH_ENOTFOUND) {
		rc = say(err, errlen, rc, "record %s has no server copy here; run 'hearth sync' first", idt);
		goto fail;
	}
	if (rc != 0)
		goto fail_store;
	rc = load_record(t, r->local, rec->id.data, &view);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	/* changed = the conflict's fields plus whatever else differs from the
	 * server copy (a resurrection may bring back more than the conflict
	 * named); sent even when empty, since the op also closes the conflict. */
	for (size_t i = 0; i < c->n_fields; i++)
		if ((rc = add_field(&fields, &nf, &capf, c->fields[i]->field)) != 0)
			goto fail;
	if ((rc = body_bytes(srv, &sb, &sb_len)) != 0)
		goto fail_store;
	if ((rc = merge_diff(sb, sb_len, nb, nb_len, &diff, &n_diff)) != 0) {
		rc = say(err, errlen, rc, "record %s: cannot compare the bodies: %s", idt,
		         hearth_strerror(rc));
		goto fail;
	}
	for (size_t i = 0; i < n_diff; i++)
		if ((rc = add_field(&fields, &nf, &capf, diff[i])) != 0)
			goto fail;
	if ((rc = uuid_v7(op_id)) != 0) {
		rc = say(err, errlen, rc, "cannot make an op id: no randomness available");
		goto fail;
	}
	orec = op_record(rec);
	op.op_id.len = UUID_LEN;
	op.op_id.data = op_id;
	op.record = &orec;
	op.base_rev = srv->rev;
	op.n_changed_fields = nf;
	op.changed_fields = fields;
	op.delete_ = del ? 1 : 0;
	op.resolves.len = UUID_LEN;
	op.resolves.data = c->id.data;
	op.made_at = now_ms();
	if ((rc = outbox_append(r, t, &op, NULL)) != 0)
		goto fail_store;
	/* The new local view: the old view (it may hold other pending edits)
	 * with this op's fields taken from the resolution. */
	if ((rc = body_bytes(view ? view : srv, &vb, &vb_len)) != 0)
		goto fail_store;
	if ((rc = fieldmap_parse(vb, vb_len, &mv)) != 0 || (rc = fieldmap_parse(nb, nb_len, &mn)) != 0)
		goto fail_store;
	for (size_t i = 0; i < nf; i++) {
		const field_entry *e = fieldmap_get(&mn, fields[i]);
		if ((rc = fieldmap_set(&mv, fields[i], e ? e->bytes : NULL, e ? e->len : 0)) != 0)
			goto fail;
	}
	if ((rc = fieldmap_build(&mv, &out, &out_len)) != 0)
		goto fail;
	{
		Hearth__Record shape = view ? *view : *srv;
		shape.branch_id = rec->branch_id;
		if ((rc = put_local(r, t, &shape, k, out, out_len, del)) != 0)
			goto fail_store;
	}
	if ((rc = db_del(t, r->conflicts, c->id.data, UUID_LEN)) != 0)
		goto fail_store;
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	goto fail;

fail_store:
	say_store(err, errlen, rc, "recording the resolution");
fail:
	if (t)
		mdb_txn_abort(t);
	free(out);
	fieldmap_free(&mn);
	fieldmap_free(&mv);
	free(diff);
	free(fields);
	free(vb);
	free(sb);
	free(nb);
	record_free(view);
	record_free(srv);
	return rc;
}

/* ---------------------------------------------------------- sync */

/* True when seq is the oldest pending op of its record: only such ops may
 * go out, so a later op is rebased on its predecessor's result first. */
static int is_head(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t seq, int *head)
{
	MDB_cursor *c = NULL;
	uint8_t bk[BYREC_KEY_LEN];
	MDB_val k, v;
	int rc, mrc;

	*head = 0;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->byrec, &c))) != 0)
		return rc;
	byrec_key(bk, id, 0);
	k.mv_size = sizeof(bk);
	k.mv_data = bk;
	mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (mrc == 0)
		*head = k.mv_size == BYREC_KEY_LEN && memcmp(k.mv_data, id, UUID_LEN) == 0 &&
		        be64_get((const uint8_t *)k.mv_data + UUID_LEN) == seq;
	else if (mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
	mdb_cursor_close(c);
	return rc;
}

int replica_next_batch(replica *r, size_t max, Hearth__Op ***ops, uint64_t **outbox_keys, size_t *n)
{
	MDB_txn *t = NULL;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	Hearth__Op *op = NULL;
	int rc, mrc;

	*ops = NULL;
	*outbox_keys = NULL;
	*n = 0;
	if (max == 0)
		return 0;
	if ((rc = txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->outbox, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && *n < max;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t seq;
		int head;

		if (k.mv_size != 8) {
			rc = HEARTH_ECORRUPT;
			goto fail;
		}
		seq = be64_get(k.mv_data);
		op = hearth__op__unpack(NULL, v.mv_size, v.mv_data);
		if (!op || !op->record || op->record->id.len != UUID_LEN) {
			rc = HEARTH_ECORRUPT;
			goto fail;
		}
		if ((rc = is_head(r, t, op->record->id.data, seq, &head)) != 0)
			goto fail;
		if (!head) {
			op_free(op);
			op = NULL;
			continue;
		}
		if (*n % 64 == 0) {
			Hearth__Op **no = realloc(*ops, (*n + 64) * sizeof(*no));
			uint64_t *nk;
			if (!no) {
				rc = HEARTH_ENOMEM;
				goto fail;
			}
			*ops = no;
			nk = realloc(*outbox_keys, (*n + 64) * sizeof(*nk));
			if (!nk) {
				rc = HEARTH_ENOMEM;
				goto fail;
			}
			*outbox_keys = nk;
		}
		(*ops)[*n] = op;
		(*outbox_keys)[*n] = seq;
		(*n)++;
		op = NULL;
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
fail:
	op_free(op);
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	if (rc != 0) {
		replica_ops_free(*ops, *outbox_keys, *n);
		*ops = NULL;
		*outbox_keys = NULL;
		*n = 0;
	}
	return rc;
}

void replica_ops_free(Hearth__Op **ops, uint64_t *keys, size_t n)
{
	for (size_t i = 0; ops && i < n; i++)
		op_free(ops[i]);
	free(ops);
	free(keys);
}

/* Stores rec as the server copy unless we already hold a newer revision
 * (a push result and a pull page may arrive in either order). */
static int store_server_copy(replica *r, MDB_txn *t, const Hearth__Record *rec)
{
	Hearth__Record *old = NULL;
	int rc = load_record(t, r->server, rec->id.data, &old);

	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		return rc;
	rc = 0;
	if (!old || rec->rev >= old->rev)
		rc = db_put_msg(t, r->server, rec->id.data, UUID_LEN, &rec->base);
	record_free(old);
	return rc;
}

/* Later ops of the record were made on top of the op that just came back,
 * so their base is now the revision the server gave it. */
static int rebase_pending(replica *r, MDB_txn *t, const uint8_t id[16], uint64_t rev)
{
	uint64_t *seqs = NULL;
	size_t n = 0;
	Hearth__Op *op = NULL;
	int rc = pending_of(r, t, id, &seqs, &n);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		uint8_t key[8];
		if ((rc = load_op(t, r, seqs[i], &op)) != 0)
			break;
		if (op->base_rev != rev) {
			op->base_rev = rev;
			be64_put(key, seqs[i]);
			rc = db_put_msg(t, r->outbox, key, 8, &op->base);
		}
		op_free(op);
		op = NULL;
	}
	op_free(op);
	free(seqs);
	return rc;
}

int replica_apply_result(replica *r, uint64_t outbox_key, const Hearth__Op *op,
                         const Hearth__OpResult *res, char *err, size_t errlen)
{
	const uint8_t *id;
	uint8_t key[8];
	MDB_val v;
	MDB_txn *t = NULL;
	int rc;

	if (!op->record || op->record->id.len != UUID_LEN)
		return say(err, errlen, HEARTH_EINVAL, "the op has no record id");
	id = op->record->id.data;
	if (res->record && (res->record->id.len != UUID_LEN || memcmp(res->record->id.data, id, UUID_LEN)))
		return say(err, errlen, HEARTH_EPROTO,
		           "the server's result for an op names another record");
	if ((rc = txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	be64_put(key, outbox_key);
	rc = db_get(t, r->outbox, key, 8, &v);
	if (rc == HEARTH_ENOTFOUND) {
		rc = say(err, errlen, rc, "op %llu is no longer in the outbox",
		         (unsigned long long)outbox_key);
		goto fail;
	}
	if (rc != 0)
		goto fail_store;
	if ((rc = outbox_remove(r, t, id, outbox_key)) != 0)
		goto fail_store;
	switch (res->status) {
	case HEARTH__OP_STATUS__OP_APPLIED:
	case HEARTH__OP_STATUS__OP_MERGED:
	case HEARTH__OP_STATUS__OP_CONFLICT:
	case HEARTH__OP_STATUS__OP_DUPLICATE: {
		uint64_t rev = res->rev ? res->rev : (res->record ? res->record->rev : 0);
		if (res->record && (rc = store_server_copy(r, t, res->record)) != 0)
			goto fail_store;
		if (rev && (rc = rebase_pending(r, t, id, rev)) != 0)
			goto fail_store;
		break;
	}
	case HEARTH__OP_STATUS__OP_REJECTED:
		/* The change is dropped; the caller has told the user why. */
		break;
	default:
		rc = say(err, errlen, HEARTH_EPROTO, "the server sent an unknown op status %d",
		         (int)res->status);
		goto fail;
	}
	if ((rc = rebuild_local(r, t, id)) != 0)
		goto fail_store;
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	return 0;

fail_store:
	say_store(err, errlen, rc, "storing a push result");
fail:
	if (t)
		mdb_txn_abort(t);
	return rc;
}

/* Conflicts a pending op already resolves: a pull must not bring them back
 * as open before that op has reached the server. */
static int pending_resolves(replica *r, MDB_txn *t, struct blobs *out)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = lmdb_err(mdb_cursor_open(t, r->outbox, &c))) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Hearth__Op *op = hearth__op__unpack(NULL, v.mv_size, v.mv_data);
		if (!op) {
			rc = HEARTH_ECORRUPT;
			break;
		}
		if (op->resolves.len == UUID_LEN)
			rc = blobs_add(out, op->resolves.data, UUID_LEN);
		op_free(op);
	}
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
	mdb_cursor_close(c);
	return rc;
}

int replica_apply_pull(replica *r, const Hearth__PullResponse *page, char *err, size_t errlen)
{
	struct blobs resolving = { 0 };
	MDB_txn *t = NULL;
	MDB_val scope_val;
	char scope[128] = "";
	uint64_t cursor;
	int rc;

	for (size_t i = 0; i < page->n_records; i++)
		if (page->records[i]->id.len != UUID_LEN)
			return say(err, errlen, HEARTH_EPROTO, "the server sent a record without a valid id");
	for (size_t i = 0; i < page->n_conflicts; i++)
		if (page->conflicts[i]->id.len != UUID_LEN)
			return say(err, errlen, HEARTH_EPROTO, "the server sent a conflict without a valid id");
	if ((rc = txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	/* A record that left this replica's branch (an accepted transfer)
	 * arrives as a body-less stub naming its new branch: the replica keeps
	 * nothing of it. Pending ops on it stay and are refused on push. */
	rc = db_get(t, r->meta, "scope", 5, &scope_val);
	if (rc == 0 && scope_val.mv_size < sizeof(scope)) {
		memcpy(scope, scope_val.mv_data, scope_val.mv_size);
		scope[scope_val.mv_size] = '\0';
	} else if (rc != 0 && rc != HEARTH_ENOTFOUND) {
		goto fail_store;
	}
	for (size_t i = 0; i < page->n_records; i++) {
		const Hearth__Record *rec = page->records[i];
		if (scope[0] && strcmp(rec->branch_id, scope) != 0) {
			if ((rc = db_del(t, r->server, rec->id.data, UUID_LEN)) != 0 ||
			    (rc = db_del(t, r->local, rec->id.data, UUID_LEN)) != 0)
				goto fail_store;
			continue;
		}
		if ((rc = store_server_copy(r, t, rec)) != 0)
			goto fail_store;
		if ((rc = rebuild_local(r, t, rec->id.data)) != 0)
			goto fail_store;
	}
	if (page->n_conflicts && (rc = pending_resolves(r, t, &resolving)) != 0)
		goto fail_store;
	for (size_t i = 0; i < page->n_conflicts; i++) {
		const Hearth__Conflict *c = page->conflicts[i];
		int resolved_here = 0;
		for (size_t j = 0; j < resolving.n; j++)
			resolved_here |= !memcmp(resolving.v[j].data, c->id.data, UUID_LEN);
		if (c->state == HEARTH__CONFLICT_STATE__CONFLICT_OPEN && !resolved_here)
			rc = db_put_msg(t, r->conflicts, c->id.data, UUID_LEN, &c->base);
		else
			rc = db_del(t, r->conflicts, c->id.data, UUID_LEN);
		if (rc != 0)
			goto fail_store;
	}
	/* The cursor only moves forward: an empty page may carry 0. */
	if ((rc = meta_get_u64(t, r, "cursor", &cursor)) != 0)
		goto fail_store;
	if (page->cursor > cursor && (rc = meta_put_u64(t, r, "cursor", page->cursor)) != 0)
		goto fail_store;
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	goto fail;

fail_store:
	say_store(err, errlen, rc, "storing a pulled page");
fail:
	if (t)
		mdb_txn_abort(t);
	blobs_free(&resolving);
	return rc;
}

/* ---------------------------------------------------------- status */

static int count_live_fn(void *ctx, const uint8_t *id, const MDB_val *v)
{
	Hearth__Record *rec;
	(void)id;
	if (unpack_record(v, &rec) != 0)
		return HEARTH_ECORRUPT;
	if (!rec->deleted)
		(*(uint64_t *)ctx)++;
	record_free(rec);
	return 0;
}

int replica_status_get(replica *r, replica_status *st)
{
	MDB_txn *t;
	MDB_stat ms;
	uint64_t ls = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = meta_get_u64(t, r, "cursor", &st->cursor)) != 0 ||
	    (rc = meta_get_u64(t, r, "last_sync", &ls)) != 0)
		goto fail;
	st->last_sync_ms = (int64_t)ls;
	if ((rc = lmdb_err(mdb_stat(t, r->outbox, &ms))) != 0)
		goto fail;
	st->pending_ops = ms.ms_entries;
	if ((rc = lmdb_err(mdb_stat(t, r->conflicts, &ms))) != 0)
		goto fail;
	st->open_conflicts = ms.ms_entries;
	rc = scan_view(r, t, count_live_fn, &st->records);
fail:
	mdb_txn_abort(t);
	return rc;
}

static int meta_write_u64(replica *r, const char *key, uint64_t val)
{
	MDB_txn *t;
	int rc = txn_begin(r, 1, &t);
	if (rc != 0)
		return rc;
	if ((rc = meta_put_u64(t, r, key, val)) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	return lmdb_err(mdb_txn_commit(t));
}

int replica_set_last_sync(replica *r, int64_t ms)
{
	return meta_write_u64(r, "last_sync", (uint64_t)ms);
}

int replica_cursor(replica *r, uint64_t *cursor)
{
	MDB_txn *t;
	int rc = txn_begin(r, 0, &t);
	*cursor = 0;
	if (rc != 0)
		return rc;
	rc = meta_get_u64(t, r, "cursor", cursor);
	mdb_txn_abort(t);
	return rc;
}

int replica_meta_get_str(replica *r, const char *key, char *out, size_t cap)
{
	MDB_txn *t;
	MDB_val v;
	int rc = txn_begin(r, 0, &t);

	if (cap)
		out[0] = '\0';
	if (rc != 0)
		return rc;
	rc = db_get(t, r->meta, key, strlen(key), &v);
	if (rc == 0) {
		if (v.mv_size >= cap)
			rc = HEARTH_ETOOBIG;
		else {
			memcpy(out, v.mv_data, v.mv_size);
			out[v.mv_size] = '\0';
		}
	}
	mdb_txn_abort(t);
	return rc;
}

int replica_meta_set_str(replica *r, const char *key, const char *value)
{
	MDB_txn *t;
	int rc = txn_begin(r, 1, &t);
	if (rc != 0)
		return rc;
	if ((rc = db_put(t, r->meta, key, strlen(key), value, strlen(value))) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	return lmdb_err(mdb_txn_commit(t));
}

/* ---------------------------------------------------------- divergence */

int replica_digest(replica *r, const char *branch, kind_digest_acc acc[REPLICA_MAX_KINDS])
{
	MDB_txn *t;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	memset(acc, 0, sizeof(kind_digest_acc) * REPLICA_MAX_KINDS);
	if ((rc = txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->server, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Hearth__Record *rec;
		uint8_t md[SHA256_DIGEST_LENGTH];
		int kind;

		if ((rc = unpack_record(&v, &rec)) != 0)
			goto fail;
		kind = (int)rec->kind;
		if ((branch && strcmp(rec->branch_id, branch) != 0) || kind < 0 ||
		    kind >= REPLICA_MAX_KINDS) {
			record_free(rec);
			continue;
		}
		record_free(rec);
		SHA256(v.mv_data, v.mv_size, md);
		acc[kind].count++;
		for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
			acc[kind].digest[i] ^= md[i];
	}
	if (mrc != MDB_NOTFOUND)
		rc = lmdb_err(mrc);
fail:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	return rc;
}

int replica_reset_server(replica *r)
{
	MDB_txn *t;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = txn_begin(r, 1, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_drop(t, r->server, 0))) != 0 ||
	    (rc = lmdb_err(mdb_drop(t, r->conflicts, 0))) != 0 ||
	    (rc = meta_put_u64(t, r, "cursor", 0)) != 0)
		goto fail;
	/* A local copy without pending ops would now shadow nothing: drop it,
	 * the re-pull brings the server's version back. */
	if ((rc = lmdb_err(mdb_cursor_open(t, r->local, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t *seqs = NULL;
		size_t n = 0;
		if (k.mv_size != UUID_LEN)
			continue;
		if ((rc = pending_of(r, t, k.mv_data, &seqs, &n)) != 0)
			goto fail;
		free(seqs);
		if (n == 0 && (rc = lmdb_err(mdb_cursor_del(c, 0))) != 0)
			goto fail;
	}
	if (mrc != MDB_NOTFOUND) {
		rc = lmdb_err(mrc);
		goto fail;
	}
	mdb_cursor_close(c);
	c = NULL;
	return lmdb_err(mdb_txn_commit(t));
fail:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(t);
	return rc;
}

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
	struct blobs b = { 0 };
	MDB_txn *t;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	*out = NULL;
	*n = 0;
	if ((rc = txn_begin(r, 0, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_cursor_open(t, r->conflicts, &c))) != 0)
		goto fail;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		rc = blobs_add(&b, v.mv_data, v.mv_size);
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
	blobs_free(&b);
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
	if (!prefix_ok(id_text))
		return say(err, errlen, HEARTH_EINVAL,
		           "\"%s\" is not a conflict id or an id prefix of at least 4 hex digits", id_text);
	if ((rc = load_conflicts(r, &cs, &n)) != 0)
		return say_store(err, errlen, rc, "reading conflicts");
	for (size_t i = 0; i < n; i++) {
		if (cs[i]->id.len == UUID_LEN && id_has_prefix(cs[i]->id.data, id_text)) {
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
		return say(err, errlen, HEARTH_ENOTFOUND,
		           "no open conflict %s in the local replica; 'hearth conflicts' lists them "
		           "(run 'hearth sync' to fetch new ones)",
		           id_text);
	if (matches > 1)
		return say(err, errlen, HEARTH_EINVAL,
		           "conflict id prefix %s matches %zu conflicts; give more digits", id_text, matches);
	return 0;
}

/* ---------------------------------------------------------- audit witness */

int replica_meta_get_bytes(replica *r, const char *key, uint8_t **out, size_t *len)
{
	MDB_txn *t;
	MDB_val v;
	int rc = txn_begin(r, 0, &t);

	*out = NULL;
	*len = 0;
	if (rc != 0)
		return rc;
	rc = db_get(t, r->meta, key, strlen(key), &v);
	if (rc == 0) {
		*out = malloc(v.mv_size ? v.mv_size : 1);
		if (!*out)
			rc = HEARTH_ENOMEM;
		else {
			memcpy(*out, v.mv_data, v.mv_size);
			*len = v.mv_size;
		}
	}
	mdb_txn_abort(t);
	return rc;
}

int replica_meta_set_bytes(replica *r, const char *key, const uint8_t *data, size_t len)
{
	MDB_txn *t;
	int rc = txn_begin(r, 1, &t);
	if (rc != 0)
		return rc;
	if ((rc = db_put(t, r->meta, key, strlen(key), data, len)) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	return lmdb_err(mdb_txn_commit(t));
}

int replica_checkpoint_get(replica *r, Hearth__Checkpoint **out)
{
	uint8_t *b;
	size_t n;
	int rc = replica_meta_get_bytes(r, "checkpoint", &b, &n);

	*out = NULL;
	if (rc != 0)
		return rc;
	*out = hearth__checkpoint__unpack(NULL, n, b);
	free(b);
	return *out ? 0 : HEARTH_ECORRUPT;
}

int replica_checkpoint_put(replica *r, const Hearth__Checkpoint *cp)
{
	MDB_txn *t;
	MDB_val v;
	int rc = txn_begin(r, 1, &t);

	if (rc != 0)
		return rc;
	rc = db_get(t, r->meta, "checkpoint", 10, &v);
	if (rc == 0) {
		Hearth__Checkpoint *old = hearth__checkpoint__unpack(NULL, v.mv_size, v.mv_data);
		int older = old && old->size > cp->size;
		if (old)
			hearth__checkpoint__free_unpacked(old, NULL);
		if (older) {
			mdb_txn_abort(t);
			return 0;
		}
	} else if (rc != HEARTH_ENOTFOUND) {
		goto fail;
	}
	if ((rc = db_put_msg(t, r->meta, "checkpoint", 10, &cp->base)) != 0)
		goto fail;
	return lmdb_err(mdb_txn_commit(t));
fail:
	mdb_txn_abort(t);
	return rc;
}

/* ---------------------------------------------------------- client events */

int replica_queue_events(replica *r, Hearth__ClientEvent *const *events, size_t n)
{
	MDB_txn *t;
	uint64_t seq;
	int rc = txn_begin(r, 1, &t);

	if (rc != 0)
		return rc;
	if ((rc = meta_get_u64(t, r, "event_seq", &seq)) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		uint8_t key[8];
		be64_put(key, ++seq);
		if ((rc = db_put_msg(t, r->events, key, 8, &events[i]->base)) != 0)
			goto fail;
	}
	if ((rc = meta_put_u64(t, r, "event_seq", seq)) != 0)
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
	if ((rc = txn_begin(r, 0, &t)) != 0)
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
		(*keys)[*n] = be64_get(k.mv_data);
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
	int rc = txn_begin(r, 1, &t);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		uint8_t key[8];
		be64_put(key, keys[i]);
		if ((rc = db_del(t, r->events, key, 8)) != 0) {
			mdb_txn_abort(t);
			return rc;
		}
	}
	return lmdb_err(mdb_txn_commit(t));
}

/* ---------------------------------------------------------- batch edits */

int replica_edit_batch(replica *r, Hearth__Record *const *recs, const int *create, size_t n,
                       char *err, size_t errlen)
{
	MDB_txn *t = NULL;
	int rc;

	if ((rc = txn_begin(r, 1, &t)) != 0)
		return say_store(err, errlen, rc, "starting the batch");
	for (size_t i = 0; i < n; i++) {
		if ((rc = edit_record(r, t, recs[i], create[i], err, errlen)) != 0) {
			mdb_txn_abort(t);
			return rc;
		}
	}
	rc = lmdb_err(mdb_txn_commit(t));
	if (rc != 0)
		say_store(err, errlen, rc, "recording the batch");
	return rc;
}
