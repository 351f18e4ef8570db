/* replica.c: the client's local LMDB replica: opening it, reading records
 * and making local edits (each in one write transaction, so a crash at any
 * point leaves a consistent replica). Sync, status/meta, conflicts and the
 * event queue are in replica_sync.c, replica_meta.c, replica_conflicts.c
 * and replica_events.c; the shared LMDB steps in replica_store.c. */
#include "client/core/replica.h"

#include "common/arena.h"
#include "client/core/read_only.h"
#include "client/core/replica_digest.h"
#include "client/core/replica_store.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/merge.h"
#include "common/record_peek.h"
#include "common/lmdb_err.h"
#include "common/uuid.h"

#define MAP_SIZE_DEFAULT (1ull << 30)


static int64_t now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
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

/* LMDB forbids opening one environment twice in a process (closing the
 * second would drop the first's locks), and a long-lived process (`hearth
 * ui`: its page requests, its sync, its audit pages) opens the replica
 * from several places. So every replica_open of one directory in a process
 * shares one environment, counted, and the last replica_close closes it.
 * Sharing costs no freshness: every read runs its own read transaction,
 * which sees the last write committed by any process. Directories are
 * told apart by device and inode, so two spellings of one home share. A
 * child forked with the list must not use its parent's environment (LMDB
 * forbids it): entries are the process's that opened them. */
typedef struct shared_env {
	dev_t dev;
	ino_t ino;
	pid_t pid;                  /* the process that opened it */
	replica r;                  /* the handle as first opened */
	unsigned refs;
	struct shared_env *next;
} shared_env;

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static shared_env *shared_head;     /* under shared_lock */

static int env_open(replica *r, const char *home, char *err, size_t errlen);

int replica_open(replica *r, const char *home, char *err, size_t errlen)
{
	char path[sizeof(r->path)];
	struct stat st;
	shared_env *s = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	/* Found by its directory before anything opens it: a second open of
	 * an environment already open here is what must never happen. */
	if (snprintf(path, sizeof(path), "%s/replica", home) >= (int)sizeof(path))
		return rstore_say(err, errlen, HEARTH_EINVAL, _("the home directory path %s is too long"), home);
	if (mkdir_0700(home) != 0 || mkdir_0700(path) != 0 || stat(path, &st) != 0)
		return rstore_say(err, errlen, HEARTH_EIO, _("cannot create the replica directory %s: %s"), path,
		                  strerror(errno));
	pthread_mutex_lock(&shared_lock);
	for (shared_env *o = shared_head; o; o = o->next) {
		if (o->dev == st.st_dev && o->ino == st.st_ino && o->pid == getpid()) {
			*r = o->r;
			memcpy(r->path, path, sizeof(path));
			o->refs++;
			rc = 0;
			goto done;
		}
	}
	if (!(s = calloc(1, sizeof(*s)))) {
		rc = rstore_say(err, errlen, HEARTH_ENOMEM, "%s", _(hearth_strerror(HEARTH_ENOMEM)));
		goto done;
	}
	if ((rc = env_open(r, home, err, errlen)) != 0)
		goto done;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->pid = getpid();
	s->r = *r;
	s->refs = 1;
	s->next = shared_head;
	shared_head = s;
	s = NULL;
done:
	pthread_mutex_unlock(&shared_lock);
	free(s);
	return rc;
}

static int env_open(replica *r, const char *home, char *err, size_t errlen)
{
	const char *ms = getenv("HEARTH_REPLICA_MAP");
	uint64_t map_size = MAP_SIZE_DEFAULT;
	MDB_txn *t = NULL;
	MDB_val v;
	int rc, mrc;

	memset(r, 0, sizeof(*r));
	if (ms && *ms && parse_map_size(ms, &map_size) != 0)
		return rstore_say(err, errlen, HEARTH_EINVAL,
		           _("HEARTH_REPLICA_MAP=\"%s\" is not a size (bytes, or a number with K, M or G; "
		           "at least 1M)"),
		           ms);
	if (snprintf(r->path, sizeof(r->path), "%s/replica", home) >= (int)sizeof(r->path))
		return rstore_say(err, errlen, HEARTH_EINVAL, _("the home directory path %s is too long"), home);
	if (mkdir_0700(home) != 0 || mkdir_0700(r->path) != 0)
		return rstore_say(err, errlen, HEARTH_EIO, _("cannot create the replica directory %s: %s"), r->path,
		           strerror(errno));

	mrc = mdb_env_create(&r->env);
	if (mrc != 0) {
		r->env = NULL;
		rc = rstore_say(err, errlen, lmdb_err(mrc), _("cannot set up the local replica: %s"),
		         mdb_strerror(mrc));
		goto fail;
	}
	if ((mrc = mdb_env_set_maxdbs(r->env, 16)) != 0 ||
	    (mrc = mdb_env_set_mapsize(r->env, (size_t)map_size)) != 0 ||
	    (mrc = mdb_env_open(r->env, r->path, MDB_NOTLS, 0600)) != 0) {
		rc = rstore_say(err, errlen, lmdb_err(mrc), _("cannot open the local replica in %s: %s"), r->path,
		         mdb_strerror(mrc));
		goto fail;
	}
	/* A client killed mid-read leaves a stale reader slot that would pin
	 * old pages forever; clear them before anything else. */
	(void)mdb_reader_check(r->env, NULL);

	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	if ((rc = lmdb_err(mdb_dbi_open(t, "server", MDB_CREATE, &r->server))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "local", MDB_CREATE, &r->local))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "outbox", MDB_CREATE, &r->outbox))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "byrec", MDB_CREATE, &r->byrec))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "conflicts", MDB_CREATE, &r->conflicts))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "events", MDB_CREATE, &r->events))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "rejected", MDB_CREATE, &r->rejected))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "meta", MDB_CREATE, &r->meta))) != 0 ||
	    (rc = lmdb_err(mdb_dbi_open(t, "digests", MDB_CREATE, &r->digests))) != 0)
		goto fail_store;
	rc = rstore_db_get(t, r->meta, "replica_id", 10, &v);
	if (rc == 0 && v.mv_size == UUID_LEN) {
		memcpy(r->replica_id, v.mv_data, UUID_LEN);
	} else if (rc == HEARTH_ENOTFOUND) {
		if ((rc = uuid_v7(r->replica_id)) != 0) {
			rc = rstore_say(err, errlen, rc, _("cannot make a replica id: no randomness available"));
			goto fail;
		}
		/* A new replica keeps its digests from its first server copy on
		 * (an older replica gets them computed at its next sync), and
		 * knows it holds no attachment until a copy with one comes. */
		if ((rc = rstore_db_put(t, r->meta, "replica_id", 10, r->replica_id, UUID_LEN)) != 0 ||
		    (rc = rdigest_reset(r, t)) != 0 ||
		    (rc = rstore_meta_put_u64(t, r, RSTORE_NO_ATTACHMENTS, 1)) != 0)
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
	rstore_say_store(err, errlen, rc, _("opening it"));
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
	shared_env **pp;

	if (!r->env)
		return;
	pthread_mutex_lock(&shared_lock);
	for (pp = &shared_head; *pp && ((*pp)->r.env != r->env || (*pp)->pid != getpid()); pp = &(*pp)->next)
		;
	if (*pp && --(*pp)->refs == 0) {
		shared_env *s = *pp;
		*pp = s->next;
		mdb_env_close(s->r.env);
		free(s);
	} else if (!*pp) {
		mdb_env_close(r->env);
	}
	pthread_mutex_unlock(&shared_lock);
	r->env = NULL;
}

/* ---------------------------------------------------------- reading */

int replica_get(replica *r, const uint8_t id[16], Hearth__Record **out)
{
	MDB_txn *t;
	int rc = rstore_txn_begin(r, 0, &t);
	*out = NULL;
	if (rc != 0)
		return rc;
	rc = rstore_load_record(t, r->local, id, out);
	if (rc == HEARTH_ENOTFOUND)
		rc = rstore_load_record(t, r->server, id, out);
	mdb_txn_abort(t);
	return rc;
}

struct prefix_ctx {
	const char *prefix;
	uint8_t id[16];
	size_t matches;
	int tail;       /* prefix is 12 hex digits: also match the id's last 12 */
};

/* Length of an id tail as people copy it: the random end of a UUIDv7, which
 * tells records apart where the time-ordered prefix does not. */
#define ID_TAIL_LEN 12

static int id_has_tail(const uint8_t *id, const char *tail)
{
	char text[UUID_TEXT_LEN + 1];

	uuid_format(id, text);
	for (size_t i = 0; i < ID_TAIL_LEN; i++) {
		if (tolower((unsigned char)tail[i]) != text[UUID_TEXT_LEN - ID_TAIL_LEN + i])
			return 0;
	}
	return 1;
}

int replica_get_server(replica *r, const uint8_t id[16], Hearth__Record **out)
{
	MDB_txn *t;
	int rc = rstore_txn_begin(r, 0, &t);
	*out = NULL;
	if (rc != 0)
		return rc;
	rc = rstore_load_record(t, r->server, id, out);
	mdb_txn_abort(t);
	return rc;
}
static int prefix_fn(void *ctx, const uint8_t *id, const MDB_val *v)
{
	struct prefix_ctx *p = ctx;
	(void)v;
	if (rstore_id_has_prefix(id, p->prefix) || (p->tail && id_has_tail(id, p->prefix))) {
		if (p->matches++ == 0)
			memcpy(p->id, id, UUID_LEN);
	}
	return 0;
}

int replica_resolve_id(replica *r, const char *text, uint8_t id[16], char *err, size_t errlen)
{
	struct prefix_ctx p = { text, { 0 }, 0, strlen(text) == ID_TAIL_LEN && strspn(text, "0123456789abcdefABCDEF") == ID_TAIL_LEN };
	MDB_txn *t;
	int rc;

	if (!rstore_prefix_ok(text))
		return rstore_say(err, errlen, HEARTH_EINVAL,
		           _("\"%s\" is not a record id or an id prefix of at least 4 hex digits"), text);
	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rstore_say_store(err, errlen, rc, _("looking up an id"));
	if (strlen(text) == UUID_TEXT_LEN && uuid_parse(text, p.id) == 0) {
		/* A whole id is its own only match: two key lookups (the local
		 * copy, the server's) instead of a walk of every record, which an
		 * import pays per cell naming a member. */
		MDB_val v;
		rc = rstore_db_get(t, r->local, p.id, UUID_LEN, &v);
		if (rc == HEARTH_ENOTFOUND)
			rc = rstore_db_get(t, r->server, p.id, UUID_LEN, &v);
		p.matches = rc == 0;
		if (rc == HEARTH_ENOTFOUND)
			rc = 0;
	} else {
		rc = rstore_scan_view(r, t, prefix_fn, &p);
	}
	mdb_txn_abort(t);
	if (rc != 0)
		return rstore_say_store(err, errlen, rc, _("looking up an id"));
	if (p.matches == 0)
		return rstore_say(err, errlen, HEARTH_ENOTFOUND, _("no record with id %s in the local replica"), text);
	if (p.matches > 1)
		return rstore_say(err, errlen, HEARTH_EINVAL,
		           _("id prefix %s matches %zu records; give more digits"), text, p.matches);
	memcpy(id, p.id, UUID_LEN);
	return 0;
}
/* What replica_each keeps: the blobs of the records it will unpack. */
typedef struct collect_ctx {
	rstore_blobs b;
	Hearth__Kind kind;
	int with_deleted;
	int only_deleted;
	int paged;              /* keep only matches skip .. skip + keep - 1 */
	uint32_t field;         /* non-zero: only bodies with this top-level field */
	size_t seen, skip, keep;
} collect_ctx;

static int collect_fn(void *ctx, const uint8_t *id, const MDB_val *v)
{
	collect_ctx *c = ctx;
	record_peek pk;

	(void)id;
	/* The kind and deleted flag from the packed bytes (record_peek.h): a
	 * listing of one kind skips the other kinds' records at the cost of a
	 * few bytes each. Bytes that do not peek are kept, for the unpacker to
	 * judge. */
	if (record_peek_bytes(v->mv_data, v->mv_size, &pk) == 0) {
		if ((c->kind != 0 && pk.kind != (int)c->kind) || (pk.deleted && !c->with_deleted) ||
		    (!pk.deleted && c->only_deleted))
			return 0;
		/* No body, or a body surely without the field: nothing to see. */
		if (c->field && (!pk.body || record_peek_has_field(pk.body, pk.body_len, c->field) == 0))
			return 0;
		if (c->paged) {
			size_t i = c->seen++;
			if (i < c->skip || i - c->skip >= c->keep)
				return 0;
		}
	}
	return rstore_blobs_add(&c->b, v->mv_data, v->mv_size);
}

/* ar: where the records are unpacked (NULL: malloc, one by one); fn's
 * are forgotten (arena_clear) after each call, take's kept. */
static int each_in(replica *r, collect_ctx c, replica_each_fn fn, replica_take_fn take, void *ctx,
                   size_t *seen, arena *ar)
{
	ProtobufCAllocator *alloc = ar ? arena_allocator(ar) : NULL;
	rstore_blobs b;
	MDB_txn *t;
	int rc;

	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	rc = rstore_scan_view(r, t, collect_fn, &c);
	mdb_txn_abort(t);
	b = c.b;
	if (seen)
		*seen = c.seen;
	for (size_t i = 0; rc == 0 && i < b.n; i++) {
		Hearth__Record *rec = hearth__record__unpack(alloc, b.v[i].len, b.v[i].data);
		if (!rec) {
			rc = alloc && ar->failed ? HEARTH_ENOMEM : HEARTH_ECORRUPT;
			break;
		}
		if ((c.kind == 0 || rec->kind == c.kind) && (c.with_deleted || !rec->deleted) &&
		    (!c.only_deleted || rec->deleted)) {
			if (take) {
				if (take(ctx, rec) != 0)
					break;
				continue;
			}
			if (fn(ctx, rec) != 0) {
				hearth__record__free_unpacked(rec, alloc);
				break;
			}
		}
		hearth__record__free_unpacked(rec, alloc);
		if (ar && !take)
			arena_clear(ar);
	}
	rstore_blobs_free(&b);
	return rc;
}

static int each(replica *r, collect_ctx c, replica_each_fn fn, replica_take_fn take, void *ctx,
                size_t *seen)
{
	return each_in(r, c, fn, take, ctx, seen, NULL);
}

int replica_each(replica *r, Hearth__Kind kind, int with_deleted, replica_each_fn fn, void *ctx)
{
	return each(r, (collect_ctx){ .kind = kind, .with_deleted = with_deleted }, fn, NULL, ctx, NULL);
}

int replica_each_with_field(replica *r, uint32_t number, replica_each_fn fn, void *ctx)
{
	return each(r, (collect_ctx){ .field = number }, fn, NULL, ctx, NULL);
}

int replica_each_deleted(replica *r, Hearth__Kind kind, replica_each_fn fn, void *ctx)
{
	return each(r, (collect_ctx){ .kind = kind, .with_deleted = 1, .only_deleted = 1 }, fn, NULL, ctx, NULL);
}

int replica_each_take(replica *r, Hearth__Kind kind, replica_take_fn take, void *ctx)
{
	return each(r, (collect_ctx){ .kind = kind }, NULL, take, ctx, NULL);
}

struct raw_ctx {
	Hearth__Kind kind;
	replica_raw_fn fn;
	void *ctx;
};

static int raw_fn(void *ctx, const uint8_t *id, const MDB_val *v)
{
	struct raw_ctx *c = ctx;
	record_peek pk;

	/* Bytes that do not peek go to fn, for its unpacker to judge. */
	if (record_peek_bytes(v->mv_data, v->mv_size, &pk) == 0 &&
	    ((c->kind != 0 && pk.kind != (int)c->kind) || pk.deleted))
		return 0;
	return c->fn(c->ctx, id, v->mv_data, v->mv_size);
}

int replica_each_raw(replica *r, Hearth__Kind kind, replica_raw_fn fn, void *ctx)
{
	struct raw_ctx c = { kind, fn, ctx };
	MDB_txn *t;
	int rc;

	if ((rc = rstore_txn_begin(r, 0, &t)) != 0)
		return rc;
	rc = rstore_scan_view(r, t, raw_fn, &c);
	mdb_txn_abort(t);
	return rc;
}

int replica_each_in(replica *r, Hearth__Kind kind, int with_deleted, arena *ar, replica_each_fn fn, void *ctx)
{
	return each_in(r, (collect_ctx){ .kind = kind, .with_deleted = with_deleted }, fn, NULL, ctx, NULL, ar);
}

int replica_each_take_in(replica *r, Hearth__Kind kind, arena *ar, replica_take_fn take, void *ctx)
{
	return each_in(r, (collect_ctx){ .kind = kind }, NULL, take, ctx, NULL, ar);
}

int replica_page(replica *r, Hearth__Kind kind, size_t offset, size_t limit, replica_each_fn fn, void *ctx,
                 size_t *total)
{
	*total = 0;
	return each(r, (collect_ctx){ .kind = kind, .paged = 1, .skip = offset, .keep = limit }, fn, NULL, ctx,
	            total);
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
	char idt[UUID_TEXT_LEN + 1], why[600];
	MDB_txn *own = NULL, *t = outer;
	int rc;

	if (rec->id.len != UUID_LEN || !kind_find(rec->kind) ||
	    rec->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return rstore_say(err, errlen, HEARTH_EINVAL,
		           _("a record to store needs a 16-byte id, a known kind and a body"));
	uuid_format(rec->id.data, idt);
	if ((rc = rstore_body_bytes(rec, &nb, &nb_len)) != 0) {
		rc = rstore_say(err, errlen, rc, _("record %s: its body does not match its kind"), idt);
		goto fail;
	}
	if (outer == NULL) {
		if ((rc = rstore_txn_begin(r, 1, &own)) != 0)
			goto fail_store;
		t = own;
	}
	rc = rstore_load_record(t, r->server, rec->id.data, &srv);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	rc = rstore_load_record(t, r->local, rec->id.data, &loc_copy);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	view = loc_copy ? loc_copy : srv;
	if (create && view) {
		rc = rstore_say(err, errlen, HEARTH_EEXIST, _("record %s already exists"), idt);
		goto fail;
	}
	if (!create && (!view || view->deleted)) {
		rc = rstore_say(err, errlen, HEARTH_ENOTFOUND,
		                view ? _("record %s has been deleted") : _("record %s is not in the local replica"), idt);
		goto fail;
	}
	if (view && view->kind != rec->kind) {
		rc = rstore_say(err, errlen, HEARTH_EINVAL, _("record %s is of another kind"), idt);
		goto fail;
	}
	if (read_only_check(view, why, sizeof(why)) != READ_ONLY_NO) {
		rc = rstore_say(err, errlen, HEARTH_EINVAL, "%s", why);
		goto fail;
	}
	if ((rc = rstore_body_bytes(view, &vb, &vb_len)) != 0)
		goto fail_store;
	if ((rc = merge_diff(vb, vb_len, nb, nb_len, &changed, &n_changed)) != 0) {
		rc = rstore_say(err, errlen, rc, _("record %s: cannot compare the bodies: %s"), idt,
		         _(hearth_strerror(rc)));
		goto fail;
	}
	if (n_changed == 0) {
		rc = rstore_say(err, errlen, HEARTH_EINVAL, _("record %s: nothing to change"), idt);
		goto fail;
	}
	rc = rstore_rejected_get(r, t, rec->id.data, NULL, NULL);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	if (rc == 0) {
		/* Re-queue a rejected change: its ops would be rejected again as
		 * they are, so one new op carries all that now differs from the
		 * server copy and goes out at the next sync. */
		if ((rc = rstore_drop_pending(r, t, rec->id.data)) != 0 ||
		    (rc = rstore_rejected_del(r, t, rec->id.data)) != 0)
			goto fail_store;
		free(vb);
		free(changed);
		vb = NULL;
		changed = NULL;
		vb_len = n_changed = 0;
		if (srv && (rc = rstore_body_bytes(srv, &vb, &vb_len)) != 0)
			goto fail_store;
		if ((rc = merge_diff(vb, vb_len, nb, nb_len, &changed, &n_changed)) != 0) {
			rc = rstore_say(err, errlen, rc, _("record %s: cannot compare the bodies: %s"), idt,
			         _(hearth_strerror(rc)));
			goto fail;
		}
		if (n_changed == 0) {
			/* Edited back to the server's copy: nothing left to send. */
			if ((rc = rstore_db_del(t, r->local, rec->id.data, UUID_LEN)) != 0)
				goto fail_store;
			goto commit;
		}
	}
	if ((rc = uuid_v7(op_id)) != 0) {
		rc = rstore_say(err, errlen, rc, _("cannot make an op id: no randomness available"));
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
	if ((rc = rstore_outbox_append(r, t, &op, NULL)) != 0)
		goto fail_store;
	loc = *rec;
	loc.rev = view ? view->rev : 0;
	loc.seq = view ? view->seq : 0;
	loc.deleted = 0;
	if ((rc = rstore_db_put_msg(t, r->local, rec->id.data, UUID_LEN, &loc.base)) != 0 ||
	    (rc = rstore_copy_stored(r, t, &loc)) != 0)
		goto fail_store;
commit:
	if (own != NULL) {
		rc = lmdb_err(mdb_txn_commit(own));
		own = NULL;
		if (rc != 0)
			goto fail_store;
	}
	goto fail;

fail_store:
	rstore_say_store(err, errlen, rc, _("recording the edit"));
fail:
	if (own)
		mdb_txn_abort(own);
	free(changed);
	free(vb);
	free(nb);
	rstore_record_free(loc_copy);
	rstore_record_free(srv);
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
	int rc = rstore_pending_of(r, t, id, &seqs, &n);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = rstore_outbox_remove(r, t, id, seqs[i]);
	free(seqs);
	if (rc == 0)
		rc = rstore_db_del(t, r->local, id, UUID_LEN);
	return rc;
}

/* A delete or a restore replaces a rejected change of id (the person chose
 * it), in t. Returns 0 or a store error. */
static int drop_rejected(replica *r, MDB_txn *t, const uint8_t id[16])
{
	int rc = rstore_rejected_get(r, t, id, NULL, NULL);

	if (rc == HEARTH_ENOTFOUND)
		return 0;
	if (rc == 0 && (rc = rstore_drop_pending(r, t, id)) == 0)
		rc = rstore_rejected_del(r, t, id);
	return rc;
}

/* What queue_deleted_flip sends: a delete or a restore. */
typedef struct flip_args {
	const Hearth__Record *srv;      /* the server copy the op is based on */
	const Hearth__Record *view;     /* what this side sees (its body travels with the op) */
	int deleted;                    /* 1: delete, 0: restore */
	int confirm_referenced;         /* delete: the person confirmed it */
	const char *what;               /* for a store failure: "recording the delete" */
} flip_args;

/* Queues the op that sets the record's deleted flag to a->deleted, and
 * stores the local copy with that flag, in t. The op carries the body, so a
 * delete-vs-edit conflict can show what this side last saw. Returns 0 or a
 * negative HEARTH_E* code with err set. */
static int queue_deleted_flip(replica *r, MDB_txn *t, const flip_args *a, char *err, size_t errlen)
{
	Hearth__Record orec = op_record(a->view), loc = *a->view;
	Hearth__Op op = HEARTH__OP__INIT;
	uint8_t op_id[16];
	int rc;

	if ((rc = uuid_v7(op_id)) != 0)
		return rstore_say(err, errlen, rc, _("cannot make an op id: no randomness available"));
	op.op_id.len = UUID_LEN;
	op.op_id.data = op_id;
	op.record = &orec;
	op.base_rev = a->srv->rev;
	op.delete_ = a->deleted;
	op.restore = !a->deleted;
	op.confirm_referenced = a->deleted && a->confirm_referenced;
	op.made_at = now_ms();
	loc.deleted = a->deleted;
	if ((rc = rstore_outbox_append(r, t, &op, NULL)) != 0 ||
	    (rc = rstore_db_put_msg(t, r->local, a->view->id.data, UUID_LEN, &loc.base)) != 0 ||
	    (rc = rstore_copy_stored(r, t, &loc)) != 0)
		return rstore_say_store(err, errlen, rc, a->what);
	return 0;
}

int replica_delete(replica *r, const uint8_t id[16], const replica_delete_opts *o, char *err,
                   size_t errlen)
{
	Hearth__Record *srv = NULL, *view = NULL;
	const Hearth__Record *v;
	char idt[UUID_TEXT_LEN + 1], why[600];
	MDB_txn *t = NULL;
	int rc;

	uuid_format(id, idt);
	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	rc = rstore_load_record(t, r->server, id, &srv);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	rc = rstore_load_record(t, r->local, id, &view);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	v = view ? view : srv;
	if (!v || v->deleted) {
		rc = rstore_say(err, errlen, HEARTH_ENOTFOUND,
		                v ? _("record %s is already deleted") : _("record %s is not in the local replica"), idt);
		goto fail;
	}
	if (read_only_check(v, why, sizeof(why)) != READ_ONLY_NO) {
		rc = rstore_say(err, errlen, HEARTH_EINVAL, "%s", why);
		goto fail;
	}
	if ((rc = drop_rejected(r, t, id)) != 0)
		goto fail_store;
	if (!srv) {
		if ((rc = forget_local_only(r, t, id)) != 0)
			goto fail_store;
	} else if ((rc = queue_deleted_flip(r, t,
	                                    &(flip_args){ .srv = srv, .view = v, .deleted = 1,
	                                                  .confirm_referenced = o && o->confirm_referenced,
	                                                  .what = _("recording the delete") },
	                                    err, errlen)) != 0) {
		goto fail;
	}
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	goto fail;

fail_store:
	rstore_say_store(err, errlen, rc, _("recording the delete"));
fail:
	if (t)
		mdb_txn_abort(t);
	rstore_record_free(view);
	rstore_record_free(srv);
	return rc;
}

int replica_restore(replica *r, const uint8_t id[16], char *err, size_t errlen)
{
	Hearth__Record *srv = NULL, *view = NULL;
	const Hearth__Record *v;
	char idt[UUID_TEXT_LEN + 1], why[600];
	MDB_txn *t = NULL;
	int rc;

	uuid_format(id, idt);
	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	rc = rstore_load_record(t, r->server, id, &srv);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	rc = rstore_load_record(t, r->local, id, &view);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	v = view ? view : srv;
	if (!v) {
		rc = rstore_say(err, errlen, HEARTH_ENOTFOUND, _("record %s is not in the local replica"), idt);
		goto fail;
	}
	if (read_only_check(v, why, sizeof(why)) != READ_ONLY_NO) {
		rc = rstore_say(err, errlen, HEARTH_EINVAL, "%s", why);
		goto fail;
	}
	if (!v->deleted || !srv || v->body_case == HEARTH__RECORD__BODY__NOT_SET) {
		rc = rstore_say(err, errlen, HEARTH_EINVAL, _("record %s is not deleted; there is nothing to restore"),
		                idt);
		goto fail;
	}
	if ((rc = drop_rejected(r, t, id)) != 0)
		goto fail_store;
	if ((rc = queue_deleted_flip(r, t,
	                             &(flip_args){ .srv = srv, .view = v, .deleted = 0,
	                                           .what = _("recording the restore") },
	                             err, errlen)) != 0)
		goto fail;
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	goto fail;

fail_store:
	rstore_say_store(err, errlen, rc, _("recording the restore"));
fail:
	if (t)
		mdb_txn_abort(t);
	rstore_record_free(view);
	rstore_record_free(srv);
	return rc;
}

/* replica_referencing's walk: one record of the view. */
typedef struct referencing_walk {
	const uint8_t *member;
	ref_summary *out;
} referencing_walk;

static int names_member(void *ctx, const char *field, const uint8_t id[16])
{
	(void)field;
	return memcmp(id, ctx, UUID_LEN) == 0;
}

static int referencing_one(void *ctx, const Hearth__Record *rec)
{
	referencing_walk *w = ctx;
	const kind_info *k = kind_find(rec->kind);
	const ProtobufCMessage *body = record_body(rec);

	if (k && body && memcmp(rec->id.data, w->member, UUID_LEN) != 0 &&
	    record_refs_each(k, body, names_member, (void *)w->member) != 0)
		ref_summary_add(w->out, k, body);
	return 0;
}

int replica_referencing(replica *r, const uint8_t member[16], ref_summary *out)
{
	referencing_walk w = { member, out };

	ref_summary_init(out);
	return replica_each(r, 0, 0, referencing_one, &w);
}

int replica_discard_unsent(replica *r, uint64_t *ops, uint64_t *records)
{
	MDB_stat so, sl;
	MDB_txn *t;
	int rc;

	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		return rc;
	if ((rc = lmdb_err(mdb_stat(t, r->outbox, &so))) != 0 ||
	    (rc = lmdb_err(mdb_stat(t, r->local, &sl))) != 0 ||
	    (rc = lmdb_err(mdb_drop(t, r->outbox, 0))) != 0 ||
	    (rc = lmdb_err(mdb_drop(t, r->byrec, 0))) != 0 ||
	    (rc = lmdb_err(mdb_drop(t, r->rejected, 0))) != 0 ||
	    (rc = lmdb_err(mdb_drop(t, r->local, 0))) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	if ((rc = lmdb_err(mdb_txn_commit(t))) != 0)
		return rc;
	if (ops)
		*ops = so.ms_entries;
	if (records)
		*records = sl.ms_entries;
	return 0;
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
		return rstore_say(err, errlen, HEARTH_EINVAL, _("the resolution does not match the conflict's record"));
	uuid_format(rec->id.data, idt);
	if ((rc = rstore_body_bytes(rec, &nb, &nb_len)) != 0) {
		rc = rstore_say(err, errlen, rc, _("record %s: its body does not match its kind"), idt);
		goto fail;
	}
	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		goto fail_store;
	rc = rstore_load_record(t, r->server, rec->id.data, &srv);
	if (rc == HEARTH_ENOTFOUND) {
		rc = rstore_say(err, errlen, rc, _("record %s has no server copy here; run 'hearth sync' first"), idt);
		goto fail;
	}
	if (rc != 0)
		goto fail_store;
	rc = rstore_load_record(t, r->local, rec->id.data, &view);
	if (rc != 0 && rc != HEARTH_ENOTFOUND)
		goto fail_store;
	/* changed = the conflict's fields plus whatever else differs from the
	 * server copy (a resurrection may bring back more than the conflict
	 * named); sent even when empty, since the op also closes the conflict. */
	for (size_t i = 0; i < c->n_fields; i++)
		if ((rc = rstore_add_field(&fields, &nf, &capf, c->fields[i]->field)) != 0)
			goto fail;
	if ((rc = rstore_body_bytes(srv, &sb, &sb_len)) != 0)
		goto fail_store;
	if ((rc = merge_diff(sb, sb_len, nb, nb_len, &diff, &n_diff)) != 0) {
		rc = rstore_say(err, errlen, rc, _("record %s: cannot compare the bodies: %s"), idt,
		         _(hearth_strerror(rc)));
		goto fail;
	}
	for (size_t i = 0; i < n_diff; i++)
		if ((rc = rstore_add_field(&fields, &nf, &capf, diff[i])) != 0)
			goto fail;
	if ((rc = uuid_v7(op_id)) != 0) {
		rc = rstore_say(err, errlen, rc, _("cannot make an op id: no randomness available"));
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
	if ((rc = rstore_outbox_append(r, t, &op, NULL)) != 0)
		goto fail_store;
	/* The new local view: the old view (it may hold other pending edits)
	 * with this op's fields taken from the resolution. */
	if ((rc = rstore_body_bytes(view ? view : srv, &vb, &vb_len)) != 0)
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
		if ((rc = rstore_put_local(r, t, &shape, k, out, out_len, del)) != 0)
			goto fail_store;
	}
	if ((rc = rstore_db_del(t, r->conflicts, c->id.data, UUID_LEN)) != 0)
		goto fail_store;
	rc = lmdb_err(mdb_txn_commit(t));
	t = NULL;
	if (rc != 0)
		goto fail_store;
	goto fail;

fail_store:
	rstore_say_store(err, errlen, rc, _("recording the resolution"));
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
	rstore_record_free(view);
	rstore_record_free(srv);
	return rc;
}

/* ---------------------------------------------------------- batch edits */

int replica_edit_batch(replica *r, Hearth__Record *const *recs, const int *create, size_t n,
                       char *err, size_t errlen)
{
	MDB_txn *t = NULL;
	int rc;

	if ((rc = rstore_txn_begin(r, 1, &t)) != 0)
		return rstore_say_store(err, errlen, rc, _("starting the batch"));
	for (size_t i = 0; i < n; i++) {
		if ((rc = edit_record(r, t, recs[i], create[i], err, errlen)) != 0) {
			mdb_txn_abort(t);
			return rc;
		}
	}
	rc = lmdb_err(mdb_txn_commit(t));
	if (rc != 0)
		rstore_say_store(err, errlen, rc, _("recording the batch"));
	return rc;
}

