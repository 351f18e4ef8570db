/* chunks.c: the server's store of attachment content: chunks, each
 * branch's copy of a file, the index of the records that name a file and
 * the quota each branch uses (see chunks.h). */
#include "server/db/chunks.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/hearth.h"
#include "common/record.h"
#include "server/db/audit_log.h"

/* A copy's value: size(8) chunks(4) have(4) complete(1), then hashes. */
#define COPY_HEAD 17
/* Branches locate looks at for one file. */
#define LOCATE_MAX 16

uint32_t chunks_count(uint64_t size)
{
	return (uint32_t)((size + CHUNK_SIZE - 1) / CHUNK_SIZE);
}

static int dbi(MDB_txn *txn, const char *name, MDB_dbi *out)
{
	return store_err(mdb_dbi_open(txn, name, 0, out));
}

static size_t copy_key(uint8_t *key, const uint8_t file[32], const char *branch)
{
	size_t n = strlen(branch);

	memcpy(key, file, 32);
	memcpy(key + 32, branch, n);
	return 32 + n;
}

/* The copy of file held by branch into f (have, complete; 0 when none) and
 * its value into *v (valid in txn). Returns 0, HEARTH_ENOTFOUND or a code. */
static int load_copy(MDB_txn *txn, MDB_dbi files, chunks_file *f, MDB_val *v)
{
	uint8_t key[32 + STORE_BRANCH_MAX + 1];
	MDB_val k = { copy_key(key, f->sha256, f->branch), key };
	int rc = mdb_get(txn, files, &k, v);

	f->have = 0;
	f->complete = 0;
	if (rc == MDB_NOTFOUND)
		return HEARTH_ENOTFOUND;
	if (rc)
		return store_err(rc);
	if (v->mv_size < COPY_HEAD)
		return HEARTH_ECORRUPT;
	f->have = be32_get((const uint8_t *)v->mv_data + 12);
	f->complete = ((const uint8_t *)v->mv_data)[16] != 0;
	if (v->mv_size != COPY_HEAD + (size_t)f->have * 32)
		return HEARTH_ECORRUPT;
	return 0;
}

/* One branch that names the file, as locate collects them. */
typedef struct candidate {
	chunks_file f;
} candidate;

/* Whether rec names file in its attachments; fills f's metadata if so. */
static int names_file(const Hearth__Record *rec, const uint8_t file[32], chunks_file *f)
{
	size_t n;
	Hearth__Attachment **list = attachment_list(record_body(rec), &n);

	for (size_t i = 0; i < n; i++) {
		const Hearth__Attachment *a = list[i];
		if (a->sha256.len != 32 || memcmp(a->sha256.data, file, 32) != 0)
			continue;
		memcpy(f->sha256, file, 32);
		snprintf(f->branch, sizeof(f->branch), "%s", rec->branch_id);
		memcpy(f->record_id, rec->id.data, 16);
		f->kind = rec->kind;
		snprintf(f->name, sizeof(f->name), "%s", a->name);
		snprintf(f->type, sizeof(f->type), "%s", a->type);
		f->size = a->size;
		f->chunks = chunks_count(a->size);
		return 1;
	}
	return 0;
}

/* Collects into c the branches of sc whose records name file (at most
 * LOCATE_MAX, one each). */
static int collect(store *s, MDB_txn *txn, const store_scope *sc, const uint8_t file[32], candidate *c,
                   size_t *n)
{
	MDB_dbi refs;
	MDB_cursor *cur = NULL;
	MDB_val k = { 32, (void *)file }, v;
	int rc, op = MDB_SET_RANGE;

	*n = 0;
	if ((rc = dbi(txn, CHUNKS_REFS_DB, &refs)) != 0)
		return rc;
	if ((rc = store_err(mdb_cursor_open(txn, refs, &cur))) != 0)
		return rc;
	for (; *n < LOCATE_MAX; op = MDB_NEXT) {
		MDB_val rk, rv;
		Hearth__Record *rec;
		chunks_file f;
		int dup = 0;

		if ((rc = mdb_cursor_get(cur, &k, &v, op)) != 0) {
			rc = rc == MDB_NOTFOUND ? 0 : store_err(rc);
			break;
		}
		if (k.mv_size != 48 || memcmp(k.mv_data, file, 32) != 0)
			break;
		rk.mv_size = 16;
		rk.mv_data = (uint8_t *)k.mv_data + 32;
		if ((rc = mdb_get(txn, s->records, &rk, &rv)) == MDB_NOTFOUND)
			continue;
		if (rc) {
			rc = store_err(rc);
			break;
		}
		if ((rec = hearth__record__unpack(NULL, rv.mv_size, rv.mv_data)) == NULL)
			continue;
		memset(&f, 0, sizeof(f));
		if (store_scope_has(sc, rec->branch_id) && names_file(rec, file, &f)) {
			for (size_t i = 0; i < *n; i++)
				dup |= strcmp(c[i].f.branch, f.branch) == 0;
			if (!dup)
				c[(*n)++].f = f;
		}
		hearth__record__free_unpacked(rec, NULL);
	}
	mdb_cursor_close(cur);
	return rc;
}

int chunks_locate(store *s, MDB_txn *txn, const store_scope *sc, const char *own, const uint8_t file[32],
                  chunks_file *out)
{
	candidate c[LOCATE_MAX];
	MDB_dbi files;
	size_t n, best = 0;
	int rc;

	if ((rc = collect(s, txn, sc, file, c, &n)) != 0)
		return rc;
	if (n == 0)
		return HEARTH_ENOTFOUND;
	if ((rc = dbi(txn, CHUNKS_FILES_DB, &files)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		MDB_val v;
		if ((rc = load_copy(txn, files, &c[i].f, &v)) != 0 && rc != HEARTH_ENOTFOUND)
			return rc;
	}
	/* A whole copy first, then the asker's own branch, then the furthest. */
	for (size_t i = 0; i < n; i++) {
		const chunks_file *b = &c[best].f, *f = &c[i].f;
		int own_f = own && !strcmp(f->branch, own), own_b = own && !strcmp(b->branch, own);
		if (f->complete != b->complete ? f->complete
		                               : own_f != own_b ? own_f : f->have > b->have)
			best = i;
	}
	*out = c[best].f;
	return 0;
}

/* The SHA-256 of the whole file from its chunks (hashes, n of them). */
static int file_hash(store *s, MDB_txn *txn, const uint8_t *hashes, uint32_t n, const MDB_val *last,
                     uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	MDB_dbi cdb;
	int rc = 0;

	(void)s;
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		rc = HEARTH_ENOMEM;
		goto done;
	}
	if ((rc = dbi(txn, CHUNKS_DB, &cdb)) != 0)
		goto done;
	for (uint32_t i = 0; i < n; i++) {
		MDB_val k = { 32, (void *)(hashes + 32 * (size_t)i) }, v;
		if ((rc = mdb_get(txn, cdb, &k, &v)) != 0) {
			rc = rc == MDB_NOTFOUND ? HEARTH_ECORRUPT : store_err(rc);
			goto done;
		}
		EVP_DigestUpdate(md, v.mv_data, v.mv_size);
	}
	EVP_DigestUpdate(md, last->mv_data, last->mv_size);
	EVP_DigestFinal_ex(md, out, NULL);
done:
	EVP_MD_CTX_free(md);
	return rc;
}

static int quota_get(MDB_txn *txn, MDB_dbi q, const char *branch, uint64_t *used)
{
	MDB_val k = { strlen(branch), (void *)branch }, v;
	int rc = mdb_get(txn, q, &k, &v);

	*used = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_err(rc);
	if (v.mv_size != 8)
		return HEARTH_ECORRUPT;
	*used = be64_get(v.mv_data);
	return 0;
}

static int quota_put(MDB_txn *txn, MDB_dbi q, const char *branch, uint64_t used)
{
	uint8_t b[8];
	MDB_val k = { strlen(branch), (void *)branch }, v = { 8, b };

	be64_put(b, used);
	return store_err(mdb_put(txn, q, &k, &v, 0));
}

/* Writes the copy f with the hashes old (f->have - 1 of them when a chunk
 * was added: then added is the new one). */
static int write_copy(MDB_txn *txn, MDB_dbi files, const chunks_file *f, const uint8_t *old, uint32_t n_old,
                      const uint8_t *added)
{
	uint8_t key[32 + STORE_BRANCH_MAX + 1];
	MDB_val k = { copy_key(key, f->sha256, f->branch), key }, v;
	size_t len = COPY_HEAD + (size_t)f->have * 32;
	uint8_t *buf = malloc(len);
	int rc;

	if (!buf)
		return HEARTH_ENOMEM;
	be64_put(buf, f->size);
	be32_put(buf + 8, f->chunks);
	be32_put(buf + 12, f->have);
	buf[16] = (uint8_t)(f->complete != 0);
	if (n_old)
		memcpy(buf + COPY_HEAD, old, (size_t)n_old * 32);
	if (added)
		memcpy(buf + COPY_HEAD + (size_t)n_old * 32, added, 32);
	v.mv_size = len;
	v.mv_data = buf;
	rc = store_err(mdb_put(txn, files, &k, &v, 0));
	free(buf);
	return rc;
}

/* Counts one more (delta +1) or one fewer (-1) copy listing chunk; the
 * chunk itself goes with its last reference. */
static int chunk_ref(MDB_txn *txn, const uint8_t chunk[32], int delta)
{
	MDB_dbi refs, cdb;
	MDB_val k = { 32, (void *)chunk }, v;
	uint8_t b[4];
	uint32_t n = 0;
	int rc;

	if ((rc = dbi(txn, CHUNKS_COUNT_DB, &refs)) != 0 || (rc = dbi(txn, CHUNKS_DB, &cdb)) != 0)
		return rc;
	rc = mdb_get(txn, refs, &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return store_err(rc);
	if (rc == 0 && v.mv_size == 4)
		n = be32_get(v.mv_data);
	n = delta > 0 ? n + 1 : n > 0 ? n - 1 : 0;
	if (n == 0) {
		rc = mdb_del(txn, refs, &k, NULL);
		if (rc && rc != MDB_NOTFOUND)
			return store_err(rc);
		rc = mdb_del(txn, cdb, &k, NULL);
		return rc && rc != MDB_NOTFOUND ? store_err(rc) : 0;
	}
	be32_put(b, n);
	v.mv_size = 4;
	v.mv_data = b;
	return store_err(mdb_put(txn, refs, &k, &v, 0));
}

/* Removes the copy f (of f->branch) and what it listed of the chunks. */
static int drop_copy(MDB_txn *txn, MDB_dbi files, const chunks_file *f)
{
	uint8_t key[32 + STORE_BRANCH_MAX + 1], *hashes = NULL;
	MDB_val k = { copy_key(key, f->sha256, f->branch), key }, v;
	uint32_t have;
	int rc = mdb_get(txn, files, &k, &v);

	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_err(rc);
	if (v.mv_size < COPY_HEAD)
		return HEARTH_ECORRUPT;
	have = be32_get((const uint8_t *)v.mv_data + 12);
	if (v.mv_size != COPY_HEAD + (size_t)have * 32)
		return HEARTH_ECORRUPT;
	/* The value is LMDB's page, which the deletes below may reuse. */
	if (have && (hashes = malloc((size_t)have * 32)) == NULL)
		return HEARTH_ENOMEM;
	if (have)
		memcpy(hashes, (uint8_t *)v.mv_data + COPY_HEAD, (size_t)have * 32);
	rc = store_err(mdb_del(txn, files, &k, NULL));
	for (uint32_t i = 0; rc == 0 && i < have; i++)
		rc = chunk_ref(txn, hashes + 32 * (size_t)i, -1);
	free(hashes);
	return rc;
}

static int audit_upload(store *s, MDB_txn *txn, const chunks_put_args *a, const chunks_file *f)
{
	char hex[ATTACHMENT_HEX_LEN + 1], detail[400 + 4 * ATTACHMENT_NAME_MAX];

	attachment_hex(f->sha256, hex);
	snprintf(detail, sizeof(detail), "sha256=%s size=%llu chunks=%u name=%s", hex,
	         (unsigned long long)f->size, f->chunks, f->name);
	return audit_event(s, txn, &(audit_event_args){
		.who = a->who, .action = "attachment.upload", .kind = f->kind, .record_id = f->record_id,
		.branch = f->branch, .detail = detail, .peer = a->peer });
}

int chunks_put(store *s, MDB_txn *txn, const chunks_put_args *a, chunks_put_result *r)
{
	chunks_file *f = &r->file;
	MDB_dbi files, cdb, quota;
	MDB_val copy = { 0, NULL }, ck, cv;
	uint8_t *old = NULL, whole[32];
	uint64_t expect;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = chunks_locate(s, txn, a->scope, a->who->branch, a->file, f);
	if (rc == HEARTH_ENOTFOUND) {
		memcpy(f->sha256, a->file, 32);
		r->refused = CHUNKS_UNKNOWN;
		return 0;
	}
	if (rc)
		return rc;
	if (f->complete || a->index < f->have)
		return 0;                     /* held already: a retry, or another replica's upload */
	if (a->index >= f->chunks) {
		r->refused = CHUNKS_PAST_END;
		return 0;
	}
	if (a->index > f->have) {
		r->refused = CHUNKS_AHEAD;
		return 0;
	}
	expect = a->index + 1 < f->chunks ? CHUNK_SIZE : f->size - (uint64_t)a->index * CHUNK_SIZE;
	if (a->len != expect) {
		r->refused = CHUNKS_BAD_LENGTH;
		r->expect = expect;
		return 0;
	}
	if ((rc = dbi(txn, CHUNKS_FILES_DB, &files)) != 0 || (rc = dbi(txn, CHUNKS_DB, &cdb)) != 0 ||
	    (rc = dbi(txn, CHUNKS_QUOTA_DB, &quota)) != 0)
		return rc;
	if (a->index == 0) {
		size_t head = a->len < ATTACHMENT_SNIFF_LEN ? a->len : ATTACHMENT_SNIFF_LEN;
		const char *t = attachment_sniff(a->data, head, f->name);
		if (!t || strcmp(t, f->type) != 0) {
			r->refused = CHUNKS_BAD_TYPE;
			r->sniffed = t;
			return 0;
		}
		if ((rc = quota_get(txn, quota, f->branch, &r->used)) != 0)
			return rc;
		if (a->quota && r->used + f->size > a->quota) {
			r->refused = CHUNKS_QUOTA;
			return 0;
		}
		if ((rc = quota_put(txn, quota, f->branch, r->used + f->size)) != 0)
			return rc;
	} else if ((rc = load_copy(txn, files, f, &copy)) != 0) {
		return rc == HEARTH_ENOTFOUND ? HEARTH_ECORRUPT : rc;
	}
	/* The copy's value is LMDB's memory, which the writes below may move. */
	if (f->have && (old = malloc((size_t)f->have * 32)) == NULL)
		return HEARTH_ENOMEM;
	if (f->have)
		memcpy(old, (uint8_t *)copy.mv_data + COPY_HEAD, (size_t)f->have * 32);
	if (a->index + 1 == f->chunks) {
		cv.mv_size = a->len;
		cv.mv_data = (void *)a->data;
		if ((rc = file_hash(s, txn, old, f->have, &cv, whole)) != 0)
			goto done;
		if (memcmp(whole, f->sha256, 32) != 0) {
			uint64_t used;
			r->refused = CHUNKS_FILE_MISMATCH;
			if ((rc = drop_copy(txn, files, f)) == 0 && (rc = quota_get(txn, quota, f->branch, &used)) == 0)
				rc = quota_put(txn, quota, f->branch, used > f->size ? used - f->size : 0);
			f->have = 0;
			goto done;
		}
	}
	ck.mv_size = 32;
	ck.mv_data = (void *)a->chunk_sha256;
	cv.mv_size = a->len;
	cv.mv_data = (void *)a->data;
	rc = mdb_put(txn, cdb, &ck, &cv, MDB_NOOVERWRITE);
	if (rc && rc != MDB_KEYEXIST) {
		rc = store_err(rc);
		goto done;
	}
	if ((rc = chunk_ref(txn, a->chunk_sha256, +1)) != 0)
		goto done;
	f->have++;
	f->complete = f->have == f->chunks;
	if ((rc = write_copy(txn, files, f, old, f->have - 1, a->chunk_sha256)) != 0)
		goto done;
	if (f->complete) {
		r->finished = 1;
		rc = audit_upload(s, txn, a, f);
	}
done:
	free(old);
	return rc;
}

int chunks_read(store *s, MDB_txn *txn, const chunks_file *f, uint32_t index, MDB_val *data, uint8_t hash[32])
{
	MDB_dbi files, cdb;
	MDB_val copy, k;
	chunks_file g = *f;
	uint8_t got[32];
	unsigned int len = 32;
	int rc;

	(void)s;
	if ((rc = dbi(txn, CHUNKS_FILES_DB, &files)) != 0 || (rc = dbi(txn, CHUNKS_DB, &cdb)) != 0)
		return rc;
	if ((rc = load_copy(txn, files, &g, &copy)) != 0)
		return rc == HEARTH_ENOTFOUND ? HEARTH_ECORRUPT : rc;
	if (index >= g.have)
		return HEARTH_ENOTFOUND;
	memcpy(hash, (uint8_t *)copy.mv_data + COPY_HEAD + (size_t)index * 32, 32);
	k.mv_size = 32;
	k.mv_data = hash;
	if ((rc = mdb_get(txn, cdb, &k, data)) != 0)
		return rc == MDB_NOTFOUND ? HEARTH_ECORRUPT : store_err(rc);
	/* A damaged page must not reach a replica as the content. */
	if (EVP_Digest(data->mv_data, data->mv_size, got, &len, EVP_sha256(), NULL) != 1)
		return HEARTH_ENOMEM;
	return memcmp(got, hash, 32) == 0 ? 0 : HEARTH_ECORRUPT;
}

/* The hashes a body of kind k names, into out (at most ATTACHMENTS_MAX). */
static size_t body_hashes(const kind_info *k, const uint8_t *body, size_t len, uint8_t out[][32])
{
	ProtobufCMessage *m;
	Hearth__Attachment **list;
	size_t n, got = 0;

	if (!body)
		return 0;
	m = protobuf_c_message_unpack(k->desc, NULL, len, len ? body : (const uint8_t *)"");
	if (!m)
		return 0;
	list = attachment_list(m, &n);
	for (size_t i = 0; i < n && got < ATTACHMENTS_MAX; i++)
		if (list[i]->sha256.len == 32)
			memcpy(out[got++], list[i]->sha256.data, 32);
	protobuf_c_message_free_unpacked(m, NULL);
	return got;
}

static int has_hash(uint8_t list[][32], size_t n, const uint8_t h[32])
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(list[i], h, 32) == 0)
			return 1;
	return 0;
}

int chunks_after_write(store *s, MDB_txn *txn, const chunks_write *w)
{
	uint8_t before[ATTACHMENTS_MAX][32], after[ATTACHMENTS_MAX][32];
	size_t nb, na;
	MDB_dbi refs;
	int rc = 0;

	(void)s;
	if (!w->kind)
		return 0;
	nb = body_hashes(w->kind, w->old_body, w->old_len, before);
	na = body_hashes(w->kind, w->body, w->body_len, after);
	if ((nb || na) && (rc = dbi(txn, CHUNKS_REFS_DB, &refs)) != 0)
		return rc;
	/* Named now: attached (an empty value). No longer named: the time of
	 * the detach, from which the retention counts. */
	for (size_t i = 0; i < na + nb && rc == 0; i++) {
		const uint8_t *h = i < na ? after[i] : before[i - na];
		uint8_t key[48], at[8];
		MDB_val kv = { 48, key }, v = { 0, at };
		if (i >= na && has_hash(after, na, h))
			continue;
		memcpy(key, h, 32);
		memcpy(key + 32, w->id, 16);
		if (i >= na) {
			be64_put(at, (uint64_t)(w->now > 0 ? w->now : 1));
			v.mv_size = 8;
		}
		rc = store_err(mdb_put(txn, refs, &kv, &v, 0));
	}
	return rc;
}

/* Whether the copy of file held by branch may go: no record of branch
 * names file any more, and every detach the index knows of is older than
 * cutoff (a purged record counts as long gone). */
static int copy_expired(store *s, MDB_txn *txn, MDB_dbi refs, const uint8_t file[32], const char *branch,
                        int64_t cutoff, int *expired)
{
	MDB_cursor *cur = NULL;
	MDB_val k = { 32, (void *)file }, v;
	int rc, op = MDB_SET_RANGE;

	*expired = 1;
	if ((rc = store_err(mdb_cursor_open(txn, refs, &cur))) != 0)
		return rc;
	for (; *expired; op = MDB_NEXT) {
		MDB_val rk, rv;
		Hearth__Record *rec;
		chunks_file f;
		if ((rc = mdb_cursor_get(cur, &k, &v, op)) != 0) {
			rc = rc == MDB_NOTFOUND ? 0 : store_err(rc);
			break;
		}
		if (k.mv_size != 48 || memcmp(k.mv_data, file, 32) != 0)
			break;
		rk.mv_size = 16;
		rk.mv_data = (uint8_t *)k.mv_data + 32;
		if ((rc = mdb_get(txn, s->records, &rk, &rv)) == MDB_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc) {
			rc = store_err(rc);
			break;
		}
		if ((rec = hearth__record__unpack(NULL, rv.mv_size, rv.mv_data)) == NULL) {
			*expired = 0;   /* cannot tell: keep */
			break;
		}
		if (!strcmp(rec->branch_id, branch)) {
			memset(&f, 0, sizeof(f));
			if (names_file(rec, file, &f) || v.mv_size != 8 || (int64_t)be64_get(v.mv_data) >= cutoff)
				*expired = 0;
		}
		hearth__record__free_unpacked(rec, NULL);
	}
	mdb_cursor_close(cur);
	return rc;
}

int chunks_purge_detached(store *s, MDB_txn *txn, int64_t cutoff, chunks_purge_stats *st)
{
	MDB_dbi files, refs, quota;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	chunks_file doomed[64];
	size_t n = 0;
	int rc, op;

	memset(st, 0, sizeof(*st));
	if ((rc = dbi(txn, CHUNKS_FILES_DB, &files)) != 0 || (rc = dbi(txn, CHUNKS_REFS_DB, &refs)) != 0 ||
	    (rc = dbi(txn, CHUNKS_QUOTA_DB, &quota)) != 0)
		return rc;
	if ((rc = store_err(mdb_cursor_open(txn, files, &cur))) != 0)
		return rc;
	/* Collected first, dropped after: deletes under a cursor move it. At
	 * most 64 a run; the next daily run takes the rest. */
	for (op = MDB_FIRST; n < HEARTH_ARRAY_LEN(doomed); op = MDB_NEXT) {
		chunks_file *f = &doomed[n];
		int expired;
		if ((rc = mdb_cursor_get(cur, &k, &v, op)) != 0) {
			rc = rc == MDB_NOTFOUND ? 0 : store_err(rc);
			break;
		}
		st->files++;
		if (k.mv_size <= 32 || k.mv_size > 32 + STORE_BRANCH_MAX || v.mv_size < COPY_HEAD)
			continue;
		memset(f, 0, sizeof(*f));
		memcpy(f->sha256, k.mv_data, 32);
		memcpy(f->branch, (uint8_t *)k.mv_data + 32, k.mv_size - 32);
		f->size = be64_get(v.mv_data);
		if ((rc = copy_expired(s, txn, refs, f->sha256, f->branch, cutoff, &expired)) != 0)
			break;
		if (expired)
			n++;
	}
	mdb_cursor_close(cur);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		uint64_t used;
		if ((rc = drop_copy(txn, files, &doomed[i])) == 0 &&
		    (rc = quota_get(txn, quota, doomed[i].branch, &used)) == 0)
			rc = quota_put(txn, quota, doomed[i].branch, used > doomed[i].size ? used - doomed[i].size : 0);
		st->purged++;
		st->bytes += doomed[i].size;
	}
	return rc;
}

int chunks_check(MDB_txn *txn, chunks_check_result *out, void (*say)(void *arg, const char *line), void *arg)
{
	MDB_dbi cdb, files;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	char line[256], hex[ATTACHMENT_HEX_LEN + 1];
	int rc, op;

	memset(out, 0, sizeof(out[0]));
	if ((rc = dbi(txn, CHUNKS_DB, &cdb)) != 0 || (rc = dbi(txn, CHUNKS_FILES_DB, &files)) != 0)
		return rc == HEARTH_ENOTFOUND ? 0 : rc;   /* a store older than attachments */
	if ((rc = store_err(mdb_cursor_open(txn, cdb, &cur))) != 0)
		return rc;
	for (op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) == 0; op = MDB_NEXT) {
		uint8_t got[32];
		unsigned int len = 32;
		out->chunks++;
		if (k.mv_size != 32 || EVP_Digest(v.mv_data, v.mv_size, got, &len, EVP_sha256(), NULL) != 1 ||
		    memcmp(got, k.mv_data, 32) != 0) {
			out->bad++;
			if (k.mv_size == 32)
				attachment_hex(k.mv_data, hex);
			else
				snprintf(hex, sizeof(hex), "?");
			snprintf(line, sizeof(line), "chunk %s: its bytes do not match its SHA-256", hex);
			say(arg, line);
		}
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if ((rc = store_err(mdb_cursor_open(txn, files, &cur))) != 0)
		return rc;
	for (op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) == 0; op = MDB_NEXT) {
		const uint8_t *p = v.mv_data;
		uint32_t have;
		int bad = k.mv_size < 33 || v.mv_size < COPY_HEAD;
		out->files++;
		have = bad ? 0 : be32_get(p + 12);
		bad |= !bad && v.mv_size != COPY_HEAD + (size_t)have * 32;
		for (uint32_t i = 0; !bad && i < have; i++) {
			MDB_val ck = { 32, (void *)(p + COPY_HEAD + (size_t)i * 32) }, cv;
			bad |= mdb_get(txn, cdb, &ck, &cv) != 0;
		}
		if (bad) {
			out->bad++;
			if (k.mv_size >= 32)
				attachment_hex(k.mv_data, hex);
			else
				snprintf(hex, sizeof(hex), "?");
			snprintf(line, sizeof(line), "attachment %s of branch %.*s: a chunk it lists is missing or its "
			         "entry is damaged", hex, k.mv_size > 32 ? (int)(k.mv_size - 32) : 0,
			         (const char *)k.mv_data + 32);
			say(arg, line);
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : store_err(rc);
}

/* The meta key that says arefs covers every record. */
#define INDEXED_KEY "arefs_indexed"

int chunks_index_existing(store *s, uint64_t *records, char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k = { sizeof(INDEXED_KEY) - 1, INDEXED_KEY }, v, one = { 1, "1" };
	int rc, op;

	*records = 0;
	if ((rc = store_err(mdb_txn_begin(s->env, NULL, 0, &txn))) != 0)
		goto fail;
	if ((rc = mdb_get(txn, s->meta, &k, &v)) == 0) {
		mdb_txn_abort(txn);
		return 0;
	}
	if (rc != MDB_NOTFOUND) {
		rc = store_err(rc);
		goto fail;
	}
	if ((rc = store_err(mdb_cursor_open(txn, s->records, &cur))) != 0)
		goto fail;
	for (op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) == 0; op = MDB_NEXT) {
		Hearth__Record *rec = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
		const kind_info *kind = rec ? kind_find(rec->kind) : NULL;
		uint8_t *body = NULL;
		size_t len = 0;
		if (kind && rec->id.len == 16 && record_pack_body(rec, &body, &len) == 0) {
			rc = chunks_after_write(s, txn, &(chunks_write){
				.kind = kind, .id = rec->id.data, .body = body, .body_len = len });
			(*records)++;
		}
		free(body);
		if (rec)
			hearth__record__free_unpacked(rec, NULL);
		if (rc)
			break;
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND)
		goto fail;
	k.mv_size = sizeof(INDEXED_KEY) - 1;
	k.mv_data = INDEXED_KEY;
	if ((rc = store_err(mdb_put(txn, s->meta, &k, &one, 0))) != 0)
		goto fail;
	rc = store_commit(s, txn);
	txn = NULL;
	if (rc)
		goto fail;
	return 0;
fail:
	if (txn)
		mdb_txn_abort(txn);
	snprintf(err, errlen, "cannot index the attachments of the stored records: %s", hearth_strerror(rc));
	return rc;
}
