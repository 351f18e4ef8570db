/* backup.c: snapshots for `hearth admin backup`, made with LMDB's
 * compacting copy on the thread pool and read back with uv_fs_read. */
#include "server/api/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/audit.h"
#include "server/api/context.h"
#include "server/api/session.h"
#include "server/api/authz.h"
#include "server/loop/dispatch.h"
#include "server/api/audit.h"
#include "server/api/events.h"
#include "server/db/backup.h"
#include "server/db/checkpoint.h"
#include "server/loop/connection.h"
#include "common/hearth.h"
#include "common/log.h"
#include "server/loop/listener.h"
#include "server/db/store.h"

#define CHUNK_MAX (1u << 20)

typedef struct remote_backup {
	uv_work_t work;
	uv_fs_t read_req;
	conn *c;
	uint64_t request_id;
	int fd;
	char path[1100];
	uint64_t size;
	backup_info info;
	int rc;
	char err[400];
	int busy;                  /* a copy or a read is in flight */
	int ready;                 /* the snapshot exists and may be read */
	uint8_t *buf;
	uint64_t offset;
} remote_backup;

void admin_backup_free(remote_backup *b)
{
	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b->buf);
	free(b);
}

/* Thread pool: the copy runs in its own read transaction, so it is one
 * committed state while the writer goes on. The file is unlinked as soon
 * as it has been checked: a crash leaves nothing behind. */
static void do_copy(uv_work_t *w)
{
	remote_backup *b = w->data;
	store *st = api_of(b->c)->store;
	struct stat sb;
	int rc = mdb_env_copyfd2(st->env, b->fd, MDB_CP_COMPACT);

	if (rc != 0) {
		b->rc = store_err(rc);
		snprintf(b->err, sizeof(b->err), "the snapshot failed: %s", mdb_strerror(rc));
	} else if (fsync(b->fd) != 0 || fstat(b->fd, &sb) != 0) {
		b->rc = HEARTH_EIO;
		snprintf(b->err, sizeof(b->err), "the snapshot failed: %s", strerror(errno));
	} else {
		b->size = (uint64_t)sb.st_size;
		b->rc = backup_inspect(b->path, 1, &b->info, b->err, sizeof(b->err));
	}
	unlink(b->path);
}

static void send_chunk(conn *c, uint64_t request_id, Hearth__BackupChunk *ch)
{
	Hearth__Envelope out = HEARTH__ENVELOPE__INIT;
	out.request_id = request_id;
	out.body_case = HEARTH__ENVELOPE__BODY_BACKUP_CHUNK;
	out.backup_chunk = ch;
	conn_send(c, &out);
}

static void copied(uv_work_t *w, int status)
{
	remote_backup *b = w->data;
	conn *c = b->c;
	Hearth__BackupChunk ch = HEARTH__BACKUP_CHUNK__INIT;
	Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;
	char detail[200];

	b->busy = 0;
	if (status != 0 && b->rc == 0) {
		b->rc = HEARTH_EIO;
		snprintf(b->err, sizeof(b->err), "the snapshot was cancelled");
	}
	if (c->state != CONN_CLOSING) {
		if (b->rc != 0) {
			conn_send_error(c, b->request_id, b->rc == HEARTH_EFULL ? HEARTH__ERROR_CODE__ERR_STORE_FULL
			                                                       : HEARTH__ERROR_CODE__ERR_INTERNAL,
			                "", 0, "%s", b->err);
		} else {
			b->ready = 1;
			/* The checkpoint the snapshot ends at, signed now. */
			if (checkpoint_sign(api_of(c)->audit_key, b->info.has_audit_head ? b->info.audit_size : 0,
			                    b->info.audit_head, server_now_ms(), &cp) == 0)
				ch.checkpoint = &cp;
			ch.total_size = b->size;
			ch.seq = b->info.seq;
			ch.records = b->info.records;
			ch.last = b->size == 0;
			send_chunk(c, b->request_id, &ch);
			free(cp.signature.data);
			snprintf(detail, sizeof(detail), "snapshot of %llu bytes, %llu records, change %llu, audit size %llu",
			         (unsigned long long)b->size, (unsigned long long)b->info.records,
			         (unsigned long long)b->info.seq, (unsigned long long)cp.size);
			events_submit(api_of(c), &c->id, "backup", "", detail, c->peer);
			log_event(LOG_INFO, "backup", "cn", c->id.name, "detail", detail, NULL);
		}
	}
	c->inflight--;
	conn_unref(c);
}

static void read_done(uv_fs_t *req)
{
	remote_backup *b = req->data;
	conn *c = b->c;
	ssize_t n = req->result;

	uv_fs_req_cleanup(req);
	b->busy = 0;
	if (c->state != CONN_CLOSING) {
		if (n < 0) {
			conn_send_error(c, b->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
			                "reading the snapshot failed: %s", uv_strerror((int)n));
		} else {
			Hearth__BackupChunk ch = HEARTH__BACKUP_CHUNK__INIT;
			ch.total_size = b->size;
			ch.offset = b->offset;
			ch.data.data = b->buf;
			ch.data.len = (size_t)n;
			ch.last = b->offset + (uint64_t)n >= b->size;
			send_chunk(c, b->request_id, &ch);
		}
	}
	free(b->buf);
	b->buf = NULL;
	c->inflight--;
	conn_unref(c);
}

int admin_handle_backup(conn *c, Hearth__Envelope *env)
{
	Hearth__BackupRequest *rq = env->backup_request;
	remote_backup *b = session_of(c)->backup;

	if (authz_backup(c, env->request_id) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if (b && b->busy) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_BUSY, "", 0,
		                "a backup request is still in progress on this connection");
		return 0;
	}
	if (rq->start) {
		admin_backup_free(b);
		session_of(c)->backup = b = calloc(1, sizeof(*b));
		session_of(c)->backup_free = admin_backup_free;
		if (!b) {
			conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "out of memory");
			return 0;
		}
		b->c = c;
		snprintf(b->path, sizeof(b->path), "%s/.backup-%ld-%llu.tmp", api_of(c)->data_dir, (long)getpid(),
		         (unsigned long long)c->conn_id);
		b->fd = open(b->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (b->fd < 0) {
			conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
			                "cannot create a snapshot file in %s: %s", api_of(c)->data_dir, strerror(errno));
			admin_backup_free(b);
			session_of(c)->backup = NULL;
			return 0;
		}
		b->request_id = env->request_id;
		b->work.data = b;
		if (uv_queue_work(c->srv->loop, &b->work, do_copy, copied) != 0) {
			unlink(b->path);
			conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "cannot start the snapshot");
			admin_backup_free(b);
			session_of(c)->backup = NULL;
			return 0;
		}
		b->busy = 1;
		c->inflight++;
		conn_ref(c);
		return 0;
	}
	if (!b || !b->ready) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "start", 0,
		                "no snapshot on this connection: send a BackupRequest with start first");
		return 0;
	}
	if (rq->offset > b->size) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "offset", 0,
		                "offset %llu is beyond the snapshot's %llu bytes", (unsigned long long)rq->offset,
		                (unsigned long long)b->size);
		return 0;
	}
	{
		uint64_t want = rq->length && rq->length < CHUNK_MAX ? rq->length : CHUNK_MAX;
		uv_buf_t ub;
		if (want > b->size - rq->offset)
			want = b->size - rq->offset;
		b->buf = malloc(want ? want : 1);
		if (!b->buf) {
			conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "out of memory");
			return 0;
		}
		b->offset = rq->offset;
		b->request_id = env->request_id;
		b->read_req.data = b;
		ub = uv_buf_init((char *)b->buf, (unsigned)want);
		if (uv_fs_read(c->srv->loop, &b->read_req, b->fd, &ub, 1, (int64_t)rq->offset, read_done) != 0) {
			free(b->buf);
			b->buf = NULL;
			conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "cannot read the snapshot");
			return 0;
		}
		b->busy = 1;
		c->inflight++;
		conn_ref(c);
	}
	return 0;
}
