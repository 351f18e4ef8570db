/* attachments.c: upload, query and download of attachment content in
 * chunks (see attachments.h): bounds and hashes on the loop thread, chunk
 * writes in the writer, reads in short read transactions. */
#include "server/api/attachments.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/attachment.h"
#include "common/hearth.h"
#include "common/log.h"
#include "common/wire.h"
#include "server/api/authz.h"
#include "server/api/context.h"
#include "server/api/jobs.h"
#include "server/db/audit_log.h"
#include "server/db/chunks.h"
#include "server/loop/connection.h"
#include "server/loop/dispatch.h"

/* Envelope body numbers of the answers (proto/hearth.proto). */
#define BODY_CHUNK_STATE HEARTH__ENVELOPE__BODY_CHUNK_STATE
#define BODY_CHUNK_DATA HEARTH__ENVELOPE__BODY_CHUNK_DATA

/* What an upload job carries to the writer and back (api_job.blob). */
typedef struct put_job {
	store_scope scope;
	chunks_put_result res;
} put_job;

/* ChunkState as body bytes. */
static void state_body(wirebuf *b, const chunks_file *f)
{
	wire_bytes_field(b, 1, f->sha256, 32, 1);
	wire_uint_field(b, 2, f->size);
	wire_uint_field(b, 3, f->chunks);
	wire_uint_field(b, 4, f->have);
	wire_uint_field(b, 5, f->complete ? 1 : 0);
}

static int bad_hash(const ProtobufCBinaryData *h)
{
	return h->len != 32;
}

/* The one answer for a file outside the asker's scope and for one that
 * does not exist: nothing tells them apart. */
static void not_found(conn *c, uint64_t id, const uint8_t file[32])
{
	char hex[ATTACHMENT_HEX_LEN + 1];

	attachment_hex(file, hex);
	conn_send_error(c, id, HEARTH__ERROR_CODE__ERR_NOT_FOUND, "file_sha256", 0,
	                "no record this certificate may see has an attachment with SHA-256 %s", hex);
}

/* ------------------------------------------------------------- upload */

/* Writer thread: the chunk into the store (chunks_put). A retried group
 * runs this again from scratch: the result is overwritten. */
static int run_put(store *s, MDB_txn *txn, job *base)
{
	api_job *j = (api_job *)base;
	put_job *pj = (put_job *)j->blob;
	const Hearth__ChunkPut *p = j->env->chunk_put;

	return chunks_put(s, txn, &(chunks_put_args){
		.who = &j->who, .scope = &pj->scope, .file = p->file_sha256.data, .index = p->index,
		.chunk_sha256 = p->chunk_sha256.data, .data = p->data.data, .len = p->data.len,
		.quota = s->attachment_quota, .peer = j->peer, .now = j->now_ms }, &pj->res);
}

/* Loop thread: answers the upload from what the writer found. */
static void answer_put(api_job *j)
{
	conn *c = j->conn;
	const put_job *pj = (const put_job *)j->blob;
	const chunks_put_result *r = &pj->res;
	const chunks_file *f = &r->file;
	const Hearth__ChunkPut *p = j->env->chunk_put;
	uint64_t id = j->env->request_id;
	wirebuf body = WIREBUF_INIT;

	switch (r->refused) {
	case CHUNKS_TAKEN:
		state_body(&body, f);
		(void)conn_send_body(c, id, BODY_CHUNK_STATE, &body);
		wire_free(&body);
		break;
	case CHUNKS_UNKNOWN:
		not_found(c, id, p->file_sha256.data);
		break;
	case CHUNKS_AHEAD:
		conn_send_error(c, id, HEARTH__ERROR_CODE__ERR_INVALID, "index", 0,
		                "chunk %u of %s was sent before chunk %u; send chunk %u next", p->index, f->name,
		                f->have, f->have);
		break;
	case CHUNKS_PAST_END:
		conn_send_error(c, id, HEARTH__ERROR_CODE__ERR_INVALID, "index", 0,
		                "chunk %u of %s is past its end: the file has %u chunks", p->index, f->name, f->chunks);
		break;
	case CHUNKS_BAD_LENGTH:
		conn_send_error(c, id, HEARTH__ERROR_CODE__ERR_INVALID, "data", 0,
		                "chunk %u of %s is %zu bytes; it must be %llu bytes", p->index, f->name, p->data.len,
		                (unsigned long long)r->expect);
		break;
	case CHUNKS_BAD_TYPE:
		conn_send_error(c, id, HEARTH__ERROR_CODE__ERR_INVALID, "type", 0,
		                "the content of %s is not of its type %s (its bytes are %s); the upload was refused",
		                f->name, f->type, r->sniffed ? r->sniffed : "of no allowed type");
		break;
	case CHUNKS_QUOTA:
		conn_send_error(c, id, HEARTH__ERROR_CODE__ERR_STORE_FULL, "attachment_quota", 0,
		                "%s (%llu KB) does not fit in the attachment quota of branch %s: it holds %llu KB "
		                "of %llu KB; detach attachments it no longer needs or ask the committee to raise "
		                "attachment_quota",
		                f->name, (unsigned long long)((f->size + 1023) / 1024), f->branch,
		                (unsigned long long)((r->used + 1023) / 1024),
		                (unsigned long long)(api_of(c)->store->attachment_quota / 1024));
		break;
	case CHUNKS_FILE_MISMATCH:
		conn_send_error(c, id, HEARTH__ERROR_CODE__ERR_INVALID, "file_sha256", 0,
		                "the chunks sent for %s do not make up a file with its SHA-256; what was sent of "
		                "it was dropped: send it again from chunk 0",
		                f->name);
		break;
	}
}

static void put_done(job *base)
{
	api_job *j = (api_job *)base;

	if (base->rc != 0)
		jobs_answer_failure(j);
	else if (j->conn->state != CONN_CLOSING)
		answer_put(j);
	jobs_release(j);
}

int attachments_handle_put(conn *c, Hearth__Envelope *env)
{
	api *a = api_of(c);
	const Hearth__ChunkPut *p = env->chunk_put;
	uint8_t got[32];
	unsigned int len = 32;
	store_scope sc;
	api_job *aj;
	put_job *pj;

	if (authz_content_scope(c, env->request_id, AUTHZ_WRITE, &sc) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if (bad_hash(&p->file_sha256) || bad_hash(&p->chunk_sha256)) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "file_sha256", 0,
		                "file_sha256 and chunk_sha256 must be 32 bytes");
		return DISPATCH_DONE;
	}
	if (p->data.len == 0 || p->data.len > CHUNK_SIZE) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "data", 0,
		                "a chunk is 1 to %u bytes; this one is %zu", CHUNK_SIZE, p->data.len);
		return DISPATCH_DONE;
	}
	/* A chunk is its hash: bytes that do not match are refused before
	 * anything is stored. */
	if (EVP_Digest(p->data.data, p->data.len, got, &len, EVP_sha256(), NULL) != 1 ||
	    memcmp(got, p->chunk_sha256.data, 32) != 0) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "chunk_sha256", 0,
		                "chunk %u: its bytes do not match its chunk_sha256; nothing was stored", p->index);
		return DISPATCH_DONE;
	}
	if (c->inflight >= a->max_inflight) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_BUSY, "requests", 0,
		                "more than %u requests in flight on this connection; wait for answers",
		                a->max_inflight);
		return DISPATCH_DONE;
	}
	if ((pj = calloc(1, sizeof(*pj))) == NULL) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "out of memory");
		return DISPATCH_DONE;
	}
	pj->scope = sc;
	if ((aj = jobs_from_conn(c, env, run_put, put_done)) == NULL) {
		free(pj);
		return DISPATCH_DONE;
	}
	aj->blob = (uint8_t *)pj;
	aj->blob_len = sizeof(*pj);
	aj->base.n_ops = 1;
	jobs_submit(a, aj);
	return DISPATCH_KEPT;
}

/* -------------------------------------------------------------- query */

/* The file in c's scope, in a short read transaction (the caller ends it).
 * Returns 0, HEARTH_ENOTFOUND, or another code. */
static int locate(conn *c, const store_scope *sc, const uint8_t file[32], MDB_txn **txn, chunks_file *f)
{
	store *st = api_of(c)->store;
	int rc = store_err(mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn));

	if (rc)
		return rc;
	return chunks_locate(st, *txn, sc, c->id.branch_id, file, f);
}

int attachments_handle_query(conn *c, Hearth__Envelope *env)
{
	const Hearth__ChunkQuery *q = env->chunk_query;
	wirebuf body = WIREBUF_INIT;
	MDB_txn *txn = NULL;
	store_scope sc;
	chunks_file f;
	int rc;

	if (authz_content_scope(c, env->request_id, AUTHZ_READ, &sc) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if (bad_hash(&q->file_sha256)) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "file_sha256", 0,
		                "file_sha256 must be 32 bytes");
		return DISPATCH_DONE;
	}
	/* At --verbose: lets a test count the questions a sync asks. */
	log_event(LOG_DEBUG, "chunk_query", "branch", c->id.branch_id, NULL);
	rc = locate(c, &sc, q->file_sha256.data, &txn, &f);
	if (txn)
		mdb_txn_abort(txn);
	if (rc == HEARTH_ENOTFOUND) {
		not_found(c, env->request_id, q->file_sha256.data);
	} else if (rc) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
		                "the attachment store could not be read: %s", hearth_strerror(rc));
	} else {
		state_body(&body, &f);
		(void)conn_send_body(c, env->request_id, BODY_CHUNK_STATE, &body);
		wire_free(&body);
	}
	return DISPATCH_DONE;
}

/* ----------------------------------------------------------- download */

/* Writer thread: the audit entry of a download (the job's blob holds the
 * record id and its kind, branch its branch, detail what was fetched). */
static int run_download_audit(store *s, MDB_txn *txn, job *base)
{
	api_job *j = (api_job *)base;

	return audit_event(s, txn, &(audit_event_args){
		.who = &j->who, .action = "attachment.download", .kind = (Hearth__Kind)j->blob[16],
		.record_id = j->blob, .branch = j->branch, .detail = j->detail, .peer = j->peer });
}

static void audit_download(conn *c, const chunks_file *f)
{
	api_job *j = jobs_detached(&c->id, run_download_audit);
	char hex[ATTACHMENT_HEX_LEN + 1];

	if (!j || (j->blob = malloc(17)) == NULL) {
		free(j);
		log_event(LOG_ERROR, "audit_failed", "action", "attachment.download", NULL);
		return;
	}
	memcpy(j->blob, f->record_id, 16);
	j->blob[16] = (uint8_t)f->kind;
	j->blob_len = 17;
	snprintf(j->branch, sizeof(j->branch), "%s", f->branch);
	snprintf(j->peer, sizeof(j->peer), "%s", c->peer);
	attachment_hex(f->sha256, hex);
	snprintf(j->detail, sizeof(j->detail), "sha256=%s size=%llu name=%.200s", hex, (unsigned long long)f->size,
	         f->name);
	jobs_submit(api_of(c), j);
}

int attachments_handle_get(conn *c, Hearth__Envelope *env)
{
	const Hearth__ChunkGet *g = env->chunk_get;
	wirebuf body = WIREBUF_INIT;
	MDB_txn *txn = NULL;
	store_scope sc;
	chunks_file f;
	MDB_val data;
	uint8_t hash[32];
	int rc;

	if (authz_content_scope(c, env->request_id, AUTHZ_READ, &sc) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if (bad_hash(&g->file_sha256)) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "file_sha256", 0,
		                "file_sha256 must be 32 bytes");
		return DISPATCH_DONE;
	}
	rc = locate(c, &sc, g->file_sha256.data, &txn, &f);
	if (rc == HEARTH_ENOTFOUND) {
		not_found(c, env->request_id, g->file_sha256.data);
	} else if (rc) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
		                "the attachment store could not be read: %s", hearth_strerror(rc));
	} else if (!f.complete) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_CONFLICT, "file_sha256", 0,
		                "%s is not yet uploaded: the server holds %u of its %u chunks", f.name, f.have,
		                f.chunks);
	} else if (g->index >= f.chunks) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "index", 0,
		                "chunk %u of %s is past its end: the file has %u chunks", g->index, f.name, f.chunks);
	} else if ((rc = chunks_read(api_of(c)->store, txn, &f, g->index, &data, hash)) != 0) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
		                "the server's copy of %s is damaged at chunk %u; the committee's operator should "
		                "run hearthd check",
		                f.name, g->index);
	} else {
		wire_bytes_field(&body, 1, f.sha256, 32, 1);
		wire_uint_field(&body, 2, g->index);
		wire_bytes_field(&body, 3, hash, 32, 1);
		wire_bytes_field(&body, 4, data.mv_data, data.mv_size, 1);
		wire_uint_field(&body, 5, f.chunks);
		wire_uint_field(&body, 6, f.size);
		if (conn_send_body(c, env->request_id, BODY_CHUNK_DATA, &body) == 0 && g->index == 0)
			audit_download(c, &f);
		wire_free(&body);
	}
	if (txn)
		mdb_txn_abort(txn);
	return DISPATCH_DONE;
}
