/* attachment_transfer.c: uploads pending attachment content and downloads
 * one file on demand, in chunks (see attachment_transfer.h). */
#include "client/core/attachment_transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/core/reasons.h"
#include "client/core/replica_meta.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"

/* Chunk uploads in flight on the session: the server's group commit then
 * takes several in one fsync. */
#define UPLOAD_WINDOW 4
/* Chunk downloads in flight: the next ones travel while one is written. */
#define DOWNLOAD_WINDOW 4
/* Files one sync looks at. */
#define FILES_MAX 65536
/* Questions one sync asks about files whose content is not here and that
 * are not known whole on the server (uploads of other replicas still under
 * way, records the server lacks). Each file known whole is never asked
 * again (its marker) until a recovery clears the markers; the rest are
 * asked in turns, QUERIES_MAX a sync, from where the last sync stopped. */
#define QUERIES_MAX 64
/* The replica meta key that holds the hash the last capped sync stopped at. */
#define ASK_AFTER_KEY "content_ask_after"

/* One content of the local view. */
typedef struct item {
	uint8_t sha256[32];
	uint64_t size;
	char name[4 * ATTACHMENT_NAME_MAX + 1];
} item;

typedef struct item_list {
	item *v;
	size_t n, cap;
	int failed;
} item_list;

static int collect_one(void *arg, const Hearth__Record *rec)
{
	item_list *l = arg;
	size_t n;
	Hearth__Attachment **list = attachment_list(record_body(rec), &n);

	for (size_t i = 0; i < n; i++) {
		if (list[i]->sha256.len != 32 || l->n >= FILES_MAX)
			continue;
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 64;
			item *v = realloc(l->v, cap * sizeof(*v));
			if (!v) {
				l->failed = 1;
				return 1;
			}
			l->v = v;
			l->cap = cap;
		}
		memcpy(l->v[l->n].sha256, list[i]->sha256.data, 32);
		l->v[l->n].size = list[i]->size;
		snprintf(l->v[l->n].name, sizeof(l->v[l->n].name), "%s", list[i]->name);
		l->n++;
	}
	return 0;
}

static int by_hash(const void *a, const void *b)
{
	return memcmp(((const item *)a)->sha256, ((const item *)b)->sha256, 32);
}

/* Every content the local view names, once each, collected before any
 * request so no replica transaction stays open across the network. */
static int collect(replica *r, item_list *l)
{
	size_t w = 0;
	int rc, none = 0;

	memset(l, 0, sizeof(*l));
	/* A replica that never held an attachment names none: no need to
	 * read every record to find that out. */
	if ((rc = replica_holds_no_attachments(r, &none)) != 0 || none)
		return rc;
	/* Most records name no file: only those whose body has the
	 * attachments field are unpacked. */
	if ((rc = replica_each_with_field(r, ATTACHMENT_FIELD, collect_one, l)) != 0 && !l->failed)
		return rc;
	if (l->failed)
		return HEARTH_ENOMEM;
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), by_hash);
	for (size_t i = 0; i < l->n; i++)
		if (w == 0 || memcmp(l->v[w - 1].sha256, l->v[i].sha256, 32) != 0)
			l->v[w++] = l->v[i];
	l->n = w;
	return 0;
}

static int session_failed(const session *s)
{
	return s->fail == SESSION_PROTOCOL ? HEARTH_EPROTO : HEARTH_ECLOSED;
}

/* The server's words in the reader's language. */
static const char *said(const Hearth__Envelope *resp, char *buf, size_t cap)
{
	const char *m = resp->body_case == HEARTH__ENVELOPE__BODY_ERROR && resp->error->message
	                        ? resp->error->message
	                        : "";

	return reasons_localize(NULL, m[0] ? m : "?", buf, cap);
}

static Hearth__ErrorCode error_code(const Hearth__Envelope *resp)
{
	return resp->body_case == HEARTH__ENVELOPE__BODY_ERROR ? resp->error->code : 0;
}

/* ChunkQuery for file: *resp (the caller frees) is the answer. */
static int query(session *s, const uint8_t file[32], Hearth__Envelope **resp)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__ChunkQuery q = HEARTH__CHUNK_QUERY__INIT;

	q.file_sha256.data = (uint8_t *)file;
	q.file_sha256.len = 32;
	req.body_case = HEARTH__ENVELOPE__BODY_CHUNK_QUERY;
	req.chunk_query = &q;
	return session_call(s, &req, resp) == 0 ? 0 : session_failed(s);
}

static void refused(const transfer_hooks *h, const char *name, const Hearth__Envelope *resp)
{
	char buf[1024];

	if (h && h->refused)
		h->refused(h->arg, name, said(resp, buf, sizeof(buf)));
}

static void progress(const transfer_hooks *h, uint64_t done, uint64_t total)
{
	if (h && h->progress)
		h->progress(h->arg, done, total);
}

static int read_full(int fd, uint8_t *buf, size_t len, off_t at)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, at + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return HEARTH_EIO;
		got += (size_t)n;
	}
	return 0;
}

/* ------------------------------------------------------------- upload */

typedef struct upload {
	replica *r;
	session *s;
	const transfer_hooks *h;
	transfer_report *rep;
	uint8_t *buf;
	uint64_t done, total;       /* bytes, for the progress line */
	char *err;
	size_t errlen;
} upload;

/* Sends chunk i of it from fd without waiting. */
static int send_chunk(upload *u, const item *it, int fd, uint32_t i, uint64_t *id)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__ChunkPut p = HEARTH__CHUNK_PUT__INIT;
	uint64_t off = (uint64_t)i * TRANSFER_CHUNK;
	size_t len = it->size - off < TRANSFER_CHUNK ? (size_t)(it->size - off) : TRANSFER_CHUNK;
	uint8_t h[32];
	unsigned int hl = 32;

	if (read_full(fd, u->buf, len, (off_t)off) != 0) {
		snprintf(u->err, u->errlen, _("cannot read the stored copy of %s: %s"), it->name, strerror(errno));
		return HEARTH_EIO;
	}
	if (EVP_Digest(u->buf, len, h, &hl, EVP_sha256(), NULL) != 1)
		return HEARTH_ENOMEM;
	p.file_sha256.data = (uint8_t *)it->sha256;
	p.file_sha256.len = 32;
	p.index = i;
	p.chunk_sha256.data = h;
	p.chunk_sha256.len = 32;
	p.data.data = u->buf;
	p.data.len = len;
	req.body_case = HEARTH__ENVELOPE__BODY_CHUNK_PUT;
	req.chunk_put = &p;
	return session_send(u->s, &req, id) == 0 ? 0 : session_failed(u->s);
}

/* Uploads it from the chunk the server holds next, UPLOAD_WINDOW chunks
 * in flight. A refusal is told to the hooks and ends this file only. */
static int upload_one(upload *u, const item *it)
{
	Hearth__Envelope *resp = NULL;
	uint64_t ids[UPLOAD_WINDOW];
	uint32_t chunks, acked, next;
	char path[1400];
	int fd = -1, rc;

	if ((rc = query(u->s, it->sha256, &resp)) != 0)
		return rc;
	if (error_code(resp) == HEARTH__ERROR_CODE__ERR_NOT_FOUND) {
		/* The record is not on the server (rejected, or pushed by no one
		 * yet): its content waits for it. */
		envelope_free(resp, NULL);
		return 0;
	}
	if (resp->body_case != HEARTH__ENVELOPE__BODY_CHUNK_STATE) {
		refused(u->h, it->name, resp);
		u->rep->refused++;
		envelope_free(resp, NULL);
		return 0;
	}
	chunks = resp->chunk_state->chunks;
	acked = resp->chunk_state->have;
	if (resp->chunk_state->complete || acked >= chunks) {
		envelope_free(resp, NULL);
		u->done += it->size;
		(void)attachments_mark_uploaded(u->r, it->sha256);
		return 0;
	}
	envelope_free(resp, NULL);
	resp = NULL;
	u->done += (uint64_t)acked * TRANSFER_CHUNK;
	if (attachments_path(u->r, it->sha256, NULL, path, sizeof(path)) != 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(u->err, u->errlen, _("cannot read the stored copy of %s: %s"), it->name, strerror(errno));
		return HEARTH_EIO;
	}
	for (next = acked; acked < chunks;) {
		const Hearth__ChunkState *st;
		while (next < chunks && next - acked < UPLOAD_WINDOW) {
			if ((rc = send_chunk(u, it, fd, next, &ids[next % UPLOAD_WINDOW])) != 0)
				goto done;
			next++;
		}
		if (session_wait(u->s, ids[acked % UPLOAD_WINDOW], &resp) != 0) {
			rc = session_failed(u->s);
			goto done;
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_CHUNK_STATE) {
			refused(u->h, it->name, resp);
			u->rep->refused++;
			rc = 0;
			goto done;
		}
		st = resp->chunk_state;
		if (st->have < acked + 1 && !st->complete) {
			snprintf(u->err, u->errlen, _("the server lost chunks of %s it had confirmed"), it->name);
			rc = HEARTH_EPROTO;
			goto done;
		}
		acked++;
		u->done += acked == chunks ? it->size - (uint64_t)(acked - 1) * TRANSFER_CHUNK : TRANSFER_CHUNK;
		u->rep->bytes_sent += acked == chunks ? it->size - (uint64_t)(acked - 1) * TRANSFER_CHUNK
		                                      : TRANSFER_CHUNK;
		progress(u->h, u->done, u->total);
		if (st->complete) {
			u->rep->files_sent++;
			(void)attachments_mark_uploaded(u->r, it->sha256);
			acked = chunks;
		}
		envelope_free(resp, NULL);
		resp = NULL;
	}
	rc = 0;
done:
	if (resp)
		envelope_free(resp, NULL);
	close(fd);
	return rc;
}

/* Forward: the download of one file (below). */
static int fetch_item(upload *u, const item *it);

/* Asks whether the server holds it whole (content not here). */
static int check_one(upload *u, const item *it)
{
	Hearth__Envelope *resp = NULL;
	int rc = query(u->s, it->sha256, &resp);

	if (rc)
		return rc;
	if (resp->body_case == HEARTH__ENVELOPE__BODY_CHUNK_STATE && resp->chunk_state->complete)
		(void)attachments_mark_uploaded(u->r, it->sha256);
	else
		u->rep->waiting++;
	envelope_free(resp, NULL);
	return 0;
}

/* The index in l of the first file after the hash the last capped sync
 * stopped at (0 when it did not stop, or past the end). */
static size_t ask_start(replica *r, const item_list *l)
{
	uint8_t *after = NULL;
	size_t len = 0, i = 0;

	if (replica_meta_get_bytes(r, ASK_AFTER_KEY, &after, &len) != 0)
		return 0;
	if (len == 32)
		while (i < l->n && memcmp(l->v[i].sha256, after, 32) <= 0)
			i++;
	free(after);
	return i < l->n ? i : 0;
}

int transfer_sync(replica *r, session *s, const transfer_hooks *h, int fetch_all, transfer_report *rep,
                  char *err, size_t errlen)
{
	upload u = { .r = r, .s = s, .h = h, .rep = rep, .err = err, .errlen = errlen };
	item_list l;
	size_t start, asked = 0, stopped = 0;
	int rc;

	memset(rep, 0, sizeof(*rep));
	err[0] = 0;
	if ((rc = collect(r, &l)) != 0) {
		snprintf(err, errlen, _("cannot read the attachments of this replica: %s"), _(hearth_strerror(rc)));
		return rc;
	}
	for (size_t i = 0; i < l.n; i++)
		if (!attachments_uploaded(r, l.v[i].sha256) && attachments_have(r, l.v[i].sha256, l.v[i].size))
			u.total += l.v[i].size;
	if (u.total && (u.buf = malloc(TRANSFER_CHUNK)) == NULL) {
		free(l.v);
		return HEARTH_ENOMEM;
	}
	start = ask_start(r, &l);
	for (size_t k = 0; k < l.n && rc == 0; k++) {
		const item *it = &l.v[(start + k) % l.n];
		int here = attachments_have(r, it->sha256, it->size);
		if (here && !attachments_uploaded(r, it->sha256))
			rc = upload_one(&u, it);
		else if (!here && fetch_all)
			rc = fetch_item(&u, it);  /* the branch chose every file at hand */
		else if (here || attachments_uploaded(r, it->sha256))
			continue;
		else if (asked == QUERIES_MAX) {
			/* The rest waits for the next syncs, which start here. */
			if (!stopped)
				(void)replica_meta_set_bytes(r, ASK_AFTER_KEY, l.v[(start + k + l.n - 1) % l.n].sha256, 32);
			stopped = 1;
			u.rep->waiting++;
		} else {
			asked++;
			rc = check_one(&u, it);
		}
	}
	if (!stopped && rc == 0 && start != 0)
		(void)replica_meta_set_bytes(r, ASK_AFTER_KEY, (const uint8_t *)"", 0);
	free(u.buf);
	free(l.v);
	return rc;
}

/* ----------------------------------------------------------- download */

/* Sends ChunkGet for chunk i of file without waiting; *id is its request. */
static int send_get(session *s, const uint8_t file[32], uint32_t i, uint64_t *id)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__ChunkGet g = HEARTH__CHUNK_GET__INIT;

	g.file_sha256.data = (uint8_t *)file;
	g.file_sha256.len = 32;
	g.index = i;
	req.body_case = HEARTH__ENVELOPE__BODY_CHUNK_GET;
	req.chunk_get = &g;
	return session_send(s, &req, id) == 0 ? 0 : session_failed(s);
}

/* Whether d is chunk i of a file of size bytes, its bytes matching its hash. */
static int chunk_ok(const Hearth__ChunkData *d, uint32_t i, uint64_t size)
{
	uint64_t off = (uint64_t)i * TRANSFER_CHUNK;
	size_t want = size - off < TRANSFER_CHUNK ? (size_t)(size - off) : TRANSFER_CHUNK;
	uint8_t h[32];
	unsigned int hl = 32;

	return d->index == i && d->data.len == want && d->chunk_sha256.len == 32 &&
	       EVP_Digest(d->data.data, d->data.len, h, &hl, EVP_sha256(), NULL) == 1 &&
	       memcmp(h, d->chunk_sha256.data, 32) == 0;
}

static int write_full(int fd, const uint8_t *buf, size_t len, off_t at)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = pwrite(fd, buf + put, len - put, at + (off_t)put);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return HEARTH_EIO;
		put += (size_t)n;
	}
	return 0;
}

/* The SHA-256 of the first len bytes of fd. */
static int hash_fd(int fd, uint64_t len, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *buf = malloc(TRANSFER_CHUNK);
	int rc = 0;

	if (!md || !buf || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		rc = HEARTH_ENOMEM;
		goto done;
	}
	for (uint64_t off = 0; off < len;) {
		size_t n = len - off < TRANSFER_CHUNK ? (size_t)(len - off) : TRANSFER_CHUNK;
		if ((rc = read_full(fd, buf, n, (off_t)off)) != 0)
			goto done;
		EVP_DigestUpdate(md, buf, n);
		off += n;
	}
	EVP_DigestFinal_ex(md, out, NULL);
done:
	free(buf);
	EVP_MD_CTX_free(md);
	return rc;
}

int transfer_fetch(replica *r, session *s, const attachment_hit *hit, const transfer_hooks *h,
                   transfer_state *st, char *err, size_t errlen)
{
	Hearth__Envelope *resp = NULL;
	char part[1400], dest[1400], buf[1024];
	uint64_t ids[DOWNLOAD_WINDOW];
	uint8_t whole[32];
	uint32_t chunks, i;
	struct stat sb;
	int fd = -1, rc;

	err[0] = 0;
	memset(st, 0, sizeof(*st));
	if ((rc = query(s, hit->sha256, &resp)) != 0)
		return rc;
	if (resp->body_case != HEARTH__ENVELOPE__BODY_CHUNK_STATE) {
		rc = error_code(resp) == HEARTH__ERROR_CODE__ERR_NOT_FOUND ? HEARTH_ENOTFOUND : HEARTH_EPROTO;
		snprintf(err, errlen, "%s", said(resp, buf, sizeof(buf)));
		envelope_free(resp, NULL);
		return rc;
	}
	st->have = resp->chunk_state->have;
	st->chunks = chunks = resp->chunk_state->chunks;
	if (!resp->chunk_state->complete || resp->chunk_state->size != hit->size) {
		envelope_free(resp, NULL);
		return HEARTH_EAGAIN;
	}
	envelope_free(resp, NULL);
	resp = NULL;
	if (attachments_path(r, hit->sha256, ATTACHMENTS_PART_SUFFIX, part, sizeof(part)) != 0 ||
	    attachments_path(r, hit->sha256, NULL, dest, sizeof(dest)) != 0 ||
	    (fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 || fstat(fd, &sb) != 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), part, strerror(errno));
		rc = HEARTH_EIO;
		goto done;
	}
	/* Only whole chunks count: a cut in the middle of one leaves its
	 * start, which is written again. */
	i = (uint32_t)((uint64_t)sb.st_size / TRANSFER_CHUNK);
	if (i > chunks)
		i = 0;
	if (ftruncate(fd, (off_t)i * TRANSFER_CHUNK) != 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), part, strerror(errno));
		rc = HEARTH_EIO;
		goto done;
	}
	for (uint32_t next = i; i < chunks; i++) {
		while (next < chunks && next - i < DOWNLOAD_WINDOW) {
			if ((rc = send_get(s, hit->sha256, next, &ids[next % DOWNLOAD_WINDOW])) != 0)
				goto done;
			next++;
		}
		if (session_wait(s, ids[i % DOWNLOAD_WINDOW], &resp) != 0) {
			rc = session_failed(s);
			goto done;
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_CHUNK_DATA) {
			rc = error_code(resp) == HEARTH__ERROR_CODE__ERR_NOT_FOUND ? HEARTH_ENOTFOUND : HEARTH_EPROTO;
			snprintf(err, errlen, "%s", said(resp, buf, sizeof(buf)));
			goto done;
		}
		if (!chunk_ok(resp->chunk_data, i, hit->size)) {
			snprintf(err, errlen, _("chunk %u of %s from the server does not match its hash"), i, hit->name);
			rc = HEARTH_ECORRUPT;
			goto done;
		}
		/* Each chunk is on disk before the next counts, so a cut or a
		 * crash resumes after the last whole one. */
		if (write_full(fd, resp->chunk_data->data.data, resp->chunk_data->data.len,
		               (off_t)i * TRANSFER_CHUNK) != 0 ||
		    fdatasync(fd) != 0) {
			snprintf(err, errlen, _("cannot write %s: %s"), part, strerror(errno));
			rc = HEARTH_EIO;
			goto done;
		}
		envelope_free(resp, NULL);
		resp = NULL;
		progress(h, (uint64_t)(i + 1) * TRANSFER_CHUNK > hit->size ? hit->size : (uint64_t)(i + 1) * TRANSFER_CHUNK,
		         hit->size);
	}
	if ((rc = hash_fd(fd, hit->size, whole)) != 0) {
		snprintf(err, errlen, _("cannot read %s: %s"), part, strerror(errno));
		goto done;
	}
	if (memcmp(whole, hit->sha256, 32) != 0) {
		/* Every chunk matched its own hash, yet the file does not: start
		 * over next time rather than keep a wrong copy. */
		snprintf(err, errlen, _("the content of %s from the server does not match its SHA-256; nothing was kept"),
		         hit->name);
		unlink(part);
		rc = HEARTH_ECORRUPT;
		goto done;
	}
	if (fsync(fd) != 0 || rename(part, dest) != 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), dest, strerror(errno));
		rc = HEARTH_EIO;
		goto done;
	}
	(void)attachments_mark_uploaded(r, hit->sha256);
	rc = 0;
done:
	if (resp)
		envelope_free(resp, NULL);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* fetch_all: one file not here, when the server holds it whole; one it
 * does not yet is counted as waiting, one it refuses is told. */
static int fetch_item(upload *u, const item *it)
{
	attachment_hit hit;
	transfer_state st;
	int rc;

	memset(&hit, 0, sizeof(hit));
	memcpy(hit.sha256, it->sha256, 32);
	hit.size = it->size;
	snprintf(hit.name, sizeof(hit.name), "%s", it->name);
	rc = transfer_fetch(u->r, u->s, &hit, NULL, &st, u->err, u->errlen);
	if (rc == HEARTH_EAGAIN || rc == HEARTH_ENOTFOUND) {
		u->rep->waiting++;
		u->err[0] = 0;
		return 0;
	}
	if (rc == 0)
		u->rep->files_fetched++;
	return rc;
}
